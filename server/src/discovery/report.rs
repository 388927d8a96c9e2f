//! What a test run found: per suite and per test.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use super::{RunnerKind, TestSuite};
use crate::executor::RunStatus;

/// Longest failure message kept per test, and runner output kept per suite.
pub(crate) const MESSAGE_LIMIT: usize = 2_000;
pub(crate) const OUTPUT_LIMIT: usize = 8_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    Passed,
    /// An assertion failed.
    Failed,
    /// The test could not run to a verdict: an exception outside its
    /// assertions, a crash, a timeout of the suite, or not reported at all.
    Error,
    Skipped,
}

#[derive(Clone, Debug, Serialize)]
pub struct TestResult {
    /// The runner's name for the test (see [`super::TestCase::name`]);
    /// parametrised cases carry their parameters, e.g. `...::test_a[2]`.
    pub name: String,
    pub outcome: TestOutcome,
    /// As the runner measured it, when it reports one.
    pub duration: Option<Duration>,
    /// Why it failed, capped to a couple of thousand characters.
    pub message: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SuiteReport {
    pub name: String,
    pub runner: RunnerKind,
    /// Compiler output when the build failed (no test ran then).
    pub build_error: Option<String>,
    /// How the runner process ended; None when it never started.
    pub status: Option<RunStatus>,
    pub tests: Vec<TestResult>,
    /// Wall-clock time of the run step.
    pub wall: Duration,
    /// The end of the runner's output (stdout then stderr), for diagnosis.
    pub output: String,
}

impl SuiteReport {
    pub(crate) fn new(suite: &TestSuite) -> SuiteReport {
        SuiteReport {
            name: suite.name.clone(),
            runner: suite.runner,
            build_error: None,
            status: None,
            tests: Vec::new(),
            wall: Duration::ZERO,
            output: String::new(),
        }
    }

    /// Built, exited with 0, and every reported test passed or was skipped,
    /// at least one passing.
    pub fn passed(&self) -> bool {
        self.build_error.is_none()
            && self.status == Some(RunStatus::Exited(0))
            && self.tests.iter().any(|t| t.outcome == TestOutcome::Passed)
            && self
                .tests
                .iter()
                .all(|t| matches!(t.outcome, TestOutcome::Passed | TestOutcome::Skipped))
    }

    pub fn timed_out(&self) -> bool {
        self.status == Some(RunStatus::Timeout)
    }

    /// Record `tests` that the runner did not report as errors, so a test
    /// that silently did not run never counts as a pass.
    pub(crate) fn require(&mut self, expected: &[super::TestCase]) {
        let why = match &self.status {
            None => "not run".to_string(),
            Some(RunStatus::Exited(_)) => "the runner did not report this test".to_string(),
            Some(status) => format!("did not finish: the run ended with {status:?}"),
        };
        for case in expected {
            let reported = self.tests.iter().any(|t| {
                t.name == case.name
                    || t.name
                        .strip_prefix(case.name.as_str())
                        .is_some_and(|rest| rest.starts_with('['))
            });
            if !reported {
                self.tests.push(TestResult {
                    name: case.name.clone(),
                    outcome: TestOutcome::Error,
                    duration: None,
                    message: Some(why.clone()),
                });
            }
        }
    }
}

/// The result of [`super::run_suites`].
#[derive(Clone, Debug, Default, Serialize)]
pub struct TestRunReport {
    pub suites: Vec<SuiteReport>,
}

impl TestRunReport {
    /// Every suite passed. False when there was nothing to run: no tests is
    /// no evidence.
    pub fn all_passed(&self) -> bool {
        !self.suites.is_empty() && self.suites.iter().all(SuiteReport::passed)
    }

    /// Some suite ran out of time (a candidate that loops).
    pub fn timed_out(&self) -> bool {
        self.suites.iter().any(SuiteReport::timed_out)
    }

    /// Tests that failed or errored, with their suite.
    pub fn failures(&self) -> Vec<(&SuiteReport, &TestResult)> {
        self.suites
            .iter()
            .flat_map(|suite| suite.tests.iter().map(move |test| (suite, test)))
            .filter(|(_, test)| matches!(test.outcome, TestOutcome::Failed | TestOutcome::Error))
            .collect()
    }

    /// The slowest passing test, when the runners reported durations (the
    /// test worth showing a model that is asked to make the code faster).
    pub fn costliest(&self) -> Option<(&SuiteReport, &TestResult)> {
        self.suites
            .iter()
            .flat_map(|suite| suite.tests.iter().map(move |test| (suite, test)))
            .filter(|(_, test)| test.outcome == TestOutcome::Passed)
            .filter_map(|(suite, test)| test.duration.map(|d| (d, suite, test)))
            .max_by_key(|(duration, _, _)| *duration)
            .map(|(_, suite, test)| (suite, test))
    }

    /// A few lines for a person: per suite its verdict, and each failure.
    pub fn summary(&self) -> String {
        let mut text = String::new();
        if self.suites.is_empty() {
            text.push_str("no test suites were run");
        }
        for suite in &self.suites {
            let passed = suite
                .tests
                .iter()
                .filter(|t| t.outcome == TestOutcome::Passed)
                .count();
            let verdict = if suite.build_error.is_some() {
                "build failed".to_string()
            } else if suite.passed() {
                "passed".to_string()
            } else {
                match &suite.status {
                    Some(RunStatus::Timeout) => "timed out".to_string(),
                    Some(status) => format!("failed ({status:?})"),
                    None => "not run".to_string(),
                }
            };
            let _ = writeln!(
                text,
                "{} [{}]: {verdict}, {passed}/{} tests passed in {:.2}s",
                suite.name,
                suite.runner.as_str(),
                suite.tests.len(),
                suite.wall.as_secs_f64()
            );
            if let Some(error) = &suite.build_error {
                let _ = writeln!(text, "  {}", first_lines(error, 5));
            }
            for test in &suite.tests {
                if matches!(test.outcome, TestOutcome::Failed | TestOutcome::Error) {
                    let _ = writeln!(
                        text,
                        "  {:?}: {}: {}",
                        test.outcome,
                        test.name,
                        first_lines(test.message.as_deref().unwrap_or(""), 3)
                    );
                }
            }
        }
        text.trim_end().to_string()
    }
}

fn first_lines(text: &str, count: usize) -> String {
    text.lines().take(count).collect::<Vec<_>>().join("\n  ")
}

/// Keep at most `limit` bytes of `text`: its head, which holds the
/// assertion, rather than a long traceback's tail.
pub(crate) fn cap(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut cut = limit;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}\n... (truncated)", &text[..cut])
}

/// The end of a runner's output, where summaries and crash messages are.
pub(crate) fn tail(stdout: &[u8], stderr: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(stdout).into_owned();
    let err = String::from_utf8_lossy(stderr);
    if !err.trim().is_empty() {
        text.push_str("\n--- stderr ---\n");
        text.push_str(&err);
    }
    if text.len() <= OUTPUT_LIMIT {
        return text;
    }
    let mut start = text.len() - OUTPUT_LIMIT;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("... (truncated)\n{}", &text[start..])
}
