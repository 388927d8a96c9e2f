//! `perforch optimize` on Python, end to end: real models over HTTP (the
//! fake server speaks the OpenAI wire format), the real sandboxed executor.

#[path = "pipeline_support/mod.rs"]
mod support;

use perforch::models::fake_server::{FakeModelServer, ScriptedReply};
use support::*;

const FIXTURE: &str = "optimize/python/pairs.py";

const FAST: &str = "def count_pairs(values, target):\n    seen = {}\n    count = 0\n    for value in values:\n        count += seen.get(target - value, 0)\n        seen[value] = seen.get(value, 0) + 1\n    return count";

/// Right on the doc examples, wrong when a value repeats more than once.
const SUBTLY_WRONG: &str = "def count_pairs(values, target):\n    seen = set()\n    count = 0\n    for value in values:\n        if target - value in seen:\n            count += 1\n        seen.add(value)\n    return count";

fn inputs() -> ScriptedReply {
    inputs_reply(
        &[&["[1, 1, 4, 4]", "5"], &["[]", "3"], &["[2, 2, 2, 2]", "4"], &["[5]", "10"]],
        &[&["list(range(2500))", "2499"]],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn faster_variant_is_accepted_and_subtly_wrong_one_rejected() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new(FIXTURE, &server, &["alpha", "beta"], "");
    let before = workspace.text();
    push_all(
        &server,
        vec![inputs(), code_reply("python", SUBTLY_WRONG), code_reply("python", FAST)],
    );
    let report = workspace.optimize("count_pairs", &[]).await;
    assert_eq!(outcome_kinds(&report), ["wrong_output", "better"], "{report:#}");
    assert_eq!(report["accepted"], true);
    assert_eq!(report["verdict"], "faster");
    assert_eq!(report["iterations"][0]["model"], "alpha");
    assert_eq!(report["iterations"][1]["model"], "beta");
    let speedup = report["speedup"].as_f64().unwrap();
    assert!(speedup > 2.0, "an O(n) rewrite of an O(n^2) loop: {speedup}");
    assert!(report["figures"]["ci_high"].as_f64().unwrap() < 1.0);
    assert!(report["code"].as_str().unwrap().contains("seen.get"));
    assert_eq!(report["llm_calls"], 3);
    // 3 calls at 1$/Mtok in, 2$/Mtok out.
    let cost = report["cost_usd"].as_f64().unwrap();
    assert!((cost - (400.0 + 1800.0) * 1e-6 - (200.0 + 600.0) * 2e-6).abs() < 1e-9, "{cost}");
    // The wrong variant passes the doc example and fails on a generated input.
    let wrong = report["iterations"][0]["outcome"]["input"].as_str().unwrap();
    assert!(wrong.contains("[1, 1, 4, 4]") || wrong.contains("[2, 2, 2, 2]"), "{wrong}");
    assert_same_file(&workspace.file, &before);
}

#[tokio::test(flavor = "multi_thread")]
async fn equal_variant_is_not_offered() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new(FIXTURE, &server, &["alpha"], "");
    let original = "def count_pairs(values, target):\n    count = 0\n    for i in range(len(values)):\n        for j in range(i + 1, len(values)):\n            if values[i] + values[j] == target:\n                count += 1\n    return count";
    push_all(&server, vec![inputs(), code_reply("python", original)]);
    let report = workspace.optimize("count_pairs", &["--write"]).await;
    assert_eq!(outcome_kinds(&report), ["tie"], "{report:#}");
    assert_eq!(report["accepted"], false);
    assert_eq!(report["verdict"], "tie");
    assert!(report["code"].is_null());
    assert_same_file(&workspace.file, &std::fs::read_to_string(fixture(FIXTURE)).unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn no_code_error_and_timeout_move_on_to_the_next_model() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new(FIXTURE, &server, &["alpha", "beta", "gamma", "delta"], "");
    push_all(
        &server,
        vec![
            inputs(),
            ScriptedReply::openai_text("I am sorry, I cannot optimise this function.", 50, 12),
            ScriptedReply::error(400, "invalid_request_error", "context length exceeded"),
            ScriptedReply::hang(),
            code_reply("python", FAST),
        ],
    );
    let report = workspace.optimize("count_pairs", &["--write"]).await;
    assert_eq!(
        outcome_kinds(&report),
        ["no_code", "model_error", "model_error", "better"],
        "{report:#}"
    );
    let detail = |i: usize| report["iterations"][i]["outcome"]["detail"].as_str().unwrap().to_string();
    assert!(detail(1).contains("context length exceeded"), "{}", detail(1));
    assert!(detail(2).to_lowercase().contains("time"), "{}", detail(2));
    assert_eq!(report["accepted"], true);
    // --write put the accepted version in the file, the rest untouched.
    let written = workspace.text();
    assert!(written.contains("seen.get(target - value, 0)"));
    assert!(written.starts_with("\"\"\"Pair counting"));
    assert!(written.contains("if __name__ == \"__main__\":"));
}
