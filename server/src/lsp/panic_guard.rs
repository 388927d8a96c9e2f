//! Every handler runs inside `catch_unwind`: a bug in one request becomes an
//! error reply for that request, and the server keeps serving.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};

pub(crate) async fn request<T>(
    method: &'static str,
    handler: impl Future<Output = Result<T>>,
) -> Result<T> {
    match AssertUnwindSafe(handler).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => {
            let message = panic_message(&*payload);
            tracing::error!("{method} panicked: {message}");
            Err(Error {
                code: ErrorCode::InternalError,
                message: format!(
                    "perforch failed while handling {method}: {message}. This is a bug in perforch; \
                     the server is still running. Please report it with the log (PERFORCH_LOG_FILE)."
                )
                .into(),
                data: None,
            })
        }
    }
}

pub(crate) async fn notification(method: &'static str, handler: impl Future<Output = ()>) {
    if let Err(payload) = AssertUnwindSafe(handler).catch_unwind().await {
        tracing::error!("{method} panicked: {}", panic_message(&*payload));
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_becomes_an_internal_error_reply() {
        let result: Result<()> = request("textDocument/codeAction", async {
            panic!("index out of bounds");
        })
        .await;
        let error = result.unwrap_err();
        assert_eq!(error.code, ErrorCode::InternalError);
        assert!(
            error.message.contains("index out of bounds"),
            "{}",
            error.message
        );
        // And the next request on the same runtime is served normally.
        assert_eq!(request("x", async { Ok(5) }).await.unwrap(), 5);
    }
}
