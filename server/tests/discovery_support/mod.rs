//! Shared helpers for the discovery tests: fixture workspaces, a snapshot of
//! their files to prove runs never write them, and short limits.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use perforch::discovery::{
    DiscoveredTests, TestOutcome, TestRunReport, TestTarget, discover, run_suites,
};
use perforch::executor::Language;
use perforch::executor::sandbox::SandboxLimits;

pub fn workspace(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/workspaces")
        .join(name)
        .canonicalize()
        .unwrap()
}

/// A copy of the fixture workspace `name` in a fresh folder with no
/// project around it, as a user's own checkout would be.
pub fn copy_of(name: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let dir = tempfile::Builder::new()
        .prefix("perforch-workspace")
        .tempdir()
        .unwrap();
    copy(&workspace(name), dir.path());
    dir
}

/// Every file under `root` with its bytes, and every folder (so a new empty
/// folder, e.g. `__pycache__`, shows up too).
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            if entry.file_type().unwrap().is_dir() {
                files.insert(relative, None);
                pending.push(path);
            } else {
                files.insert(relative, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    files
}

pub struct Fixture {
    pub root: PathBuf,
    pub file: PathBuf,
    pub language: Language,
    pub function: &'static str,
    pub container: Option<&'static str>,
}

impl Fixture {
    pub fn new(
        workspace_name: &str,
        file: &str,
        language: Language,
        function: &'static str,
    ) -> Self {
        let root = workspace(workspace_name);
        Fixture {
            file: root.join(file),
            root,
            language,
            function,
            container: None,
        }
    }

    pub fn target(&self) -> TestTarget<'_> {
        TestTarget {
            workspace_root: &self.root,
            file: &self.file,
            language: self.language,
            function: self.function,
            container: self.container,
        }
    }

    pub fn discover(&self) -> DiscoveredTests {
        discover(&self.target()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The file's text with `from` replaced by `to` (which must occur).
    pub fn edited(&self, from: &str, to: &str) -> (PathBuf, String) {
        let text = std::fs::read_to_string(&self.file).unwrap();
        assert!(
            text.contains(from),
            "{from:?} not in {}",
            self.file.display()
        );
        (
            self.file.strip_prefix(&self.root).unwrap().to_path_buf(),
            text.replacen(from, to, 1),
        )
    }

    /// Run with the replacements, checking the workspace is unchanged after.
    pub fn run(
        &self,
        tests: &DiscoveredTests,
        replacements: &[(PathBuf, String)],
        limits: SandboxLimits,
    ) -> TestRunReport {
        let before = snapshot(&self.root);
        let config = crate::common::prepared_config();
        let report = run_suites(&config, &self.target(), tests, replacements, limits)
            .unwrap_or_else(|e| panic!("{e}"));
        let after = snapshot(&self.root);
        assert!(
            before == after,
            "the workspace changed during the run: {:?}",
            changed(&before, &after)
        );
        report
    }
}

fn changed(
    before: &BTreeMap<PathBuf, Option<Vec<u8>>>,
    after: &BTreeMap<PathBuf, Option<Vec<u8>>>,
) -> Vec<PathBuf> {
    before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .cloned()
        .collect()
}

/// Test names of all suites, sorted.
pub fn test_names(tests: &DiscoveredTests) -> Vec<String> {
    let mut names: Vec<String> = tests
        .suites
        .iter()
        .flat_map(|s| s.tests.iter().map(|t| t.name.clone()))
        .collect();
    names.sort();
    names
}

pub fn limits(wall_secs: u64) -> SandboxLimits {
    SandboxLimits {
        wall: Duration::from_secs(wall_secs),
        cpu_secs: wall_secs + 5,
        ..SandboxLimits::for_run()
    }
}

/// Names of tests that failed or errored.
pub fn failed_names(report: &TestRunReport) -> Vec<String> {
    let mut names: Vec<String> = report
        .failures()
        .into_iter()
        .map(|(_, t)| t.name.clone())
        .collect();
    names.sort();
    names
}

/// The original passes, every test with a result and (when `durations`)
/// the runner's duration.
pub fn assert_all_pass(report: &TestRunReport, durations: bool) {
    assert!(report.all_passed(), "{}\n{report:#?}", report.summary());
    for suite in &report.suites {
        for test in &suite.tests {
            assert_eq!(test.outcome, TestOutcome::Passed, "{}", test.name);
            if durations {
                assert!(test.duration.is_some(), "no duration for {}", test.name);
            }
        }
    }
}
