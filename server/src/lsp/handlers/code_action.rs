//! Listing perforch's actions is cheap: find the function under the cursor
//! and describe what could be done. The work runs only when the user picks one.

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, Command,
};

use crate::analysis;
use crate::lsp::OPTIMIZE_ACTION_KIND;
use crate::lsp::commands::{self, Goal, OptimizeArgs};
use crate::lsp::proto;
use crate::lsp::session::Session;

pub(crate) fn code_actions(
    session: &Session,
    params: CodeActionParams,
) -> Option<CodeActionResponse> {
    if !kind_requested(params.context.only.as_deref()) {
        return None;
    }
    let uri = params.text_document.uri;
    let Some(document) = session.snapshot(&uri) else {
        tracing::debug!(
            uri = uri.as_str(),
            "code actions asked for a document that is not open"
        );
        return None;
    };
    let negotiated = session.negotiated();
    let offset = document.offset_at(proto::range(params.range).start, negotiated.encoding);
    let function = analysis::function_at(&document, offset)?;
    let args = OptimizeArgs {
        uri: uri.as_str().to_string(),
        version: document.version(),
        function: function.name.clone(),
        offset: function.range.start,
        goal: Goal::Speed,
    };
    let mut action = CodeAction {
        title: format!("Optimize `{}` for speed (perforch)", function.name),
        kind: Some(CodeActionKind::new(OPTIMIZE_ACTION_KIND)),
        data: Some(serde_json::to_value(&args).expect("OptimizeArgs serialises")),
        ..Default::default()
    };
    if !negotiated.client_resolves_commands {
        action.command = Some(optimize_command(&action.title, &args));
    }
    Some(vec![CodeActionOrCommand::CodeAction(action)])
}

pub(crate) fn resolve(mut action: CodeAction) -> Result<CodeAction> {
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

/// An editor may ask only for some kinds (`context.only`); ours must be covered.
fn kind_requested(only: Option<&[CodeActionKind]>) -> bool {
    let Some(only) = only else { return true };
    only.iter().any(|kind| {
        let kind = kind.as_str();
        kind.is_empty()
            || OPTIMIZE_ACTION_KIND == kind
            || OPTIMIZE_ACTION_KIND.starts_with(&format!("{kind}."))
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
        assert!(kind_requested(None));
        assert!(kind_requested(Some(&kinds(&["refactor"]))));
        assert!(kind_requested(Some(&kinds(&["refactor.rewrite"]))));
        assert!(!kind_requested(Some(&kinds(&["quickfix"]))));
        assert!(!kind_requested(Some(&kinds(&["refactor.re"]))));
    }
}
