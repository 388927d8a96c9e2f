use std::path::PathBuf;
use std::sync::atomic::Ordering;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{InitializeParams, InitializeResult, MessageType, ServerInfo};

use crate::lsp::capabilities;
use crate::lsp::proto;
use crate::lsp::session::{Negotiated, Session};
use crate::lsp::settings::rejected_message;

pub(crate) fn initialize(session: &Session, params: InitializeParams) -> InitializeResult {
    let negotiated = Negotiated {
        encoding: capabilities::negotiate_encoding(&params.capabilities),
        client_resolves_commands: capabilities::client_resolves_commands(&params.capabilities),
        work_done_progress: capabilities::client_shows_progress(&params.capabilities),
        configuration_pull: capabilities::client_answers_configuration(&params.capabilities),
    };
    session.set_negotiated(negotiated);
    session.set_workspace_roots(workspace_roots(&params));
    if let Some(options) = params.initialization_options
        && let Err(error) = session.settings.apply(options)
    {
        // The client may not be sent messages before `initialized`.
        session.settings.defer_error(rejected_message(&error));
    }
    tracing::info!(
        client = params.client_info.as_ref().map(|info| info.name.as_str()).unwrap_or("unknown"),
        encoding = ?negotiated.encoding,
        "initialize"
    );
    InitializeResult {
        capabilities: capabilities::server_capabilities(negotiated.encoding),
        server_info: Some(ServerInfo {
            name: "perforch".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        offset_encoding: None,
    }
}

pub(crate) async fn initialized(session: &Session, client: &Client) {
    tracing::info!("client initialized");
    if let Some(message) = session.settings.take_deferred_error() {
        client.show_message(MessageType::ERROR, message).await;
    }
}

pub(crate) fn shutdown(session: &Session) {
    session.shutdown_requested.store(true, Ordering::SeqCst);
    session.jobs.cancel_all();
    tracing::info!("shutdown requested");
}

/// The workspace folders, else the (deprecated) root URI; only `file:` ones.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => folders
            .iter()
            .filter_map(|folder| proto::file_path(&folder.uri))
            .collect(),
        _ => {
            #[allow(deprecated)] // Older clients send only the root URI.
            let root = params.root_uri.as_ref();
            root.and_then(proto::file_path).into_iter().collect()
        }
    }
}
