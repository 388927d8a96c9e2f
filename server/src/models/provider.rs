//! The provider trait. It is object safe and free of HTTP types so that
//! offline providers (replay, the builtin optimizer) fit the same slot.

use std::future::Future;
use std::pin::Pin;

use tokio_util::sync::CancellationToken;

use super::error::ModelError;
use super::types::{ChatRequest, ChatResponse};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait ModelProvider: Send + Sync {
    /// The configured entry name (not the provider's model id).
    fn name(&self) -> &str;

    /// Answer one chat request. Cancelling `cancel` must make the future
    /// finish promptly with [`ModelError::Cancelled`], dropping any request
    /// in flight.
    fn complete(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> BoxFuture<'_, Result<ChatResponse, ModelError>>;
}
