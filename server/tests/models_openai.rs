//! OpenAI chat-completions client against the fake server: wire format,
//! every fault, retries, timeouts and cancellation.

#[path = "model_support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use perforch::config::{Config, ProviderKind};
use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use perforch::models::openai::{HttpModelSettings, OpenAiProvider};
use perforch::models::retry::RetryPolicy;
use perforch::models::secret::ApiKey;
use perforch::models::{ModelError, ModelProvider, Stage};
use support::{fast_retry, request, settings, within};
use tokio_util::sync::CancellationToken;

async fn server() -> FakeModelServer {
    FakeModelServer::start().await.expect("fake server starts")
}

fn client(server: &FakeModelServer) -> OpenAiProvider {
    OpenAiProvider::with_key(
        settings("gpt", ProviderKind::OpenAi, &server.openai_base_url()),
        Some(ApiKey::new("test-key-123")),
        fast_retry(),
    )
    .unwrap()
}

fn client_with(server: &FakeModelServer, timeout_secs: f64, retry: RetryPolicy) -> OpenAiProvider {
    let mut settings = settings("gpt", ProviderKind::OpenAi, &server.openai_base_url());
    settings.timeout = Duration::from_secs_f64(timeout_secs);
    OpenAiProvider::with_key(settings, Some(ApiKey::new("test-key-123")), retry).unwrap()
}

async fn ask(provider: &OpenAiProvider) -> Result<perforch::models::ChatResponse, ModelError> {
    provider
        .complete(
            request(Stage::Generate, "speed up f"),
            CancellationToken::new(),
        )
        .await
}

#[tokio::test]
async fn sends_chat_completions_request_and_reads_reply() {
    within(async {
        let server = server().await;
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("```python\ndef f(): pass\n```", 120, 45),
        );
        let provider = client(&server);
        let reply = ask(&provider).await.unwrap();
        assert_eq!(reply.text, "```python\ndef f(): pass\n```");
        assert_eq!(reply.usage.input_tokens, 120);
        assert_eq!(reply.usage.output_tokens, 45);
        assert_eq!(reply.model, "fake-gpt");
        assert!(!reply.truncated);

        let sent = server.requests();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].method, "POST");
        assert_eq!(sent[0].path, "/v1/chat/completions");
        assert_eq!(sent[0].header("authorization"), Some("Bearer test-key-123"));
        let body = sent[0].json();
        assert_eq!(body["model"], "gpt-model-id");
        assert_eq!(body["max_tokens"], 512);
        assert!((body["temperature"].as_f64().unwrap() - 0.2).abs() < 1e-6);
        assert_eq!(body["messages"][0]["role"], "system");
        assert_eq!(body["messages"][1]["role"], "user");
        assert_eq!(body["messages"][1]["content"], "speed up f");
    })
    .await;
}

#[tokio::test]
async fn request_overrides_beat_configured_defaults() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::openai_text("ok", 1, 1));
        let provider = client(&server);
        let request = request(Stage::Fix, "fix it")
            .with_max_tokens(77)
            .with_temperature(1.5);
        provider
            .complete(request, CancellationToken::new())
            .await
            .unwrap();
        let body = server.requests()[0].json();
        assert_eq!(body["max_tokens"], 77);
        assert!((body["temperature"].as_f64().unwrap() - 1.5).abs() < 1e-6);
    })
    .await;
}

/// The temperature the request body carries for a perforch.toml model
/// entry with `extra` lines.
async fn temperature_sent_for(extra: &str) -> f64 {
    let server = server().await;
    server.push(Route::OpenAiChat, ScriptedReply::openai_text("ok", 1, 1));
    let toml = format!(
        "[[models]]\nname = \"local\"\nprovider = \"openai\"\nmodel = \"m\"\nbase_url = \"{}\"\n{extra}",
        server.openai_base_url()
    );
    let config = Config::from_toml_str(&toml, "perforch.toml").unwrap();
    let settings = HttpModelSettings::from_config(&config.models[0]);
    let provider = OpenAiProvider::with_key(settings, None, fast_retry()).unwrap();
    ask(&provider).await.unwrap();
    server.requests()[0].json()["temperature"]
        .as_f64()
        .expect("every request carries a temperature")
}

#[tokio::test]
async fn a_low_temperature_is_sent_unless_the_entry_sets_one() {
    within(async {
        // Exactly as written, not a widened f32 (0.20000000298023224).
        assert_eq!(temperature_sent_for("").await, 0.2);
        assert_eq!(temperature_sent_for("temperature = 0.7").await, 0.7);
        assert_eq!(temperature_sent_for("temperature = 0").await, 0.0);
    })
    .await;
}

#[tokio::test]
async fn local_server_without_key_gets_no_authorization_header() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::openai_text("ok", 1, 1));
        let provider = OpenAiProvider::with_key(
            settings("local", ProviderKind::OpenAi, &server.openai_base_url()),
            None,
            fast_retry(),
        )
        .unwrap();
        ask(&provider).await.unwrap();
        assert_eq!(server.requests()[0].header("authorization"), None);
    })
    .await;
}

#[tokio::test]
async fn missing_key_names_the_environment_variable_and_sends_nothing() {
    within(async {
        let server = server().await;
        let mut settings = settings("gpt", ProviderKind::OpenAi, &server.openai_base_url());
        settings.api_key_env = Some("PERFORCH_TEST_VARIABLE_THAT_IS_NEVER_SET".to_string());
        let provider = OpenAiProvider::new(settings, fast_retry()).unwrap();
        let error = ask(&provider).await.unwrap_err();
        assert!(
            matches!(error, ModelError::MissingApiKey { .. }),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("set the environment variable PERFORCH_TEST_VARIABLE_THAT_IS_NEVER_SET"),
            "{error}"
        );
        assert!(server.requests().is_empty());
    })
    .await;
}

#[tokio::test]
async fn retries_server_errors_then_succeeds() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::server_error(500));
        server.push(Route::OpenAiChat, ScriptedReply::server_error(503));
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("third time", 1, 1),
        );
        let reply = ask(&client(&server)).await.unwrap();
        assert_eq!(reply.text, "third time");
        assert_eq!(server.requests().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn gives_up_after_max_attempts_with_server_error() {
    within(async {
        let server = server().await;
        for _ in 0..6 {
            server.push(Route::OpenAiChat, ScriptedReply::server_error(502));
        }
        let error = ask(&client(&server)).await.unwrap_err();
        match &error {
            ModelError::ServerError {
                status, attempts, ..
            } => {
                assert_eq!(*status, 502);
                assert_eq!(*attempts, 4);
            }
            other => panic!("expected ServerError, got {other:?}"),
        }
        assert!(error.to_string().contains("try again later"), "{error}");
        assert_eq!(server.requests().len(), 4, "default cap is 4 attempts");
    })
    .await;
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_seconds() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::rate_limited(Some("1")));
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("after the wait", 1, 1),
        );
        let retry = RetryPolicy {
            max_backoff: Duration::from_secs(3),
            ..fast_retry()
        };
        let started = Instant::now();
        let reply = ask(&client_with(&server, 2.0, retry)).await.unwrap();
        assert_eq!(reply.text, "after the wait");
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(950),
            "retried after {waited:?}, before Retry-After: 1"
        );
        assert!(waited < Duration::from_secs(3));
    })
    .await;
}

#[tokio::test]
async fn rate_limit_accepts_http_date_retry_after() {
    within(async {
        let server = server().await;
        // A date in the past means "now".
        server.push(
            Route::OpenAiChat,
            ScriptedReply::rate_limited(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
        );
        server.push(Route::OpenAiChat, ScriptedReply::openai_text("ok", 1, 1));
        let started = Instant::now();
        ask(&client(&server)).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(server.requests().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn retry_after_longer_than_allowed_gives_up_at_once() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::rate_limited(Some("120")));
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("never asked", 1, 1),
        );
        let started = Instant::now();
        let error = ask(&client(&server)).await.unwrap_err();
        assert!(
            matches!(error, ModelError::RateLimited { attempts: 1, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("max_concurrent"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(server.requests().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn total_delay_cap_stops_retrying() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::rate_limited(Some("1")));
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("never asked", 1, 1),
        );
        let retry = RetryPolicy {
            max_backoff: Duration::from_secs(5),
            max_total_delay: Duration::from_millis(500),
            ..fast_retry()
        };
        let started = Instant::now();
        let error = ask(&client_with(&server, 2.0, retry)).await.unwrap_err();
        assert!(matches!(error, ModelError::RateLimited { .. }), "{error:?}");
        assert!(started.elapsed() < Duration::from_millis(900));
        assert_eq!(server.requests().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn insufficient_quota_is_not_retried() {
    within(async {
        let server = server().await;
        server.push(
            Route::OpenAiChat,
            ScriptedReply::error(
                429,
                "insufficient_quota",
                "You exceeded your current quota, please check your plan and billing details.",
            ),
        );
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("never asked", 1, 1),
        );
        let error = ask(&client(&server)).await.unwrap_err();
        assert!(
            matches!(error, ModelError::QuotaExceeded { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("add credit"), "{error}");
        assert_eq!(server.requests().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn bad_key_is_reported_as_unauthorized() {
    within(async {
        let server = server().await;
        server.push(
            Route::OpenAiChat,
            ScriptedReply::error(401, "invalid_api_key", "Incorrect API key provided"),
        );
        let mut settings = settings("gpt", ProviderKind::OpenAi, &server.openai_base_url());
        settings.api_key_env = Some("MY_OPENAI_KEY".to_string());
        let provider =
            OpenAiProvider::with_key(settings, Some(ApiKey::new("wrong")), fast_retry()).unwrap();
        let error = ask(&provider).await.unwrap_err();
        assert!(
            matches!(error, ModelError::Unauthorized { status: 401, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("MY_OPENAI_KEY"), "{error}");
        assert_eq!(server.requests().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn unauthorized_without_key_says_to_configure_one() {
    within(async {
        let server = server().await;
        server.push(
            Route::OpenAiChat,
            ScriptedReply::error(403, "forbidden", "no auth"),
        );
        let provider = OpenAiProvider::with_key(
            settings("gpt", ProviderKind::OpenAi, &server.openai_base_url()),
            None,
            fast_retry(),
        )
        .unwrap();
        let error = ask(&provider).await.unwrap_err();
        assert!(error.to_string().contains("set `api_key_env`"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn unknown_model_names_the_model_id() {
    within(async {
        let server = server().await;
        server.push(
            Route::OpenAiChat,
            ScriptedReply::error(
                404,
                "model_not_found",
                "The model `gpt-model-id` does not exist",
            ),
        );
        let error = ask(&client(&server)).await.unwrap_err();
        assert!(
            matches!(error, ModelError::UnknownModel { .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("`gpt-model-id`") && message.contains("base_url"),
            "{message}"
        );
        assert_eq!(server.requests().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn context_overflow_is_recognized() {
    within(async {
        let server = server().await;
        server.push(
            Route::OpenAiChat,
            ScriptedReply::error(
                400,
                "context_length_exceeded",
                "This model's maximum context length is 8192 tokens.",
            ),
        );
        let error = ask(&client(&server)).await.unwrap_err();
        assert!(
            matches!(error, ModelError::ContextTooLong { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("larger context"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn other_bad_requests_are_rejected_with_provider_message() {
    within(async {
        let server = server().await;
        server.push(
            Route::OpenAiChat,
            ScriptedReply::error(
                400,
                "invalid_request_error",
                "temperature must be at most 2",
            ),
        );
        let error = ask(&client(&server)).await.unwrap_err();
        assert!(
            matches!(error, ModelError::Rejected { status: 400, .. }),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("temperature must be at most 2"),
            "{error}"
        );
        assert_eq!(server.requests().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn malformed_json_is_a_clear_error() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::malformed_json());
        let error = ask(&client(&server)).await.unwrap_err();
        assert!(
            matches!(error, ModelError::MalformedReply { .. }),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("OpenAI chat-completions format"),
            "{error}"
        );
    })
    .await;
}

#[tokio::test]
async fn json_without_choices_is_malformed() {
    within(async {
        let server = server().await;
        server.push(
            Route::OpenAiChat,
            ScriptedReply::json(200, serde_json::json!({"hello": "world"})),
        );
        let error = ask(&client(&server)).await.unwrap_err();
        assert!(error.to_string().contains("no `choices`"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn truncated_body_is_retried() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::truncated_body());
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("complete", 1, 1),
        );
        let reply = ask(&client(&server)).await.unwrap();
        assert_eq!(reply.text, "complete");
        assert_eq!(server.requests().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn truncated_body_every_time_ends_in_network_error() {
    within(async {
        let server = server().await;
        for _ in 0..4 {
            server.push(Route::OpenAiChat, ScriptedReply::truncated_body());
        }
        let error = ask(&client(&server)).await.unwrap_err();
        assert!(
            matches!(error, ModelError::Network { attempts: 4, .. }),
            "{error:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn dropped_connection_is_retried() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::disconnect());
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("second try", 1, 1),
        );
        assert_eq!(ask(&client(&server)).await.unwrap().text, "second try");
    })
    .await;
}

#[tokio::test]
async fn hanging_server_times_out_without_retry() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::hang());
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("never asked", 1, 1),
        );
        let started = Instant::now();
        let error = ask(&client_with(&server, 0.4, fast_retry()))
            .await
            .unwrap_err();
        let elapsed = started.elapsed();
        assert!(matches!(error, ModelError::Timeout { .. }), "{error:?}");
        assert!(error.to_string().contains("timeout_secs"), "{error}");
        assert!(
            elapsed >= Duration::from_millis(350) && elapsed < Duration::from_secs(2),
            "{elapsed:?}"
        );
        assert_eq!(server.requests().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn slow_reply_within_timeout_succeeds_and_beyond_it_fails() {
    within(async {
        let server = server().await;
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("slow but fine", 1, 1).after(Duration::from_millis(150)),
        );
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("too slow", 1, 1).after(Duration::from_millis(1_500)),
        );
        let provider = client_with(&server, 0.6, fast_retry());
        assert_eq!(ask(&provider).await.unwrap().text, "slow but fine");
        let error = ask(&provider).await.unwrap_err();
        assert!(matches!(error, ModelError::Timeout { .. }), "{error:?}");
    })
    .await;
}

#[tokio::test]
async fn cancellation_drops_the_request_in_flight() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::hang());
        let provider = Arc::new(client_with(&server, 30.0, fast_retry()));
        let cancel = CancellationToken::new();
        let call = {
            let provider = provider.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move {
                provider
                    .complete(request(Stage::Generate, "x"), cancel)
                    .await
            })
        };
        // Cancel once the server has the request.
        while server.requests().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let cancelled_at = Instant::now();
        cancel.cancel();
        let error = call.await.unwrap().unwrap_err();
        assert!(error.is_cancelled(), "{error:?}");
        assert!(cancelled_at.elapsed() < Duration::from_millis(500));
        // The server sees the client go away: the request really was dropped.
        while server.dropped_connections() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn cancellation_interrupts_a_backoff_wait() {
    within(async {
        let server = server().await;
        server.push(Route::OpenAiChat, ScriptedReply::rate_limited(Some("5")));
        let retry = RetryPolicy {
            max_backoff: Duration::from_secs(10),
            max_total_delay: Duration::from_secs(60),
            ..fast_retry()
        };
        let provider = client_with(&server, 2.0, retry);
        let cancel = CancellationToken::new();
        let canceller = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(150)).await;
            canceller.cancel();
        });
        let started = Instant::now();
        let error = provider
            .complete(request(Stage::Generate, "x"), cancel)
            .await
            .unwrap_err();
        assert!(error.is_cancelled(), "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(1));
    })
    .await;
}

#[tokio::test]
async fn already_cancelled_token_sends_nothing() {
    within(async {
        let server = server().await;
        let cancel = CancellationToken::new();
        cancel.cancel();
        let error = client(&server)
            .complete(request(Stage::Generate, "x"), cancel)
            .await
            .unwrap_err();
        assert!(error.is_cancelled());
        assert!(server.requests().is_empty());
    })
    .await;
}

#[tokio::test]
async fn unreachable_server_is_a_network_error_naming_base_url() {
    within(async {
        // Bind then release a port so nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let provider = OpenAiProvider::with_key(
            settings(
                "gpt",
                ProviderKind::OpenAi,
                &format!("http://127.0.0.1:{port}/v1"),
            ),
            None,
            fast_retry(),
        )
        .unwrap();
        let error = ask(&provider).await.unwrap_err();
        assert!(
            matches!(error, ModelError::Network { attempts: 4, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("check `base_url`"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn finish_reason_length_marks_reply_truncated() {
    within(async {
        let server = server().await;
        server.push(
            Route::OpenAiChat,
            ScriptedReply::json(
                200,
                serde_json::json!({
                    "model": "m",
                    "choices": [{"message": {"role": "assistant", "content": "```python\ndef f("}, "finish_reason": "length"}],
                    "usage": {"prompt_tokens": 3, "completion_tokens": 512}
                }),
            ),
        );
        let reply = ask(&client(&server)).await.unwrap();
        assert!(reply.truncated);
    })
    .await;
}

#[tokio::test]
async fn unscripted_request_fails_fast_instead_of_hanging() {
    within(async {
        let server = server().await;
        let retry = RetryPolicy {
            max_attempts: 1,
            ..fast_retry()
        };
        let error = ask(&client_with(&server, 2.0, retry)).await.unwrap_err();
        assert!(error.to_string().contains("no scripted reply"), "{error}");
        assert_eq!(server.remaining(Route::OpenAiChat), 0);
    })
    .await;
}
