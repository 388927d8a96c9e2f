//! Build a source program in the sandbox (through the artifact cache) and
//! run the result.
//!
//! Work folder layout:
//! - `build/`: sources and compiler output (writable by the sandboxed build);
//! - `artifacts/`: the built program, copied out by the parent and
//!   read-only to every run (owned by root when we are root, and outside
//!   the run's Landlock write rules), so a run cannot tamper with the
//!   binary that later runs — of the original or the candidate — execute;
//! - `runs/N/`: a fresh working folder per run, removed afterwards.

use std::path::{Path, PathBuf};

use super::cache::ArtifactCache;
use super::config::ExecutorConfig;
use super::error::ExecutorError;
use super::run::{RunOutcome, RunRequest, RunStatus, run_sandboxed};
use super::sandbox::{SandboxLimits, SandboxPolicy};
use super::toolchain::{self, CommandLine, SourceProgram, Toolchain};
use crate::language::Language;

/// A program ready to run.
#[derive(Clone, Debug)]
pub struct BuiltProgram {
    pub language: Language,
    /// The work folder (see the module documentation for its layout).
    pub dir: PathBuf,
    /// Read-only copy of the built program.
    pub artifacts_dir: PathBuf,
    /// Command line, with artifact names made absolute.
    pub run: CommandLine,
    /// The build was skipped: the artifact came from the cache.
    pub cache_hit: bool,
    /// The sandboxed compiler run (None for cache hits and Python).
    pub build_outcome: Option<RunOutcome>,
    run_policy: SandboxPolicy,
}

impl BuiltProgram {
    /// Sandbox policy for running this program with the given limits.
    pub fn policy(&self, limits: SandboxLimits) -> SandboxPolicy {
        let mut policy = self.run_policy.clone();
        policy.readable.push(self.artifacts_dir.clone());
        let keep_as = policy.limits.address_space_limit;
        policy.limits = limits;
        policy.limits.address_space_limit &= keep_as;
        if self.language == Language::Java {
            policy.limits.nproc = policy.limits.nproc.max(512);
        }
        policy
    }
}

const DIAGNOSTICS_LIMIT: usize = 8000;

fn diagnostics(outcome: &RunOutcome) -> String {
    let mut text = outcome.stderr_text();
    text.push_str(&outcome.stdout_text());
    if !matches!(outcome.status, RunStatus::Exited(_)) {
        text.push_str(&format!("\n(build ended with {:?})", outcome.status));
    }
    if text.len() > DIAGNOSTICS_LIMIT {
        let mut cut = DIAGNOSTICS_LIMIT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n... (truncated)");
    }
    text
}

fn write_files(dir: &Path, files: &[toolchain::SourceFile]) -> Result<(), ExecutorError> {
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ExecutorError::io(parent, e))?;
        }
        std::fs::write(&path, &file.contents).map_err(|e| ExecutorError::io(&path, e))?;
    }
    Ok(())
}

/// Build `program` in `work_dir` (created if needed) inside the sandbox,
/// or restore it from the artifact cache.
pub fn build(
    config: &ExecutorConfig,
    toolchain: &Toolchain,
    program: &SourceProgram,
    work_dir: &Path,
) -> Result<BuiltProgram, ExecutorError> {
    let build_dir = work_dir.join("build");
    let artifacts_dir = work_dir.join("artifacts");
    for dir in [work_dir, &build_dir] {
        create_traversable_dir(dir)?;
    }
    // A rebuild in the same folder starts from a clean artifact copy.
    let _ = std::fs::remove_dir_all(&artifacts_dir);
    create_traversable_dir(&artifacts_dir)?;
    let plan = toolchain::plan(config, toolchain, program)?;
    let mut all_files = program.files.clone();
    all_files.extend(plan.extra_files.iter().cloned());
    let cache = ArtifactCache::new(&config.cache_dir);
    let key = ArtifactCache::key(
        program.language.name(),
        &toolchain.version(),
        &plan.flags,
        &all_files,
    );
    let run_policy = toolchain::run_policy(toolchain, &plan, SandboxLimits::for_run());
    let built = |cache_hit, build_outcome| BuiltProgram {
        language: program.language,
        dir: work_dir.to_path_buf(),
        artifacts_dir: artifacts_dir.clone(),
        run: absolute_artifacts(&plan.run, &plan.artifacts, &artifacts_dir),
        cache_hit,
        build_outcome,
        run_policy: run_policy.clone(),
    };
    if cache.restore(&key, &plan.artifacts, &artifacts_dir) {
        tracing::debug!(%key, "artifact cache hit");
        return Ok(built(true, None));
    }
    write_files(&build_dir, &all_files)?;
    let Some(build_command) = &plan.build else {
        cache.store(&key, &plan.artifacts, &build_dir)?;
        let _ = cache.restore(&key, &plan.artifacts, &artifacts_dir);
        return Ok(built(false, None));
    };
    let request = RunRequest {
        program: build_command.program.clone(),
        args: build_command.args.clone(),
        dir: build_dir.clone(),
        policy: toolchain::build_policy(toolchain, &plan),
    };
    let outcome = run_sandboxed(config, &request)?;
    if !outcome.succeeded() {
        return Err(ExecutorError::BuildFailed {
            language: program.language,
            diagnostics: diagnostics(&outcome),
        });
    }
    cache.store(&key, &plan.artifacts, &build_dir)?;
    if !cache.restore(&key, &plan.artifacts, &artifacts_dir) {
        return Err(ExecutorError::Cache {
            path: artifacts_dir.clone(),
            source: std::io::Error::other("copying the built program failed"),
        });
    }
    Ok(built(false, Some(outcome)))
}

/// Create a folder the sandbox uid can enter whatever our umask is.
fn create_traversable_dir(dir: &Path) -> Result<(), ExecutorError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)))
        .map_err(|source| ExecutorError::RunDir {
            path: dir.to_path_buf(),
            source,
        })
}

/// `./main`, `main.py`, `classes`: names of artifacts in the plan's command
/// line become absolute paths into the read-only artifact folder.
fn absolute_artifacts(command: &CommandLine, artifacts: &[String], dir: &Path) -> CommandLine {
    let map = |word: &std::ffi::OsString| {
        let text = word.to_string_lossy();
        let name = text.strip_prefix("./").unwrap_or(&text);
        if artifacts.iter().any(|a| a == name) {
            dir.join(name).into_os_string()
        } else {
            word.clone()
        }
    };
    CommandLine {
        program: map(&command.program),
        args: command.args.iter().map(map).collect(),
    }
}

static RUN_SEQUENCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Run a built program in its folder with the given limits.
pub fn run_built(
    config: &ExecutorConfig,
    built: &BuiltProgram,
    limits: SandboxLimits,
    extra_args: &[&str],
) -> Result<RunOutcome, ExecutorError> {
    let mut args = built.run.args.clone();
    args.extend(extra_args.iter().map(Into::into));
    let run_dir = built.dir.join("runs").join(
        RUN_SEQUENCE
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .to_string(),
    );
    let _ = std::fs::remove_dir_all(&run_dir);
    create_traversable_dir(&built.dir.join("runs"))?;
    let outcome = run_sandboxed(
        config,
        &RunRequest {
            program: built.run.program.clone(),
            args,
            dir: run_dir.clone(),
            policy: built.policy(limits),
        },
    );
    // Whatever the run wrote (up to the file-size limit) goes now, so
    // repeated measurement runs cannot fill the disk.
    let _ = std::fs::remove_dir_all(&run_dir);
    outcome
}

/// Fetch what test programs may need (Go modules, Rust crates) into
/// `cache_dir`, once, outside the sandbox. Languages whose toolchain is
/// missing are skipped and reported in the returned list.
pub fn prepare_dependencies(cache_dir: &Path) -> Vec<(Language, ExecutorError)> {
    let lock_path = cache_dir.join(".prepare.lock");
    let _ = std::fs::create_dir_all(cache_dir);
    // Several test binaries may prepare at once; one does the work.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path);
    if let Ok(file) = &lock {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on an open descriptor.
        unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    }
    let mut problems = Vec::new();
    if let Err(e) = super::toolchains::go::prepare(cache_dir) {
        problems.push((Language::Go, e));
    }
    if let Err(e) = super::toolchains::rust::prepare(cache_dir) {
        problems.push((Language::Rust, e));
    }
    problems
}
