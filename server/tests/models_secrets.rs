//! A planted API key must never show up in logs, errors, debug output,
//! reports or recordings, whatever happens to the calls.
//!
//! This binary holds a single test because it sets an environment
//! variable, which is only safe while no other thread runs.

#[path = "model_support/mod.rs"]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use perforch::config::Config;
use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use perforch::models::openai::{HttpModelSettings, OpenAiProvider};
use perforch::models::{ModelRegistry, RegistryOptions, Stage, WebSearch};
use support::{fast_retry, request, within};
use tokio_util::sync::CancellationToken;

const PLANTED: &str = "sk-test-PLANTED-SECRET-123";
const KEY_VAR: &str = "PERFORCH_TEST_PLANTED_KEY";

#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn planted_key_appears_nowhere() {
    // SAFETY: the only test in this binary, set before any thread starts.
    unsafe { std::env::set_var(KEY_VAR, PLANTED) };
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    within(async {
        let server = FakeModelServer::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let recording = dir.path().join("record.jsonl");
        let toml = format!(
            r#"
[retry]
max_attempts = 2
initial_backoff_ms = 1
max_backoff_ms = 50

[[models]]
name = "gpt"
provider = "openai"
model = "gpt-test"
base_url = "{openai}"
api_key_env = "{KEY_VAR}"
price_input_per_mtok = 1.0
price_output_per_mtok = 1.0
timeout_secs = 0.5

[[models]]
name = "claude"
provider = "anthropic"
model = "claude-test"
base_url = "{base}"
api_key_env = "{KEY_VAR}"
timeout_secs = 0.5

[search]
enabled = true
base_url = "{base}"
api_key_env = "{KEY_VAR}"
"#,
            openai = server.openai_base_url(),
            base = server.base_url(),
        );
        let config = Config::from_toml_str(&toml, "perforch.toml").unwrap();
        let registry = ModelRegistry::from_config(
            &config,
            &RegistryOptions {
                record_to: Some(recording.clone()),
                ..Default::default()
            },
        )
        .unwrap();
        let echo = format!("Incorrect API key provided: {PLANTED}");

        // Every outcome: success, auth failure echoing the key, rate limit
        // echoing the key (retried), server errors, malformed and truncated
        // bodies, unknown model, context overflow, quota, timeout.
        let openai_script = vec![
            ScriptedReply::openai_text("```python\ndef f(): pass\n```", 10, 5),
            ScriptedReply::error(401, "invalid_api_key", &echo),
            ScriptedReply::error(429, "rate_limit_exceeded", &echo),
            ScriptedReply::openai_text("after rate limit", 1, 1),
            ScriptedReply::error(500, "server_error", &echo),
            ScriptedReply::error(500, "server_error", &echo),
            ScriptedReply::raw(200, format!("not json {PLANTED}")),
            ScriptedReply::truncated_body(),
            ScriptedReply::truncated_body(),
            ScriptedReply::error(404, "model_not_found", &echo),
            ScriptedReply::error(
                400,
                "context_length_exceeded",
                &format!("maximum context length exceeded for key {PLANTED}"),
            ),
            ScriptedReply::error(
                429,
                "insufficient_quota",
                &format!("insufficient_quota for {PLANTED}"),
            ),
            ScriptedReply::hang(),
        ];
        let openai_calls = 10;
        for reply in openai_script {
            server.push(Route::OpenAiChat, reply);
        }
        server.push(
            Route::AnthropicMessages,
            ScriptedReply::anthropic_text("ok", 3, 4),
        );
        server.push(
            Route::AnthropicMessages,
            ScriptedReply::error(401, "authentication_error", &echo),
        );
        server.push(
            Route::Search,
            ScriptedReply::search_results(
                Some("answer"),
                &[("t", "https://arxiv.org/x", "c", 0.5)],
            ),
        );
        server.push(
            Route::Search,
            ScriptedReply::error(401, "unauthorized", &echo),
        );

        let mut outputs: Vec<String> = Vec::new();
        let gpt = registry.get("gpt").unwrap();
        for index in 0..openai_calls {
            match gpt
                .complete(
                    request(Stage::Generate, &format!("call {index}")),
                    CancellationToken::new(),
                )
                .await
            {
                Ok(reply) => outputs.push(format!("{reply:?}")),
                Err(error) => outputs.push(format!("{error}\n{error:?}")),
            }
        }
        let claude = registry.get("claude").unwrap();
        for index in 0..2 {
            match claude
                .complete(
                    request(Stage::Fix, &format!("call {index}")),
                    CancellationToken::new(),
                )
                .await
            {
                Ok(reply) => outputs.push(format!("{reply:?}")),
                Err(error) => outputs.push(format!("{error}\n{error:?}")),
            }
        }
        // Cancelled call.
        let cancel = CancellationToken::new();
        cancel.cancel();
        let cancelled = gpt
            .complete(request(Stage::Other, "c"), cancel)
            .await
            .unwrap_err();
        outputs.push(format!("{cancelled}\n{cancelled:?}"));

        let search = WebSearch::from_config(config.search.as_ref(), &config.retry)
            .unwrap()
            .unwrap();
        outputs.push(format!("{search:?}"));
        outputs.push(format!(
            "{:?}",
            search.search("q", &CancellationToken::new()).await
        ));
        outputs.push(format!(
            "{}",
            search
                .search("q", &CancellationToken::new())
                .await
                .unwrap_err()
        ));

        let provider = OpenAiProvider::new(
            HttpModelSettings::from_config(&config.models[0]),
            fast_retry(),
        )
        .unwrap();
        outputs.push(format!("{provider:?}"));
        outputs.push(format!("{config:?}"));
        outputs.push(serde_json::to_string(&registry.ledger().summary()).unwrap());

        // The test must be able to fail: the key really went out on the
        // wire, every kind of failure happened, and things were logged.
        let sent = server.requests();
        assert!(
            sent.iter().any(
                |request| request.header("authorization") == Some(&format!("Bearer {PLANTED}"))
            )
        );
        assert!(
            sent.iter()
                .any(|request| request.header("x-api-key") == Some(PLANTED))
        );
        let joined = outputs.join("\n");
        for expected in [
            "Unauthorized",
            "ServerError",
            "MalformedReply",
            "Network",
            "UnknownModel",
            "ContextTooLong",
            "QuotaExceeded",
            "Timeout",
            "Cancelled",
        ] {
            assert!(
                joined.contains(expected),
                "no {expected} outcome in:\n{joined}"
            );
        }
        assert!(
            joined.contains("[redacted]"),
            "echoed keys are replaced, not just dropped"
        );
        assert!(
            !joined.contains(PLANTED),
            "planted key leaked into errors or debug output:\n{joined}"
        );

        tokio::time::sleep(Duration::from_millis(20)).await;
        let recorded = std::fs::read_to_string(&recording).unwrap();
        assert!(recorded.lines().count() >= 3, "{recorded}");
        assert!(
            !recorded.contains(PLANTED),
            "planted key leaked into the recording"
        );
        assert!(!recorded.to_lowercase().contains("authorization"));
    })
    .await;

    let captured = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        captured.contains("retrying after a transient failure"),
        "logs were captured: {captured}"
    );
    assert!(
        !captured.contains(PLANTED),
        "planted key leaked into logs:\n{captured}"
    );
}
