//! Listing perforch's actions is cheap: find the function under the cursor
//! and describe what could be done, plus what the last job of that function
//! and the static hints under the cursor offer. No IO; the work runs only
//! when the user picks an action.

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, Command,
    Diagnostic, Uri,
};

use crate::analysis::{self, Function, qualified_name};
use crate::document::Document;
use crate::lsp::OPTIMIZE_ACTION_KIND;
use crate::lsp::commands::{self, FunctionArgs, Goal, OptimizeArgs};
use crate::lsp::diagnostics;
use crate::lsp::job_result::Anchor;
use crate::lsp::jobs::JobKey;
use crate::lsp::proto;
use crate::lsp::session::{Negotiated, Session};
use crate::lsp::summary;

pub(crate) fn code_actions(
    session: &Session,
    params: CodeActionParams,
) -> Option<CodeActionResponse> {
    let only = params.context.only.as_deref();
    let uri = params.text_document.uri;
    let Some(document) = session.snapshot(&uri) else {
        tracing::debug!(
            uri = uri.as_str(),
            "code actions asked for a document that is not open"
        );
        return None;
    };
    let negotiated = session.negotiated();
    let range = proto::range(params.range);
    let offset = document.offset_at(range.start, negotiated.encoding);
    let end = document.offset_at(range.end, negotiated.encoding);
    let mut actions = Vec::new();
    if kind_requested(only, CodeActionKind::QUICKFIX.as_str()) {
        result_actions(session, &uri, &document, offset, &mut actions);
        hint_actions(session, &uri, &document, offset..end, &mut actions);
    }
    if kind_requested(only, OPTIMIZE_ACTION_KIND)
        && let Some(function) = analysis::function_at(&document, offset)
    {
        job_actions(
            session,
            &uri,
            &document,
            &function,
            negotiated,
            &mut actions,
        );
    }
    (!actions.is_empty()).then_some(actions)
}

/// For each result whose function holds the cursor: apply it (current
/// results with an edit), re-run (stale ones), and show the report.
fn result_actions(
    session: &Session,
    uri: &Uri,
    document: &Document,
    offset: usize,
    actions: &mut CodeActionResponse,
) {
    let negotiated = session.negotiated();
    for result in session.jobs.results_for(uri) {
        let anchor = result.anchor(document);
        let function = match &anchor {
            Anchor::Current { function, .. }
            | Anchor::Stale { function }
            | Anchor::Applied { function } => function.clone(),
            Anchor::Gone => continue,
        };
        if !function.range.contains(offset) {
            continue;
        }
        let diagnostic = diagnostics::diagnostic(document, &result, &anchor, negotiated.encoding);
        match &anchor {
            Anchor::Current { edits, .. } if !edits.is_empty() => {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: summary::apply_title(&result.report, &function.name),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: diagnostic.clone().map(|d| vec![d]),
                    edit: Some(proto::versioned_edit(
                        uri,
                        document,
                        edits,
                        negotiated.encoding,
                    )),
                    is_preferred: Some(true),
                    ..Default::default()
                }));
            }
            Anchor::Stale { .. } => {
                let args = optimize_args(uri, document, &function, result.goal);
                let title = format!("Re-run optimize `{}` (perforch)", function.name);
                let mut action = optimize_action(title, &args, negotiated);
                action.kind = Some(CodeActionKind::QUICKFIX);
                action.diagnostics = diagnostic.clone().map(|d| vec![d]);
                actions.push(CodeActionOrCommand::CodeAction(action));
            }
            _ => {}
        }
        if result.report_path.is_some() {
            let args = FunctionArgs {
                uri: uri.as_str().to_string(),
                function: qualified_name(&function),
            };
            let title = format!("Show perforch report for `{}`", function.name);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: diagnostic.map(|d| vec![d]),
                command: Some(Command {
                    title,
                    command: commands::SHOW_REPORT.to_string(),
                    arguments: Some(vec![
                        serde_json::to_value(&args).expect("FunctionArgs serialises"),
                    ]),
                }),
                ..Default::default()
            }));
        }
    }
}

/// "Optimize `NAME` with perforch" for each function with a static hint
/// touching the requested range: the same speed job as the optimize action,
/// offered as the hint diagnostic's quick fix.
fn hint_actions(
    session: &Session,
    uri: &Uri,
    document: &Document,
    requested: std::ops::Range<usize>,
    actions: &mut CodeActionResponse,
) {
    let negotiated = session.negotiated();
    // Functions in order of their first hint, each with all its hints here.
    let mut by_function: Vec<(Function, Vec<Diagnostic>)> = Vec::new();
    for hint in session.hints.touching(uri, document.version(), requested) {
        let Some(function) = analysis::function_at(document, hint.range.start) else {
            continue;
        };
        if function.is_stub {
            continue;
        }
        let diagnostic = diagnostics::hint_diagnostic(document, &hint, negotiated.encoding);
        match by_function
            .iter_mut()
            .find(|(known, _)| known.range == function.range)
        {
            Some((_, diagnostics)) => diagnostics.push(diagnostic),
            None => by_function.push((function, vec![diagnostic])),
        }
    }
    for (function, hint_diagnostics) in by_function {
        let args = optimize_args(uri, document, &function, Goal::Speed);
        let title = format!("Optimize `{}` with perforch", function.name);
        let mut action = optimize_action(title, &args, negotiated);
        action.kind = Some(CodeActionKind::QUICKFIX);
        action.diagnostics = Some(hint_diagnostics);
        actions.push(CodeActionOrCommand::CodeAction(action));
    }
}

/// Start a job on the function (generate for a stub, else speed and
/// memory), or cancel the one running.
fn job_actions(
    session: &Session,
    uri: &Uri,
    document: &Document,
    function: &Function,
    negotiated: Negotiated,
    actions: &mut CodeActionResponse,
) {
    let key = JobKey {
        uri: uri.clone(),
        function: qualified_name(function),
    };
    let goals: &[(Goal, &str)] = if function.is_stub {
        &[(Goal::Generate, "Generate `{}` (perforch)")]
    } else {
        &[
            (Goal::Speed, "Optimize `{}` for speed (perforch)"),
            (Goal::Memory, "Optimize `{}` for memory (perforch)"),
        ]
    };
    for (goal, title) in goals {
        let args = optimize_args(uri, document, function, *goal);
        let title = title.replace("{}", &function.name);
        actions.push(CodeActionOrCommand::CodeAction(optimize_action(
            title, &args, negotiated,
        )));
    }
    if session.jobs.is_running(&key) {
        let args = commands::CancelArgs {
            uri: uri.as_str().to_string(),
            function: Some(qualified_name(function)),
        };
        let title = format!("Cancel perforch on `{}`", function.name);
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: title.clone(),
            kind: Some(CodeActionKind::new(OPTIMIZE_ACTION_KIND)),
            command: Some(Command {
                title,
                command: commands::CANCEL.to_string(),
                arguments: Some(vec![
                    serde_json::to_value(&args).expect("CancelArgs serialises"),
                ]),
            }),
            ..Default::default()
        }));
    }
}

fn optimize_args(uri: &Uri, document: &Document, function: &Function, goal: Goal) -> OptimizeArgs {
    OptimizeArgs {
        uri: uri.as_str().to_string(),
        version: document.version(),
        function: qualified_name(function),
        offset: function.range.start,
        goal,
    }
}

/// An optimize action; its command is filled in now, or at resolve time
/// when the client resolves actions lazily.
fn optimize_action(title: String, args: &OptimizeArgs, negotiated: Negotiated) -> CodeAction {
    let mut action = CodeAction {
        title,
        kind: Some(CodeActionKind::new(OPTIMIZE_ACTION_KIND)),
        data: Some(serde_json::to_value(args).expect("OptimizeArgs serialises")),
        ..Default::default()
    };
    if !negotiated.client_resolves_commands {
        action.command = Some(optimize_command(&action.title, args));
    }
    action
}

pub(crate) fn resolve(mut action: CodeAction) -> Result<CodeAction> {
    if action.command.is_some() || action.edit.is_some() {
        return Ok(action);
    }
    let data = action.data.clone().ok_or_else(|| {
        Error::invalid_params("this code action was not created by perforch (it has no data)")
    })?;
    let args: OptimizeArgs = serde_json::from_value(data)
        .map_err(|error| Error::invalid_params(format!("not a perforch code action: {error}")))?;
    action.command = Some(optimize_command(&action.title, &args));
    Ok(action)
}

fn optimize_command(title: &str, args: &OptimizeArgs) -> Command {
    Command {
        title: title.to_string(),
        command: commands::OPTIMIZE.to_string(),
        arguments: Some(vec![
            serde_json::to_value(args).expect("OptimizeArgs serialises"),
        ]),
    }
}

/// An editor may ask only for some kinds (`context.only`); `kind` must be covered.
fn kind_requested(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    let Some(only) = only else { return true };
    only.iter().any(|requested| {
        let requested = requested.as_str();
        requested.is_empty() || kind == requested || kind.starts_with(&format!("{requested}."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honours_the_only_filter_by_prefix() {
        let kinds = |names: &[&'static str]| {
            names
                .iter()
                .map(|n| CodeActionKind::new(n))
                .collect::<Vec<_>>()
        };
        let ours = OPTIMIZE_ACTION_KIND;
        assert!(kind_requested(None, ours));
        assert!(kind_requested(Some(&kinds(&["refactor"])), ours));
        assert!(kind_requested(Some(&kinds(&["refactor.rewrite"])), ours));
        assert!(!kind_requested(Some(&kinds(&["quickfix"])), ours));
        assert!(kind_requested(Some(&kinds(&["quickfix"])), "quickfix"));
        assert!(!kind_requested(Some(&kinds(&["refactor.re"])), ours));
    }
}
