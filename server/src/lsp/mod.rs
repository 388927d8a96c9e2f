//! The language server: the only part of perforch that knows LSP types.
//!
//! `serve` runs it over any byte streams (stdio in production, in-memory
//! pipes in tests). Handlers are thin: they convert LSP types with `proto`,
//! call plain-Rust analysis on a document snapshot, and convert back.
//! Optimisation jobs run in background tasks (`job_task`), tracked in
//! `jobs`; their results are anchored to the current text (`job_result`)
//! and shown as diagnostics and quick fixes.

mod capabilities;
pub mod commands;
mod diagnostics;
mod handlers;
mod job_result;
mod job_task;
mod jobs;
mod live_hints;
mod panic_guard;
mod progress;
mod proto;
mod server;
mod session;
mod settings;
mod summary;
mod transport;

use std::path::PathBuf;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tower_lsp_server::LspService;

pub use capabilities::OPTIMIZE_ACTION_KIND;

use crate::executor::ExecutorConfig;

/// What the server needs from its environment beyond the editor.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// The sandbox launcher and caches jobs run candidates with.
    pub executor: ExecutorConfig,
    /// Where job reports are written for `perforch.showReport`.
    pub reports_dir: PathBuf,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            executor: ExecutorConfig::default(),
            reports_dir: default_reports_dir(),
        }
    }
}

/// `<user cache dir>/perforch/reports` (`~/.cache/perforch/reports` on
/// Linux), else under the temporary directory.
pub fn default_reports_dir() -> PathBuf {
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("perforch")
        .join("reports")
}

/// How a session ended, for the process exit code the LSP spec asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// `exit` after `shutdown`: exit code 0.
    Clean,
    /// `exit` without `shutdown`, or the editor closed the stream: exit code 1.
    Abrupt,
}

impl SessionEnd {
    pub fn exit_code(self) -> i32 {
        match self {
            SessionEnd::Clean => 0,
            SessionEnd::Abrupt => 1,
        }
    }
}

/// Serves one editor session over `input`/`output` until `exit` or end of input.
pub async fn serve<I, O>(input: I, output: O) -> SessionEnd
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    serve_with(input, output, ServerOptions::default()).await
}

/// [`serve`] with explicit options (tests run the sandbox launcher from the
/// built binary, since the test executable is not `perforch`).
pub async fn serve_with<I, O>(input: I, output: O, options: ServerOptions) -> SessionEnd
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let session = Arc::new(session::Session::new(options));
    let (service, socket) = LspService::build({
        let session = session.clone();
        move |client| server::Server::new(client, session)
    })
    .custom_method(
        "window/workDoneProgress/cancel",
        server::Server::work_done_progress_cancel,
    )
    .finish();

    const PIPE_BYTES: usize = 1 << 20;
    let (guard_to_server, server_input) = tokio::io::duplex(PIPE_BYTES);
    let (server_output, server_to_writer) = tokio::io::duplex(PIPE_BYTES);
    let (frames_tx, frames_rx) = mpsc::unbounded_channel();

    let input_task = tokio::spawn(transport::guard_input(
        input,
        guard_to_server,
        frames_tx.clone(),
    ));
    let collect_task = tokio::spawn(transport::collect_output(server_to_writer, frames_tx));
    let writer_task = tokio::spawn(transport::write_output(output, frames_rx));

    tower_lsp_server::Server::new(server_input, server_output, socket)
        .serve(service)
        .await;

    // The server has answered everything it will; stop reading the editor,
    // then let the writer drain what is queued.
    input_task.abort();
    let _ = input_task.await;
    let _ = collect_task.await;
    let _ = writer_task.await;

    // Jobs of a session that ended stop with it.
    session.jobs.cancel_all();
    if session.shutdown_requested.load(Ordering::SeqCst) {
        SessionEnd::Clean
    } else {
        SessionEnd::Abrupt
    }
}
