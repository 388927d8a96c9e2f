//! Per-task result records and the JSON-lines file that holds them. The
//! file is the resume point of a long run: a task already recorded there is
//! not run again, and a line cut short by an interrupted run is dropped.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::dataset::{Expectation, SolutionKind};
use super::error::EvalError;
use crate::language::Language;

/// How a task's program ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Passed,
    /// The tests ran and failed (nonzero exit, a failed C `assert`).
    FailedAssertion,
    BuildError,
    Timeout,
    MemoryLimit,
    OutputLimit,
    FileSizeLimit,
    /// Killed by a signal other than a failed assertion (e.g. a segfault).
    Crashed,
    SandboxViolation,
    /// A test harness that exited 0 without running any test.
    NoTests,
    /// perforch could not run the task (launcher, cache, disk): no verdict.
    Error,
}

impl TaskStatus {
    pub fn name(self) -> &'static str {
        match self {
            TaskStatus::Passed => "passed",
            TaskStatus::FailedAssertion => "failed assertion",
            TaskStatus::BuildError => "build error",
            TaskStatus::Timeout => "timeout",
            TaskStatus::MemoryLimit => "memory limit",
            TaskStatus::OutputLimit => "output limit",
            TaskStatus::FileSizeLimit => "file size limit",
            TaskStatus::Crashed => "crashed",
            TaskStatus::SandboxViolation => "sandbox violation",
            TaskStatus::NoTests => "no tests ran",
            TaskStatus::Error => "error",
        }
    }
}

/// One line of the results file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub dataset: String,
    pub language: Language,
    pub task_id: String,
    pub solution: SolutionKind,
    pub expected: Expectation,
    /// The dataset's tests accepted the solution.
    pub passed: bool,
    pub status: TaskStatus,
    /// Passed when it should pass, rejected when it should be rejected.
    /// Never true for `error`: no verdict is not a rejection.
    pub met_expectation: bool,
    /// Building, or restoring the build from the artifact cache.
    pub build_ms: u64,
    pub build_cached: bool,
    /// The test run; None when the build failed.
    pub run_ms: Option<u64>,
    /// A short explanation when the tests did not pass.
    pub failure: Option<String>,
}

/// A line of a results file: what identifies it, so a rerun skips it.
pub trait Keyed: Serialize + DeserializeOwned + Clone {
    type Key: std::hash::Hash + Eq;
    fn key(&self) -> Self::Key;
}

impl Keyed for TaskRecord {
    type Key = RecordKey;

    fn key(&self) -> RecordKey {
        RecordKey {
            dataset: self.dataset.clone(),
            language: self.language,
            task_id: self.task_id.clone(),
            solution: self.solution,
        }
    }
}

/// What identifies a record: a rerun skips tasks whose key is present.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordKey {
    pub dataset: String,
    pub language: Language,
    pub task_id: String,
    pub solution: SolutionKind,
}

pub fn met_expectation(expected: Expectation, status: TaskStatus) -> bool {
    match (expected, status) {
        (_, TaskStatus::Error) => false,
        (Expectation::Pass, status) => status == TaskStatus::Passed,
        (Expectation::Reject, status) => status != TaskStatus::Passed,
    }
}

/// An open results file: the records it already holds, and an append handle.
/// Generic over the record type: `perforch eval` writes solution checks,
/// replayed measurements and model-stage results with the same resume rule.
pub struct ResultsFile<R: Keyed = TaskRecord> {
    path: PathBuf,
    file: File,
    recorded: HashMap<R::Key, R>,
}

impl<R: Keyed> ResultsFile<R> {
    /// Open (or create) `path`, reading the records it holds. A last line
    /// without its newline is an interrupted write: it is cut off so the
    /// next record starts on a line of its own. Unreadable lines are
    /// skipped (their tasks simply run again).
    pub fn open(path: &Path) -> Result<ResultsFile<R>, EvalError> {
        let write_error = |source| EvalError::Write {
            path: path.to_path_buf(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(write_error)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|source| EvalError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        if complete < bytes.len() {
            file.set_len(complete as u64).map_err(write_error)?;
        }
        file.seek(SeekFrom::Start(complete as u64))
            .map_err(write_error)?;
        let mut recorded = HashMap::new();
        for line in String::from_utf8_lossy(&bytes[..complete]).lines() {
            match serde_json::from_str::<R>(line) {
                Ok(record) => {
                    recorded.insert(record.key(), record);
                }
                Err(error) if !line.trim().is_empty() => {
                    tracing::warn!(path = %path.display(), %error, "skipping unreadable result line");
                }
                Err(_) => {}
            }
        }
        Ok(ResultsFile {
            path: path.to_path_buf(),
            file,
            recorded,
        })
    }

    /// Every record the file holds.
    pub fn records(&self) -> impl Iterator<Item = &R> {
        self.recorded.values()
    }

    pub fn recorded(&self, key: &R::Key) -> Option<&R> {
        self.recorded.get(key)
    }

    /// Append one record as one line, written in a single call and flushed,
    /// so an interruption leaves at most one partial line.
    pub fn append(&mut self, record: &R) -> Result<(), EvalError> {
        let mut line = serde_json::to_string(record).expect("records serialise");
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|_| self.file.flush())
            .map_err(|source| EvalError::Write {
                path: self.path.clone(),
                source,
            })?;
        self.recorded.insert(record.key(), record.clone());
        Ok(())
    }
}

/// Where `--json OUT` puts the run's summary: beside OUT, its extension
/// replaced (`results.jsonl` -> `results.summary.json`).
pub fn summary_path(results: &Path) -> PathBuf {
    results.with_extension("summary.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(task_id: &str) -> TaskRecord {
        TaskRecord {
            dataset: "humaneval-x".into(),
            language: Language::Go,
            task_id: task_id.into(),
            solution: SolutionKind::Canonical,
            expected: Expectation::Pass,
            passed: true,
            status: TaskStatus::Passed,
            met_expectation: true,
            build_ms: 10,
            build_cached: false,
            run_ms: Some(3),
            failure: None,
        }
    }

    #[test]
    fn reopening_keeps_complete_records_and_cuts_a_partial_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let mut results: ResultsFile = ResultsFile::open(&path).unwrap();
        results.append(&record("Go/0")).unwrap();
        drop(results);
        // An interrupted second write.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"dataset\":\"humaneval-x\",\"lang")
            .unwrap();
        drop(file);
        let mut results: ResultsFile = ResultsFile::open(&path).unwrap();
        assert!(results.recorded(&record("Go/0").key()).is_some());
        results.append(&record("Go/1")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        for line in lines {
            serde_json::from_str::<TaskRecord>(line).unwrap();
        }
    }

    #[test]
    fn errors_never_meet_an_expectation() {
        assert!(met_expectation(Expectation::Reject, TaskStatus::Timeout));
        assert!(!met_expectation(Expectation::Reject, TaskStatus::Passed));
        assert!(!met_expectation(Expectation::Reject, TaskStatus::Error));
        assert!(!met_expectation(Expectation::Pass, TaskStatus::NoTests));
        assert_eq!(
            summary_path(Path::new("/x/results.jsonl")),
            PathBuf::from("/x/results.summary.json")
        );
    }
}
