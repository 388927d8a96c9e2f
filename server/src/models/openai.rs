//! OpenAI chat-completions wire format. One client serves OpenAI, vLLM,
//! llama.cpp's server, Ollama (`/v1`), LM Studio, OpenRouter and DeepSeek;
//! only `base_url` and the key differ.

use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::error::ModelError;
use super::http::{HttpCaller, secret_header};
use super::provider::{BoxFuture, ModelProvider};
use super::retry::RetryPolicy;
use super::secret::ApiKey;
use super::types::{ChatRequest, ChatResponse, Usage};
use crate::config::ModelConfig;

/// Settings of one HTTP model entry, shared by the OpenAI and Anthropic
/// clients. Holds the key's variable name, never the key.
#[derive(Debug, Clone)]
pub struct HttpModelSettings {
    pub name: String,
    pub model_id: String,
    pub base_url: String,
    pub api_key_env: Option<String>,
    pub max_tokens: u32,
    /// Used when a request sets none.
    pub temperature: f64,
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

impl HttpModelSettings {
    /// `path` under the entry's base URL, whether or not it ends in `/`.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url.trim_end_matches('/'))
    }

    /// The request's own temperature, else the entry's. A request's `f32`
    /// goes through its decimal text, so 0.9 is sent as 0.9 rather than
    /// as the nearest `f32` widened (0.8999999761581421).
    pub fn temperature_for(&self, request: &ChatRequest) -> f64 {
        request
            .temperature
            .and_then(|temperature| temperature.to_string().parse().ok())
            .unwrap_or(self.temperature)
    }

    pub fn from_config(config: &ModelConfig) -> Self {
        HttpModelSettings {
            name: config.name.clone(),
            model_id: config.model.clone(),
            base_url: config.effective_base_url().unwrap_or_default(),
            api_key_env: config.effective_api_key_env().map(str::to_string),
            max_tokens: config.max_tokens,
            temperature: config.temperature,
            timeout: Duration::from_secs_f64(config.timeout_secs),
            connect_timeout: Duration::from_secs_f64(config.connect_timeout_secs),
        }
    }
}

pub struct OpenAiProvider {
    settings: HttpModelSettings,
    http: HttpCaller,
}

impl std::fmt::Debug for OpenAiProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiProvider")
            .field("settings", &self.settings)
            .field("key", &self.http.key())
            .finish()
    }
}

impl OpenAiProvider {
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
        let http = HttpCaller::for_model(&settings, "OpenAI chat-completions", key, retry)?;
        Ok(Self { settings, http })
    }

    fn url(&self) -> String {
        self.settings.endpoint("chat/completions")
    }

    fn headers(&self) -> Result<HeaderMap, ModelError> {
        let mut headers = HeaderMap::new();
        match (self.http.key(), &self.settings.api_key_env) {
            (Some(key), _) => {
                let bearer = format!("Bearer {}", key.expose());
                headers.insert(AUTHORIZATION, secret_header(&self.settings.name, &bearer)?);
            }
            (None, Some(env_var)) => {
                return Err(ModelError::MissingApiKey {
                    service: self.settings.name.clone(),
                    env_var: env_var.clone(),
                });
            }
            (None, None) => {} // local server without authentication
        }
        Ok(headers)
    }

    fn body(&self, request: &ChatRequest) -> Value {
        let messages: Vec<Value> = request
            .messages
            .iter()
            .map(|message| json!({ "role": message.role.as_str(), "content": message.content }))
            .collect();
        json!({
            "model": self.settings.model_id,
            "messages": messages,
            "max_tokens": request.max_tokens.unwrap_or(self.settings.max_tokens),
            "temperature": self.settings.temperature_for(request),
        })
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
        parse_reply(&reply, &self.settings, started.elapsed()).map_err(|detail| {
            ModelError::MalformedReply {
                service: self.settings.name.clone(),
                protocol: self.http.protocol.to_string(),
                detail,
            }
        })
    }
}

fn parse_reply(
    reply: &Value,
    settings: &HttpModelSettings,
    latency: Duration,
) -> Result<ChatResponse, String> {
    let choice = reply
        .pointer("/choices/0")
        .ok_or_else(|| "no `choices` in the reply".to_string())?;
    // Reasoning models may answer with `content: null` and only a refusal.
    let text = match choice.pointer("/message/content") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Null) | None => {
            match choice.pointer("/message/refusal").and_then(Value::as_str) {
                Some(refusal) => return Err(format!("the model refused: {refusal}")),
                None => String::new(),
            }
        }
        Some(other) => return Err(format!("`message.content` is not text but {other}")),
    };
    let usage = Usage {
        input_tokens: reply
            .pointer("/usage/prompt_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        output_tokens: reply
            .pointer("/usage/completion_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(0),
    };
    Ok(ChatResponse {
        text,
        usage,
        model: reply
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or(&settings.model_id)
            .to_string(),
        latency,
        truncated: choice.get("finish_reason").and_then(Value::as_str) == Some("length"),
    })
}

impl ModelProvider for OpenAiProvider {
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
