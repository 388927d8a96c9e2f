//! `workspace/executeCommand` for `perforch.*` commands.

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{ExecuteCommandParams, LSPAny, Uri};

use crate::analysis;
use crate::lsp::commands::{self, OptimizeArgs};
use crate::lsp::session::Session;

pub(crate) fn execute(session: &Session, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    match params.command.as_str() {
        commands::OPTIMIZE => optimize(session, params.arguments),
        other => Err(Error::invalid_params(format!(
            "unknown command {other:?}; perforch offers {}",
            commands::ALL.join(", ")
        ))),
    }
}

fn optimize(session: &Session, arguments: Vec<LSPAny>) -> Result<Option<LSPAny>> {
    let [argument] = <[LSPAny; 1]>::try_from(arguments).map_err(|_| {
        Error::invalid_params("perforch.optimize takes one argument, as its code action provides")
    })?;
    let args: OptimizeArgs = serde_json::from_value(argument)
        .map_err(|error| Error::invalid_params(format!("perforch.optimize: {error}")))?;
    let uri: Uri = args.uri.parse().map_err(|_| {
        Error::invalid_params(format!("perforch.optimize: invalid URI {:?}", args.uri))
    })?;
    let document = session.snapshot(&uri).ok_or_else(|| {
        Error::invalid_params(format!(
            "{} is not open; open it and choose the action again",
            args.uri
        ))
    })?;
    if document.version() != args.version {
        return Err(Error {
            code: ErrorCode::ContentModified,
            message: format!(
                "the document changed since this action was offered (version {} now, {} then); choose the action again",
                document.version(),
                args.version
            )
            .into(),
            data: None,
        });
    }
    let function = analysis::function_at(&document, args.offset)
        .filter(|function| function.name == args.function)
        .ok_or_else(|| {
            Error::invalid_params(format!("`{}` is no longer at that place", args.function))
        })?;
    // The optimisation pipeline (generate, fix, refine, verify) is built on
    // top of this foundation; until it lands the command says so plainly.
    Err(Error {
        code: ErrorCode::ServerError(-32803),
        message: format!(
            "perforch found `{}` but this build has no optimisation pipeline yet",
            function.name
        )
        .into(),
        data: None,
    })
}
