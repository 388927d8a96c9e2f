//! Cost accounting and concurrency limits through the registry.

#[path = "model_support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use perforch::config::{Config, ProviderKind};
use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use perforch::models::{CostLedger, ModelRegistry, Prices, RegistryOptions, Stage, Usage};
use support::{fast_retry_config, model_config, request, within};
use tokio_util::sync::CancellationToken;

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-12
}

#[test]
fn prices_are_per_million_tokens() {
    let prices = Prices {
        input_per_mtok: 2.5,
        output_per_mtok: 10.0,
    };
    // 1,000 in * 2.5 / 1e6 = 0.0025; 500 out * 10 / 1e6 = 0.005
    assert!(close(
        prices.cost_usd(Usage {
            input_tokens: 1_000,
            output_tokens: 500
        }),
        0.0075
    ));
    assert!(close(
        Prices::default().cost_usd(Usage {
            input_tokens: 10_000_000,
            output_tokens: 1
        }),
        0.0
    ));
}

#[test]
fn ledger_totals_per_model_and_stage() {
    let ledger = CostLedger::new();
    let gpt = Prices {
        input_per_mtok: 2.5,
        output_per_mtok: 10.0,
    };
    let claude = Prices {
        input_per_mtok: 3.0,
        output_per_mtok: 15.0,
    };
    ledger.record_success(
        "gpt",
        Stage::Generate,
        Usage {
            input_tokens: 1_000,
            output_tokens: 500,
        },
        Duration::from_millis(100),
        gpt,
    );
    ledger.record_success(
        "gpt",
        Stage::Generate,
        Usage {
            input_tokens: 2_000,
            output_tokens: 0,
        },
        Duration::from_millis(50),
        gpt,
    );
    ledger.record_success(
        "gpt",
        Stage::Fix,
        Usage {
            input_tokens: 400,
            output_tokens: 100,
        },
        Duration::from_millis(30),
        gpt,
    );
    ledger.record_success(
        "claude",
        Stage::Generate,
        Usage {
            input_tokens: 10_000,
            output_tokens: 2_000,
        },
        Duration::from_millis(900),
        claude,
    );
    ledger.record_failure("claude", Stage::Refine, Duration::from_millis(20));

    let summary = ledger.summary();
    // gpt/generate: 0.0075 + 0.005 = 0.0125; gpt/fix: 0.001 + 0.001 = 0.002
    // claude/generate: 0.03 + 0.03 = 0.06; total 0.0745
    assert!(close(summary.cost_usd, 0.0745), "{}", summary.cost_usd);
    assert_eq!(summary.calls, 4);
    assert_eq!(summary.failed_calls, 1);
    assert_eq!(summary.input_tokens, 13_400);
    assert_eq!(summary.output_tokens, 2_600);
    assert_eq!(summary.total_latency_ms, 1_100);

    let row = |model: &str, stage: Stage| {
        summary
            .rows
            .iter()
            .find(|row| row.model.as_deref() == Some(model) && row.stage == Some(stage))
            .unwrap()
            .clone()
    };
    let gpt_generate = row("gpt", Stage::Generate);
    assert_eq!(gpt_generate.calls, 2);
    assert!(close(gpt_generate.cost_usd, 0.0125));
    assert!(close(row("gpt", Stage::Fix).cost_usd, 0.002));
    assert_eq!(row("claude", Stage::Refine).failed_calls, 1);
    assert_eq!(row("claude", Stage::Refine).cost_usd, 0.0);
    assert_eq!(summary.rows.len(), 4);

    let per_model: Vec<(String, f64)> = summary
        .per_model
        .iter()
        .map(|row| (row.model.clone().unwrap(), row.cost_usd))
        .collect();
    assert_eq!(per_model[0].0, "claude");
    assert!(close(per_model[0].1, 0.06) && close(per_model[1].1, 0.0145));
    let generate = summary
        .per_stage
        .iter()
        .find(|row| row.stage == Some(Stage::Generate))
        .unwrap();
    assert_eq!(generate.calls, 3);
    assert!(close(generate.cost_usd, 0.0725));

    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["rows"][0]["stage"], "generate");
}

#[tokio::test]
async fn registry_books_real_calls_with_configured_prices() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        let mut gpt = model_config("gpt", ProviderKind::OpenAi, &server.openai_base_url());
        gpt.price_input_per_mtok = 0.15;
        gpt.price_output_per_mtok = 0.60;
        let config = Config {
            models: vec![gpt],
            search: None,
            retry: fast_retry_config(),
            ..Config::default()
        };
        let registry = ModelRegistry::from_config(&config, &RegistryOptions::default()).unwrap();
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("a", 20_000, 4_000),
        );
        server.push(
            Route::OpenAiChat,
            ScriptedReply::error(401, "invalid_api_key", "bad key"),
        );
        let model = registry.get("gpt").unwrap();
        model
            .complete(request(Stage::Generate, "x"), CancellationToken::new())
            .await
            .unwrap();
        model
            .complete(request(Stage::Inputs, "y"), CancellationToken::new())
            .await
            .unwrap_err();
        let cancel = CancellationToken::new();
        cancel.cancel();
        model
            .complete(request(Stage::Inputs, "z"), cancel)
            .await
            .unwrap_err();

        let summary = registry.ledger().summary();
        // 20,000 * 0.15 / 1e6 = 0.003; 4,000 * 0.60 / 1e6 = 0.0024
        assert!(close(summary.cost_usd, 0.0054), "{}", summary.cost_usd);
        assert_eq!(summary.calls, 1);
        assert_eq!(summary.failed_calls, 1, "cancelled calls are not failures");
        assert_eq!(registry.names(), ["gpt"]);
        assert!(registry.get("nope").is_none());
    })
    .await;
}

async fn timed_parallel_calls(max_concurrent: usize) -> Duration {
    let server = FakeModelServer::start().await.unwrap();
    for _ in 0..3 {
        server.push(
            Route::OpenAiChat,
            ScriptedReply::openai_text("ok", 1, 1).after(Duration::from_millis(200)),
        );
    }
    let mut gpt = model_config("gpt", ProviderKind::OpenAi, &server.openai_base_url());
    gpt.max_concurrent = max_concurrent;
    let config = Config {
        models: vec![gpt],
        search: None,
        retry: fast_retry_config(),
        ..Config::default()
    };
    let registry =
        Arc::new(ModelRegistry::from_config(&config, &RegistryOptions::default()).unwrap());
    let started = Instant::now();
    let calls: Vec<_> = (0..3)
        .map(|index| {
            let model = registry.get("gpt").unwrap();
            tokio::spawn(async move {
                model
                    .complete(
                        request(Stage::Generate, &format!("call {index}")),
                        CancellationToken::new(),
                    )
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    started.elapsed()
}

#[tokio::test]
async fn max_concurrent_limits_requests_in_flight() {
    within(async {
        let serial = timed_parallel_calls(1).await;
        assert!(
            serial >= Duration::from_millis(590),
            "three 200 ms calls one at a time took {serial:?}"
        );
        let parallel = timed_parallel_calls(3).await;
        assert!(
            parallel < Duration::from_millis(550),
            "three 200 ms calls at once took {parallel:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn waiting_for_a_slot_can_be_cancelled() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        server.push(Route::OpenAiChat, ScriptedReply::hang());
        let mut gpt = model_config("gpt", ProviderKind::OpenAi, &server.openai_base_url());
        gpt.max_concurrent = 1;
        gpt.timeout_secs = 10.0;
        let config = Config {
            models: vec![gpt],
            search: None,
            retry: fast_retry_config(),
            ..Config::default()
        };
        let registry = ModelRegistry::from_config(&config, &RegistryOptions::default()).unwrap();
        let model = registry.get("gpt").unwrap();
        let first_cancel = CancellationToken::new();
        let first = {
            let model = model.clone();
            let cancel = first_cancel.clone();
            tokio::spawn(async move {
                model
                    .complete(request(Stage::Generate, "slow"), cancel)
                    .await
            })
        };
        while server.requests().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let queued_cancel = CancellationToken::new();
        let canceller = queued_cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            canceller.cancel();
        });
        let started = Instant::now();
        let error = model
            .complete(request(Stage::Generate, "queued"), queued_cancel)
            .await
            .unwrap_err();
        assert!(error.is_cancelled());
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(
            server.requests().len(),
            1,
            "the queued call never reached the server"
        );
        first_cancel.cancel();
        assert!(first.await.unwrap().unwrap_err().is_cancelled());
    })
    .await;
}
