//! Rust: `#[test]` functions in the function's file (its `mod tests`), in
//! the module files it declares, and in the crate's `tests/` that reference
//! the function. Built with `cargo test --no-run --offline` in the sandbox
//! (crates vendored beforehand by a trusted step), then each test binary
//! runs with `--exact` names; results come from libtest's text lines.

use std::path::{Path, PathBuf};

use tree_sitter::Node;

use super::error::DiscoveryError;
use super::prepare;
use super::report::{MESSAGE_LIMIT, SuiteReport, TestOutcome, TestResult, cap};
use super::run::{RunContext, Step, build_failed, build_limits, path_with, record_outcome};
use super::syntax::{Definition, ParsedFile, TestId, descendants_of_kind, tests_referring};
use super::workspace::slash_path;
use super::{DiscoveredTests, RunnerKind, SuiteDetail, Target, TestCase, TestSuite};
use crate::executor::detect;
use crate::language::Language;

#[derive(Clone, Debug)]
pub(crate) struct RustSuite {
    /// The package folder (holding Cargo.toml), relative to the workspace root.
    crate_dir: PathBuf,
    target: CargoTarget,
}

/// The cargo target whose test binary holds the suite's tests.
#[derive(Clone, Debug, PartialEq, Eq)]
enum CargoTarget {
    Lib,
    Bin(String),
    /// An integration test, `tests/NAME.rs`.
    Test(String),
}

impl CargoTarget {
    fn selector(&self) -> Vec<String> {
        match self {
            CargoTarget::Lib => vec!["--lib".into()],
            CargoTarget::Bin(name) => vec!["--bin".into(), name.clone()],
            CargoTarget::Test(name) => vec!["--test".into(), name.clone()],
        }
    }

    /// Does a `compiler-artifact` message's target denote this one?
    fn matches(&self, kinds: &[&str], name: &str) -> bool {
        match self {
            CargoTarget::Lib => kinds.iter().any(|k| {
                matches!(
                    *k,
                    "lib" | "rlib" | "dylib" | "cdylib" | "staticlib" | "proc-macro"
                )
            }),
            CargoTarget::Bin(bin) => kinds.contains(&"bin") && name == bin,
            CargoTarget::Test(test) => kinds.contains(&"test") && name == test,
        }
    }
}

pub(crate) fn discover(target: &Target, found: &mut DiscoveredTests) {
    let Some(crate_dir) = crate_dir(&target.root, &target.file) else {
        found.notes.push(format!(
            "no Cargo.toml above {}; Rust tests run only inside a cargo package",
            target.file.display()
        ));
        return;
    };
    let in_crate = target
        .file
        .strip_prefix(&crate_dir)
        .unwrap_or(&target.file)
        .to_path_buf();
    let Some((own_target, module_path)) =
        target_and_module(&target.root.join(&crate_dir), &in_crate)
    else {
        found.notes.push(format!(
            "{} is not under the package's src/ folder; only its integration tests are searched",
            target.file.display()
        ));
        integration_suites(target, &crate_dir, found);
        return;
    };
    // The file itself and the module files it declares (`mod tests;`).
    let mut unit_tests = Vec::new();
    let mut sources = vec![(target.file.clone(), module_path.clone())];
    sources.extend(declared_modules(target, &in_crate, &module_path));
    for (file, module_path) in sources {
        let Ok(text) = std::fs::read_to_string(target.root.join(&file)) else {
            continue;
        };
        if !super::workspace::mentions_word(&text, target.function) {
            continue;
        }
        let Some(parsed) = ParsedFile::parse(Language::Rust, text) else {
            continue;
        };
        let definitions = definitions(&parsed, &module_path);
        unit_tests.extend(
            tests_referring(&parsed, &definitions, target.function)
                .into_iter()
                .map(|test| TestCase {
                    name: test.id.clone(),
                    file: file.clone(),
                }),
        );
    }
    if !unit_tests.is_empty() {
        let label = match &own_target {
            CargoTarget::Lib => "lib".to_string(),
            CargoTarget::Bin(name) => format!("bin {name}"),
            CargoTarget::Test(name) => format!("test {name}"),
        };
        found.suites.push(TestSuite {
            name: format!("cargo test ({label})"),
            runner: RunnerKind::CargoTest,
            language: Language::Rust,
            files: super::distinct_files(&unit_tests),
            tests: unit_tests,
            detail: SuiteDetail::Rust(RustSuite {
                crate_dir: crate_dir.clone(),
                target: own_target,
            }),
        });
    }
    integration_suites(target, &crate_dir, found);
}

/// One suite per `tests/*.rs` file (or `tests/NAME/main.rs`) with tests
/// that reference the function.
fn integration_suites(target: &Target, crate_dir: &Path, found: &mut DiscoveredTests) {
    let tests_dir = crate_dir.join("tests");
    let Ok(entries) = std::fs::read_dir(target.root.join(&tests_dir)) else {
        return;
    };
    let mut binaries: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_file() {
                let stem = name.strip_suffix(".rs")?;
                Some((stem.to_string(), tests_dir.join(&name)))
            } else if path.join("main.rs").is_file() {
                Some((name.clone(), tests_dir.join(&name).join("main.rs")))
            } else {
                None
            }
        })
        .collect();
    binaries.sort();
    for (binary, file) in binaries {
        let Ok(text) = std::fs::read_to_string(target.root.join(&file)) else {
            continue;
        };
        if !target.may_be_mentioned_in(&text) {
            continue;
        }
        let Some(parsed) = ParsedFile::parse(Language::Rust, text) else {
            continue;
        };
        let definitions = definitions(&parsed, &[]);
        let tests: Vec<TestCase> = tests_referring(&parsed, &definitions, target.function)
            .into_iter()
            .map(|test| TestCase {
                name: test.id.clone(),
                file: file.clone(),
            })
            .collect();
        if tests.is_empty() {
            found.notes.push(format!(
                "{} mentions `{}` but no #[test] in it calls it",
                file.display(),
                target.function
            ));
            continue;
        }
        found.suites.push(TestSuite {
            name: format!("cargo test ({})", slash_path(&file)),
            runner: RunnerKind::CargoTest,
            language: Language::Rust,
            files: vec![file.clone()],
            tests,
            detail: SuiteDetail::Rust(RustSuite {
                crate_dir: crate_dir.to_path_buf(),
                target: CargoTarget::Test(binary),
            }),
        });
    }
}

/// The nearest folder above the file (inside the workspace) whose
/// Cargo.toml describes a package.
fn crate_dir(root: &Path, file: &Path) -> Option<PathBuf> {
    let mut current = file.parent();
    while let Some(folder) = current {
        let manifest = root.join(folder).join("Cargo.toml");
        if std::fs::read_to_string(&manifest).is_ok_and(|text| text.contains("[package]")) {
            return Some(folder.to_path_buf());
        }
        current = folder.parent();
    }
    None
}

fn package_name(crate_root: &Path) -> String {
    let text = std::fs::read_to_string(crate_root.join("Cargo.toml")).unwrap_or_default();
    text.parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Which target a source file belongs to, and its module path there.
fn target_and_module(crate_root: &Path, in_crate: &Path) -> Option<(CargoTarget, Vec<String>)> {
    let in_src = in_crate.strip_prefix("src").ok()?;
    let parts: Vec<String> = in_src
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts == ["main.rs"] {
        return Some((CargoTarget::Bin(package_name(crate_root)), Vec::new()));
    }
    if parts.first().map(String::as_str) == Some("bin") && parts.len() >= 2 {
        let name = parts[1].trim_end_matches(".rs").to_string();
        return Some((CargoTarget::Bin(name), Vec::new()));
    }
    let target = if crate_root.join("src/lib.rs").exists() {
        CargoTarget::Lib
    } else {
        CargoTarget::Bin(package_name(crate_root))
    };
    Some((target, module_path(&parts)))
}

/// `lib.rs` -> [], `a/mod.rs` -> [a], `a/b.rs` -> [a, b].
fn module_path(parts: &[String]) -> Vec<String> {
    let mut path: Vec<String> = parts.to_vec();
    let last = path.pop().unwrap_or_default();
    match last.as_str() {
        "lib.rs" | "main.rs" | "mod.rs" => {}
        other => path.push(other.trim_end_matches(".rs").to_string()),
    }
    path
}

/// Files of the `mod NAME;` declarations in the function's file.
fn declared_modules(
    target: &Target,
    in_crate: &Path,
    module_path: &[String],
) -> Vec<(PathBuf, Vec<String>)> {
    let Some(parsed) = ParsedFile::parse(Language::Rust, target.text.clone()) else {
        return Vec::new();
    };
    let file_name = in_crate
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = target
        .file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // `a.rs` declares its children in `a/`; lib.rs, main.rs and mod.rs beside themselves.
    let children_dir = if matches!(file_name.as_str(), "lib.rs" | "main.rs" | "mod.rs") {
        parent
    } else {
        parent.join(file_name.trim_end_matches(".rs"))
    };
    descendants_of_kind(parsed.root(), &["mod_item"])
        .into_iter()
        .filter(|item| item.child_by_field_name("body").is_none())
        .filter_map(|item| {
            let name = parsed
                .text_of(item.child_by_field_name("name")?)
                .to_string();
            let candidates = [
                children_dir.join(format!("{name}.rs")),
                children_dir.join(&name).join("mod.rs"),
            ];
            let file = candidates
                .into_iter()
                .find(|c| target.root.join(c).is_file())?;
            let mut path = module_path.to_vec();
            path.push(name);
            Some((file, path))
        })
        .collect()
}

/// Every function of a file, with `#[test]` ones named by their module path.
fn definitions<'t>(parsed: &'t ParsedFile, module_path: &[String]) -> Vec<Definition<'t>> {
    descendants_of_kind(parsed.root(), &["function_item"])
        .into_iter()
        .filter_map(|function| {
            let name = parsed
                .text_of(function.child_by_field_name("name")?)
                .to_string();
            let body = function.child_by_field_name("body")?;
            let test = is_test(parsed, function).then(|| {
                let mut path = module_path.to_vec();
                path.extend(enclosing_modules(parsed, function));
                path.push(name.clone());
                TestId {
                    id: path.join("::"),
                    kind: "rust",
                }
            });
            Some(Definition {
                name,
                body,
                test,
                node: function,
            })
        })
        .collect()
}

/// Attributes directly above the function: `#[test]`, `#[tokio::test]`, ...
fn is_test(parsed: &ParsedFile, function: Node) -> bool {
    let mut previous = function.prev_named_sibling();
    while let Some(node) = previous {
        match node.kind() {
            "attribute_item" => {
                let text = parsed.text_of(node);
                let inner = text.trim_start_matches("#[").trim_end_matches(']').trim();
                let path = inner.split('(').next().unwrap_or("").trim();
                if path == "test" || path.ends_with("::test") {
                    return true;
                }
            }
            "line_comment" | "block_comment" => {}
            _ => return false,
        }
        previous = node.prev_named_sibling();
    }
    false
}

fn enclosing_modules(parsed: &ParsedFile, node: Node) -> Vec<String> {
    let mut names = Vec::new();
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if ancestor.kind() == "mod_item"
            && let Some(name) = ancestor.child_by_field_name("name")
        {
            names.push(parsed.text_of(name).to_string());
        }
        current = ancestor.parent();
    }
    names.reverse();
    names
}

pub(crate) fn run(
    context: &RunContext,
    suites: &[&TestSuite],
) -> Result<Vec<SuiteReport>, DiscoveryError> {
    let toolchain = detect(Language::Rust)?;
    let sysroot = toolchain.readable[0].clone();
    let mut reports = Vec::new();
    // One build per package, for all of its suites' targets.
    let mut crates: Vec<&PathBuf> = suites
        .iter()
        .filter_map(|s| match &s.detail {
            SuiteDetail::Rust(detail) => Some(&detail.crate_dir),
            _ => None,
        })
        .collect();
    crates.sort();
    crates.dedup();
    for (index, crate_dir) in crates.into_iter().enumerate() {
        let members: Vec<(&TestSuite, &RustSuite)> = suites
            .iter()
            .filter_map(|s| match &s.detail {
                SuiteDetail::Rust(detail) if &detail.crate_dir == crate_dir => Some((*s, detail)),
                _ => None,
            })
            .collect();
        let package = context.workspace().join(crate_dir);
        let scratch = context.scratch(&format!("rust-{index}"))?;
        let cargo_home = scratch.join("cargo-home");
        super::workspace::traversable_dir(&cargo_home)?;
        let mut readable = toolchain.readable.clone();
        let lock_dir = lock_dir(context.workspace(), crate_dir);
        let vendored = prepare::vendor_crates(&context.config.cache_dir, &toolchain, &lock_dir)?;
        if let Some(config) = &vendored {
            let config_path = cargo_home.join("config.toml");
            std::fs::write(&config_path, config)
                .map_err(|e| DiscoveryError::copy(&config_path, e))?;
            readable.push(context.config.cache_dir.join("rust").join("vendor"));
        }
        let mut build = Step::new(&toolchain.tool("cargo").path, &package, build_limits())
            .args([
                "test",
                "--no-run",
                "--offline",
                "--message-format=json-render-diagnostics",
            ])
            .arg("--manifest-path")
            .arg(package.join("Cargo.toml"))
            .env("CARGO_HOME", cargo_home.display().to_string())
            .env(
                "CARGO_TARGET_DIR",
                scratch.join("target").display().to_string(),
            )
            .env("CARGO_TERM_COLOR", "never")
            .env("RUSTC", toolchain.tool("rustc").path.display().to_string())
            .env("PATH", path_with(&[sysroot.join("bin")]));
        for (_, detail) in &members {
            build = build.args(detail.target.selector());
        }
        build.readable = readable;
        let outcome = context.sandboxed(build)?;
        let member_suites: Vec<&TestSuite> = members.iter().map(|(s, _)| *s).collect();
        if !outcome.succeeded() {
            reports.extend(build_failed(&member_suites, &outcome));
            continue;
        }
        let manifest = package.join("Cargo.toml");
        let executables = test_executables(&outcome.stdout_text(), &manifest);
        for (suite, detail) in members {
            let mut report = SuiteReport::new(suite);
            let Some(executable) = executables
                .iter()
                .find(|(kinds, name, _)| {
                    detail
                        .target
                        .matches(&kinds.iter().map(String::as_str).collect::<Vec<_>>(), name)
                })
                .map(|(_, _, path)| path.clone())
            else {
                report.build_error = Some("cargo built no test binary for this target".into());
                reports.push(report);
                continue;
            };
            let step = |timed: bool| {
                let mut step = Step::new(&executable, &package, context.run_limits(Language::Rust))
                    .args(["--exact", "--color", "never"])
                    .env("CARGO_MANIFEST_DIR", package.display().to_string());
                if timed {
                    // libtest prints per-test times only behind its unstable
                    // flag; RUSTC_BOOTSTRAP in the test's environment (not
                    // the compiler's) unlocks it on a stable toolchain.
                    step = step
                        .args(["-Z", "unstable-options", "--report-time"])
                        .env("RUSTC_BOOTSTRAP", "1");
                }
                step = step.args(suite.tests.iter().map(|t| t.name.clone()));
                step.readable = toolchain.readable.clone();
                step
            };
            let mut outcome = context.sandboxed(step(true))?;
            if refused_time_report(&outcome) {
                outcome = context.sandboxed(step(false))?;
            }
            record_outcome(&mut report, &outcome);
            report.tests = parse_libtest(&outcome.stdout_text());
            report.require(&suite.tests);
            reports.push(report);
        }
    }
    Ok(reports)
}

/// Where the package's Cargo.lock is: the package folder or the cargo
/// workspace above it.
fn lock_dir(root: &Path, crate_dir: &Path) -> PathBuf {
    let mut current = Some(crate_dir);
    while let Some(folder) = current {
        if root.join(folder).join("Cargo.lock").is_file() {
            return root.join(folder);
        }
        current = folder.parent();
    }
    root.join(crate_dir)
}

/// (target kinds, target name, executable) of the test binaries cargo built
/// for the package with this manifest.
fn test_executables(json_lines: &str, manifest: &Path) -> Vec<(Vec<String>, String, PathBuf)> {
    json_lines
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["profile"]["test"] == true)
        .filter(|m| {
            m["manifest_path"]
                .as_str()
                .is_some_and(|p| Path::new(p) == manifest)
        })
        .filter_map(|m| {
            let executable = PathBuf::from(m["executable"].as_str()?);
            let kinds = m["target"]["kind"]
                .as_array()?
                .iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            let name = m["target"]["name"].as_str()?.to_string();
            Some((kinds, name, executable))
        })
        .collect()
}

/// A test binary that rejected `-Z unstable-options` (a libtest built
/// without unstable features) ran nothing; it is run again without it.
fn refused_time_report(outcome: &crate::executor::RunOutcome) -> bool {
    !outcome.succeeded()
        && !outcome.stdout_text().contains("\ntest ")
        && outcome.stderr_text().contains("unstable")
}

/// libtest's `test NAME ... ok|FAILED|ignored` lines, with the captured
/// output of failures (`---- NAME stdout ----` blocks) as messages.
fn parse_libtest(text: &str) -> Vec<TestResult> {
    let mut results: Vec<TestResult> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, verdict)) = rest.rsplit_once(" ... ") else {
            continue;
        };
        // `ok <0.094s>` with --report-time.
        let (verdict, duration) = match verdict.trim().split_once(" <") {
            Some((verdict, time)) => (
                verdict,
                time.trim_end_matches('>')
                    .trim_end_matches('s')
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t >= 0.0)
                    .map(std::time::Duration::from_secs_f64),
            ),
            None => (verdict.trim(), None),
        };
        let outcome = match verdict {
            "ok" => TestOutcome::Passed,
            "FAILED" => TestOutcome::Failed,
            v if v.starts_with("ignored") => TestOutcome::Skipped,
            _ => continue,
        };
        results.push(TestResult {
            name: name.trim().to_string(),
            outcome,
            duration,
            message: None,
        });
    }
    let mut current: Option<(String, String)> = None;
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            blocks.extend(current.take());
            current = Some((name.to_string(), String::new()));
        } else if line == "failures:" || line.starts_with("test result:") {
            blocks.extend(current.take());
        } else if let Some((_, block)) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks.extend(current);
    for (name, block) in blocks {
        if let Some(result) = results.iter_mut().find(|r| r.name == name) {
            result.message = Some(cap(block.trim(), MESSAGE_LIMIT));
        }
    }
    for result in &mut results {
        if result.outcome == TestOutcome::Failed && result.message.is_none() {
            result.message = Some("failed (no output captured)".into());
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_follow_the_file_layout() {
        let parts = |p: &str| p.split('/').map(str::to_string).collect::<Vec<_>>();
        assert!(module_path(&parts("lib.rs")).is_empty());
        assert_eq!(module_path(&parts("stock/mod.rs")), ["stock"]);
        assert_eq!(module_path(&parts("stock/value.rs")), ["stock", "value"]);
    }

    #[test]
    fn libtest_lines_and_failure_output() {
        let output = "\nrunning 3 tests\ntest tests::a ... ok <0.250s>\ntest tests::b ... FAILED\ntest tests::c ... ignored, slow\n\nfailures:\n\n---- tests::b stdout ----\n\nthread 'tests::b' panicked at src/lib.rs:9:5:\nassertion `left == right` failed\n  left: 3\n right: 4\n\n\nfailures:\n    tests::b\n\ntest result: FAILED. 1 passed; 1 failed; 1 ignored\n";
        let results = parse_libtest(output);
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].outcome, TestOutcome::Passed);
        assert_eq!(
            results[0].duration,
            Some(std::time::Duration::from_millis(250))
        );
        assert_eq!(results[1].outcome, TestOutcome::Failed);
        assert!(results[1].message.as_deref().unwrap().contains("right: 4"));
        assert_eq!(results[2].outcome, TestOutcome::Skipped);
    }
}
