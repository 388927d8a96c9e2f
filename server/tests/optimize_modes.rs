//! Pipeline options end to end (Python): best-of-n, budgets, the markdown
//! report, web-search findings in the refine prompt, and the memory metric.

#[path = "pipeline_support/mod.rs"]
mod support;

use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use support::*;

const PAIRS: &str = "optimize/python/pairs.py";

const DICT_VERSION: &str = "def count_pairs(values, target):\n    seen = {}\n    count = 0\n    for value in values:\n        count += seen.get(target - value, 0)\n        seen[value] = seen.get(value, 0) + 1\n    return count";

/// Still quadratic, but with less interpreter work per pair: a smaller win.
const SLICED_VERSION: &str = "def count_pairs(values, target):\n    count = 0\n    for i, value in enumerate(values):\n        need = target - value\n        count += values[i + 1:].count(need)\n    return count";

fn pairs_inputs() -> ScriptedReply {
    inputs_reply(
        &[&["[1, 1, 4, 4]", "5"], &["[]", "3"], &["[2, 2, 2, 2]", "4"]],
        &[&["list(range(2500))", "2499"]],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn best_of_n_tries_every_model_and_keeps_the_best() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new(PAIRS, &server, &["alpha", "beta"], "");
    push_all(
        &server,
        vec![
            pairs_inputs(),
            code_reply("python", SLICED_VERSION),
            code_reply("python", DICT_VERSION),
        ],
    );
    let report = workspace
        .optimize("count_pairs", &["--mode", "best-of-n"])
        .await;
    assert_eq!(outcome_kinds(&report), ["better", "better"], "{report:#}");
    let ratio = |i: usize| {
        report["iterations"][i]["figures"]["ratio"]
            .as_f64()
            .unwrap()
    };
    assert!(
        ratio(1) < ratio(0),
        "the dictionary version is the bigger win: {} vs {}",
        ratio(1),
        ratio(0)
    );
    assert!(
        report["code"].as_str().unwrap().contains("seen.get"),
        "{report:#}"
    );

    // Sequential acceptance stops at the first verified improvement.
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new(PAIRS, &server, &["alpha", "beta"], "");
    push_all(
        &server,
        vec![
            pairs_inputs(),
            code_reply("python", SLICED_VERSION),
            code_reply("python", DICT_VERSION),
        ],
    );
    let report = workspace.optimize("count_pairs", &[]).await;
    assert_eq!(outcome_kinds(&report), ["better"], "{report:#}");
    assert_eq!(
        server.remaining(Route::OpenAiChat),
        1,
        "beta was never asked"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_call_budget_stops_the_job_with_a_note_and_a_report_file() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new(
        PAIRS,
        &server,
        &["alpha", "beta", "gamma"],
        "[pipeline]\nmax_calls = 2\n",
    );
    push_all(
        &server,
        vec![
            pairs_inputs(),
            code_reply("python", "def count_pairs(values, target):\n    return 0"),
            code_reply("python", DICT_VERSION),
        ],
    );
    let report_file = workspace.dir.path().join("report.md");
    let report = workspace
        .optimize("count_pairs", &["--report", report_file.to_str().unwrap()])
        .await;
    assert_eq!(report["llm_calls"], 2, "{report:#}");
    assert_eq!(report["accepted"], false);
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("max_calls")),
        "{report:#}"
    );
    let markdown = std::fs::read_to_string(report_file).unwrap();
    assert!(
        markdown.contains("| # | stage | model | tokens in/out | cost | outcome |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("wrong output on count_pairs("),
        "{markdown}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn search_findings_reach_the_refine_prompt() {
    let server = FakeModelServer::start().await.unwrap();
    let search = format!(
        "[search]\nenabled = true\nbase_url = \"{}\"\napi_key_env = \"PERFORCH_TEST_SEARCH_KEY\"\n",
        server.base_url()
    );
    let workspace = Workspace::new(PAIRS, &server, &["alpha"], &search);
    server.push(
        Route::Search,
        ScriptedReply::search_results(
            Some("Count complements with a hash map in one pass."),
            &[(
                "Two-sum counting",
                "https://example.org/two-sum",
                "A dictionary of counts turns the pair loop linear.",
                0.9,
            )],
        ),
    );
    push_all(
        &server,
        vec![pairs_inputs(), code_reply("python", DICT_VERSION)],
    );
    let report = workspace
        .optimize_with_env(
            "count_pairs",
            &[],
            &[("PERFORCH_TEST_SEARCH_KEY", "test-key-123")],
        )
        .await;
    assert_eq!(report["accepted"], true, "{report:#}");
    let refine_prompt = server.requests_for(Route::OpenAiChat)[1].body.clone();
    assert!(
        refine_prompt.contains("hash map in one pass"),
        "{refine_prompt}"
    );
    // The most expensive input goes back to the model (PerfCodeGen).
    assert!(
        refine_prompt.contains("count_pairs(list(range(2500)), 2499)"),
        "{refine_prompt}"
    );
    assert_eq!(server.requests_for(Route::Search).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn peak_memory_metric_accepts_a_leaner_version() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new("optimize/python/squares.py", &server, &["alpha"], "");
    push_all(
        &server,
        vec![
            inputs_reply(&[&["0"], &["1"], &["1000"]], &[&["2000000"]]),
            code_reply(
                "python",
                "def sum_of_squares(n):\n    return sum(i * i for i in range(n))",
            ),
        ],
    );
    let report = workspace
        .optimize("sum_of_squares", &["--metric", "peak-memory"])
        .await;
    assert_eq!(report["metric"], "peak-memory");
    assert_eq!(outcome_kinds(&report), ["better"], "{report:#}");
    let figures = &report["figures"];
    let (before, after) = (
        figures["original"]["peak_rss_kb"].as_u64().unwrap(),
        figures["candidate"]["peak_rss_kb"].as_u64().unwrap(),
    );
    assert!(after * 2 < before, "peak memory {before} KB -> {after} KB");
}
