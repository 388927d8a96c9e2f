//! Document synchronisation. Each handler changes state synchronously,
//! before any await, so edits apply in the order the editor sent them.

use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
};

use crate::document::Document;
use crate::language::Language;
use crate::lsp::proto;
use crate::lsp::session::Session;

pub(crate) fn did_open(session: &Session, params: DidOpenTextDocumentParams) {
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
    session.open(item.uri, document);
}

pub(crate) fn did_change(session: &Session, params: DidChangeTextDocumentParams) {
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
    }
}

pub(crate) fn did_close(session: &Session, params: DidCloseTextDocumentParams) {
    if !session.close(&params.text_document.uri) {
        tracing::debug!(
            uri = params.text_document.uri.as_str(),
            "closed a document that was not open"
        );
    }
}
