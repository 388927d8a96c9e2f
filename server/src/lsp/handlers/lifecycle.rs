use std::sync::atomic::Ordering;

use tower_lsp_server::ls_types::{InitializeParams, InitializeResult, ServerInfo};

use crate::lsp::capabilities;
use crate::lsp::session::{Negotiated, Session};

pub(crate) fn initialize(session: &Session, params: InitializeParams) -> InitializeResult {
    let negotiated = Negotiated {
        encoding: capabilities::negotiate_encoding(&params.capabilities),
        client_resolves_commands: capabilities::client_resolves_commands(&params.capabilities),
    };
    session.set_negotiated(negotiated);
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

pub(crate) fn shutdown(session: &Session) {
    session.shutdown_requested.store(true, Ordering::SeqCst);
    tracing::info!("shutdown requested");
}
