//! `workspace/executeCommand` for `perforch.*` commands. Each returns at
//! once: a job runs in the background, a document is shown by a task.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::json;
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{ExecuteCommandParams, LSPAny, ShowDocumentParams, Uri};

use crate::analysis;
use crate::lsp::commands::{self, CancelArgs, FunctionArgs, OptimizeArgs};
use crate::lsp::job_task::{self, JobSpec};
use crate::lsp::jobs::JobKey;
use crate::lsp::proto;
use crate::lsp::session::Session;

pub(crate) fn execute(
    session: &Arc<Session>,
    client: &Client,
    params: ExecuteCommandParams,
) -> Result<Option<LSPAny>> {
    match params.command.as_str() {
        commands::OPTIMIZE => optimize(session, client, params.arguments),
        commands::CANCEL => cancel(session, params.arguments),
        commands::SHOW_REPORT => show_report(session, client, params.arguments),
        other => Err(Error::invalid_params(format!(
            "unknown command {other:?}; perforch offers {}",
            commands::ALL.join(", ")
        ))),
    }
}

fn optimize(
    session: &Arc<Session>,
    client: &Client,
    arguments: Vec<LSPAny>,
) -> Result<Option<LSPAny>> {
    let args: OptimizeArgs = single_argument(commands::OPTIMIZE, arguments)?;
    let uri = parse_uri(commands::OPTIMIZE, &args.uri)?;
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
        .filter(|function| analysis::qualified_name(function) == args.function)
        .ok_or_else(|| {
            Error::invalid_params(format!("`{}` is no longer at that place", args.function))
        })?;
    let path = proto::file_path(&uri).ok_or_else(|| {
        Error::invalid_params(format!(
            "perforch works on files on disk (its tests and builds run there); save {} to a file first",
            args.uri
        ))
    })?;
    let key = JobKey {
        uri,
        function: analysis::qualified_name(&function),
    };
    let job = session.jobs.start(key.clone());
    let reply = json!({"jobId": job.id, "progressToken": job.progress_token});
    let spec = JobSpec {
        key,
        job,
        goal: args.goal,
        snapshot: document,
        function,
        workspace_root: session.workspace_root_for(&path),
        path,
        editor_config: session.settings.config(),
    };
    job_task::spawn(client.clone(), session.clone(), spec);
    Ok(Some(reply))
}

fn cancel(session: &Session, arguments: Vec<LSPAny>) -> Result<Option<LSPAny>> {
    let args: CancelArgs = single_argument(commands::CANCEL, arguments)?;
    let uri = parse_uri(commands::CANCEL, &args.uri)?;
    let cancelled = session.jobs.cancel(&uri, args.function.as_deref());
    Ok(Some(json!({"cancelled": cancelled})))
}

fn show_report(
    session: &Session,
    client: &Client,
    arguments: Vec<LSPAny>,
) -> Result<Option<LSPAny>> {
    let args: FunctionArgs = single_argument(commands::SHOW_REPORT, arguments)?;
    let uri = parse_uri(commands::SHOW_REPORT, &args.uri)?;
    let key = JobKey {
        uri,
        function: args.function.clone(),
    };
    let result = session.jobs.result(&key).ok_or_else(|| {
        Error::invalid_params(format!(
            "perforch has no result for `{}` in this session; run Optimize on it first",
            args.function
        ))
    })?;
    let path = result.report_path.clone().ok_or_else(|| {
        Error::invalid_params(
            "the report of that job could not be written (see the log, PERFORCH_LOG_FILE)",
        )
    })?;
    let report_uri = Uri::from_file_path(&path).ok_or_else(|| {
        Error::invalid_params(format!("{} cannot be named by a URI", path.display()))
    })?;
    // Showing a document is a request to the client: never awaited here.
    let client = client.clone();
    tokio::spawn(async move {
        let params = ShowDocumentParams {
            uri: report_uri,
            external: Some(false),
            take_focus: Some(true),
            selection: None,
        };
        if let Err(error) = client.show_document(params).await {
            tracing::warn!(%error, "the client did not show the report");
        }
    });
    Ok(Some(json!({"path": path})))
}

fn single_argument<T: DeserializeOwned>(command: &str, arguments: Vec<LSPAny>) -> Result<T> {
    let [argument] = <[LSPAny; 1]>::try_from(arguments).map_err(|_| {
        Error::invalid_params(format!(
            "{command} takes one argument, as its code action provides"
        ))
    })?;
    serde_json::from_value(argument)
        .map_err(|error| Error::invalid_params(format!("{command}: {error}")))
}

fn parse_uri(command: &str, text: &str) -> Result<Uri> {
    text.parse()
        .map_err(|_| Error::invalid_params(format!("{command}: invalid URI {text:?}")))
}
