//! C++: test programs that include the function's file (or its header):
//! GoogleTest files (`TEST`, `TEST_F`, `TEST_P` cases that reference the
//! function, linked with -lgtest -lgtest_main -pthread, results from
//! `--gtest_output=xml`) and programs with their own `main` (one test each:
//! it passes when the program exits with 0). Test files are `*_test.cpp`,
//! `test_*.cpp` and similar names, or any C++ source under `test/` or `tests/`.

use std::path::{Path, PathBuf};

use super::error::DiscoveryError;
use super::junit_xml;
use super::report::{MESSAGE_LIMIT, SuiteReport, TestOutcome, TestResult, cap, tail};
use super::run::{RunContext, Step, build_failed, build_limits, path_with, record_outcome};
use super::syntax::{Definition, ParsedFile, TestId, named_children, tests_referring};
use super::workspace::{files_where, slash_path};
use super::{DiscoveredTests, RunnerKind, SuiteDetail, Target, TestCase, TestSuite};
use crate::executor::RunStatus;
use crate::executor::detect;
use crate::language::Language;

const SOURCE_EXTENSIONS: &[&str] = &["cpp", "cc", "cxx"];
const HEADER_EXTENSIONS: &[&str] = &["h", "hpp", "hh", "hxx"];
const GTEST_MACROS: &[&str] = &["TEST", "TEST_F", "TEST_P", "TYPED_TEST", "TYPED_TEST_P"];

#[derive(Clone, Debug)]
pub(crate) struct CppSuite {
    /// Sources compiled into the program, relative to the workspace root.
    sources: Vec<PathBuf>,
    /// `-I` folders, relative to the workspace root.
    include_dirs: Vec<PathBuf>,
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or("")
}

fn stem(path: &Path) -> &str {
    path.file_stem().and_then(|e| e.to_str()).unwrap_or("")
}

fn is_test_file(path: &Path) -> bool {
    if !SOURCE_EXTENSIONS.contains(&extension(path)) {
        return false;
    }
    let name = stem(path);
    let named = name.starts_with("test_")
        || name.ends_with("_test")
        || name.ends_with("_tests")
        || name.ends_with("_unittest")
        || name.ends_with("Test")
        || name.ends_with("Tests");
    let in_test_folder = path
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .any(|c| matches!(c.as_os_str().to_str(), Some("test" | "tests")));
    named || in_test_folder
}

/// The quoted includes of a file, as written.
fn quoted_includes(parsed: &ParsedFile) -> Vec<String> {
    super::syntax::descendants_of_kind(parsed.root(), &["preproc_include"])
        .into_iter()
        .filter_map(|include| include.child_by_field_name("path"))
        .filter(|path| path.kind() == "string_literal")
        .map(|path| parsed.text_of(path).trim_matches('"').to_string())
        .collect()
}

fn includes_gtest(parsed: &ParsedFile) -> bool {
    super::syntax::descendants_of_kind(parsed.root(), &["preproc_include"])
        .into_iter()
        .filter_map(|include| include.child_by_field_name("path"))
        .any(|path| parsed.text_of(path).contains("gtest/gtest.h"))
}

/// Where an `#include "name"` of `from` lands in the workspace.
fn resolve_include(
    root: &Path,
    from: &Path,
    name: &str,
    include_dirs: &[PathBuf],
) -> Option<PathBuf> {
    let beside = from.parent().map(Path::to_path_buf).unwrap_or_default();
    std::iter::once(beside)
        .chain(include_dirs.iter().cloned())
        .map(|dir| normalize(&dir.join(name)))
        .find(|candidate| root.join(candidate).is_file())
}

/// Resolve `..` and `.` lexically (paths stay relative to the root).
fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<std::ffi::OsString> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(part) => parts.push(part.to_os_string()),
            _ => {}
        }
    }
    parts.iter().collect()
}

fn include_dirs(target: &Target) -> Vec<PathBuf> {
    let mut dirs = vec![
        target
            .file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        PathBuf::new(),
    ];
    for extra in ["include", "src"] {
        if target.root.join(extra).is_dir() {
            dirs.push(PathBuf::from(extra));
        }
    }
    dirs.dedup();
    dirs
}

/// The function's file, and its header/source counterparts (same stem, same folder).
fn counterparts(target: &Target) -> Vec<PathBuf> {
    let dir = target
        .file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let name = stem(&target.file);
    let mut files = vec![target.file.clone()];
    for ext in SOURCE_EXTENSIONS.iter().chain(HEADER_EXTENSIONS) {
        let candidate = dir.join(format!("{name}.{ext}"));
        if candidate != target.file && target.root.join(&candidate).is_file() {
            files.push(candidate);
        }
    }
    files
}

pub(crate) fn discover(target: &Target, found: &mut DiscoveredTests) {
    let include_dirs = include_dirs(target);
    let counterparts = counterparts(target);
    let candidates = files_where(&target.root, &|name| {
        SOURCE_EXTENSIONS.contains(&extension(Path::new(name)))
    });
    for file in candidates
        .into_iter()
        .filter(|f| is_test_file(f) && *f != target.file)
    {
        let Ok(text) = std::fs::read_to_string(target.root.join(&file)) else {
            continue;
        };
        if !target.may_be_mentioned_in(&text) {
            continue;
        }
        let Some(parsed) = ParsedFile::parse(Language::Cpp, text) else {
            continue;
        };
        let included: Vec<PathBuf> = quoted_includes(&parsed)
            .iter()
            .filter_map(|name| resolve_include(&target.root, &file, name, &include_dirs))
            .collect();
        if !included.iter().any(|f| counterparts.contains(f)) {
            continue;
        }
        let gtest = includes_gtest(&parsed);
        let path = slash_path(&file);
        // A plain program is one test, named by its path: its `main`.
        let program = (!gtest).then_some(path.as_str());
        let definitions = definitions(&parsed, program);
        let tests: Vec<TestCase> = tests_referring(&parsed, &definitions, target.function)
            .into_iter()
            .map(|test| TestCase {
                name: test.id.clone(),
                file: file.clone(),
            })
            .collect();
        let runner = if gtest {
            RunnerKind::GoogleTest
        } else {
            RunnerKind::CppProgram
        };
        if tests.is_empty() {
            found.notes.push(format!(
                "{} includes {} but no test in it calls `{}`",
                file.display(),
                target.file.display(),
                target.function
            ));
            continue;
        }
        let sources = sources_for(target, &file, &included);
        found.suites.push(TestSuite {
            name: format!("{} ({path})", runner.as_str()),
            runner,
            language: Language::Cpp,
            files: vec![file.clone()],
            tests,
            detail: SuiteDetail::Cpp(CppSuite {
                sources,
                include_dirs: include_dirs.clone(),
            }),
        });
    }
}

/// The test file plus the sources of the headers it includes (the
/// function's own source among them), unless it includes a source itself.
fn sources_for(target: &Target, test: &Path, included: &[PathBuf]) -> Vec<PathBuf> {
    let mut sources = vec![test.to_path_buf()];
    for file in included {
        if !HEADER_EXTENSIONS.contains(&extension(file)) {
            continue;
        }
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let siblings = SOURCE_EXTENSIONS
            .iter()
            .flat_map(|ext| {
                let name = format!("{}.{ext}", stem(file));
                [dir.join(&name), PathBuf::from("src").join(&name)]
            })
            .find(|c| target.root.join(c).is_file());
        if let Some(source) = siblings
            && !sources.contains(&source)
            && !included.contains(&source)
        {
            sources.push(source);
        }
    }
    let function_source = SOURCE_EXTENSIONS.contains(&extension(&target.file));
    if function_source && !sources.contains(&target.file) && !included.contains(&target.file) {
        sources.push(target.file.clone());
    }
    sources
}

/// Functions of a test file; GoogleTest cases are named `Suite.Name`, and
/// in a plain program (`program` is its name) `main` is the test.
fn definitions<'t>(parsed: &'t ParsedFile, program: Option<&str>) -> Vec<Definition<'t>> {
    named_children(parsed.root())
        .into_iter()
        .filter(|n| n.kind() == "function_definition")
        .filter_map(|function| {
            let declarator = function.child_by_field_name("declarator")?;
            let body = function.child_by_field_name("body")?;
            let name_node = declarator.child_by_field_name("declarator")?;
            let name = parsed.text_of(name_node).to_string();
            if let Some(program) = program {
                let test = (name == "main").then(|| TestId {
                    id: program.to_string(),
                    kind: "program",
                });
                return Some(Definition {
                    name,
                    body,
                    test,
                    node: function,
                });
            }
            let test = GTEST_MACROS.contains(&name.as_str()).then(|| {
                let arguments: Vec<String> = declarator
                    .child_by_field_name("parameters")
                    .map(|p| {
                        named_children(p)
                            .into_iter()
                            .map(|a| parsed.text_of(a).trim().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                TestId {
                    id: arguments.join("."),
                    kind: "gtest",
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

pub(crate) fn run(
    context: &RunContext,
    suites: &[&TestSuite],
) -> Result<Vec<SuiteReport>, DiscoveryError> {
    let toolchain = detect(Language::Cpp)?;
    let gxx = toolchain.tool("g++").path.clone();
    let scratch = context.scratch("cpp")?;
    let mut reports = Vec::new();
    for (index, suite) in suites.iter().enumerate() {
        let SuiteDetail::Cpp(detail) = &suite.detail else {
            continue;
        };
        let program = scratch.join(format!("program-{index}"));
        let gtest = suite.runner == RunnerKind::GoogleTest;
        let mut build = Step::new(&gxx, context.workspace(), build_limits())
            .args(["-O2", "-std=c++17"])
            .args(detail.include_dirs.iter().map(|d| {
                let dir = if d.as_os_str().is_empty() {
                    "."
                } else {
                    &*d.to_string_lossy()
                };
                format!("-I{dir}")
            }))
            .arg("-o")
            .arg(&program)
            .args(detail.sources.iter().map(|s| s.as_os_str().to_os_string()));
        if gtest {
            build = build.args(["-lgtest", "-lgtest_main", "-pthread"]);
        }
        build = build.env("PATH", path_with(&[]));
        let outcome = context.sandboxed(build)?;
        if !outcome.succeeded() {
            reports.extend(build_failed(&[*suite], &outcome));
            continue;
        }
        let mut step = Step::new(
            &program,
            context.workspace(),
            context.run_limits(Language::Cpp),
        );
        let xml = scratch.join(format!("report-{index}.xml"));
        if gtest {
            let filter: Vec<String> = suite
                .tests
                .iter()
                .flat_map(|t| [t.name.clone(), format!("*/{}/*", t.name)])
                .collect();
            step = step
                .arg(format!("--gtest_filter={}", filter.join(":")))
                .arg(format!("--gtest_output=xml:{}", xml.display()))
                .arg("--gtest_color=no");
        }
        let outcome = context.sandboxed(step)?;
        let mut report = SuiteReport::new(suite);
        record_outcome(&mut report, &outcome);
        if gtest {
            if let Ok(text) = std::fs::read_to_string(&xml)
                && let Ok(cases) = junit_xml::parse(&text)
            {
                report.tests = cases
                    .into_iter()
                    .map(|case| TestResult {
                        name: gtest_name(&case.classname, &case.name),
                        outcome: case.outcome,
                        duration: case.duration,
                        message: case.message,
                    })
                    .collect();
            }
        } else if let (RunStatus::Exited(code), Some(test)) = (&outcome.status, suite.tests.first())
        {
            let passed = *code == 0;
            report.tests = vec![TestResult {
                name: test.name.clone(),
                outcome: if passed {
                    TestOutcome::Passed
                } else {
                    TestOutcome::Failed
                },
                duration: Some(outcome.wall),
                message: (!passed).then(|| {
                    cap(
                        &format!(
                            "exited with {code}\n{}",
                            tail(&outcome.stdout, &outcome.stderr)
                        ),
                        MESSAGE_LIMIT,
                    )
                }),
            }];
        }
        report.require(&suite.tests);
        reports.push(report);
    }
    Ok(reports)
}

/// `Suite.Name`, or for a value-parameterised case (`Inst/Suite`, `Name/2`)
/// `Suite.Name[2]`.
fn gtest_name(classname: &str, name: &str) -> String {
    let suite = classname.rsplit('/').next().unwrap_or(classname);
    match name.split_once('/') {
        Some((base, index)) => format!("{suite}.{base}[{index}]"),
        None => format!("{suite}.{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_test_files_and_names() {
        assert!(is_test_file(Path::new("tests/matrix_test.cpp")));
        assert!(is_test_file(Path::new("test_matrix.cc")));
        assert!(is_test_file(Path::new("test/anything.cpp")));
        assert!(!is_test_file(Path::new("src/matrix.cpp")));
        assert!(!is_test_file(Path::new("tests/matrix.h")));
        assert_eq!(gtest_name("Dot", "Small"), "Dot.Small");
        assert_eq!(gtest_name("Sizes/Dot", "Scales/2"), "Dot.Scales[2]");
        assert_eq!(
            normalize(Path::new("tests/../matrix.h")),
            PathBuf::from("matrix.h")
        );
    }
}
