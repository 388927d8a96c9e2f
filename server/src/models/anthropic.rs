//! Anthropic Messages API: system prompt as a top-level field, reply text
//! in `content` blocks.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::error::ModelError;
use super::http::{HttpCaller, secret_header};
use super::openai::HttpModelSettings;
use super::provider::{BoxFuture, ModelProvider};
use super::retry::RetryPolicy;
use super::secret::ApiKey;
use super::types::{ChatRequest, ChatResponse, Role, Usage};

pub const ANTHROPIC_VERSION: &str = "2023-06-01";

pub struct AnthropicProvider {
    settings: HttpModelSettings,
    http: HttpCaller,
}

impl std::fmt::Debug for AnthropicProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnthropicProvider")
            .field("settings", &self.settings)
            .field("key", &self.http.key())
            .finish()
    }
}

impl AnthropicProvider {
    /// Build the client, reading the key from `api_key_env` now. A missing
    /// key is reported on the first call, so that unused entries do not
    /// stop perforch from starting.
    pub fn new(settings: HttpModelSettings, retry: RetryPolicy) -> Result<Self, ModelError> {
        let key = settings.api_key_env.as_deref().and_then(ApiKey::from_env);
        Self::with_key(settings, key, retry)
    }

    /// Build the client with an explicit key (tests, or a key from a
    /// secret store instead of the environment).
    pub fn with_key(
        settings: HttpModelSettings,
        key: Option<ApiKey>,
        retry: RetryPolicy,
    ) -> Result<Self, ModelError> {
        let http = HttpCaller::for_model(&settings, "Anthropic Messages", key, retry)?;
        Ok(Self { settings, http })
    }

    fn url(&self) -> String {
        self.settings.endpoint("v1/messages")
    }

    fn headers(&self) -> Result<HeaderMap, ModelError> {
        let Some(key) = self.http.key() else {
            return Err(ModelError::MissingApiKey {
                service: self.settings.name.clone(),
                env_var: self
                    .settings
                    .api_key_env
                    .clone()
                    .unwrap_or_else(|| "ANTHROPIC_API_KEY".to_string()),
            });
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("x-api-key"),
            secret_header(&self.settings.name, key.expose())?,
        );
        headers.insert(
            HeaderName::from_static("anthropic-version"),
            HeaderValue::from_static(ANTHROPIC_VERSION),
        );
        Ok(headers)
    }

    fn body(&self, request: &ChatRequest) -> Value {
        // The Messages API has no "system" role inside `messages`.
        let system: Vec<&str> = request
            .messages
            .iter()
            .filter(|message| message.role == Role::System)
            .map(|message| message.content.as_str())
            .collect();
        let messages: Vec<Value> = request
            .messages
            .iter()
            .filter(|message| message.role != Role::System)
            .map(|message| json!({ "role": message.role.as_str(), "content": message.content }))
            .collect();
        let mut body = json!({
            "model": self.settings.model_id,
            "max_tokens": request.max_tokens.unwrap_or(self.settings.max_tokens),
            "messages": messages,
        });
        if !system.is_empty() {
            body["system"] = json!(system.join("\n\n"));
        }
        let temperature = self.settings.temperature_for(request);
        // Anthropic accepts 0..1 only; config allows up to 2 for OpenAI.
        body["temperature"] = json!(temperature.clamp(0.0, 1.0));
        body
    }

    async fn complete_inner(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<ChatResponse, ModelError> {
        let started = Instant::now();
        let headers = self.headers()?;
        let reply = self
            .http
            .post_json(
                &self.url(),
                headers,
                &self.body(&request),
                &self.settings.model_id,
                &cancel,
            )
            .await?;
        parse_reply(&reply, &self.settings.model_id, started.elapsed()).map_err(|detail| {
            ModelError::MalformedReply {
                service: self.settings.name.clone(),
                protocol: self.http.protocol.to_string(),
                detail,
            }
        })
    }
}

fn parse_reply(reply: &Value, model_id: &str, latency: Duration) -> Result<ChatResponse, String> {
    let blocks = reply
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| "no `content` array in the reply".to_string())?;
    // Only text blocks carry the answer; "thinking" blocks are skipped.
    let text: String = blocks
        .iter()
        .filter(|block| block.get("type").and_then(Value::as_str) == Some("text"))
        .filter_map(|block| block.get("text").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("");
    let usage = Usage {
        input_tokens: reply
            .pointer("/usage/input_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        output_tokens: reply
            .pointer("/usage/output_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(0),
    };
    Ok(ChatResponse {
        text,
        usage,
        model: reply
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or(model_id)
            .to_string(),
        latency,
        truncated: reply.get("stop_reason").and_then(Value::as_str) == Some("max_tokens"),
    })
}

impl ModelProvider for AnthropicProvider {
    fn name(&self) -> &str {
        &self.settings.name
    }

    fn complete(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> BoxFuture<'_, Result<ChatResponse, ModelError>> {
        Box::pin(self.complete_inner(request, cancel))
    }
}
