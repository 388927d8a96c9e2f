//! Running a libtest binary (built by cargo or by rustc) with the selected
//! tests and reading its text lines into per-test results.

use std::path::Path;

use super::super::TestSuite;
use super::super::error::DiscoveryError;
use super::super::report::{MESSAGE_LIMIT, SuiteReport, TestOutcome, TestResult, cap};
use super::super::run::{RunContext, Step, record_outcome};
use crate::executor::Toolchain;
use crate::language::Language;

/// Run `executable` in `cwd` with the suite's tests as `--exact` names;
/// `env` is what the test may expect from its builder (cargo sets
/// `CARGO_MANIFEST_DIR`, rustc nothing).
pub(super) fn run_binary(
    context: &RunContext,
    toolchain: &Toolchain,
    suite: &TestSuite,
    executable: &Path,
    cwd: &Path,
    env: &[(&str, String)],
) -> Result<SuiteReport, DiscoveryError> {
    let step = |timed: bool| {
        let mut step = Step::new(executable, cwd, context.run_limits(Language::Rust))
            .args(["--exact", "--color", "never"]);
        for (key, value) in env {
            step = step.env(key, value.clone());
        }
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
    let mut report = SuiteReport::new(suite);
    record_outcome(&mut report, &outcome);
    report.tests = parse_libtest(&outcome.stdout_text());
    report.require(&suite.tests);
    Ok(report)
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
