//! Record then replay: same answers and same accounting without a network.

#[path = "model_support/mod.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;

use perforch::config::{Config, ProviderKind};
use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use perforch::models::replay::{RecordedExchange, request_fingerprint};
use perforch::models::{
    ChatRequest, ChatResponse, ModelError, ModelProvider, ModelRegistry, RegistryOptions, Stage,
};
use support::{fast_retry_config, model_config, request, within};
use tokio_util::sync::CancellationToken;

fn config_for(server: &FakeModelServer) -> Config {
    let mut gpt = model_config("gpt", ProviderKind::OpenAi, &server.openai_base_url());
    gpt.price_input_per_mtok = 1.0;
    gpt.price_output_per_mtok = 2.0;
    Config {
        models: vec![gpt],
        search: None,
        retry: fast_retry_config(),
        ..Config::default()
    }
}

/// Calls made by "the pipeline" in both runs; the first two are identical
/// requests that got different answers.
fn calls() -> Vec<ChatRequest> {
    vec![
        request(Stage::Generate, "optimize f"),
        request(Stage::Generate, "optimize f"),
        request(Stage::Fix, "it failed to compile").with_temperature(0.0),
    ]
}

async fn run(provider: &Arc<dyn ModelProvider>) -> Vec<Result<ChatResponse, String>> {
    let mut results = Vec::new();
    for call in calls() {
        results.push(
            provider
                .complete(call, CancellationToken::new())
                .await
                .map_err(|error| error.to_string()),
        );
    }
    results
}

#[tokio::test]
async fn replay_gives_identical_results_in_recorded_order() {
    within(async {
        let dir = tempfile::tempdir().unwrap();
        let recording = dir.path().join("session.jsonl");
        let server = FakeModelServer::start().await.unwrap();
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("first answer", 100, 10),
        );
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("second answer", 100, 20),
        );
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("fixed", 150, 30),
        );
        let config = config_for(&server);

        let recording_run = ModelRegistry::from_config(
            &config,
            &RegistryOptions {
                record_to: Some(recording.clone()),
                ..Default::default()
            },
        )
        .unwrap();
        let recorded = run(&recording_run.get("gpt").unwrap()).await;
        assert!(recorded.iter().all(Result::is_ok), "{recorded:?}");
        assert_eq!(recorded[0].as_ref().unwrap().text, "first answer");
        assert_eq!(recorded[1].as_ref().unwrap().text, "second answer");
        assert_eq!(
            std::fs::read_to_string(&recording).unwrap().lines().count(),
            3
        );

        // Replay with the server gone: nothing may touch the network.
        drop(server);
        let replay_run = ModelRegistry::from_config(
            &config,
            &RegistryOptions {
                replay_from: Some(recording.clone()),
                ..Default::default()
            },
        )
        .unwrap();
        let replayed = run(&replay_run.get("gpt").unwrap()).await;
        assert_eq!(replayed, recorded);
        assert_eq!(
            replay_run.ledger().summary(),
            recording_run.ledger().summary()
        );
    })
    .await;
}

#[tokio::test]
async fn unrecorded_and_exhausted_requests_give_errors_naming_the_file() {
    within(async {
        let dir = tempfile::tempdir().unwrap();
        let recording = dir.path().join("rec.jsonl");
        let server = FakeModelServer::start().await.unwrap();
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("only answer", 1, 1),
        );
        let config = config_for(&server);
        let recorder = ModelRegistry::from_config(
            &config,
            &RegistryOptions {
                record_to: Some(recording.clone()),
                ..Default::default()
            },
        )
        .unwrap();
        recorder
            .get("gpt")
            .unwrap()
            .complete(
                request(Stage::Generate, "recorded"),
                CancellationToken::new(),
            )
            .await
            .unwrap();

        let replay = ModelRegistry::from_config(
            &config,
            &RegistryOptions {
                replay_from: Some(recording.clone()),
                ..Default::default()
            },
        )
        .unwrap();
        let gpt = replay.get("gpt").unwrap();
        let miss = gpt
            .complete(
                request(Stage::Generate, "never asked before"),
                CancellationToken::new(),
            )
            .await
            .unwrap_err();
        assert!(matches!(miss, ModelError::ReplayMiss { .. }), "{miss:?}");
        assert!(
            miss.to_string().contains(&recording.display().to_string()),
            "{miss}"
        );

        // Different sampling parameters are a different request.
        let hotter = request(Stage::Generate, "recorded").with_temperature(0.9);
        assert!(matches!(
            gpt.complete(hotter, CancellationToken::new()).await,
            Err(ModelError::ReplayMiss { .. })
        ));

        gpt.complete(
            request(Stage::Generate, "recorded"),
            CancellationToken::new(),
        )
        .await
        .unwrap();
        let exhausted = gpt
            .complete(
                request(Stage::Generate, "recorded"),
                CancellationToken::new(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(exhausted, ModelError::ReplayExhausted { used: 1, .. }),
            "{exhausted:?}"
        );
        assert!(exhausted.to_string().contains("rec.jsonl"), "{exhausted}");
    })
    .await;
}

#[tokio::test]
async fn replay_provider_from_config_entry() {
    within(async {
        let dir = tempfile::tempdir().unwrap();
        let recording = dir.path().join("rec.jsonl");
        let request = request(Stage::Classify, "what bottleneck?");
        let exchange = RecordedExchange {
            version: 1,
            model: "offline".to_string(),
            fingerprint: request_fingerprint("offline", &request),
            request: request.clone(),
            response: ChatResponse {
                text: "memory bound".to_string(),
                usage: perforch::models::Usage {
                    input_tokens: 4,
                    output_tokens: 2,
                },
                model: "gpt-4o".to_string(),
                latency: std::time::Duration::from_millis(1200),
                truncated: false,
            },
        };
        std::fs::write(
            &recording,
            format!("{}\n", serde_json::to_string(&exchange).unwrap()),
        )
        .unwrap();
        let text = format!(
            "[[models]]\nname = \"offline\"\nprovider = \"replay\"\nreplay_file = {:?}\n",
            recording.display().to_string()
        );
        let config = Config::from_toml_str(&text, "perforch.toml").unwrap();
        let registry = ModelRegistry::from_config(&config, &RegistryOptions::default()).unwrap();
        let reply = registry
            .get("offline")
            .unwrap()
            .complete(request, CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(reply.text, "memory bound");
        assert_eq!(reply.latency.as_millis(), 1200);
    })
    .await;
}

#[test]
fn corrupt_recording_is_reported_with_line_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.jsonl");
    std::fs::write(&path, "not json\n").unwrap();
    let error = perforch::models::ReplayProvider::open("gpt", &path).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("bad.jsonl") && message.contains("line 1"),
        "{message}"
    );
    let missing =
        perforch::models::ReplayProvider::open("gpt", Path::new("/nonexistent/rec.jsonl"))
            .unwrap_err();
    assert!(
        missing.to_string().contains("/nonexistent/rec.jsonl"),
        "{missing}"
    );
}

#[test]
fn fingerprint_ignores_stage_but_not_content_or_model() {
    let base = request(Stage::Generate, "x");
    let mut other_stage = base.clone();
    other_stage.stage = Stage::Refine;
    assert_eq!(
        request_fingerprint("m", &base),
        request_fingerprint("m", &other_stage)
    );
    assert_ne!(
        request_fingerprint("m", &base),
        request_fingerprint("n", &base)
    );
    assert_ne!(
        request_fingerprint("m", &base),
        request_fingerprint("m", &request(Stage::Generate, "y"))
    );
    assert_ne!(
        request_fingerprint("m", &base),
        request_fingerprint("m", &base.clone().with_max_tokens(10))
    );
}
