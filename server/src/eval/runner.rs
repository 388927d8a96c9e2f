//! Running tasks: one task is one assertion program built and run by the
//! executor (sandboxed, artifact-cached); a pool of worker threads runs a
//! language's tasks, and the caller receives each record on its own thread
//! as soon as it is ready (to write it and show progress).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::dataset::{DatasetKind, SolutionKind, Task};
use super::error::EvalError;
use super::program::task_program;
use super::record::{TaskRecord, TaskStatus, met_expectation};
use crate::executor::run::RunStatus;
use crate::executor::sandbox::SandboxLimits;
use crate::executor::{AssertionOutcome, ExecutorConfig, Toolchain, run_assertions};
use crate::language::Language;

/// Longest failure explanation kept in a record.
const FAILURE_CHARS: usize = 1200;

/// Toolchains for the chosen languages, with Go modules and Rust crates
/// fetched (outside the sandbox, once per cache folder).
pub fn prepare_toolchains(
    config: &ExecutorConfig,
    languages: &[Language],
) -> Result<Vec<(Language, Toolchain)>, EvalError> {
    let mut toolchains = Vec::new();
    for &language in languages {
        let toolchain =
            crate::executor::detect(language).map_err(|error| EvalError::Toolchain {
                language,
                detail: error.to_string(),
            })?;
        toolchains.push((language, toolchain));
    }
    if languages
        .iter()
        .any(|l| matches!(l, Language::Go | Language::Rust))
    {
        let problems = crate::executor::prepare_dependencies(&config.cache_dir);
        if let Some((language, error)) = problems
            .into_iter()
            .find(|(language, _)| languages.contains(language))
        {
            return Err(EvalError::Toolchain {
                language,
                detail: error.to_string(),
            });
        }
    }
    Ok(toolchains)
}

/// Everything that is the same for every task of a run.
pub struct Evaluator {
    pub config: ExecutorConfig,
    pub dataset: DatasetKind,
    pub solution: SolutionKind,
    pub limits: SandboxLimits,
    work_root: PathBuf,
}

impl Evaluator {
    /// Work folders go under a fresh folder in the system temp dir,
    /// removed when the evaluator is dropped.
    pub fn new(
        config: ExecutorConfig,
        dataset: DatasetKind,
        solution: SolutionKind,
        limits: SandboxLimits,
    ) -> Result<Evaluator, EvalError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let work_root =
            std::env::temp_dir().join(format!("perforch-eval-{}-{nanos}", std::process::id()));
        create_traversable_dir(&work_root)?;
        Ok(Evaluator {
            config,
            dataset,
            solution,
            limits,
            work_root,
        })
    }

    /// Build and run one task's program in `work_dir` (removed afterwards).
    pub fn evaluate(
        &self,
        language: Language,
        toolchain: &Toolchain,
        task: &Task,
        work_dir: &Path,
    ) -> TaskRecord {
        let expected = self.solution.expectation();
        let mut record = TaskRecord {
            dataset: self.dataset.name().to_string(),
            language,
            task_id: task.task_id.clone(),
            solution: self.solution,
            expected,
            passed: false,
            status: TaskStatus::Error,
            met_expectation: false,
            build_ms: 0,
            build_cached: false,
            run_ms: None,
            failure: None,
        };
        let Some(program) = task_program(self.dataset, language, task, self.solution) else {
            record.failure = Some(format!("the task has no {} solution", self.solution.name()));
            return record;
        };
        let start = Instant::now();
        let result = run_assertions(
            &self.config,
            toolchain,
            &program,
            work_dir,
            self.limits.clone(),
        );
        let elapsed = start.elapsed();
        let _ = std::fs::remove_dir_all(work_dir);
        match result {
            Ok(outcome) => {
                let run_wall = outcome.run.as_ref().map(|run| run.wall);
                record.build_ms = millis(elapsed.saturating_sub(run_wall.unwrap_or_default()));
                record.run_ms = run_wall.map(millis);
                record.build_cached = outcome.built.as_ref().is_some_and(|b| b.cache_hit);
                record.status = status_of(&outcome);
                record.passed = outcome.passed;
                record.failure = (!outcome.passed).then(|| short_failure(&outcome));
            }
            Err(error) => {
                record.build_ms = millis(elapsed);
                record.failure = Some(clip_end(&error.to_string(), FAILURE_CHARS));
            }
        }
        record.met_expectation = met_expectation(expected, record.status);
        record
    }

    /// Run `tasks` on `jobs` worker threads; `on_record` is called on the
    /// calling thread for each finished task, in completion order. An error
    /// from `on_record` stops the pool (running tasks finish) and is returned.
    pub fn evaluate_all<E>(
        &self,
        language: Language,
        toolchain: &Toolchain,
        tasks: &[&Task],
        jobs: usize,
        mut on_record: impl FnMut(TaskRecord) -> Result<(), E>,
    ) -> Result<(), E> {
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let (sender, receiver) = mpsc::channel::<TaskRecord>();
        std::thread::scope(|scope| {
            for _ in 0..jobs.max(1).min(tasks.len().max(1)) {
                let sender = sender.clone();
                let (next, stop) = (&next, &stop);
                scope.spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let index = next.fetch_add(1, Ordering::SeqCst);
                        let Some(task) = tasks.get(index) else { break };
                        let work_dir = self.work_root.join(format!(
                            "{}-{}-{}",
                            language.name(),
                            task.task_id.replace(['/', '\\', '.'], "-"),
                            self.solution.name()
                        ));
                        let record = self.evaluate(language, toolchain, task, &work_dir);
                        if sender.send(record).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(sender);
            let mut result = Ok(());
            for record in receiver {
                if result.is_ok() {
                    result = on_record(record);
                    if result.is_err() {
                        stop.store(true, Ordering::SeqCst);
                    }
                }
            }
            result
        })
    }
}

impl Drop for Evaluator {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.work_root);
    }
}

fn create_traversable_dir(dir: &Path) -> Result<(), EvalError> {
    use std::os::unix::fs::PermissionsExt;
    // The sandbox uid must be able to enter it whatever our umask is.
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)))
        .map_err(|source| EvalError::Write {
            path: dir.to_path_buf(),
            source,
        })
}

fn millis(duration: Duration) -> u64 {
    duration.as_millis().try_into().unwrap_or(u64::MAX)
}

/// The record status of an assertion outcome.
pub fn status_of(outcome: &AssertionOutcome) -> TaskStatus {
    if outcome.passed {
        return TaskStatus::Passed;
    }
    if outcome.build_error.is_some() {
        return TaskStatus::BuildError;
    }
    if outcome.no_tests_ran {
        return TaskStatus::NoTests;
    }
    let Some(run) = &outcome.run else {
        return TaskStatus::Error;
    };
    match &run.status {
        RunStatus::Exited(_) => TaskStatus::FailedAssertion,
        // A failed C/C++ `assert` calls abort().
        RunStatus::Signaled(signal) if *signal == libc::SIGABRT => TaskStatus::FailedAssertion,
        RunStatus::Signaled(_) => TaskStatus::Crashed,
        RunStatus::Timeout => TaskStatus::Timeout,
        RunStatus::MemoryLimit => TaskStatus::MemoryLimit,
        RunStatus::OutputLimit => TaskStatus::OutputLimit,
        RunStatus::FileSizeLimit => TaskStatus::FileSizeLimit,
        RunStatus::SandboxViolation(_) => TaskStatus::SandboxViolation,
        RunStatus::LaunchError(_) => TaskStatus::Error,
    }
}

/// The start of the compiler's complaint, or the end of the test output
/// (where test frameworks put the failed assertion).
pub fn short_failure(outcome: &AssertionOutcome) -> String {
    if let Some(diagnostics) = &outcome.build_error {
        return clip_end(diagnostics.trim(), FAILURE_CHARS);
    }
    if outcome.no_tests_ran {
        return "the test harness exited successfully but ran no tests".to_string();
    }
    let Some(run) = &outcome.run else {
        return String::new();
    };
    let mut text = format!("{:?}", run.status);
    for stream in [run.stdout_text(), run.stderr_text()] {
        let stream = stream.trim();
        if !stream.is_empty() {
            text.push('\n');
            text.push_str(clip_start(stream, FAILURE_CHARS / 2));
        }
    }
    text
}

fn clip_end(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{} ...", &text[..cut])
}

/// The last `max` bytes of `text`, starting at a line when one starts in
/// them (a half line at the top reads as garbage).
fn clip_start(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let tail = &text[start..];
    match tail.find('\n') {
        Some(newline) if newline + 1 < tail.len() => &tail[newline + 1..],
        _ => tail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_respects_character_boundaries() {
        let text = "é".repeat(10);
        assert_eq!(clip_start(&text, 5), "éé");
        assert_eq!(clip_start("expected 1\nactual 2\n", 14), "actual 2\n");
        assert_eq!(clip_end(&text, 5), "éé ...");
        assert_eq!(clip_end("short", 50), "short");
    }
}
