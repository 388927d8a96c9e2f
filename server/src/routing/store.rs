//! The memory file: counts of real runs per (stage, language, metric, category set, model),
//! read and written as JSON. Writes are atomic (temporary file, fsync, rename) and serialised
//! between processes by an advisory lock, and they merge: a save re-reads the file and adds
//! only the runs recorded since, so an editor and a CLI run that save in turn both count.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::RoutingError;
use super::types::{Category, Metric, Stage};
use crate::language::Language;

pub const FORMAT_VERSION: u32 = 1;

/// What a count is about. `metric` is set for refine only: generate and fix are judged on
/// correctness whatever the metric. `categories` is the run's whole label set, sorted, so one
/// run lives in exactly one entry and can be counted once when several labels are asked for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub stage: Stage,
    pub language: Language,
    pub metric: Option<Metric>,
    pub categories: Vec<Category>,
    /// The model's identity: the paper's id when the model is one it measured, else the
    /// provider model id in lowercase (see `RoutingMemory::identity`).
    pub model: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub runs: u32,
    pub successes: u32,
    /// Sum of normalised improvements (0..1 each, failures 0): PerfOrch's weighted sum.
    pub improvement_sum: f64,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.runs = self.runs.saturating_add(other.runs);
        self.successes = self.successes.saturating_add(other.successes);
        self.improvement_sum += other.improvement_sum;
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileContents {
    version: u32,
    entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    stage: Stage,
    language: Language,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metric: Option<Metric>,
    categories: Vec<Category>,
    model: String,
    runs: u32,
    successes: u32,
    improvement_sum: f64,
}

pub type Table = BTreeMap<Key, Counts>;

/// Read a memory file; a missing file is an empty memory.
pub fn read(path: &Path) -> Result<Table, RoutingError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Table::new()),
        Err(source) => {
            return Err(RoutingError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    parse(&text, path)
}

fn parse(text: &str, path: &Path) -> Result<Table, RoutingError> {
    let corrupt = |detail: String| RoutingError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    // Look at the version first, so a newer format is reported as such and not as garbage.
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|error| corrupt(error.to_string()))?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(version) if version == u64::from(FORMAT_VERSION) => {}
        Some(version) => {
            return Err(RoutingError::UnsupportedVersion {
                path: path.to_path_buf(),
                found: u32::try_from(version).unwrap_or(u32::MAX),
                supported: FORMAT_VERSION,
            });
        }
        None => return Err(corrupt("no `version` number at the top level".into())),
    }
    let contents: FileContents =
        serde_json::from_value(value).map_err(|error| corrupt(error.to_string()))?;
    let mut table = Table::new();
    for (index, entry) in contents.entries.into_iter().enumerate() {
        if entry.successes > entry.runs
            || !entry.improvement_sum.is_finite()
            || entry.improvement_sum < 0.0
        {
            return Err(corrupt(format!(
                "entries[{index}]: successes exceed runs or improvement_sum is not a non-negative number"
            )));
        }
        let mut categories = entry.categories;
        categories.sort();
        categories.dedup();
        let key = Key {
            stage: entry.stage,
            language: entry.language,
            metric: if entry.stage == Stage::Refine {
                entry.metric
            } else {
                None
            },
            categories,
            model: entry.model,
        };
        table.entry(key).or_default().add(&Counts {
            runs: entry.runs,
            successes: entry.successes,
            improvement_sum: entry.improvement_sum,
        });
    }
    Ok(table)
}

fn render(table: &Table) -> String {
    let entries = table
        .iter()
        .map(|(key, counts)| Entry {
            stage: key.stage,
            language: key.language,
            metric: key.metric,
            categories: key.categories.clone(),
            model: key.model.clone(),
            runs: counts.runs,
            successes: counts.successes,
            improvement_sum: counts.improvement_sum,
        })
        .collect();
    let contents = FileContents {
        version: FORMAT_VERSION,
        entries,
    };
    let mut text = serde_json::to_string_pretty(&contents).expect("the memory serialises");
    text.push('\n');
    text
}

/// Add `pending` to what the file holds now and write the sum atomically.
pub fn merge_and_write(path: &Path, pending: &Table) -> Result<(), RoutingError> {
    let write_error = |source: std::io::Error| RoutingError::Write {
        path: path.to_path_buf(),
        source,
    };
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(folder).map_err(write_error)?;
    let _lock = FileLock::acquire(&lock_path(path)).map_err(write_error)?;
    let mut table = read(path)?;
    for (key, counts) in pending {
        table.entry(key.clone()).or_default().add(counts);
    }
    write_atomically(path, render(&table).as_bytes()).map_err(write_error)
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// Write to a temporary file beside `path`, flush it to disk, then rename it over `path`:
/// a reader sees the old file or the new one, never a part of one, even after a crash.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(path.file_name().unwrap_or_default());
    temporary_name.push(format!(".tmp-{}", std::process::id()));
    let temporary = path.with_file_name(temporary_name);
    let result = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)?;
        // Make the rename itself durable; not every filesystem can sync a folder, so best effort.
        if let Some(folder) = path.parent()
            && let Ok(folder) = File::open(if folder.as_os_str().is_empty() {
                Path::new(".")
            } else {
                folder
            })
        {
            let _ = folder.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// An exclusive advisory lock (`flock`) held until dropped, so two perforch processes saving
/// the same memory take turns instead of losing each other's runs.
struct FileLock {
    _file: File,
}

impl FileLock {
    fn acquire(path: &Path) -> std::io::Result<FileLock> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        lock_exclusive(&file)?;
        Ok(FileLock { _file: file })
    }
}

#[cfg(unix)]
fn lock_exclusive(file: &File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    loop {
        // SAFETY: flock on a file descriptor we own; the lock is released when it is closed.
        let result = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if result == 0 {
            return Ok(());
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

#[cfg(not(unix))]
fn lock_exclusive(_file: &File) -> std::io::Result<()> {
    Ok(())
}
