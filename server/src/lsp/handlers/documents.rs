//! Document synchronisation. Each handler changes state synchronously,
//! before any await, so edits apply in the order the editor sent them;
//! then a hints pass is scheduled, which publishes the document's
//! diagnostics (hints, and job results moved with the text).

use std::sync::Arc;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
};

use crate::document::Document;
use crate::language::Language;
use crate::lsp::diagnostics;
use crate::lsp::live_hints::{self, Trigger};
use crate::lsp::proto;
use crate::lsp::session::Session;

pub(crate) fn did_open(session: &Arc<Session>, client: &Client, params: DidOpenTextDocumentParams) {
    let item = params.text_document;
    let language = Language::from_language_id(&item.language_id).or_else(|| {
        let path = item.uri.path().as_str().to_string();
        Language::from_path(std::path::Path::new(&path))
    });
    let Some(language) = language else {
        tracing::debug!(
            uri = item.uri.as_str(),
            language_id = item.language_id,
            "not a language perforch analyses"
        );
        return;
    };
    let document = Document::new(language, item.version, &item.text);
    let uri = item.uri;
    session.open(uri.clone(), document);
    session.hints.open(&uri);
    live_hints::schedule(session, client, &uri, Trigger::Now);
}

pub(crate) fn did_change(
    session: &Arc<Session>,
    client: &Client,
    params: DidChangeTextDocumentParams,
) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let encoding = session.negotiated().encoding;
    let changes: Vec<_> = params
        .content_changes
        .into_iter()
        .map(proto::text_change)
        .collect();
    let applied = session.update(&uri, |document| {
        document.apply_changes(version, &changes, encoding);
    });
    if !applied {
        tracing::warn!(
            uri = uri.as_str(),
            "ignored a change to a document that is not open"
        );
        return;
    }
    // Job results are re-anchored by the same pass: publishing them now,
    // without the hints of this version, would make the hints flicker.
    live_hints::schedule(session, client, &uri, Trigger::Edit);
}

pub(crate) async fn did_close(
    session: &Session,
    client: &Client,
    params: DidCloseTextDocumentParams,
) {
    let uri = params.text_document.uri;
    if !session.close(&uri) {
        tracing::debug!(uri = uri.as_str(), "closed a document that was not open");
    }
    session.hints.close(&uri);
    // Clears what was shown; results come back if it is opened again.
    diagnostics::publish(client, session, &uri).await;
}
