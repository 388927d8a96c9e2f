//! Python: doctests in the function's docstring, pytest test functions and
//! classes, `unittest.TestCase` methods, in `test_*.py` / `*_test.py` files.
//! All run through pytest (it runs unittest classes and doctests too), with
//! `--junitxml` for per-test results and durations.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tree_sitter::Node;

use super::error::DiscoveryError;
use super::junit_xml;
use super::report::{SuiteReport, TestResult};
use super::run::{RunContext, Step, path_with, record_outcome};
use super::syntax::{
    Definition, ParsedFile, TestId, named_children, referring, tests_referring_any,
};
use super::workspace::{files_where, slash_path};
use super::{DiscoveredTests, RunnerKind, SuiteDetail, Target, TestCase, TestSuite};
use crate::analysis;
use crate::document::Document;
use crate::executor::toolchain::probe;
use crate::language::Language;

const PYTEST: &str = "pytest";
const UNITTEST: &str = "unittest";

pub(crate) fn is_test_file(name: &str) -> bool {
    name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"))
}

pub(crate) fn discover(target: &Target, found: &mut DiscoveredTests) {
    if let Some(suite) = doctest_suite(target) {
        found.suites.push(suite);
    }
    let mut by_kind: Vec<(&str, Vec<TestCase>)> =
        vec![(PYTEST, Vec::new()), (UNITTEST, Vec::new())];
    let fixtures = conftest_fixtures(target);
    for file in files_where(&target.root, &is_test_file) {
        let Ok(text) = std::fs::read_to_string(target.root.join(&file)) else {
            continue;
        };
        if !target.may_be_mentioned_in(&text) {
            continue;
        }
        let Some(parsed) = ParsedFile::parse(Language::Python, text) else {
            continue;
        };
        let definitions = definitions(&parsed, &slash_path(&file));
        // The target, and fixtures of conftest.py files above this one that use it.
        let mut names = HashSet::from([target.function.to_string()]);
        for (dir, fixture_names) in &fixtures {
            if file.starts_with(dir) {
                names.extend(fixture_names.iter().cloned());
            }
        }
        let selected = tests_referring_any(&parsed, &definitions, names);
        if selected.is_empty() {
            found.notes.push(format!(
                "{} mentions `{}` but no test function in it calls it",
                file.display(),
                target.function
            ));
        }
        for test in selected {
            if let Some((_, cases)) = by_kind.iter_mut().find(|(kind, _)| *kind == test.kind) {
                cases.push(TestCase {
                    name: test.id.clone(),
                    file: file.clone(),
                });
            }
        }
    }
    for (kind, tests) in by_kind {
        if tests.is_empty() {
            continue;
        }
        let runner = if kind == PYTEST {
            RunnerKind::Pytest
        } else {
            RunnerKind::Unittest
        };
        found.suites.push(TestSuite {
            name: runner.as_str().to_string(),
            runner,
            language: Language::Python,
            files: super::distinct_files(&tests),
            tests,
            detail: SuiteDetail::Python,
        });
    }
}

/// For each conftest.py that uses the target: its folder and the names of
/// its functions (pytest fixtures) that lead to the target. A test asks
/// for a fixture by naming it as a parameter.
fn conftest_fixtures(target: &Target) -> Vec<(PathBuf, HashSet<String>)> {
    let mut found = Vec::new();
    for file in files_where(&target.root, &|name| name == "conftest.py") {
        let Ok(text) = std::fs::read_to_string(target.root.join(&file)) else {
            continue;
        };
        if !target.may_be_mentioned_in(&text) {
            continue;
        }
        let Some(parsed) = ParsedFile::parse(Language::Python, text) else {
            continue;
        };
        let definitions = definitions(&parsed, &slash_path(&file));
        let (mut names, _) = referring(
            &parsed,
            &definitions,
            HashSet::from([target.function.to_string()]),
        );
        names.remove(target.function);
        if !names.is_empty() {
            found.push((
                file.parent().map(Path::to_path_buf).unwrap_or_default(),
                names,
            ));
        }
    }
    found
}

/// The function's own docstring examples, as pytest's doctest item
/// `path.py::module.Class.function`.
fn doctest_suite(target: &Target) -> Option<TestSuite> {
    let document = Document::new(Language::Python, 0, &target.text);
    let function = analysis::functions(&document)
        .into_iter()
        .find(|f| f.name == target.function && f.container.as_deref() == target.container)?;
    if !function
        .doc
        .as_deref()
        .is_some_and(|doc| doc.contains(">>>"))
    {
        return None;
    }
    let module = module_name(&target.root, &target.file);
    let qualified = match &function.container {
        Some(container) => format!("{module}.{container}.{}", function.name),
        None => format!("{module}.{}", function.name),
    };
    let file = target.file.clone();
    Some(TestSuite {
        name: "doctest".to_string(),
        runner: RunnerKind::Doctest,
        language: Language::Python,
        files: vec![file.clone()],
        tests: vec![TestCase {
            name: format!("{}::{qualified}", slash_path(&file)),
            file,
        }],
        detail: SuiteDetail::Python,
    })
}

/// The module name pytest gives a file: its stem, prefixed by the enclosing
/// folders that are packages (hold an `__init__.py`).
fn module_name(root: &Path, file: &Path) -> String {
    let mut parts = vec![
        file.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    ];
    let mut dir = file.parent();
    while let Some(folder) = dir.filter(|d| !d.as_os_str().is_empty()) {
        if !root.join(folder).join("__init__.py").exists() {
            break;
        }
        if let Some(name) = folder.file_name() {
            parts.push(name.to_string_lossy().into_owned());
        }
        dir = folder.parent();
    }
    parts.reverse();
    parts.join(".")
}

/// Functions and methods of a test file; pytest's collection rules decide
/// which are tests.
fn definitions<'t>(parsed: &'t ParsedFile, path: &str) -> Vec<Definition<'t>> {
    let mut found = Vec::new();
    for node in named_children(parsed.root()) {
        let node = unwrap_decorated(node);
        match node.kind() {
            "function_definition" => {
                if let Some((name, body)) = function_parts(parsed, node) {
                    let test = name.starts_with("test").then(|| TestId {
                        id: format!("{path}::{name}"),
                        kind: PYTEST,
                    });
                    found.push(Definition {
                        name,
                        body,
                        test,
                        node,
                    });
                }
            }
            "class_definition" => class_definitions(parsed, node, path, &mut found),
            _ => {}
        }
    }
    found
}

fn class_definitions<'t>(
    parsed: &'t ParsedFile,
    class: Node<'t>,
    path: &str,
    found: &mut Vec<Definition<'t>>,
) {
    let Some(class_name) = class.child_by_field_name("name").map(|n| parsed.text_of(n)) else {
        return;
    };
    let is_unittest = class
        .child_by_field_name("superclasses")
        .is_some_and(|bases| parsed.text_of(bases).contains("TestCase"));
    let is_pytest_class = class_name.starts_with("Test");
    let Some(body) = class.child_by_field_name("body") else {
        return;
    };
    for member in named_children(body) {
        let member = unwrap_decorated(member);
        if member.kind() != "function_definition" {
            continue;
        }
        if let Some((name, method_body)) = function_parts(parsed, member) {
            let test =
                ((is_unittest || is_pytest_class) && name.starts_with("test")).then(|| TestId {
                    id: format!("{path}::{class_name}::{name}"),
                    kind: if is_unittest { UNITTEST } else { PYTEST },
                });
            found.push(Definition {
                name,
                body: method_body,
                test,
                node: member,
            });
        }
    }
}

fn unwrap_decorated(node: Node<'_>) -> Node<'_> {
    if node.kind() == "decorated_definition" {
        node.child_by_field_name("definition").unwrap_or(node)
    } else {
        node
    }
}

/// A function's name and the part searched for references: the whole
/// definition, because a pytest test asks for a fixture by naming it as a
/// parameter.
fn function_parts<'t>(parsed: &'t ParsedFile, node: Node<'t>) -> Option<(String, Node<'t>)> {
    let name = parsed
        .text_of(node.child_by_field_name("name")?)
        .to_string();
    node.child_by_field_name("body")?;
    Some((name, node))
}

/// Where pytest is installed for the toolchain's interpreter (so the
/// sandbox can read it), or None when it is not installed.
pub(crate) fn pytest_location(python: &Path) -> Option<PathBuf> {
    static LOCATION: OnceLock<Option<PathBuf>> = OnceLock::new();
    LOCATION
        .get_or_init(|| {
            probe(
                python,
                &[
                    "-c",
                    "import os, pytest; print(os.path.dirname(os.path.dirname(os.path.realpath(pytest.__file__))))",
                ],
            )
            .map(PathBuf::from)
        })
        .clone()
}

pub(crate) fn run(
    context: &RunContext,
    suites: &[&TestSuite],
) -> Result<Vec<SuiteReport>, DiscoveryError> {
    let toolchain = crate::executor::detect(Language::Python)?;
    let python = toolchain.tool("python3").path.clone();
    let site = pytest_location(&python).ok_or_else(|| DiscoveryError::RunnerMissing {
        language: Language::Python,
        runner: "pytest".into(),
        hint: format!(
            "install it for {} with `{} -m pip install pytest`",
            python.display(),
            python.display()
        ),
    })?;
    let scratch = context.scratch("python")?;
    let mut reports = Vec::new();
    for (index, suite) in suites.iter().enumerate() {
        let xml = scratch.join(format!("suite-{index}.xml"));
        let mut readable = toolchain.readable.clone();
        readable.push(site.clone());
        let bin_dir = python.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut step = Step::new(
            &python,
            context.workspace(),
            context.run_limits(Language::Python),
        )
        .args(["-X", "utf8", "-m", "pytest", "-p", "no:cacheprovider", "-q"])
        .arg(format!("--junitxml={}", xml.display()))
        .arg(format!("--rootdir={}", context.workspace().display()))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONPATH", import_path(context.workspace()))
        .env("PATH", path_with(&[bin_dir]));
        if suite.runner == RunnerKind::Doctest {
            step = step.arg("--doctest-modules");
        }
        step = step.args(suite.tests.iter().map(|t| t.name.clone()));
        step.readable = readable;
        let outcome = context.sandboxed(step)?;
        let mut report = SuiteReport::new(suite);
        record_outcome(&mut report, &outcome);
        if let Ok(text) = std::fs::read_to_string(&xml) {
            match junit_xml::parse(&text) {
                Ok(cases) => {
                    report.tests = cases
                        .into_iter()
                        .map(|case| TestResult {
                            name: node_id(&suite.files, &case.classname, &case.name),
                            outcome: case.outcome,
                            duration: case.duration,
                            message: case.message,
                        })
                        .collect();
                }
                Err(error) => report
                    .output
                    .push_str(&format!("\n(unreadable junit report: {error})")),
            }
        }
        report.require(&suite.tests);
        reports.push(report);
    }
    Ok(reports)
}

/// The copy first on the import path (and its `src/` for the src layout),
/// so an editable install of the project that points at the user's tree
/// can never shadow the candidate.
pub(crate) fn import_path(copy: &Path) -> String {
    let mut entries = Vec::new();
    if copy.join("src").is_dir() {
        entries.push(copy.join("src").display().to_string());
    }
    entries.push(copy.display().to_string());
    entries.join(":")
}

/// Rebuild pytest's node id from a junit `classname` (the file's dotted path
/// followed by class names) and `name`.
fn node_id(files: &[PathBuf], classname: &str, name: &str) -> String {
    for file in files {
        let path = slash_path(file);
        let dotted = path.trim_end_matches(".py").replace('/', ".");
        if let Some(rest) = classname.strip_prefix(&dotted)
            && (rest.is_empty() || rest.starts_with('.'))
        {
            let mut id = path.clone();
            for class in rest.split('.').filter(|part| !part.is_empty()) {
                id.push_str("::");
                id.push_str(class);
            }
            id.push_str("::");
            id.push_str(name);
            return id;
        }
    }
    format!("{classname}::{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_come_back_from_junit_names() {
        let files = vec![PathBuf::from("tests/test_inv.py"), PathBuf::from("inv.py")];
        assert_eq!(
            node_id(&files, "tests.test_inv.TestStock", "test_a[2]"),
            "tests/test_inv.py::TestStock::test_a[2]"
        );
        assert_eq!(
            node_id(&files, "tests.test_inv", "test_b"),
            "tests/test_inv.py::test_b"
        );
        assert_eq!(node_id(&files, "inv", "inv.total"), "inv.py::inv.total");
    }
}
