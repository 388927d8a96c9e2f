//! Helpers shared by the model tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::future::Future;
use std::time::Duration;

use perforch::config::{ModelConfig, ProviderKind, RetryConfig};
use perforch::models::openai::HttpModelSettings;
use perforch::models::retry::RetryPolicy;
use perforch::models::{ChatRequest, Message, Stage};

/// Every async test runs inside this so that a hang fails the test
/// instead of stalling the suite.
pub async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(15), future)
        .await
        .expect("test did not finish within 15 s: something hangs")
}

/// Millisecond backoff so retry tests stay fast.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::from(&fast_retry_config())
}

pub fn fast_retry_config() -> RetryConfig {
    RetryConfig {
        max_attempts: 4,
        initial_backoff_ms: 5,
        max_backoff_ms: 300,
        max_total_delay_ms: 2_000,
    }
}

pub fn model_config(name: &str, provider: ProviderKind, base_url: &str) -> ModelConfig {
    ModelConfig {
        name: name.to_string(),
        provider,
        model: format!("{name}-model-id"),
        base_url: Some(base_url.to_string()),
        api_key_env: None,
        price_input_per_mtok: 0.0,
        price_output_per_mtok: 0.0,
        max_tokens: 512,
        temperature: 0.2,
        timeout_secs: 2.0,
        connect_timeout_secs: 1.0,
        max_concurrent: 4,
        replay_file: None,
    }
}

pub fn settings(name: &str, provider: ProviderKind, base_url: &str) -> HttpModelSettings {
    HttpModelSettings::from_config(&model_config(name, provider, base_url))
}

pub fn request(stage: Stage, prompt: &str) -> ChatRequest {
    ChatRequest::new(
        stage,
        vec![
            Message::system("You make functions faster."),
            Message::user(prompt),
        ],
    )
}
