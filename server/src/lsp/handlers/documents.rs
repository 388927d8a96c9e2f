//! Document synchronisation. Each handler changes state synchronously,
//! before any await, so edits apply in the order the editor sent them;
//! then the diagnostics of job results move with the text.

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
};

use crate::document::Document;
use crate::language::Language;
use crate::lsp::diagnostics;
use crate::lsp::proto;
use crate::lsp::session::Session;

pub(crate) async fn did_open(
    session: &Session,
    client: &Client,
    params: DidOpenTextDocumentParams,
) {
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
    if session.jobs.has_results(&uri) {
        diagnostics::publish(client, session, &uri).await;
    }
}

pub(crate) async fn did_change(
    session: &Session,
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
    if session.jobs.has_results(&uri) {
        diagnostics::publish(client, session, &uri).await;
    }
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
    // Clears what was shown; results come back if it is opened again.
    diagnostics::publish(client, session, &uri).await;
}
