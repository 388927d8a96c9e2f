//! Test discovery: for a function in a user's workspace, find the tests that
//! exercise it (doctests, pytest/unittest, `#[test]`, `go test`, JUnit 5,
//! C++ test programs and GoogleTest, and suites named in perforch.toml), and
//! run them against a candidate version of the file in a private copy of the
//! workspace, inside the executor's sandbox, offline.
//!
//! The user's tree is only ever read. [`discover`] is cheap (file scans and
//! tree-sitter parses, no processes); [`run_suites`] copies the workspace,
//! applies the replacements, fetches what the runners need once (trusted,
//! outside the sandbox: the JUnit console launcher, Go modules, crates),
//! then builds and runs each suite in the sandbox and parses the runner's
//! machine-readable output into per-test results.

pub mod config;
mod configured;
mod cpp;
mod error;
mod go;
mod java;
mod junit_xml;
mod prepare;
mod python;
mod report;
mod root;
mod run;
mod rust;
mod syntax;
mod workspace;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use config::{ConfiguredSuite, TestsConfig};
pub use error::DiscoveryError;
pub use prepare::prepare_test_dependencies;
pub use report::{SuiteReport, TestOutcome, TestResult, TestRunReport};
pub use root::workspace_root_of;
pub use run::{run_suites, run_suites_reading};

use crate::language::Language;

/// The function whose tests are wanted.
#[derive(Clone, Copy, Debug)]
pub struct TestTarget<'a> {
    /// The workspace (project) root; only files under it are searched.
    pub workspace_root: &'a Path,
    /// The file defining the function, absolute (or relative to the current folder).
    pub file: &'a Path,
    pub language: Language,
    /// The function's name as written (`total_value`, `multiply`).
    pub function: &'a str,
    /// Its class, struct, impl or receiver type, if any (`Warehouse`, `Matrix`).
    pub container: Option<&'a str>,
}

/// How a suite is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunnerKind {
    /// Examples (`>>>`) in the function's docstring, run by pytest's doctest support.
    Doctest,
    /// pytest test functions and `Test*` classes.
    Pytest,
    /// `unittest.TestCase` methods (run by pytest, which understands them).
    Unittest,
    /// Rust `#[test]` functions, built with `cargo test --no-run`.
    CargoTest,
    /// `#[test]` functions of a lone Rust file (no cargo package), built
    /// with `rustc --test`.
    RustcTest,
    /// Go `Test*` functions of the function's package.
    GoTest,
    /// JUnit 5 (Jupiter) test methods, run by the JUnit console launcher.
    // snake_case alone would spell it `j_unit`.
    #[serde(rename = "junit")]
    JUnit,
    /// A C++ program with its own `main`; passes when it exits with 0.
    CppProgram,
    /// GoogleTest `TEST`/`TEST_F`/`TEST_P` cases.
    GoogleTest,
    /// A suite named in perforch.toml (`[[tests.suites]]`).
    Configured,
}

impl RunnerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunnerKind::Doctest => "doctest",
            RunnerKind::Pytest => "pytest",
            RunnerKind::Unittest => "unittest",
            RunnerKind::CargoTest => "cargo test",
            RunnerKind::RustcTest => "rustc --test",
            RunnerKind::GoTest => "go test",
            RunnerKind::JUnit => "JUnit",
            RunnerKind::CppProgram => "C++ test program",
            RunnerKind::GoogleTest => "GoogleTest",
            RunnerKind::Configured => "configured",
        }
    }
}

/// One selected test, named the way its runner names it: a pytest node id
/// (`tests/test_inv.py::TestX::test_y`), a libtest path (`tests::adds`), a
/// Go test (`TestTotal`), `pkg.FooTest#method`, `Suite.Name`, or the
/// program's path for a C++ program.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TestCase {
    pub name: String,
    /// The file that defines it, relative to the workspace root.
    pub file: PathBuf,
}

/// Tests run together by one runner invocation.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TestSuite {
    /// Shown in reports, e.g. `pytest`, `cargo test (tests/stock.rs)`.
    pub name: String,
    pub runner: RunnerKind,
    pub language: Language,
    /// Test files of the suite, relative to the workspace root.
    pub files: Vec<PathBuf>,
    /// The tests that reference the function. Empty for a configured suite
    /// without a JUnit report: the whole command is then one test.
    pub tests: Vec<TestCase>,
    #[serde(skip)]
    pub(crate) detail: SuiteDetail,
}

/// What the runner of a suite needs beyond its tests.
#[derive(Clone, Debug)]
pub(crate) enum SuiteDetail {
    Python,
    Rust(rust::RustSuite),
    Go(go::GoSuite),
    Java(java::JavaSuite),
    Cpp(cpp::CppSuite),
    Configured(Box<ConfiguredSuite>),
}

/// The result of [`discover`].
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DiscoveredTests {
    pub suites: Vec<TestSuite>,
    /// Why files that mention the function yielded no tests, and similar
    /// remarks a user may want to read.
    pub notes: Vec<String>,
    /// Tests of the function that exist but cannot be run here, and what
    /// to do about it (a lone Rust file that uses a crate). Their absence
    /// from `suites` is not "no tests": callers must say so.
    pub cannot_run: Vec<String>,
}

impl DiscoveredTests {
    pub fn is_empty(&self) -> bool {
        self.suites.is_empty()
    }

    pub fn test_count(&self) -> usize {
        self.suites.iter().map(|s| s.tests.len().max(1)).sum()
    }

    /// A human-readable account of what was found.
    pub fn summary(&self) -> String {
        let mut text = String::new();
        if self.suites.is_empty() && !self.cannot_run.is_empty() {
            text.push_str("this function has tests, but none can run here");
        } else if self.suites.is_empty() {
            text.push_str("no tests found for this function");
        } else {
            let _ = write!(
                text,
                "{} test(s) in {} suite(s):",
                self.test_count(),
                self.suites.len()
            );
        }
        for suite in &self.suites {
            let _ = write!(text, "\n- {} [{}]", suite.name, suite.runner.as_str());
            for test in &suite.tests {
                let _ = write!(text, "\n    {}", test.name);
            }
        }
        for reason in &self.cannot_run {
            let _ = write!(text, "\ncannot run: {reason}");
        }
        for note in &self.notes {
            let _ = write!(text, "\nnote: {note}");
        }
        text
    }
}

/// What every language rule gets: the target with its file read and the
/// workspace-relative path worked out.
pub(crate) struct Target<'a> {
    pub root: PathBuf,
    /// The function's file, relative to `root`.
    pub file: PathBuf,
    pub text: String,
    pub language: Language,
    pub function: &'a str,
    pub container: Option<&'a str>,
}

impl Target<'_> {
    /// Could a test file refer to the target? It must mention the name and,
    /// for a method, the container (a method name like `add` alone says little).
    pub fn may_be_mentioned_in(&self, text: &str) -> bool {
        workspace::mentions_word(text, self.function)
            && self.container.is_none_or(|container| {
                workspace::mentions_word(text, container)
                    // Go tests build their objects with the constructor.
                    || self.language == Language::Go
                        && workspace::mentions_word(text, &format!("New{container}"))
            })
    }
}

/// The distinct files of some tests, sorted.
pub(crate) fn distinct_files(tests: &[TestCase]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = tests.iter().map(|t| t.file.clone()).collect();
    files.sort();
    files.dedup();
    files
}

/// Find the tests of a function, with the `[tests]` table of the
/// workspace's perforch.toml (if any).
pub fn discover(target: &TestTarget) -> Result<DiscoveredTests, DiscoveryError> {
    let config_file = target.workspace_root.join(crate::config::CONFIG_FILE_NAME);
    let config = crate::config::Config::load_files(None, Some(&config_file))?;
    discover_with(target, &config.tests)
}

/// Find the tests of a function with an explicit `[tests]` configuration
/// (e.g. the merged user + workspace + editor settings).
pub fn discover_with(
    target: &TestTarget,
    tests_config: &TestsConfig,
) -> Result<DiscoveredTests, DiscoveryError> {
    let root = std::fs::canonicalize(target.workspace_root)
        .map_err(|e| DiscoveryError::read(target.workspace_root, e))?;
    let file = workspace::relative_to(&root, target.file)?;
    let text = std::fs::read_to_string(root.join(&file))
        .map_err(|e| DiscoveryError::read(root.join(&file), e))?;
    let resolved = Target {
        root,
        file,
        text,
        language: target.language,
        function: target.function,
        container: target.container,
    };
    let mut found = DiscoveredTests::default();
    if tests_config.discover {
        match resolved.language {
            Language::Python => python::discover(&resolved, &mut found),
            Language::Rust => rust::discover(&resolved, &mut found),
            Language::Go => go::discover(&resolved, &mut found),
            Language::Java => java::discover(&resolved, &mut found),
            Language::Cpp => cpp::discover(&resolved, &mut found),
        }
    }
    configured::discover(&resolved, tests_config, &mut found);
    Ok(found)
}
