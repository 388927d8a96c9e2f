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
