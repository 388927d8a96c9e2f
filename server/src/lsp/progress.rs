//! Work-done progress for one job, initiated by the server.
//!
//! The job never waits for the editor: it drops updates into a channel and
//! a forwarding task asks the client to create the progress token, then
//! sends begin, the reports and the end. If the client refuses the token
//! (or never supports progress), updates are discarded, as the spec asks.

use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::notification::Progress;
use tower_lsp_server::ls_types::{
    NumberOrString, ProgressParams, ProgressParamsValue, WorkDoneProgress, WorkDoneProgressBegin,
    WorkDoneProgressEnd, WorkDoneProgressReport,
};

enum Update {
    Report { message: String, percent: u32 },
    End { message: String },
}

pub(crate) struct JobProgress {
    updates: mpsc::UnboundedSender<Update>,
}

impl JobProgress {
    /// Starts forwarding; `supported` is the client's `window.workDoneProgress`.
    pub fn start(client: Client, token: String, title: String, supported: bool) -> JobProgress {
        let (updates, receiver) = mpsc::unbounded_channel();
        tokio::spawn(forward(
            client,
            NumberOrString::String(token),
            title,
            supported,
            receiver,
        ));
        JobProgress { updates }
    }

    pub fn report(&self, message: &str, percent: u32) {
        let _ = self.updates.send(Update::Report {
            message: message.to_string(),
            percent,
        });
    }

    pub fn end(&self, message: String) {
        let _ = self.updates.send(Update::End { message });
    }
}

impl Drop for JobProgress {
    /// A job that stops without saying so (a panic) still ends its bar.
    fn drop(&mut self) {
        let _ = self.updates.send(Update::End {
            message: "stopped".to_string(),
        });
    }
}

async fn forward(
    client: Client,
    token: NumberOrString,
    title: String,
    supported: bool,
    mut updates: mpsc::UnboundedReceiver<Update>,
) {
    let created = supported
        && match client.create_work_done_progress(token.clone()).await {
            Ok(()) => true,
            Err(error) => {
                tracing::debug!(%error, "the client did not create a progress token; no progress shown");
                false
            }
        };
    let send = |value: WorkDoneProgress| {
        let client = client.clone();
        let token = token.clone();
        async move {
            client
                .send_notification::<Progress>(ProgressParams {
                    token,
                    value: ProgressParamsValue::WorkDone(value),
                })
                .await
        }
    };
    if created {
        send(WorkDoneProgress::Begin(WorkDoneProgressBegin {
            title,
            cancellable: Some(true),
            message: Some("starting".to_string()),
            percentage: Some(0),
        }))
        .await;
    }
    while let Some(update) = updates.recv().await {
        match update {
            Update::Report { message, percent } => {
                if created {
                    send(WorkDoneProgress::Report(WorkDoneProgressReport {
                        cancellable: Some(true),
                        message: Some(message),
                        percentage: Some(percent.min(100)),
                    }))
                    .await;
                }
            }
            Update::End { message } => {
                if created {
                    send(WorkDoneProgress::End(WorkDoneProgressEnd {
                        message: Some(message),
                    }))
                    .await;
                }
                return;
            }
        }
    }
}
