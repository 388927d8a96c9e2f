//! Workspace notifications: settings, folders, and progress cancellation.

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    ConfigurationItem, DidChangeConfigurationParams, DidChangeWorkspaceFoldersParams, MessageType,
    WorkDoneProgressCancelParams,
};

use crate::lsp::live_hints;
use crate::lsp::proto;
use crate::lsp::session::Session;
use crate::lsp::settings::{Applied, perforch_section, rejected_message};

/// The section perforch reads from `workspace/configuration`.
const SECTION: &str = "perforch";

/// Pulls the `perforch` section when the client answers
/// `workspace/configuration` (in a task: never awaited in the handler),
/// else takes the settings pushed with the notification.
pub(crate) async fn did_change_configuration(
    session: &Arc<Session>,
    client: &Client,
    params: DidChangeConfigurationParams,
) {
    if !session.negotiated().configuration_pull {
        apply(session, client, perforch_section(params.settings)).await;
        return;
    }
    let (session, client) = (session.clone(), client.clone());
    tokio::spawn(async move {
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some(SECTION.to_string()),
        }];
        match client.configuration(items).await {
            Ok(values) => {
                let value = values.into_iter().next().unwrap_or(Value::Null);
                apply(&session, &client, value).await;
            }
            Err(error) => {
                tracing::warn!(%error, "the client did not answer workspace/configuration")
            }
        }
    });
}

async fn apply(session: &Arc<Session>, client: &Client, value: Value) {
    match session.settings.apply(value) {
        Ok(Applied::Replaced) => {
            tracing::info!("editor settings applied");
            // Hints may have been turned on or off.
            live_hints::schedule_all(session, client);
        }
        Ok(Applied::Unchanged) => {}
        Err(error) => {
            client
                .show_message(MessageType::ERROR, rejected_message(&error))
                .await
        }
    }
}

pub(crate) fn did_change_workspace_folders(
    session: &Session,
    params: DidChangeWorkspaceFoldersParams,
) {
    let added = params
        .event
        .added
        .iter()
        .filter_map(|folder| proto::file_path(&folder.uri))
        .collect();
    let removed: Vec<_> = params
        .event
        .removed
        .iter()
        .filter_map(|folder| proto::file_path(&folder.uri))
        .collect();
    session.update_workspace_roots(added, &removed);
}

/// The user pressed cancel on a job's progress.
pub(crate) fn work_done_progress_cancel(session: &Session, params: WorkDoneProgressCancelParams) {
    let token = proto::token_text(&params.token);
    if !session.jobs.cancel_by_progress_token(&token) {
        tracing::debug!(token, "cancel for a progress that is not running");
    }
}
