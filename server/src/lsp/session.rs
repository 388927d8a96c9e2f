//! The server's state: open documents, what was negotiated at initialize,
//! the editor's settings, the workspace folders, and the optimisation jobs.
//!
//! Invariant: no DashMap guard is held across an `.await`. Readers clone a
//! `Document` (cheap) and work on the snapshot.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::RwLock;
use std::sync::atomic::AtomicBool;

use dashmap::DashMap;
use tower_lsp_server::ls_types::Uri;

use super::ServerOptions;
use super::diagnostics::Published;
use super::jobs::Jobs;
use super::live_hints::LiveHints;
use super::settings::EditorSettings;
use crate::discovery::workspace_root_of;
use crate::document::{Document, PositionEncoding};

#[derive(Default)]
pub(crate) struct Session {
    documents: DashMap<Uri, Document>,
    negotiated: RwLock<Negotiated>,
    workspace_roots: RwLock<Vec<PathBuf>>,
    pub shutdown_requested: Arc<AtomicBool>,
    pub settings: EditorSettings,
    pub jobs: Jobs,
    pub published: Published,
    pub hints: LiveHints,
    pub options: ServerOptions,
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Negotiated {
    pub encoding: PositionEncoding,
    pub client_resolves_commands: bool,
    /// The client accepts `window/workDoneProgress/create`.
    pub work_done_progress: bool,
    /// The client answers `workspace/configuration`.
    pub configuration_pull: bool,
}

impl Session {
    pub fn new(options: ServerOptions) -> Session {
        Session {
            options,
            ..Session::default()
        }
    }

    pub fn negotiated(&self) -> Negotiated {
        *self
            .negotiated
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn set_negotiated(&self, negotiated: Negotiated) {
        *self
            .negotiated
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = negotiated;
    }

    pub fn set_workspace_roots(&self, roots: Vec<PathBuf>) {
        *self
            .workspace_roots
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = roots;
    }

    pub fn update_workspace_roots(&self, added: Vec<PathBuf>, removed: &[PathBuf]) {
        let mut roots = self
            .workspace_roots
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        roots.retain(|root| !removed.contains(root));
        roots.extend(added);
    }

    /// The workspace folder holding `file` (the innermost, when folders
    /// nest); for a file outside every folder, the folder a project marker
    /// (`.git`, `pyproject.toml`, `Cargo.toml`, ...) names, else its own folder.
    pub fn workspace_root_for(&self, file: &Path) -> PathBuf {
        let roots = self
            .workspace_roots
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        roots
            .iter()
            .filter(|root| file.starts_with(root))
            .max_by_key(|root| root.components().count())
            .cloned()
            .unwrap_or_else(|| workspace_root_of(file))
    }

    pub fn open(&self, uri: Uri, document: Document) {
        self.documents.insert(uri, document);
    }

    pub fn close(&self, uri: &Uri) -> bool {
        self.documents.remove(uri).is_some()
    }

    /// A snapshot of the document, if it is open.
    pub fn snapshot(&self, uri: &Uri) -> Option<Document> {
        self.documents.get(uri).map(|document| document.clone())
    }

    /// Runs `update` on the open document; `false` if it is not open.
    pub fn update(&self, uri: &Uri, update: impl FnOnce(&mut Document)) -> bool {
        match self.documents.get_mut(uri) {
            Some(mut document) => {
                update(&mut document);
                true
            }
            None => false,
        }
    }
}
