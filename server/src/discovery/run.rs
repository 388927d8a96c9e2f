//! Running discovered suites: copy the workspace, apply the candidate,
//! build and run each suite in the sandbox, collect per-test results.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::DiscoveryError;
use super::report::{SuiteReport, TestRunReport, tail};
use super::workspace::{self, RunFolder};
use super::{DiscoveredTests, SuiteDetail, TestSuite, TestTarget};
use crate::executor::sandbox::{SandboxLimits, SandboxPolicy};
use crate::executor::{ExecutorConfig, RunOutcome, RunRequest, run_sandboxed};
use crate::language::Language;

/// Run the discovered suites against the workspace with `replacements`
/// (workspace-relative path, new contents) applied to a private copy.
/// `limits` bound each suite's run; builds get the executor's build limits.
///
/// The user's files are never written; the copy is removed afterwards.
/// A candidate that does not build, fails or loops yields a report saying
/// so; errors are reserved for runs that could not be attempted.
pub fn run_suites(
    config: &ExecutorConfig,
    target: &TestTarget,
    tests: &DiscoveredTests,
    replacements: &[(PathBuf, String)],
    limits: SandboxLimits,
) -> Result<TestRunReport, DiscoveryError> {
    run_suites_reading(config, target, tests, replacements, limits, None).map(|(report, _)| report)
}

/// [`run_suites`], and then the text of `read_back` (a path relative to
/// the workspace) as the tests left it in their copy: what code the tests
/// ran wrote there. `None` when it does not exist.
pub fn run_suites_reading(
    config: &ExecutorConfig,
    target: &TestTarget,
    tests: &DiscoveredTests,
    replacements: &[(PathBuf, String)],
    limits: SandboxLimits,
    read_back: Option<&Path>,
) -> Result<(TestRunReport, Option<String>), DiscoveryError> {
    let mut report = TestRunReport::default();
    if tests.suites.is_empty() {
        return Ok((report, None));
    }
    let root = std::fs::canonicalize(target.workspace_root)
        .map_err(|e| DiscoveryError::read(target.workspace_root, e))?;
    let folder = RunFolder::create(&config.cache_dir.join("test-runs"))?;
    workspace::copy_tree(&root, &folder.workspace)?;
    workspace::apply_replacements(&folder.workspace, replacements)?;
    let context = RunContext {
        config,
        folder: &folder,
        limits,
    };
    // Suites that share one build (a crate, a Go package, a Java project)
    // are handed to their language together.
    let by_kind = |pick: fn(&SuiteDetail) -> bool| -> Vec<&TestSuite> {
        tests.suites.iter().filter(|s| pick(&s.detail)).collect()
    };
    let python = by_kind(|d| matches!(d, SuiteDetail::Python));
    let rust = by_kind(|d| matches!(d, SuiteDetail::Rust(_)));
    let go = by_kind(|d| matches!(d, SuiteDetail::Go(_)));
    let java = by_kind(|d| matches!(d, SuiteDetail::Java(_)));
    let cpp = by_kind(|d| matches!(d, SuiteDetail::Cpp(_)));
    let configured = by_kind(|d| matches!(d, SuiteDetail::Configured(_)));
    if !python.is_empty() {
        report.suites.extend(super::python::run(&context, &python)?);
    }
    if !rust.is_empty() {
        report.suites.extend(super::rust::run(&context, &rust)?);
    }
    if !go.is_empty() {
        report.suites.extend(super::go::run(&context, &go)?);
    }
    if !java.is_empty() {
        report.suites.extend(super::java::run(&context, &java)?);
    }
    if !cpp.is_empty() {
        report.suites.extend(super::cpp::run(&context, &cpp)?);
    }
    for (index, suite) in configured.into_iter().enumerate() {
        let report_of_suite = super::configured::run(&context, suite, index)?;
        report.suites.push(report_of_suite);
    }
    let written = read_back
        .filter(|path| workspace::is_contained(path))
        .map(|path| folder.workspace.join(path))
        // What the tests left there is read only if it is a plain file:
        // code under test must not point the server at another one.
        .filter(|path| std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file()))
        .and_then(|path| std::fs::read_to_string(path).ok());
    Ok((report, written))
}

/// What a language's runner gets.
pub(crate) struct RunContext<'a> {
    pub config: &'a ExecutorConfig,
    pub folder: &'a RunFolder,
    pub limits: SandboxLimits,
}

/// One sandboxed command: `program args` started in `cwd` (a folder inside
/// the run folder). The run folder is the only writable place besides
/// `writable`.
pub(crate) struct Step {
    pub program: OsString,
    pub args: Vec<OsString>,
    pub cwd: PathBuf,
    pub env: Vec<(String, String)>,
    pub readable: Vec<PathBuf>,
    pub writable: Vec<PathBuf>,
    pub limits: SandboxLimits,
}

impl Step {
    pub fn new(
        program: impl Into<OsString>,
        cwd: impl Into<PathBuf>,
        limits: SandboxLimits,
    ) -> Step {
        Step {
            program: program.into(),
            args: Vec::new(),
            cwd: cwd.into(),
            env: Vec::new(),
            readable: Vec::new(),
            writable: Vec::new(),
            limits,
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Step {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: Into<OsString>>(mut self, args: impl IntoIterator<Item = I>) -> Step {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<String>) -> Step {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.into()));
        self
    }
}

impl RunContext<'_> {
    /// Run a step in the sandbox. The launcher starts programs in the run
    /// folder; a POSIX shell moves to the step's folder first (passing the
    /// folder and the command as arguments, so nothing is ever quoted).
    pub fn sandboxed(&self, step: Step) -> Result<RunOutcome, DiscoveryError> {
        let mut args: Vec<OsString> = vec![
            "-c".into(),
            "cd \"$1\" || exit 126; shift; exec \"$@\"".into(),
            "perforch-test".into(),
            step.cwd.into_os_string(),
            step.program,
        ];
        args.extend(step.args);
        let mut policy = SandboxPolicy::new(step.limits);
        policy.env = step.env;
        policy.readable = step.readable;
        policy.writable = step.writable;
        let request = RunRequest {
            program: "/bin/sh".into(),
            args,
            dir: self.folder.root.clone(),
            policy,
        };
        Ok(run_sandboxed(self.config, &request)?)
    }

    /// The copy of the workspace.
    pub fn workspace(&self) -> &Path {
        &self.folder.workspace
    }

    /// A fresh folder for build output and reports of one language.
    pub fn scratch(&self, name: &str) -> Result<PathBuf, DiscoveryError> {
        let dir = self.folder.scratch.join(name);
        workspace::traversable_dir(&dir)?;
        Ok(dir)
    }

    /// Limits of a suite's run step, adapted to runtimes that reserve much
    /// more address space than they use (JVM, Go) or start many threads.
    pub fn run_limits(&self, language: Language) -> SandboxLimits {
        let mut limits = self.limits.clone();
        if matches!(language, Language::Java | Language::Go) {
            limits.address_space_limit = false;
        }
        if language == Language::Java {
            limits.nproc = limits.nproc.max(512);
        }
        limits
    }
}

/// Build limits: compilers get the executor's longer build allowance.
pub(crate) fn build_limits() -> SandboxLimits {
    SandboxLimits::for_build()
}

/// Fill a suite report from a run's outcome (status, wall time, output).
pub(crate) fn record_outcome(report: &mut SuiteReport, outcome: &RunOutcome) {
    report.status = Some(outcome.status.clone());
    report.wall = outcome.wall;
    report.output = tail(&outcome.stdout, &outcome.stderr);
}

/// A build that failed: every suite that needed it reports the diagnostics.
pub(crate) fn build_failed(suites: &[&TestSuite], outcome: &RunOutcome) -> Vec<SuiteReport> {
    let diagnostics = super::report::cap(
        &format!(
            "{}{}{}",
            outcome.stderr_text(),
            outcome.stdout_text(),
            if matches!(outcome.status, crate::executor::RunStatus::Exited(_)) {
                String::new()
            } else {
                format!("\n(build ended with {:?})", outcome.status)
            }
        ),
        8_000,
    );
    suites
        .iter()
        .map(|suite| {
            let mut report = SuiteReport::new(suite);
            report.build_error = Some(diagnostics.clone());
            report.wall = Duration::ZERO;
            report
        })
        .collect()
}

/// `PATH` for a step: the toolchain's own folders first, then the system's.
pub(crate) fn path_with(dirs: &[PathBuf]) -> String {
    let mut parts: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    parts.push("/usr/local/bin:/usr/bin:/bin".to_string());
    parts.join(":")
}
