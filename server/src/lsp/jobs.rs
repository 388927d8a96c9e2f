//! Job bookkeeping: the optimisation job running per function, and the
//! last result per function.
//!
//! Invariants: at most one job runs per (document, function); starting
//! another cancels the first (it is superseded). Only the current job of a
//! key may store a result, so a superseded job finishing late never
//! overwrites a newer one. A result stays until the next job of its key
//! finishes, or its function disappears.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio_util::sync::CancellationToken;
use tower_lsp_server::ls_types::Uri;

use super::job_result::JobResult;

/// A function of a document. Functions are found by name (as the pipeline
/// finds them), so two methods of one name in one file share a key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct JobKey {
    pub uri: Uri,
    pub function: String,
}

#[derive(Clone, Debug)]
pub(crate) struct RunningJob {
    pub id: u64,
    pub cancel: CancellationToken,
    /// The work-done progress token of the job.
    pub progress_token: String,
}

/// How a job ended, as far as bookkeeping is concerned.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Completion {
    /// The job was current; its result (if any) is stored.
    Current,
    /// A newer job of the same key started meanwhile.
    Superseded,
}

#[derive(Default)]
pub(crate) struct Jobs {
    next_id: AtomicU64,
    running: Mutex<HashMap<JobKey, RunningJob>>,
    results: Mutex<HashMap<JobKey, Arc<JobResult>>>,
}

impl Jobs {
    /// Registers a new job for `key`, cancelling the one running for it.
    pub fn start(&self, key: JobKey) -> RunningJob {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let job = RunningJob {
            id,
            cancel: CancellationToken::new(),
            progress_token: format!("perforch/optimize/{id}"),
        };
        if let Some(previous) = self.running().insert(key, job.clone()) {
            tracing::info!(job = previous.id, by = id, "job superseded");
            previous.cancel.cancel();
        }
        job
    }

    /// Called once by every job when it ends. The result is stored only if
    /// the job is still the current one of its key.
    pub fn complete(&self, key: &JobKey, id: u64, result: Option<JobResult>) -> Completion {
        let mut running = self.running();
        if running.get(key).is_none_or(|job| job.id != id) {
            return Completion::Superseded;
        }
        running.remove(key);
        if let Some(result) = result {
            self.results().insert(key.clone(), Arc::new(result));
        }
        Completion::Current
    }

    /// Cancels the job whose progress bar the user cancelled.
    pub fn cancel_by_progress_token(&self, token: &str) -> bool {
        let running = self.running();
        let found = running.values().find(|job| job.progress_token == token);
        if let Some(job) = found {
            job.cancel.cancel();
        }
        found.is_some()
    }

    /// Cancels the jobs of `function` in `uri` (every job of `uri` when
    /// `function` is `None`); returns how many.
    pub fn cancel(&self, uri: &Uri, function: Option<&str>) -> usize {
        let running = self.running();
        let mut cancelled = 0;
        for (key, job) in running.iter() {
            if &key.uri == uri && function.is_none_or(|name| name == key.function) {
                job.cancel.cancel();
                cancelled += 1;
            }
        }
        cancelled
    }

    pub fn cancel_all(&self) {
        for job in self.running().values() {
            job.cancel.cancel();
        }
    }

    pub fn is_running(&self, key: &JobKey) -> bool {
        self.running().contains_key(key)
    }

    pub fn result(&self, key: &JobKey) -> Option<Arc<JobResult>> {
        self.results().get(key).cloned()
    }

    /// The results of one document.
    pub fn results_for(&self, uri: &Uri) -> Vec<Arc<JobResult>> {
        let mut found: Vec<Arc<JobResult>> = self
            .results()
            .iter()
            .filter(|(key, _)| &key.uri == uri)
            .map(|(_, result)| result.clone())
            .collect();
        // Stable order for diagnostics and actions.
        found.sort_by_key(|result| result.job_id);
        found
    }

    /// Forgets a result, unless a newer one replaced it meanwhile.
    pub fn forget(&self, key: &JobKey, job_id: u64) {
        let mut results = self.results();
        if results
            .get(key)
            .is_some_and(|result| result.job_id == job_id)
        {
            results.remove(key);
        }
    }

    fn running(&self) -> MutexGuard<'_, HashMap<JobKey, RunningJob>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn results(&self) -> MutexGuard<'_, HashMap<JobKey, Arc<JobResult>>> {
        self.results
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(function: &str) -> JobKey {
        JobKey {
            uri: "file:///w/a.py".parse().unwrap(),
            function: function.to_string(),
        }
    }

    #[test]
    fn a_new_job_supersedes_the_running_one_of_its_function_only() {
        let jobs = Jobs::default();
        let first = jobs.start(key("f"));
        let other = jobs.start(key("g"));
        let second = jobs.start(key("f"));
        assert!(first.cancel.is_cancelled());
        assert!(!other.cancel.is_cancelled() && !second.cancel.is_cancelled());
        assert_eq!(
            jobs.complete(&key("f"), first.id, None),
            Completion::Superseded
        );
        assert!(
            jobs.is_running(&key("f")),
            "the superseded job does not end the new one"
        );
        assert_eq!(
            jobs.complete(&key("f"), second.id, None),
            Completion::Current
        );
        assert!(!jobs.is_running(&key("f")));
    }

    #[test]
    fn cancel_by_token_by_function_and_by_document() {
        let jobs = Jobs::default();
        let f = jobs.start(key("f"));
        let g = jobs.start(key("g"));
        assert!(jobs.cancel_by_progress_token(&f.progress_token));
        assert!(f.cancel.is_cancelled() && !g.cancel.is_cancelled());
        assert!(!jobs.cancel_by_progress_token("perforch/optimize/999"));
        assert_eq!(jobs.cancel(&key("g").uri, None), 2);
        assert!(g.cancel.is_cancelled());
    }
}
