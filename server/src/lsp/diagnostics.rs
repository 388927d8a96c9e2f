//! perforch's diagnostics: one per job result, on the function's name,
//! recomputed from the results and the current text of the document, and
//! one per static hint of the current version (`live_hints`). Both go in
//! one set, since `publishDiagnostics` replaces a document's whole set.
//!
//! Invariant: publishes of one document are serialised and each is computed
//! under the same lock from the state at that moment, so the last one the
//! editor receives reflects the latest text and results.

use std::collections::HashMap;

use serde_json::json;
use tokio::sync::Mutex;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Uri};

use super::job_result::{Anchor, JobResult};
use super::jobs::JobKey;
use super::session::Session;
use super::{proto, summary};
use crate::analysis::hints::Hint;
use crate::document::{Document, PositionEncoding};

/// The `source` of every perforch diagnostic.
pub(crate) const SOURCE: &str = "perforch";

/// What was last published per document.
#[derive(Default)]
pub(crate) struct Published {
    last: Mutex<HashMap<Uri, Vec<Diagnostic>>>,
}

/// Recomputes the diagnostics of `uri` and publishes them if they changed.
/// Results whose function no longer exists are dropped.
pub(crate) async fn publish(client: &Client, session: &Session, uri: &Uri) {
    let mut last = session.published.last.lock().await;
    let (diagnostics, version) = match session.snapshot(uri) {
        Some(document) => (current(session, uri, &document), Some(document.version())),
        // A closed document shows nothing; its results come back when it reopens.
        None => (Vec::new(), None),
    };
    let unchanged = match last.get(uri) {
        Some(previous) => *previous == diagnostics,
        None => diagnostics.is_empty(),
    };
    if unchanged {
        return;
    }
    if diagnostics.is_empty() {
        last.remove(uri);
    } else {
        last.insert(uri.clone(), diagnostics.clone());
    }
    client
        .publish_diagnostics(uri.clone(), diagnostics, version)
        .await;
}

fn current(session: &Session, uri: &Uri, document: &Document) -> Vec<Diagnostic> {
    let encoding = session.negotiated().encoding;
    let mut diagnostics = Vec::new();
    for result in session.jobs.results_for(uri) {
        let anchor = result.anchor(document);
        match diagnostic(document, &result, &anchor, encoding) {
            Some(diagnostic) => diagnostics.push(diagnostic),
            // Applied: nothing more to say, but the report stays available.
            None if matches!(anchor, Anchor::Applied { .. }) => {}
            None => session.jobs.forget(
                &JobKey {
                    uri: uri.clone(),
                    function: result.function.clone(),
                },
                result.job_id,
            ),
        }
    }
    for hint in session.hints.current(uri, document.version()) {
        diagnostics.push(hint_diagnostic(document, &hint, encoding));
    }
    diagnostics
}

/// A static hint: `Hint` severity (editors show it unobtrusively), the
/// hint's id as code, its one-line why as message.
pub(crate) fn hint_diagnostic(
    document: &Document,
    hint: &Hint,
    encoding: PositionEncoding,
) -> Diagnostic {
    Diagnostic {
        range: proto::to_lsp_range(document, hint.range, encoding),
        severity: Some(DiagnosticSeverity::HINT),
        code: Some(NumberOrString::String(hint.id.to_string())),
        source: Some(SOURCE.to_string()),
        message: hint.message.clone(),
        data: Some(json!({"hint": hint.id, "function": hint.function})),
        ..Default::default()
    }
}

/// The diagnostic of `result` as anchored in `document`; `None` when its
/// function is gone or the result was applied.
pub(crate) fn diagnostic(
    document: &Document,
    result: &JobResult,
    anchor: &Anchor,
    encoding: PositionEncoding,
) -> Option<Diagnostic> {
    let (function, message, severity, code) = match anchor {
        Anchor::Current { function, .. } => (
            function,
            summary::headline(&result.report),
            if result.offers_edit() {
                DiagnosticSeverity::INFORMATION
            } else {
                DiagnosticSeverity::HINT
            },
            if result.offers_edit() {
                "improved"
            } else {
                "not-improved"
            },
        ),
        Anchor::Stale { function } => (
            function,
            summary::stale(&result.report, &result.function, result.computed_version),
            DiagnosticSeverity::HINT,
            "stale",
        ),
        Anchor::Applied { .. } | Anchor::Gone => return None,
    };
    Some(Diagnostic {
        range: proto::to_lsp_range(document, function.name_range, encoding),
        severity: Some(severity),
        code: Some(NumberOrString::String(code.to_string())),
        source: Some(SOURCE.to_string()),
        message,
        data: Some(json!({"function": result.function, "jobId": result.job_id})),
        ..Default::default()
    })
}
