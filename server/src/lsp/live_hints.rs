//! Static performance hints of the open documents, published as `Hint`
//! diagnostics as the user types.
//!
//! Each open document has one `HintCache` (after an edit only the functions
//! whose text changed are analysed again). Every open, edit or settings change
//! schedules a pass in a task: it waits out the debounce, gives way if a newer
//! pass was scheduled meanwhile, analyses a snapshot on the blocking pool and
//! publishes through `diagnostics::publish`, which merges the hints with the
//! job results of the same document.
//!
//! Invariant: hints are shown only for the exact version they were computed
//! from (`current` compares versions), so a publish never carries ranges of
//! older text. Invariant: a pass never stores over a newer pass's result
//! (generations only grow), and nothing of a closed document survives.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dashmap::DashMap;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::Uri;

use super::diagnostics;
use super::proto;
use super::session::Session;
use crate::analysis::hints::{Hint, HintCache};
use crate::config::{Config, HintsConfig};

/// The hints state of every open document.
#[derive(Default)]
pub(crate) struct LiveHints {
    documents: DashMap<Uri, Arc<DocumentHints>>,
}

#[derive(Default)]
struct DocumentHints {
    /// Bumped by every scheduled pass; a pass that wakes up to a larger
    /// number was superseded and does nothing.
    scheduled: AtomicU64,
    cache: Mutex<HintCache>,
    stored: Mutex<Stored>,
}

/// The latest pass's hints, with the pass number and the version analysed.
#[derive(Default)]
struct Stored {
    generation: u64,
    version: Option<i32>,
    hints: Vec<Hint>,
}

/// Why a pass is scheduled, which decides whether it waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// The document was opened or the settings changed: no reason to wait.
    Now,
    /// The user typed: wait for a pause (`hints.debounce_ms`).
    Edit,
}

impl LiveHints {
    /// A fresh state (and cache) for a document just opened.
    pub fn open(&self, uri: &Uri) {
        self.documents.insert(uri.clone(), Arc::default());
    }

    pub fn close(&self, uri: &Uri) {
        self.documents.remove(uri);
    }

    /// The hints computed for exactly `version` of `uri`; empty when the
    /// last pass saw another version or hints are off.
    pub fn current(&self, uri: &Uri, version: i32) -> Vec<Hint> {
        self.current_where(uri, version, |_| true)
    }

    /// Those of [`LiveHints::current`] that touch the byte range `bytes`
    /// (ends included: a cursor just after the underlined code counts).
    /// Filtered under the lock: a large file may have hundreds of hints.
    pub fn touching(&self, uri: &Uri, version: i32, bytes: std::ops::Range<usize>) -> Vec<Hint> {
        self.current_where(uri, version, |hint| {
            hint.range.start <= bytes.end && bytes.start <= hint.range.end
        })
    }

    fn current_where(&self, uri: &Uri, version: i32, wanted: impl Fn(&Hint) -> bool) -> Vec<Hint> {
        let Some(state) = self.state(uri) else {
            return Vec::new();
        };
        let stored = state
            .stored
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if stored.version != Some(version) {
            return Vec::new();
        }
        stored
            .hints
            .iter()
            .filter(|hint| wanted(hint))
            .cloned()
            .collect()
    }

    fn state(&self, uri: &Uri) -> Option<Arc<DocumentHints>> {
        self.documents.get(uri).map(|state| state.clone())
    }

    fn open_uris(&self) -> Vec<Uri> {
        self.documents
            .iter()
            .map(|entry| entry.key().clone())
            .collect()
    }
}

/// Schedules a hints pass for `uri`, which then publishes the document's
/// diagnostics (hints and job results). Returns at once.
pub(crate) fn schedule(session: &Arc<Session>, client: &Client, uri: &Uri, trigger: Trigger) {
    let Some(state) = session.hints.state(uri) else {
        return;
    };
    let generation = state.scheduled.fetch_add(1, Ordering::SeqCst) + 1;
    let (session, client, uri) = (session.clone(), client.clone(), uri.clone());
    tokio::spawn(async move {
        let settings = hint_settings(&session, &uri).await;
        if trigger == Trigger::Edit && settings.enabled && settings.debounce_ms > 0 {
            tokio::time::sleep(Duration::from_millis(settings.debounce_ms)).await;
        }
        if state.scheduled.load(Ordering::SeqCst) != generation {
            return; // A newer edit scheduled its own pass.
        }
        let Some(document) = session.snapshot(&uri) else {
            return; // Closed meanwhile.
        };
        let version = document.version();
        let hints = if settings.enabled {
            let state = state.clone();
            // A first pass over a large file takes milliseconds of CPU: off
            // the runtime's workers, so requests keep being answered.
            let pass = tokio::task::spawn_blocking(move || {
                let mut cache = state
                    .cache
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                cache.hints(&document)
            });
            match pass.await {
                Ok(hints) => hints,
                Err(error) => {
                    tracing::error!(uri = uri.as_str(), %error, "the hints pass failed");
                    return;
                }
            }
        } else {
            Vec::new()
        };
        {
            let mut stored = state
                .stored
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if stored.generation > generation {
                return;
            }
            *stored = Stored {
                generation,
                version: Some(version),
                hints,
            };
        }
        diagnostics::publish(&client, &session, &uri).await;
    });
}

/// Passes for every open document, e.g. after the settings changed (hints
/// turned off disappear at once).
pub(crate) fn schedule_all(session: &Arc<Session>, client: &Client) {
    for uri in session.hints.open_uris() {
        schedule(session, client, &uri, Trigger::Now);
    }
}

/// The editor's settings when it sent any, else the `[hints]` of
/// perforch.toml for the document's workspace, as jobs read them. A file
/// that does not parse leaves hints at their defaults (the job that reads it
/// reports the error).
async fn hint_settings(session: &Session, uri: &Uri) -> HintsConfig {
    if let Some(config) = session.settings.config() {
        return config.hints;
    }
    let Some(path) = proto::file_path(uri) else {
        return HintsConfig::default();
    };
    let root = session.workspace_root_for(&path);
    let load = tokio::task::spawn_blocking(move || Config::load(Some(&root)));
    match load.await {
        Ok(Ok(config)) => config.hints,
        Ok(Err(error)) => {
            tracing::debug!(%error, "hints use their default settings");
            HintsConfig::default()
        }
        Err(_) => HintsConfig::default(),
    }
}
