//! The HTTP loop shared by the OpenAI, Anthropic and search clients:
//! timeouts, retries with backoff, cancellation and error classification.

use std::error::Error as _;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue};
use tokio_util::sync::CancellationToken;
use tracing::{debug, trace, warn};

use super::error::ModelError;
use super::openai::HttpModelSettings;
use super::retry::{RetryPolicy, parse_retry_after};
use super::secret::{ApiKey, scrub};

/// Longest piece of a provider's error text we repeat to the user.
const MAX_DETAIL_CHARS: usize = 400;

pub(crate) struct HttpCaller {
    pub service: String,
    /// Human name of the wire format, used in "malformed reply" errors.
    pub protocol: &'static str,
    client: reqwest::Client,
    timeout: Duration,
    retry: RetryPolicy,
    /// Kept only to scrub it out of error text.
    key: Option<ApiKey>,
    key_env: Option<String>,
}

/// What went wrong with one attempt, before deciding to retry.
enum AttemptFailure {
    Status {
        status: u16,
        body: String,
        retry_after: Option<Duration>,
    },
    Network(String),
    Timeout,
    Malformed(String),
}

impl HttpCaller {
    /// The caller for one configured model entry (OpenAI or Anthropic).
    pub fn for_model(
        settings: &HttpModelSettings,
        protocol: &'static str,
        key: Option<ApiKey>,
        retry: RetryPolicy,
    ) -> Result<Self, ModelError> {
        Self::new(
            &settings.name,
            protocol,
            settings.connect_timeout,
            settings.timeout,
            retry,
            key,
            settings.api_key_env.clone(),
        )
    }

    pub fn new(
        service: &str,
        protocol: &'static str,
        connect_timeout: Duration,
        timeout: Duration,
        retry: RetryPolicy,
        key: Option<ApiKey>,
        key_env: Option<String>,
    ) -> Result<Self, ModelError> {
        let client = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(timeout)
            .user_agent(concat!("perforch/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ModelError::Setup {
                service: service.to_string(),
                detail: format!("could not create the HTTP client: {}", error_chain(&error)),
            })?;
        Ok(HttpCaller {
            service: service.to_string(),
            protocol,
            client,
            timeout,
            retry,
            key,
            key_env,
        })
    }

    pub fn key(&self) -> Option<&ApiKey> {
        self.key.as_ref()
    }

    /// POST `body` as JSON and return the parsed JSON reply, retrying
    /// transient failures. `model_id` only feeds the 404 message.
    pub async fn post_json(
        &self,
        url: &str,
        headers: HeaderMap,
        body: &serde_json::Value,
        model_id: &str,
        cancel: &CancellationToken,
    ) -> Result<serde_json::Value, ModelError> {
        let mut attempt: u32 = 0;
        let mut waited = Duration::ZERO;
        loop {
            if cancel.is_cancelled() {
                return Err(self.cancelled());
            }
            attempt += 1;
            debug!(service = %self.service, url, attempt, "sending request");
            trace!(service = %self.service, body = %body, "request body");
            // Dropping the attempt future on cancellation drops the
            // connection, so the server stops generating tokens we pay for.
            let outcome = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(self.cancelled()),
                outcome = self.attempt(url, headers.clone(), body) => outcome,
            };
            let failure = match outcome {
                Ok(reply) => return Ok(reply),
                Err(failure) => failure,
            };
            if !is_retryable(&failure) || attempt >= self.retry.max_attempts {
                return Err(self.classify(failure, attempt, model_id, url));
            }
            let retry_after = match &failure {
                AttemptFailure::Status { retry_after, .. } => *retry_after,
                _ => None,
            };
            let Some(delay) = self.retry.delay_before_retry(attempt, retry_after) else {
                debug!(service = %self.service, "server asked to wait longer than max_backoff_ms; giving up");
                return Err(self.classify(failure, attempt, model_id, url));
            };
            if waited + delay > self.retry.max_total_delay {
                debug!(service = %self.service, "retry delays would exceed max_total_delay_ms; giving up");
                return Err(self.classify(failure, attempt, model_id, url));
            }
            warn!(
                service = %self.service,
                attempt,
                delay_ms = delay.as_millis() as u64,
                reason = %self.describe(&failure),
                "retrying after a transient failure"
            );
            tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(self.cancelled()),
                _ = tokio::time::sleep(delay) => {}
            }
            waited += delay;
        }
    }

    async fn attempt(
        &self,
        url: &str,
        headers: HeaderMap,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, AttemptFailure> {
        let response = self
            .client
            .post(url)
            .headers(headers)
            .json(body)
            .send()
            .await
            .map_err(|error| self.transport_failure(&error))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let bytes = response
            .bytes()
            .await
            .map_err(|error| self.transport_failure(&error))?;
        if (200..300).contains(&status) {
            serde_json::from_slice(&bytes).map_err(|error| {
                AttemptFailure::Malformed(format!(
                    "invalid JSON: {error}; the reply began with {:?}",
                    preview(&String::from_utf8_lossy(&bytes), 80)
                ))
            })
        } else {
            Err(AttemptFailure::Status {
                status,
                body: String::from_utf8_lossy(&bytes).into_owned(),
                retry_after,
            })
        }
    }

    fn transport_failure(&self, error: &reqwest::Error) -> AttemptFailure {
        if error.is_timeout() {
            AttemptFailure::Timeout
        } else {
            AttemptFailure::Network(self.scrubbed(&error_chain(error)))
        }
    }

    fn cancelled(&self) -> ModelError {
        debug!(service = %self.service, "request cancelled");
        ModelError::Cancelled {
            service: self.service.clone(),
        }
    }

    fn scrubbed(&self, text: &str) -> String {
        scrub(self.key.as_ref(), text)
    }

    fn describe(&self, failure: &AttemptFailure) -> String {
        match failure {
            AttemptFailure::Status { status, body, .. } => {
                format!("HTTP {status}: {}", self.scrubbed(&provider_message(body)))
            }
            AttemptFailure::Network(detail) => detail.clone(),
            AttemptFailure::Timeout => "timed out".to_string(),
            AttemptFailure::Malformed(detail) => detail.clone(),
        }
    }

    fn classify(
        &self,
        failure: AttemptFailure,
        attempts: u32,
        model_id: &str,
        url: &str,
    ) -> ModelError {
        let service = self.service.clone();
        match failure {
            AttemptFailure::Timeout => ModelError::Timeout {
                service,
                limit: self.timeout,
            },
            AttemptFailure::Network(detail) => ModelError::Network {
                service,
                attempts,
                detail,
            },
            AttemptFailure::Malformed(detail) => ModelError::MalformedReply {
                service,
                protocol: self.protocol.to_string(),
                detail: self.scrubbed(&detail),
            },
            AttemptFailure::Status { status, body, .. } => {
                let detail = self.scrubbed(&provider_message(&body));
                let lowered = body.to_lowercase();
                match status {
                    401 | 403 => ModelError::Unauthorized {
                        service,
                        status,
                        hint: self.auth_hint(),
                        detail,
                    },
                    404 => ModelError::UnknownModel {
                        service,
                        model_id: model_id.to_string(),
                        url: url.to_string(),
                        detail,
                    },
                    _ if mentions_quota(&lowered)
                        && (status == 429 || status == 400 || status == 402) =>
                    {
                        ModelError::QuotaExceeded { service, detail }
                    }
                    429 => ModelError::RateLimited {
                        service,
                        attempts,
                        detail,
                    },
                    400 | 413 | 422 if mentions_context_overflow(&lowered) => {
                        ModelError::ContextTooLong { service, detail }
                    }
                    500..=599 => ModelError::ServerError {
                        service,
                        status,
                        attempts,
                        detail,
                    },
                    _ => ModelError::Rejected {
                        service,
                        status,
                        detail,
                    },
                }
            }
        }
    }

    fn auth_hint(&self) -> String {
        match (&self.key, &self.key_env) {
            (None, _) => "no key was sent: set `api_key_env` in perforch.toml to the name of the environment variable holding your key".to_string(),
            (Some(_), Some(env)) => format!("check the key in the environment variable {env} and that it is valid for this provider"),
            (Some(_), None) => "check the API key and that it is valid for this provider".to_string(),
        }
    }
}

fn is_retryable(failure: &AttemptFailure) -> bool {
    match failure {
        AttemptFailure::Status { status, body, .. } => {
            // Out of quota is permanent until the user pays; retrying only
            // burns time.
            (*status == 429 && !mentions_quota(&body.to_lowercase()))
                || (500..=599).contains(status)
        }
        AttemptFailure::Network(_) => true,
        // A timeout already took `timeout_secs`; retrying would multiply
        // the wait the user sees. Malformed replies rarely fix themselves.
        AttemptFailure::Timeout | AttemptFailure::Malformed(_) => false,
    }
}

fn mentions_quota(lowered_body: &str) -> bool {
    [
        "insufficient_quota",
        "exceeded your current quota",
        "billing",
        "credit balance",
        "out of credits",
        "payment required",
    ]
    .iter()
    .any(|phrase| lowered_body.contains(phrase))
}

fn mentions_context_overflow(lowered_body: &str) -> bool {
    [
        "context_length_exceeded",
        "context length",
        "context window",
        "maximum context",
        "prompt is too long",
        "too many tokens",
        "maximum number of tokens",
    ]
    .iter()
    .any(|phrase| lowered_body.contains(phrase))
}

/// The provider's own error message: `error.message` in both OpenAI and
/// Anthropic formats, else the start of the body.
fn provider_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let message = parsed.as_ref().and_then(|json| {
        json.pointer("/error/message")
            .or_else(|| json.get("error").filter(|error| error.is_string()))
            .or_else(|| json.get("message"))
            .or_else(|| json.get("detail"))
            .and_then(|message| message.as_str())
            .map(str::to_string)
    });
    let text = message.unwrap_or_else(|| body.trim().to_string());
    if text.is_empty() {
        "(empty body)".to_string()
    } else {
        preview(&text, MAX_DETAIL_CHARS)
    }
}

fn preview(text: &str, max_chars: usize) -> String {
    let mut shortened: String = text.chars().take(max_chars).collect();
    if text.chars().count() > max_chars {
        shortened.push_str("...");
    }
    shortened
}

/// reqwest's top-level message is vague ("error sending request"); the
/// source chain says what happened ("connection refused").
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A header value carrying the key, marked sensitive so hyper and reqwest
/// never print it in their debug output.
pub(crate) fn secret_header(service: &str, value: &str) -> Result<HeaderValue, ModelError> {
    let mut header = HeaderValue::from_str(value).map_err(|_| ModelError::Setup {
        service: service.to_string(),
        detail: "the API key contains characters not allowed in an HTTP header; check the environment variable".to_string(),
    })?;
    header.set_sensitive(true);
    Ok(header)
}
