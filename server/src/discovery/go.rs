//! Go: `Test*` functions in the `_test.go` files of the function's package
//! (internal and external test packages) that reference it. Built with
//! `go test -c` offline in the sandbox, run through `test2json` for JSON
//! events with per-test results and durations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::DiscoveryError;
use super::prepare;
use super::report::{MESSAGE_LIMIT, SuiteReport, TestOutcome, TestResult, cap};
use super::run::{RunContext, Step, build_failed, build_limits, path_with, record_outcome};
use super::syntax::{Definition, ParsedFile, TestId, named_children, tests_referring};
use super::workspace::slash_path;
use super::{DiscoveredTests, RunnerKind, SuiteDetail, Target, TestCase, TestSuite};
use crate::executor::detect;
use crate::executor::toolchains::go as go_toolchain;
use crate::language::Language;

#[derive(Clone, Debug)]
pub(crate) struct GoSuite {
    /// Folder holding go.mod, relative to the workspace root.
    module_dir: PathBuf,
    /// The package's folder, relative to the workspace root.
    package_dir: PathBuf,
}

pub(crate) fn discover(target: &Target, found: &mut DiscoveredTests) {
    let package_dir = target
        .file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let Some(module_dir) = module_dir(&target.root, &package_dir) else {
        found.notes.push(format!(
            "no go.mod above {}; Go tests run only inside a module",
            target.file.display()
        ));
        return;
    };
    let Ok(entries) = std::fs::read_dir(target.root.join(&package_dir)) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with("_test.go"))
        .map(|name| package_dir.join(name))
        .collect();
    files.sort();
    let mut tests = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(target.root.join(&file)) else {
            continue;
        };
        if !target.may_be_mentioned_in(&text) {
            continue;
        }
        let Some(parsed) = ParsedFile::parse(Language::Go, text) else {
            continue;
        };
        let definitions = definitions(&parsed);
        let selected = tests_referring(&parsed, &definitions, target.function);
        if selected.is_empty() {
            found.notes.push(format!(
                "{} mentions `{}` but no Test function in it calls it",
                file.display(),
                target.function
            ));
        }
        tests.extend(selected.into_iter().map(|test| TestCase {
            name: test.id.clone(),
            file: file.clone(),
        }));
    }
    if tests.is_empty() {
        return;
    }
    found.suites.push(TestSuite {
        name: format!("go test ./{}", slash_path(&package_dir)),
        runner: RunnerKind::GoTest,
        language: Language::Go,
        files: super::distinct_files(&tests),
        tests,
        detail: SuiteDetail::Go(GoSuite {
            module_dir,
            package_dir,
        }),
    });
}

/// The nearest folder at or above `dir` (inside the workspace) with a go.mod.
fn module_dir(root: &Path, dir: &Path) -> Option<PathBuf> {
    let mut current = Some(dir);
    while let Some(folder) = current {
        if root.join(folder).join("go.mod").is_file() {
            return Some(folder.to_path_buf());
        }
        current = folder.parent();
    }
    None
}

/// `go test` runs `TestXxx(t *testing.T)` where Xxx does not start with a
/// lower-case letter.
fn is_test_name(name: &str) -> bool {
    name.strip_prefix("Test")
        .is_some_and(|rest| !rest.starts_with(|c: char| c.is_lowercase()))
}

fn definitions(parsed: &ParsedFile) -> Vec<Definition<'_>> {
    let mut found = Vec::new();
    for node in named_children(parsed.root()) {
        if !matches!(node.kind(), "function_declaration" | "method_declaration") {
            continue;
        }
        let (Some(name), Some(body)) = (
            node.child_by_field_name("name"),
            node.child_by_field_name("body"),
        ) else {
            continue;
        };
        let name = parsed.text_of(name).to_string();
        let takes_t = node
            .child_by_field_name("parameters")
            .is_some_and(|p| parsed.text_of(p).contains("testing.T"));
        let test =
            (node.kind() == "function_declaration" && is_test_name(&name) && takes_t).then(|| {
                TestId {
                    id: name.clone(),
                    kind: "go",
                }
            });
        found.push(Definition {
            name,
            body,
            test,
            node,
        });
    }
    found
}

pub(crate) fn run(
    context: &RunContext,
    suites: &[&TestSuite],
) -> Result<Vec<SuiteReport>, DiscoveryError> {
    let toolchain = detect(Language::Go)?;
    let test2json = prepare::test2json(&context.config.cache_dir, &toolchain)?;
    let cache = go_toolchain::cache(&context.config.cache_dir);
    go_toolchain::ensure_build_cache(&cache.build);
    let scratch = context.scratch("go")?;
    let goroot = toolchain.readable[0].clone();
    let mut reports = Vec::new();
    for (index, suite) in suites.iter().enumerate() {
        let SuiteDetail::Go(detail) = &suite.detail else {
            continue;
        };
        let module = context.workspace().join(&detail.module_dir);
        prepare::go_modules(&context.config.cache_dir, &toolchain, &module)?;
        let package = detail
            .package_dir
            .strip_prefix(&detail.module_dir)
            .map(slash_path)
            .unwrap_or_default();
        let binary = scratch.join(format!("package-{index}.test"));
        // The compiler runs no code from the sources (cgo is off), so the
        // shared build cache may be writable here, as for the executor's builds.
        let mut build = Step::new(&toolchain.tool("go").path, &module, build_limits())
            .args(["test", "-c", "-trimpath", "-o"])
            .arg(&binary)
            .arg(format!("./{package}"));
        for (key, value) in go_toolchain::common_env(&toolchain, &cache) {
            build = build.env(&key, value);
        }
        let vendored = module.join("vendor/modules.txt").exists();
        build = build
            .env("GOFLAGS", if vendored { "-mod=vendor" } else { "-mod=mod" })
            .env("GOPROXY", "off")
            .env("GOSUMDB", "off");
        build.readable = vec![goroot.clone(), cache.modules.clone()];
        build.writable = vec![cache.build.clone()];
        let outcome = context.sandboxed(build)?;
        if !outcome.succeeded() {
            reports.extend(build_failed(&[*suite], &outcome));
            continue;
        }
        let pattern = format!(
            "^({})$",
            suite
                .tests
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join("|")
        );
        let mut step = Step::new(
            &test2json,
            context.workspace().join(&detail.package_dir),
            context.run_limits(Language::Go),
        )
        .args([
            "-t",
            "-p",
            &format!("./{}", slash_path(&detail.package_dir)),
        ])
        .arg(&binary)
        .args(["-test.v=test2json", "-test.paniconexit0", "-test.count=1"])
        .arg(format!("-test.run={pattern}"))
        .env("PATH", path_with(&[goroot.join("bin")]));
        step.readable = vec![
            goroot.clone(),
            test2json
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        ];
        let outcome = context.sandboxed(step)?;
        let mut report = SuiteReport::new(suite);
        record_outcome(&mut report, &outcome);
        report.tests = parse_events(&outcome.stdout_text());
        report.require(&suite.tests);
        reports.push(report);
    }
    Ok(reports)
}

/// Per top-level test, from test2json's JSON lines: its verdict, elapsed
/// time and output (subtests' output folded into their parent's).
fn parse_events(text: &str) -> Vec<TestResult> {
    let mut order: Vec<String> = Vec::new();
    let mut output: HashMap<String, String> = HashMap::new();
    let mut verdicts: HashMap<String, (TestOutcome, Option<Duration>)> = HashMap::new();
    for line in text.lines() {
        let Ok(event) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(test) = event["Test"].as_str() else {
            continue;
        };
        let top = test.split('/').next().unwrap_or(test).to_string();
        if !order.contains(&top) {
            order.push(top.clone());
        }
        if let Some(text) = event["Output"].as_str() {
            output.entry(top.clone()).or_default().push_str(text);
        }
        if top != test {
            continue;
        }
        let outcome = match event["Action"].as_str() {
            Some("pass") => TestOutcome::Passed,
            Some("fail") => TestOutcome::Failed,
            Some("skip") => TestOutcome::Skipped,
            _ => continue,
        };
        let elapsed = event["Elapsed"]
            .as_f64()
            .filter(|e| e.is_finite() && *e >= 0.0)
            .map(Duration::from_secs_f64);
        verdicts.insert(top, (outcome, elapsed));
    }
    order
        .into_iter()
        .filter_map(|name| {
            let (outcome, duration) = *verdicts.get(&name)?;
            let message = (outcome == TestOutcome::Failed).then(|| {
                cap(
                    output.get(&name).map(String::as_str).unwrap_or("").trim(),
                    MESSAGE_LIMIT,
                )
            });
            Some(TestResult {
                name,
                outcome,
                duration,
                message,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_names_follow_go_rules() {
        assert!(is_test_name("TestTotal"));
        assert!(is_test_name("Test"));
        assert!(is_test_name("Test_total"));
        assert!(!is_test_name("Testtotal"));
        assert!(!is_test_name("BenchmarkTotal"));
    }

    #[test]
    fn events_give_verdicts_durations_and_output() {
        let events = r#"{"Action":"run","Test":"TestA"}
{"Action":"output","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Test":"TestA/sub","Output":"    a_test.go:9: got 3, want 4\n"}
{"Action":"fail","Test":"TestA/sub","Elapsed":0.01}
{"Action":"fail","Test":"TestA","Elapsed":0.25}
{"Action":"run","Test":"TestB"}
{"Action":"pass","Test":"TestB","Elapsed":0}
{"Action":"run","Test":"TestLoop"}
{"Action":"fail","Elapsed":1.2}"#;
        let results = parse_events(events);
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].name, "TestA");
        assert_eq!(results[0].outcome, TestOutcome::Failed);
        assert_eq!(results[0].duration, Some(Duration::from_millis(250)));
        assert!(results[0].message.as_deref().unwrap().contains("want 4"));
        assert_eq!(results[1].outcome, TestOutcome::Passed);
    }
}
