//! The `LanguageServer` implementation: each method wraps its handler in the
//! panic guard and delegates. No logic lives here.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::handlers;
use super::panic_guard;
use super::session::Session;

pub(crate) struct Server {
    client: Client,
    session: Arc<Session>,
}

impl Server {
    pub fn new(client: Client, session: Arc<Session>) -> Server {
        Server { client, session }
    }

    /// `window/workDoneProgress/cancel`, which tower-lsp-server's trait
    /// lacks; registered as a custom method in `serve`.
    pub async fn work_done_progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        panic_guard::notification("window/workDoneProgress/cancel", async {
            handlers::workspace::work_done_progress_cancel(&self.session, params)
        })
        .await
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        panic_guard::request("initialize", async {
            Ok(handlers::lifecycle::initialize(&self.session, params))
        })
        .await
    }

    async fn initialized(&self, _: InitializedParams) {
        panic_guard::notification("initialized", async {
            handlers::lifecycle::initialized(&self.session, &self.client).await
        })
        .await
    }

    async fn shutdown(&self) -> Result<()> {
        handlers::lifecycle::shutdown(&self.session);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        panic_guard::notification("textDocument/didOpen", async {
            handlers::documents::did_open(&self.session, &self.client, params)
        })
        .await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        panic_guard::notification("textDocument/didChange", async {
            handlers::documents::did_change(&self.session, &self.client, params)
        })
        .await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        panic_guard::notification("textDocument/didClose", async {
            handlers::documents::did_close(&self.session, &self.client, params).await
        })
        .await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        panic_guard::notification("workspace/didChangeConfiguration", async {
            handlers::workspace::did_change_configuration(&self.session, &self.client, params).await
        })
        .await
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        panic_guard::notification("workspace/didChangeWorkspaceFolders", async {
            handlers::workspace::did_change_workspace_folders(&self.session, params)
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        panic_guard::request("textDocument/codeAction", async {
            Ok(handlers::code_action::code_actions(&self.session, params))
        })
        .await
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        panic_guard::request("codeAction/resolve", async {
            handlers::code_action::resolve(action)
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        panic_guard::request("workspace/executeCommand", async {
            handlers::execute_command::execute(&self.session, &self.client, params)
        })
        .await
    }
}
