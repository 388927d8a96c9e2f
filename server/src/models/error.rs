//! Errors from model and search calls, each telling the user what to do.
//!
//! `service` is the configured entry name (e.g. "gpt" or "web search").
//! `detail` fields hold the provider's own message, shortened and scrubbed
//! of the API key.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ModelError {
    #[error(
        "{service}: no API key: set the environment variable {env_var} to your key (perforch.toml names it in `api_key_env`)"
    )]
    MissingApiKey { service: String, env_var: String },

    #[error("{service}: the provider rejected the API key (HTTP {status}); {hint}")]
    Unauthorized {
        service: String,
        status: u16,
        hint: String,
        detail: String,
    },

    #[error(
        "{service}: the provider does not know model `{model_id}` or the URL is wrong (HTTP 404 from {url}); check `model` and `base_url`. Provider said: {detail}"
    )]
    UnknownModel {
        service: String,
        model_id: String,
        url: String,
        detail: String,
    },

    #[error(
        "{service}: the prompt is longer than the model's context window; choose a model with a larger context or optimize a smaller function. Provider said: {detail}"
    )]
    ContextTooLong { service: String, detail: String },

    #[error(
        "{service}: the account has no quota or credit left; add credit or billing at the provider, or switch to another model. Provider said: {detail}"
    )]
    QuotaExceeded { service: String, detail: String },

    #[error(
        "{service}: still rate limited after {attempts} attempt(s); lower `max_concurrent`, wait, or raise your rate limit. Provider said: {detail}"
    )]
    RateLimited {
        service: String,
        attempts: u32,
        detail: String,
    },

    #[error(
        "{service}: server error HTTP {status} after {attempts} attempt(s); the provider may be down, try again later. Provider said: {detail}"
    )]
    ServerError {
        service: String,
        status: u16,
        attempts: u32,
        detail: String,
    },

    #[error("{service}: the provider refused the request (HTTP {status}): {detail}")]
    Rejected {
        service: String,
        status: u16,
        detail: String,
    },

    #[error(
        "{service}: network error after {attempts} attempt(s): {detail}; check `base_url` and that the server is running"
    )]
    Network {
        service: String,
        attempts: u32,
        detail: String,
    },

    #[error("{service}: no complete reply within {:.1}s; raise `timeout_secs` or check the server", limit.as_secs_f64())]
    Timeout { service: String, limit: Duration },

    #[error(
        "{service}: the reply could not be understood ({detail}); the server may not speak the {protocol} format at this `base_url`"
    )]
    MalformedReply {
        service: String,
        protocol: String,
        detail: String,
    },

    #[error("{service}: the request was cancelled")]
    Cancelled { service: String },

    #[error("{service}: the recording {} holds no answer for this request; record it again with --record, or check that prompts and settings did not change", file.display())]
    ReplayMiss { service: String, file: PathBuf },

    #[error("{service}: every recorded answer for this request in {} was used ({used}); the pipeline asked more often than when it was recorded", file.display())]
    ReplayExhausted {
        service: String,
        file: PathBuf,
        used: usize,
    },

    #[error("{service}: cannot use the recording {}: {detail}", file.display())]
    Recording {
        service: String,
        file: PathBuf,
        detail: String,
    },

    #[error("{service}: cannot be set up: {detail}")]
    Setup { service: String, detail: String },
}

impl ModelError {
    /// True when the call was cancelled rather than failed.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, ModelError::Cancelled { .. })
    }

    /// The configured entry this error belongs to.
    pub fn service(&self) -> &str {
        match self {
            ModelError::MissingApiKey { service, .. }
            | ModelError::Unauthorized { service, .. }
            | ModelError::UnknownModel { service, .. }
            | ModelError::ContextTooLong { service, .. }
            | ModelError::QuotaExceeded { service, .. }
            | ModelError::RateLimited { service, .. }
            | ModelError::ServerError { service, .. }
            | ModelError::Rejected { service, .. }
            | ModelError::Network { service, .. }
            | ModelError::Timeout { service, .. }
            | ModelError::MalformedReply { service, .. }
            | ModelError::Cancelled { service }
            | ModelError::ReplayMiss { service, .. }
            | ModelError::ReplayExhausted { service, .. }
            | ModelError::Recording { service, .. }
            | ModelError::Setup { service, .. } => service,
        }
    }
}
