//! The function's own tests from the user's workspace, as evidence: found
//! once per job, then run against each version of the file in a private
//! copy of the workspace (never the user's tree).

use std::path::{Path, PathBuf};

use crate::analysis::Function;
use crate::config::Config;
use crate::discovery::{
    DiscoveredTests, DiscoveryError, TestOutcome, TestRunReport, TestTarget, discover_with,
    run_suites_reading,
};
use crate::executor::ExecutorConfig;
use crate::executor::sandbox::SandboxLimits;
use crate::language::Language;

use super::evidence::{TestInput, capture, shorten};

#[derive(Debug, Clone)]
pub struct WorkspaceTests {
    root: PathBuf,
    file: PathBuf,
    relative: PathBuf,
    language: Language,
    function: String,
    container: Option<String>,
    pub discovered: DiscoveredTests,
}

/// A test run reduced to what the pipeline decides on.
#[derive(Debug, Clone)]
pub struct TestsVerdict {
    pub passed: Vec<String>,
    /// The first failing test and why (the build error when nothing built).
    pub failure: Option<(String, String)>,
    pub report: TestRunReport,
}

impl WorkspaceTests {
    /// Find the tests of `function` in `file` under `root`; `None` when
    /// there are none, [`DiscoveryError::TestsCannotRun`] when it has
    /// tests but none can run (the caller must say so, not judge as if
    /// there were none).
    pub fn discover(
        config: &Config,
        root: &Path,
        file: &Path,
        language: Language,
        function: &str,
        container: Option<&str>,
    ) -> Result<Option<WorkspaceTests>, DiscoveryError> {
        let target = TestTarget {
            workspace_root: root,
            file,
            language,
            function,
            container,
        };
        let mut discovered = discover_with(&target, &config.tests)?;
        if discovered.is_empty() {
            if discovered.cannot_run.is_empty() {
                return Ok(None);
            }
            return Err(DiscoveryError::TestsCannotRun {
                reasons: discovered.cannot_run,
            });
        }
        // Some tests run; the others are worth a note.
        let cannot_run = std::mem::take(&mut discovered.cannot_run);
        discovered.notes.extend(cannot_run);
        let root = std::fs::canonicalize(root).map_err(|source| DiscoveryError::Read {
            path: root.to_path_buf(),
            source,
        })?;
        let file = std::fs::canonicalize(file).map_err(|source| DiscoveryError::Read {
            path: file.to_path_buf(),
            source,
        })?;
        let relative = file
            .strip_prefix(&root)
            .map_err(|_| DiscoveryError::OutsideWorkspace {
                file: file.clone(),
                root: root.clone(),
            })?
            .to_path_buf();
        Ok(Some(WorkspaceTests {
            root,
            file,
            relative,
            language,
            function: function.to_string(),
            container: container.map(str::to_string),
            discovered,
        }))
    }

    pub fn test_count(&self) -> usize {
        self.discovered.test_count()
    }

    /// The text of every test file (the function's own file included when
    /// its tests live there), for the calls written in them.
    pub fn test_sources(&self) -> Vec<(PathBuf, String)> {
        let mut files: Vec<PathBuf> = self
            .discovered
            .suites
            .iter()
            .flat_map(|suite| suite.files.iter().map(|file| self.root.join(file)))
            .collect();
        files.sort();
        files.dedup();
        files
            .into_iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(&path).ok()?;
                Some((path, text))
            })
            .collect()
    }

    /// Whether `path` is the function's own file.
    pub fn is_own_file(&self, path: &Path) -> bool {
        path == self.file
    }

    /// Run the tests on `file_text` with `function` recording the calls
    /// they make (`evidence::capture`): the verdict, and the calls as
    /// inputs. Without a recorder for the function, or when the recording
    /// run fails (the recorder, not the code, may be at fault), the tests
    /// run once more as they are and no call is returned.
    pub fn run_capturing(
        &self,
        executor: &ExecutorConfig,
        file_text: &str,
        function: &Function,
    ) -> Result<(TestsVerdict, Vec<TestInput>), DiscoveryError> {
        let Some(instrumented) = capture::instrument(self.language, file_text, function) else {
            return Ok((self.run(executor, file_text)?, Vec::new()));
        };
        let folder = self
            .relative
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut replacements = vec![(self.relative.clone(), instrumented.file_text)];
        if let Some((name, text)) = instrumented.extra_file {
            replacements.push((folder.join(name), text));
        }
        let (verdict, written) = self.run_replaced(
            executor,
            &replacements,
            Some(&folder.join(capture::CAPTURE_FILE)),
        )?;
        if verdict.failure.is_some() {
            return Ok((self.run(executor, file_text)?, Vec::new()));
        }
        let calls = capture::captured_inputs(
            self.language,
            written.as_deref().unwrap_or(""),
            function,
            file_text,
        );
        Ok((verdict, calls))
    }

    /// Run every suite with the function's file replaced by `file_text`.
    pub fn run(
        &self,
        executor: &ExecutorConfig,
        file_text: &str,
    ) -> Result<TestsVerdict, DiscoveryError> {
        let replacements = [(self.relative.clone(), file_text.to_string())];
        Ok(self.run_replaced(executor, &replacements, None)?.0)
    }

    fn run_replaced(
        &self,
        executor: &ExecutorConfig,
        replacements: &[(PathBuf, String)],
        read_back: Option<&Path>,
    ) -> Result<(TestsVerdict, Option<String>), DiscoveryError> {
        let target = TestTarget {
            workspace_root: &self.root,
            file: &self.file,
            language: self.language,
            function: &self.function,
            container: self.container.as_deref(),
        };
        let (report, written) = run_suites_reading(
            executor,
            &target,
            &self.discovered,
            replacements,
            SandboxLimits::for_run(),
            read_back,
        )?;
        let passed = report
            .suites
            .iter()
            .flat_map(|suite| suite.tests.iter())
            .filter(|test| test.outcome == TestOutcome::Passed)
            .map(|test| test.name.clone())
            .collect();
        let failure = if report.all_passed() {
            None
        } else if let Some((suite, test)) = report.failures().first() {
            Some((
                format!("{} ({})", test.name, suite.name),
                shorten(test.message.as_deref().unwrap_or(&suite.output), 2_000),
            ))
        } else {
            // Nothing reported per test: a build error or a crashed runner.
            let suite = report.suites.iter().find(|suite| !suite.passed());
            Some(match suite {
                Some(suite) => (
                    suite.name.clone(),
                    shorten(suite.build_error.as_deref().unwrap_or(&suite.output), 2_000),
                ),
                None => ("tests".into(), report.summary()),
            })
        };
        Ok((
            TestsVerdict {
                passed,
                failure,
                report,
            },
            written,
        ))
    }
}
