//! Static performance hints on the fixtures in `fixtures/hints/<lang>/`, one
//! file per hint id. A line marked `hint: ID` must be flagged with ID, a line
//! marked `no-hint: ID` is a near miss that must not be, and no unmarked line
//! may be flagged at all: the test asserts exactly which lines are reported.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use perforch::analysis::hints::{CATALOG, info};
use perforch::analysis::{Hint, function_at, hints};
use perforch::document::Document;
use perforch::language::Language;

#[path = "hint_support/large_source.rs"]
mod large_source;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture_dir(language: Language) -> PathBuf {
    repo_root().join("fixtures/hints").join(language.name())
}

fn fixtures(language: Language) -> Vec<PathBuf> {
    let dir = fixture_dir(language);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| Language::from_path(path) == Some(language))
        .collect();
    files.sort();
    files
}

/// `(line, id)` for every `marker ID` in the text, lines counted from 1.
fn markers(text: &str, marker: &str) -> BTreeSet<(usize, String)> {
    let mut found = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find(marker) {
            // `no-hint:` contains `hint:`; only take the one asked for.
            let is_negated = at >= 3 && rest[..at].ends_with("no-");
            let after = &rest[at + marker.len()..];
            if marker == "no-hint:" || !is_negated {
                let id: String = after
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '-')
                    .collect();
                found.insert((index + 1, id));
            }
            rest = after;
        }
    }
    found
}

fn has_syntax_errors(document: &Document) -> bool {
    document.tree().root_node().has_error()
}

fn check_language(language: Language) {
    let files = fixtures(language);
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let document = Document::new(language, 0, &text);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !has_syntax_errors(&document),
            "{name} does not parse cleanly"
        );

        let own_id = path.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = markers(&text, "hint:");
        let near_misses = markers(&text, "no-hint:");
        assert!(
            info(&own_id).is_some(),
            "{name}: no hint is called {own_id}"
        );
        assert!(
            expected.iter().any(|(_, id)| *id == own_id),
            "{name} has no positive case (`hint: {own_id}`)"
        );
        assert!(
            near_misses.iter().any(|(_, id)| *id == own_id),
            "{name} has no negative case (`no-hint: {own_id}`)"
        );
        for (line, id) in expected.iter().chain(&near_misses) {
            assert!(
                info(id).is_some(),
                "{name}:{line}: marker names an unknown hint {id}"
            );
        }

        let found = hints(&document);
        let lines: Vec<&str> = text.lines().collect();
        let line_of = |hint: &Hint| text[..hint.range.start].matches('\n').count() + 1;
        let flagged: BTreeSet<(usize, String)> = found
            .iter()
            .map(|hint| (line_of(hint), hint.id.to_string()))
            .collect();
        for missing in expected.difference(&flagged) {
            failures.push(format!(
                "{name}:{}: expected {} on `{}`",
                missing.0,
                missing.1,
                lines[missing.0 - 1].trim()
            ));
        }
        for extra in flagged.difference(&expected) {
            let message = &found
                .iter()
                .find(|hint| hint.id == extra.1 && line_of(hint) == extra.0)
                .unwrap()
                .message;
            failures.push(format!(
                "{name}:{}: unexpected {} on `{}`: {message}",
                extra.0,
                extra.1,
                lines[extra.0 - 1].trim()
            ));
        }
        for hint in &found {
            assert!(
                !hint.message.contains('\n'),
                "{name}: {} message spans lines",
                hint.id
            );
            assert!(
                hint.range.start < hint.range.end,
                "{name}: {} has an empty range",
                hint.id
            );
            // The enclosing function is the one the analysis sees at that spot.
            let enclosing = function_at(&document, hint.range.start).map(|function| function.name);
            assert_eq!(
                hint.function, enclosing,
                "{name}: {} at byte {}",
                hint.id, hint.range.start
            );
        }
    }
    for hint in CATALOG.iter().filter(|hint| hint.language == language) {
        let file = fixture_dir(language).join(format!("{}.{}", hint.id, extension(language)));
        assert!(
            file.exists(),
            "{} has no fixture {}",
            hint.id,
            file.display()
        );
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn extension(language: Language) -> &'static str {
    match language {
        Language::Python => "py",
        Language::Java => "java",
        Language::Cpp => "cpp",
        Language::Go => "go",
        Language::Rust => "rs",
    }
}

#[test]
fn python() {
    check_language(Language::Python);
}

#[test]
fn catalog_ids_are_unique_and_name_their_language() {
    let mut seen = BTreeSet::new();
    for hint in CATALOG {
        assert!(seen.insert(hint.id), "{} twice", hint.id);
        let prefix = match hint.language {
            Language::Python => "py-",
            Language::Java => "java-",
            Language::Cpp => "cpp-",
            Language::Go => "go-",
            Language::Rust => "rust-",
        };
        assert!(
            hint.id.starts_with(prefix),
            "{} should start with {prefix}",
            hint.id
        );
    }
    for language in Language::ALL {
        let count = CATALOG
            .iter()
            .filter(|hint| hint.language == language)
            .count();
        assert!(count >= 8, "{} has only {count} hints", language.name());
    }
}

#[test]
fn every_query_names_only_catalogued_hints() {
    for language in Language::ALL {
        let path = repo_root()
            .join("queries")
            .join(language.name())
            .join("hints.scm");
        let text = std::fs::read_to_string(&path).unwrap();
        // Comments (`;` to the end of the line) may mention captures.
        let text: String = text
            .lines()
            .map(|line| line.split(';').next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let mut named = BTreeSet::new();
        for piece in text.split("@hint.").skip(1) {
            let id: String = piece
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-')
                .collect();
            assert!(
                info(&id).is_some(),
                "{}: @hint.{id} is not in the catalog",
                path.display()
            );
            named.insert(id);
        }
        for hint in CATALOG.iter().filter(|hint| hint.language == language) {
            assert!(
                named.contains(hint.id),
                "{}: no pattern captures @hint.{}",
                path.display(),
                hint.id
            );
        }
    }
}

#[test]
fn java() {
    check_language(Language::Java);
}

#[test]
fn cpp() {
    check_language(Language::Cpp);
}

#[test]
fn go() {
    check_language(Language::Go);
}

#[test]
fn rust() {
    check_language(Language::Rust);
}

/// A cache kept across edits reports exactly what a fresh pass reports:
/// blank lines inserted into (and removed from) functions all over each
/// fixture, parsed incrementally as the editor would.
#[test]
fn cached_hints_equal_fresh_hints_after_edits() {
    use perforch::analysis::HintCache;
    use perforch::document::{Position, PositionEncoding, Range, TextChange};
    for language in Language::ALL {
        for path in fixtures(language) {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let mut document = Document::new(language, 0, &text);
            let mut cache = HintCache::new();
            assert_eq!(
                cache.hints(&document),
                hints(&document),
                "{name}: first pass"
            );
            let indented: Vec<u32> = text
                .lines()
                .enumerate()
                .filter(|(_, line)| line.starts_with("    ") || line.starts_with('\t'))
                .map(|(index, _)| index as u32)
                .collect();
            for (version, line) in indented.iter().step_by(7).enumerate() {
                let at = Position::new(*line, 0);
                let insert = TextChange {
                    range: Some(Range { start: at, end: at }),
                    text: "\n".into(),
                };
                document.apply_changes(2 * version as i32 + 1, &[insert], PositionEncoding::Utf16);
                assert_eq!(
                    cache.hints(&document),
                    hints(&document),
                    "{name}: blank line before line {line}"
                );
                let remove = TextChange {
                    range: Some(Range {
                        start: at,
                        end: Position::new(line + 1, 0),
                    }),
                    text: String::new(),
                };
                document.apply_changes(2 * version as i32 + 2, &[remove], PositionEncoding::Utf16);
                assert_eq!(
                    cache.hints(&document),
                    hints(&document),
                    "{name}: blank line removed again"
                );
            }
            assert_eq!(document.source(), text, "{name}: the edits cancel out");
        }
    }
}

/// On the 10,000-line file of `cargo bench --bench hints`: the first pass of
/// a cache, and its passes after an edit inside a function and after a line
/// added at the top (which moves every hint, as in the language server
/// benchmark), report exactly what a fresh pass reports.
#[test]
fn cached_hints_equal_fresh_hints_on_the_large_benchmark_files() {
    use perforch::analysis::HintCache;
    use perforch::document::{Position, PositionEncoding, Range, TextChange};
    for language in Language::ALL {
        let name = language.name();
        let text = large_source::large_source(language);
        let mut document = Document::new(language, 0, &text);
        let fresh = hints(&document);
        assert!(
            fresh.len() > 400,
            "{name}: only {} hints in the large file",
            fresh.len()
        );
        let mut cache = HintCache::new();
        assert_eq!(cache.hints(&document), fresh, "{name}: first pass");

        let middle = text
            .lines()
            .enumerate()
            .skip(text.lines().count() / 2)
            .find(|(_, line)| line.starts_with("        ") || line.starts_with("\t\t"))
            .map(|(index, _)| index as u32)
            .expect("an indented line in the second half");
        for (version, line) in [middle, 0].into_iter().enumerate() {
            let at = Position::new(line, 0);
            let insert = TextChange {
                range: Some(Range { start: at, end: at }),
                text: "\n".into(),
            };
            document.apply_changes(version as i32 + 1, &[insert], PositionEncoding::Utf16);
            assert_eq!(
                cache.hints(&document),
                hints(&document),
                "{name}: blank line before line {line}"
            );
        }
    }
}

// ------------------------------------------------------------ perforch check

fn perforch_check(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_perforch"))
        .arg("check")
        .args(args)
        .current_dir(repo_root())
        .output()
        .unwrap()
}

fn check_output(args: &[&str], expected: expect_test::Expect) {
    let output = perforch_check(args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    expected.assert_eq(&String::from_utf8(output.stdout).unwrap());
}

#[test]
fn check_prints_one_line_per_hint_in_each_language() {
    use expect_test::expect;
    check_output(
        &[
            "fixtures/hints/python/py-list-pop-front.py",
            "fixtures/hints/java/java-boxing-in-loop.java",
        ],
        expect![[r#"
            fixtures/hints/python/py-list-pop-front.py:6:16: py-list-pop-front: `queue.pop(0)` shifts every remaining element: O(n) per call, O(n²) to drain the list; use a collections.deque and `popleft()`
            fixtures/hints/python/py-list-pop-front.py:18:9: py-list-pop-front: `out.insert(0, …)` shifts every element: O(n) per call, O(n²) over the loop; use a collections.deque and `appendleft()`
            fixtures/hints/java/java-boxing-in-loop.java:7:13: java-boxing-in-loop: `total` is a boxed `Long`: each update unboxes it and allocates a new `Long` on every iteration; declare it as `long`
            fixtures/hints/java/java-boxing-in-loop.java:16:17: java-boxing-in-loop: `hits` is a boxed `Integer`: each update unboxes it and allocates a new `Integer` on every iteration; declare it as `int`
            fixtures/hints/java/java-boxing-in-loop.java:25:13: java-boxing-in-loop: `acc` is a boxed `Double`: each update unboxes it and allocates a new `Double` on every iteration; declare it as `double`
        "#]],
    );
    check_output(
        &[
            "fixtures/hints/cpp/cpp-push-back-without-reserve.cpp",
            "fixtures/hints/go/go-regexp-compile-in-loop.go",
            "fixtures/hints/rust/rust-collect-then-len.rs",
        ],
        expect![[r#"
            fixtures/hints/cpp/cpp-push-back-without-reserve.cpp:7:9: cpp-push-back-without-reserve: `out` grows by reallocation as the loop appends to it (about log2 n reallocations, each moving every element); call `out.reserve(n)` before the loop
            fixtures/hints/cpp/cpp-push-back-without-reserve.cpp:15:9: cpp-push-back-without-reserve: `result` grows by reallocation as the loop appends to it (about log2 n reallocations, each moving every element); call `result.reserve(ids.size())` before the loop
            fixtures/hints/cpp/cpp-push-back-without-reserve.cpp:59:9: cpp-push-back-without-reserve: `out` grows by reallocation as the loop appends to it (about log2 n reallocations, each moving every element); call `out.reserve(2 * values.size())` before the loop
            fixtures/hints/go/go-regexp-compile-in-loop.go:10:9: go-regexp-compile-in-loop: `regexp.MustCompile` compiles `^[0-9]+$` on every iteration (the regexp package does not cache); compile it once, e.g. `var re = regexp.MustCompile(`^[0-9]+$`)` at package level
            fixtures/hints/go/go-regexp-compile-in-loop.go:21:15: go-regexp-compile-in-loop: `regexp.MatchString` compiles "^[a-z]+$" on every iteration (the regexp package does not cache); compile it once, e.g. `var re = regexp.MustCompile("^[a-z]+$")` at package level
            fixtures/hints/rust/rust-collect-then-len.rs:4:39: rust-collect-then-len: collects every item into a new collection only to call `len()` on it: an allocation and O(n) memory; `.count()` gives the answer without allocating
            fixtures/hints/rust/rust-collect-then-len.rs:8:44: rust-collect-then-len: collects every item into a new collection only to call `is_empty()` on it: an allocation and O(n) memory; `.next().is_none()` gives the answer without allocating
        "#]],
    );
}

#[test]
fn check_json_has_positions_and_functions() {
    let output = perforch_check(&[
        "--json",
        "fixtures/hints/rust/rust-vec-remove-front-in-loop.rs",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 2);
    let first = &records[0];
    assert_eq!(
        first["path"],
        "fixtures/hints/rust/rust-vec-remove-front-in-loop.rs"
    );
    assert_eq!(first["id"], "rust-vec-remove-front-in-loop");
    assert_eq!(first["function"], "bfs");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(7), Some(20))
    );
    assert_eq!(
        (first["end_line"].as_u64(), first["end_column"].as_u64()),
        (Some(7), Some(35))
    );
    let text = std::fs::read_to_string(
        repo_root().join("fixtures/hints/rust/rust-vec-remove-front-in-loop.rs"),
    )
    .unwrap();
    let (start, end) = (
        first["start_byte"].as_u64().unwrap() as usize,
        first["end_byte"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], "queue.remove(0)");
    assert_eq!(records[1]["function"], "reversed");
    assert!(
        records
            .iter()
            .all(|record| record["message"].as_str().is_some_and(|m| !m.is_empty()))
    );
}

#[test]
fn check_exits_zero_with_or_without_hints_and_fails_on_unreadable_files() {
    // No hints: nothing printed, still success.
    let clean = tempfile::Builder::new().suffix(".py").tempfile().unwrap();
    std::fs::write(clean.path(), "def add(a, b):\n    return a + b\n").unwrap();
    let output = perforch_check(&[clean.path().to_str().unwrap()]);
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    let output = perforch_check(&["--json", clean.path().to_str().unwrap()]);
    assert_eq!(String::from_utf8(output.stdout).unwrap().trim(), "[]");

    let unknown = tempfile::Builder::new().suffix(".txt").tempfile().unwrap();
    let output = perforch_check(&[unknown.path().to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot tell the language") && stderr.contains(".txt"),
        "{stderr}"
    );

    let output = perforch_check(&["fixtures/hints/python/no-such-file.py"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-file.py"));
}

// ----------------------------------------------- the fixtures are real code

/// Runs a toolchain command; a missing toolchain fails the test, naming it.
fn run_toolchain(command: &mut std::process::Command, what: &str) -> std::process::Output {
    let program = command.get_program().to_string_lossy().into_owned();
    command.output().unwrap_or_else(|error| {
        panic!("{program} is needed to check the {what} fixtures and could not run: {error}")
    })
}

fn assert_compiles(output: std::process::Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} does not compile:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn fixture_paths(language: Language) -> Vec<String> {
    fixtures(language)
        .iter()
        .map(|path| path.to_string_lossy().into_owned())
        .collect()
}

#[test]
fn python_fixtures_compile() {
    let cache = tempfile::tempdir().unwrap();
    let output = run_toolchain(
        std::process::Command::new("python3")
            .args(["-m", "py_compile"])
            .args(fixture_paths(Language::Python))
            .env("PYTHONPYCACHEPREFIX", cache.path()),
        "Python",
    );
    assert_compiles(output, "a Python fixture");
}

#[test]
fn java_fixtures_compile() {
    let classes = tempfile::tempdir().unwrap();
    let output = run_toolchain(
        std::process::Command::new("javac")
            .arg("-d")
            .arg(classes.path())
            .args(fixture_paths(Language::Java)),
        "Java",
    );
    assert_compiles(output, "a Java fixture");
}

#[test]
fn cpp_fixtures_compile() {
    for path in fixture_paths(Language::Cpp) {
        let output = run_toolchain(
            std::process::Command::new("g++")
                .args(["-std=c++17", "-fsyntax-only", "-Wall"])
                .arg(&path),
            "C++",
        );
        assert_compiles(output, &path);
    }
}

#[test]
fn go_fixtures_compile() {
    let home = tempfile::tempdir().unwrap();
    for path in fixture_paths(Language::Go) {
        let mut command = std::process::Command::new("go");
        command.arg("vet").arg(&path).current_dir(home.path());
        // A writable build cache even where HOME is not.
        if std::env::var_os("GOCACHE").is_none() && std::env::var_os("HOME").is_none() {
            command.env("GOCACHE", home.path().join("cache"));
        }
        assert_compiles(run_toolchain(&mut command, "Go"), &path);
    }
}

#[test]
fn rust_fixtures_compile() {
    let out = tempfile::tempdir().unwrap();
    for path in fixture_paths(Language::Rust) {
        let output = run_toolchain(
            std::process::Command::new("rustc")
                .args([
                    "--edition",
                    "2021",
                    "--crate-type",
                    "lib",
                    "--emit=metadata",
                    "-A",
                    "dead_code",
                    "-o",
                ])
                .arg(out.path().join("fixture.rmeta"))
                .arg(&path),
            "Rust",
        );
        assert_compiles(output, &path);
    }
}

// ----------------------------------------------------------------- the docs

/// The per-language tables of `docs/hints.md` are generated from the catalog:
/// every hint is documented with the pattern and cost the code knows.
/// `UPDATE_EXPECT=1 cargo test --test hints docs` rewrites them.
#[test]
fn docs_list_every_hint() {
    let path = repo_root().join("docs/hints.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let begin = text
        .find("<!-- hints:begin")
        .expect("docs/hints.md has a hints:begin marker");
    let begin = begin + text[begin..].find("-->").unwrap() + "-->".len();
    let end = text
        .find("<!-- hints:end -->")
        .expect("docs/hints.md has a hints:end marker");
    let mut tables = String::from("\n");
    for language in Language::ALL {
        let title = match language {
            Language::Python => "Python",
            Language::Java => "Java",
            Language::Cpp => "C++",
            Language::Go => "Go",
            Language::Rust => "Rust",
        };
        tables.push_str(&format!(
            "\n### {title}\n\n| id | pattern | cost |\n|---|---|---|\n"
        ));
        for hint in CATALOG.iter().filter(|hint| hint.language == language) {
            tables.push_str(&format!(
                "| `{}` | {} | {} |\n",
                hint.id,
                hint.pattern.replace('|', "\\|"),
                hint.cost.replace('|', "\\|")
            ));
        }
    }
    tables.push('\n');
    if text[begin..end] != tables {
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(
                &path,
                format!("{}{}{}", &text[..begin], tables, &text[end..]),
            )
            .unwrap();
        } else {
            panic!(
                "docs/hints.md is out of date with the catalog: run `UPDATE_EXPECT=1 cargo test --test hints docs`"
            );
        }
    }
}
