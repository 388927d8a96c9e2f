//! Assertion programs: the candidate function plus test code that asserts
//! on it, arranged the way each language expects, built and run. A program
//! passes when it exits 0 within its limits.

use std::path::Path;

use super::config::ExecutorConfig;
use super::error::ExecutorError;
use super::gofix;
use super::program::{BuiltProgram, build, run_built};
use super::run::RunOutcome;
use super::sandbox::SandboxLimits;
use super::toolchain::{ProgramKind, SourceProgram, Toolchain};
use crate::language::Language;

/// The pieces of an assertion program.
#[derive(Clone, Debug, Default)]
pub struct AssertionParts<'a> {
    /// Imports / includes / package line that go before the candidate.
    pub prelude: &'a str,
    /// The function under test (for Java: the `Solution` class holding it).
    pub candidate: &'a str,
    /// Test code: Python asserts, a C++ `main`, a Java `Main` class, Go
    /// `TestX` functions, Rust `#[test]`s or a `fn main`.
    pub test: &'a str,
}

/// Arrange candidate and test code into a buildable program.
pub fn compose(language: Language, parts: &AssertionParts<'_>) -> SourceProgram {
    let AssertionParts {
        prelude,
        candidate,
        test,
    } = parts;
    match language {
        Language::Python | Language::Cpp | Language::Java => SourceProgram::single(
            language,
            ProgramKind::Executable,
            format!("{prelude}\n{candidate}\n\n{test}\n"),
        ),
        Language::Go => {
            let joined = format!("{prelude}\n{candidate}\n\n{test}\n");
            let kind = if joined.contains("*testing.T") {
                ProgramKind::TestHarness
            } else {
                ProgramKind::Executable
            };
            SourceProgram::single(language, kind, gofix::normalize(&joined, "main"))
        }
        Language::Rust => {
            let joined = format!("{prelude}\n{candidate}\n\n{test}\n");
            // Only the test code decides: HumanEvalPack prompts (and some
            // candidates) carry an empty `fn main(){}` that would otherwise
            // make a program whose `#[test]`s never run. `rustc --test`
            // ignores such a main.
            let kind = if joined.contains("#[test]") && !test.contains("fn main(") {
                ProgramKind::TestHarness
            } else {
                ProgramKind::Executable
            };
            SourceProgram::single(language, kind, joined)
        }
    }
}

/// Result of building and running an assertion program.
#[derive(Clone, Debug)]
pub struct AssertionOutcome {
    pub passed: bool,
    /// The program was a test harness that exited 0 without running a
    /// single test (e.g. every `#[test]` commented out): not a pass, since
    /// nothing was checked.
    pub no_tests_ran: bool,
    /// Compiler diagnostics when the build failed (the run is then None).
    pub build_error: Option<String>,
    pub run: Option<RunOutcome>,
    pub built: Option<BuiltProgram>,
}

impl AssertionOutcome {
    /// A short explanation for feedback prompts and reports.
    pub fn failure_summary(&self) -> Option<String> {
        if self.passed {
            return None;
        }
        if let Some(error) = &self.build_error {
            return Some(format!("build failed:\n{error}"));
        }
        if self.no_tests_ran {
            return Some("the test harness exited successfully but ran no tests".to_string());
        }
        self.run.as_ref().map(|run| {
            format!(
                "test run ended with {:?}\nstdout:\n{}\nstderr:\n{}",
                run.status,
                tail(&run.stdout_text(), 2000),
                tail(&run.stderr_text(), 4000)
            )
        })
    }
}

fn tail(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// Build (sandboxed, cached) and run an assertion program. A build failure
/// is a failed outcome, not an error; errors are infrastructure problems.
pub fn run_assertions(
    config: &ExecutorConfig,
    toolchain: &Toolchain,
    program: &SourceProgram,
    work_dir: &Path,
    limits: SandboxLimits,
) -> Result<AssertionOutcome, ExecutorError> {
    let built = match build(config, toolchain, program, work_dir) {
        Ok(built) => built,
        Err(ExecutorError::BuildFailed { diagnostics, .. }) => {
            return Ok(AssertionOutcome {
                passed: false,
                no_tests_ran: false,
                build_error: Some(diagnostics),
                run: None,
                built: None,
            });
        }
        Err(other) => return Err(other),
    };
    let run = run_built(config, &built, limits, &[])?;
    let no_tests_ran = program.kind == ProgramKind::TestHarness
        && run.succeeded()
        && harness_ran_no_tests(&run.stdout_text(), &run.stderr_text());
    Ok(AssertionOutcome {
        passed: run.succeeded() && !no_tests_ran,
        no_tests_ran,
        build_error: None,
        run: Some(run),
        built: Some(built),
    })
}

/// What libtest (`running 0 tests`) and Go's test binary (`testing:
/// warning: no tests to run`) print when a suite has no tests.
fn harness_ran_no_tests(stdout: &str, stderr: &str) -> bool {
    [stdout, stderr].iter().any(|text| {
        text.lines().any(|line| {
            let line = line.trim();
            line == "running 0 tests" || line.starts_with("testing: warning: no tests to run")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_tests_run_under_the_harness_even_beside_an_empty_main() {
        let test = "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n";
        let with_main = compose(
            Language::Rust,
            &AssertionParts {
                prelude: "",
                candidate: "fn main(){}\nfn f() {}",
                test,
            },
        );
        assert_eq!(with_main.kind, ProgramKind::TestHarness);
        let own_main = compose(
            Language::Rust,
            &AssertionParts {
                prelude: "",
                candidate: "fn f() {}",
                test: "fn main() { f(); }\n#[test]\nfn t() {}\n",
            },
        );
        assert_eq!(own_main.kind, ProgramKind::Executable);
    }

    #[test]
    fn empty_suites_are_recognised() {
        assert!(harness_ran_no_tests(
            "\nrunning 0 tests\n\ntest result: ok. 0 passed; 0 failed\n",
            ""
        ));
        assert!(harness_ran_no_tests(
            "testing: warning: no tests to run\nPASS\n",
            ""
        ));
        assert!(!harness_ran_no_tests(
            "\nrunning 1 test\ntest tests::t ... ok\n",
            ""
        ));
        assert!(!harness_ran_no_tests("PASS\n", ""));
    }
}
