//! The server's state: open documents and what was negotiated at initialize.
//!
//! Invariant: no DashMap guard is held across an `.await`. Readers clone a
//! `Document` (cheap) and work on the snapshot.

use std::sync::Arc;
use std::sync::RwLock;
use std::sync::atomic::AtomicBool;

use dashmap::DashMap;
use tower_lsp_server::ls_types::Uri;

use crate::document::{Document, PositionEncoding};

#[derive(Default)]
pub(crate) struct Session {
    documents: DashMap<Uri, Document>,
    negotiated: RwLock<Negotiated>,
    pub shutdown_requested: Arc<AtomicBool>,
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Negotiated {
    pub encoding: PositionEncoding,
    pub client_resolves_commands: bool,
}

impl Session {
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
