//! Anthropic Messages client against the fake server.

#[path = "model_support/mod.rs"]
mod support;

use std::time::Duration;

use perforch::config::ProviderKind;
use perforch::models::anthropic::AnthropicProvider;
use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use perforch::models::secret::ApiKey;
use perforch::models::{ChatRequest, Message, ModelError, ModelProvider, Stage};
use support::{fast_retry, request, settings, within};
use tokio_util::sync::CancellationToken;

fn client(server: &FakeModelServer) -> AnthropicProvider {
    AnthropicProvider::with_key(
        settings("claude", ProviderKind::Anthropic, &server.base_url()),
        Some(ApiKey::new("anthropic-test-key")),
        fast_retry(),
    )
    .unwrap()
}

#[tokio::test]
async fn sends_messages_request_with_top_level_system_prompt() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        server.push(
            Route::AnthropicMessages,
            ScriptedReply::anthropic_text("faster code", 300, 80),
        );
        let reply = client(&server)
            .complete(
                request(Stage::Refine, "make it faster"),
                CancellationToken::new(),
            )
            .await
            .unwrap();
        assert_eq!(reply.text, "faster code");
        assert_eq!(reply.usage.input_tokens, 300);
        assert_eq!(reply.usage.output_tokens, 80);
        assert_eq!(reply.model, "fake-claude");

        let sent = &server.requests()[0];
        assert_eq!(sent.path, "/v1/messages");
        assert_eq!(sent.header("x-api-key"), Some("anthropic-test-key"));
        assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
        assert_eq!(sent.header("authorization"), None);
        let body = sent.json();
        assert_eq!(body["model"], "claude-model-id");
        assert_eq!(body["max_tokens"], 512);
        assert_eq!(body["system"], "You make functions faster.");
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(
            messages.len(),
            1,
            "the system prompt must not be sent as a message"
        );
        assert_eq!(messages[0]["role"], "user");
        assert_eq!(messages[0]["content"], "make it faster");
    })
    .await;
}

#[tokio::test]
async fn joins_text_blocks_and_skips_others() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        server.push(
            Route::AnthropicMessages,
            ScriptedReply::json(
                200,
                serde_json::json!({
                    "model": "claude-x",
                    "content": [
                        {"type": "thinking", "thinking": "hmm"},
                        {"type": "text", "text": "part one, "},
                        {"type": "text", "text": "part two"}
                    ],
                    "stop_reason": "max_tokens",
                    "usage": {"input_tokens": 5, "output_tokens": 7}
                }),
            ),
        );
        let conversation = ChatRequest::new(
            Stage::Fix,
            vec![
                Message::user("a"),
                Message::assistant("b"),
                Message::user("c"),
            ],
        );
        let reply = client(&server)
            .complete(conversation, CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(reply.text, "part one, part two");
        assert!(reply.truncated);
        let body = server.requests()[0].json();
        assert!(body.get("system").is_none());
        assert_eq!(body["messages"].as_array().unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn overloaded_529_is_retried() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        server.push(
            Route::AnthropicMessages,
            ScriptedReply::error(529, "overloaded_error", "Overloaded"),
        );
        server.push(
            Route::AnthropicMessages,
            ScriptedReply::anthropic_text("ok", 1, 1),
        );
        let reply = client(&server)
            .complete(request(Stage::Generate, "x"), CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(reply.text, "ok");
        assert_eq!(server.requests().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn prompt_too_long_and_low_credit_are_classified() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        server.push(
            Route::AnthropicMessages,
            ScriptedReply::error(
                400,
                "invalid_request_error",
                "prompt is too long: 210000 tokens > 200000 maximum",
            ),
        );
        server.push(
            Route::AnthropicMessages,
            ScriptedReply::error(
                400,
                "invalid_request_error",
                "Your credit balance is too low to access the Anthropic API.",
            ),
        );
        let provider = client(&server);
        let first = provider
            .complete(request(Stage::Generate, "x"), CancellationToken::new())
            .await
            .unwrap_err();
        assert!(
            matches!(first, ModelError::ContextTooLong { .. }),
            "{first:?}"
        );
        let second = provider
            .complete(request(Stage::Generate, "x"), CancellationToken::new())
            .await
            .unwrap_err();
        assert!(
            matches!(second, ModelError::QuotaExceeded { .. }),
            "{second:?}"
        );
        assert_eq!(server.requests().len(), 2, "neither is retried");
    })
    .await;
}

#[tokio::test]
async fn missing_key_defaults_to_anthropic_api_key_variable() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        let mut config =
            support::model_config("claude", ProviderKind::Anthropic, &server.base_url());
        config.api_key_env = None;
        let settings = perforch::models::openai::HttpModelSettings::from_config(&config);
        assert_eq!(settings.api_key_env.as_deref(), Some("ANTHROPIC_API_KEY"));
        let provider = AnthropicProvider::with_key(settings, None, fast_retry()).unwrap();
        let error = provider
            .complete(request(Stage::Generate, "x"), CancellationToken::new())
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("set the environment variable ANTHROPIC_API_KEY"),
            "{error}"
        );
        assert!(server.requests().is_empty());
    })
    .await;
}

#[tokio::test]
async fn hang_times_out() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        server.push(Route::AnthropicMessages, ScriptedReply::hang());
        let mut settings = settings("claude", ProviderKind::Anthropic, &server.base_url());
        settings.timeout = Duration::from_millis(300);
        let provider =
            AnthropicProvider::with_key(settings, Some(ApiKey::new("k-123")), fast_retry())
                .unwrap();
        let error = provider
            .complete(request(Stage::Generate, "x"), CancellationToken::new())
            .await
            .unwrap_err();
        assert!(matches!(error, ModelError::Timeout { .. }), "{error:?}");
    })
    .await;
}
