//! What the server advertises, and the position encoding it picks.

use tower_lsp_server::ls_types as lsp;

use super::commands;
use crate::document::PositionEncoding;

/// The code action kind of every perforch action, so editors can filter on it.
pub const OPTIMIZE_ACTION_KIND: &str = "refactor.rewrite.perforch";

/// UTF-8 when the client offers it (no conversion needed), else UTF-16,
/// which every client must support.
pub(crate) fn negotiate_encoding(capabilities: &lsp::ClientCapabilities) -> PositionEncoding {
    let offered = capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref());
    match offered {
        Some(encodings) if encodings.contains(&lsp::PositionEncodingKind::UTF8) => {
            PositionEncoding::Utf8
        }
        _ => PositionEncoding::Utf16,
    }
}

pub(crate) fn server_capabilities(encoding: PositionEncoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(super::proto::to_lsp_encoding(encoding)),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                ..Default::default()
            },
        )),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::new(OPTIMIZE_ACTION_KIND),
                ]),
                resolve_provider: Some(true),
                work_done_progress_options: Default::default(),
            },
        )),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: commands::ALL.iter().map(|c| c.to_string()).collect(),
            work_done_progress_options: Default::default(),
        }),
        workspace: Some(lsp::WorkspaceServerCapabilities {
            workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}

/// Whether the client accepts server-initiated progress (`window.workDoneProgress`).
pub(crate) fn client_shows_progress(capabilities: &lsp::ClientCapabilities) -> bool {
    capabilities
        .window
        .as_ref()
        .and_then(|window| window.work_done_progress)
        .unwrap_or(false)
}

/// Whether the client answers `workspace/configuration`.
pub(crate) fn client_answers_configuration(capabilities: &lsp::ClientCapabilities) -> bool {
    capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.configuration)
        .unwrap_or(false)
}

/// Whether the client can fill in an action's command later through
/// `codeAction/resolve`; if not, actions carry their command from the start.
pub(crate) fn client_resolves_commands(capabilities: &lsp::ClientCapabilities) -> bool {
    capabilities
        .text_document
        .as_ref()
        .and_then(|text| text.code_action.as_ref())
        .and_then(|action| action.resolve_support.as_ref())
        .is_some_and(|support| support.properties.iter().any(|p| p == "command"))
}
