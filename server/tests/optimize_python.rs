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
        &[
            &["[1, 1, 4, 4]", "5"],
            &["[]", "3"],
            &["[2, 2, 2, 2]", "4"],
            &["[5]", "10"],
        ],
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
        vec![
            inputs(),
            code_reply("python", SUBTLY_WRONG),
            code_reply("python", FAST),
        ],
    );
    let markdown = workspace.file.with_extension("md");
    let report = workspace
        .optimize("count_pairs", &["--report", markdown.to_str().unwrap()])
        .await;
    assert_eq!(
        outcome_kinds(&report),
        ["wrong_output", "better"],
        "{report:#}"
    );
    assert_eq!(report["accepted"], true);
    assert_eq!(report["verdict"], "faster");
    assert_eq!(report["iterations"][0]["model"], "alpha");
    assert_eq!(report["iterations"][1]["model"], "beta");
    let speedup = report["speedup"].as_f64().unwrap();
    assert!(
        speedup > 2.0,
        "an O(n) rewrite of an O(n^2) loop: {speedup}"
    );
    assert!(report["figures"]["ci_high"].as_f64().unwrap() < 1.0);
    assert!(report["code"].as_str().unwrap().contains("seen.get"));
    assert_eq!(report["llm_calls"], 3);
    // 3 calls at 1$/Mtok in, 2$/Mtok out.
    let cost = report["cost_usd"].as_f64().unwrap();
    assert!(
        (cost - (400.0 + 1800.0) * 1e-6 - (200.0 + 600.0) * 2e-6).abs() < 1e-9,
        "{cost}"
    );
    // The wrong variant passes the doc example and fails on repeated
    // values: a generated input, or a smaller small-scope one.
    let wrong = report["iterations"][0]["outcome"]["input"]
        .as_str()
        .unwrap();
    assert_eq!(report["iterations"][0]["outcome"]["kind"], "wrong_output");
    assert!(wrong.starts_with("count_pairs(["), "{wrong}");
    assert_same_file(&workspace.file, &before);
    // The evidence's strength, measured on the original before the
    // version was offered: the small-scope inputs catch the mutants.
    let mutation = &report["mutation"];
    let (killed, total) = (
        mutation["killed"].as_u64().unwrap(),
        mutation["total"].as_u64().unwrap(),
    );
    assert!(total >= 10 && killed * 10 >= total * 8, "{mutation:#}");
    assert_eq!(
        mutation["survivors"].as_array().unwrap().len() as u64,
        total - killed
    );
    assert!(mutation["equivalent"].is_u64(), "{mutation:#}");
    assert_eq!(mutation["floor"], 0.8);
    // The same figures in the text report.
    let markdown = std::fs::read_to_string(&markdown).unwrap();
    assert!(
        markdown.contains(&format!(
            "Evidence strength: the evidence catches {killed} of {total} mutants"
        )),
        "{markdown}"
    );
}

/// Evidence too weak to tell the original from its small changes: the
/// model's few inputs, no small-scope inputs. A faster, correct version is
/// not offered, and the report says why, naming a change the evidence
/// misses.
#[tokio::test(flavor = "multi_thread")]
async fn a_version_is_refused_when_the_evidence_is_too_weak_to_check_it() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new(
        "optimize/python/pairs_unchecked.py",
        &server,
        &["alpha"],
        "[pipeline]\nsmall_scope_inputs = 0\n",
    );
    let before = workspace.text();
    let weak = inputs_reply(
        &[&["[7, 8]", "100"], &["[9]", "1"], &["[6, 6, 6]", "0"]],
        &[&["[0] * 2500", "1"]],
    );
    push_all(&server, vec![weak, code_reply("python", FAST)]);
    let report = workspace.optimize("count_pairs", &["--write"]).await;
    assert_eq!(outcome_kinds(&report), ["better"], "{report:#}");
    assert_eq!(report["accepted"], false, "{report:#}");
    assert_eq!(report["verdict"], "refused");
    assert!(report["code"].is_null());
    let mutation = &report["mutation"];
    let (killed, total) = (
        mutation["killed"].as_u64().unwrap(),
        mutation["total"].as_u64().unwrap(),
    );
    assert!(total > 0 && killed * 10 < total * 8, "{mutation:#}");
    let survivor = mutation["survivors"][0].as_str().unwrap();
    let note = report["notes"][0].as_str().unwrap();
    assert!(
        note.starts_with(&format!(
            "refused: the evidence tells only {killed} of {total} small changes of `count_pairs` from it (for example {survivor})"
        )),
        "{note}"
    );
    assert!(note.contains("add tests that cover this"), "{note}");
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
    assert_same_file(
        &workspace.file,
        &std::fs::read_to_string(fixture(FIXTURE)).unwrap(),
    );
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
    let detail = |i: usize| {
        report["iterations"][i]["outcome"]["detail"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        detail(1).contains("context length exceeded"),
        "{}",
        detail(1)
    );
    assert!(detail(2).to_lowercase().contains("time"), "{}", detail(2));
    assert_eq!(report["accepted"], true);
    // --write put the accepted version in the file, the rest untouched.
    let written = workspace.text();
    assert!(written.contains("seen.get(target - value, 0)"));
    assert!(written.starts_with("\"\"\"Pair counting"));
    assert!(written.contains("if __name__ == \"__main__\":"));
}

const PROJECT: &str = "optimize/python_workspace";

#[tokio::test(flavor = "multi_thread")]
async fn stub_is_generated_from_its_tests_then_refined() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::project(PROJECT, "scores.py", &server, &["alpha"]);
    let naive = "def count_inversions(values):\n    count = 0\n    for i in range(len(values)):\n        for j in range(i + 1, len(values)):\n            if values[i] > values[j]:\n                count += 1\n    return count";
    let merge_sort = "def count_inversions(values):\n    def sort(items):\n        if len(items) <= 1:\n            return items, 0\n        middle = len(items) // 2\n        left, a = sort(items[:middle])\n        right, b = sort(items[middle:])\n        merged, count, i, j = [], a + b, 0, 0\n        while i < len(left) and j < len(right):\n            if right[j] < left[i]:\n                merged.append(right[j])\n                count += len(left) - i\n                j += 1\n            else:\n                merged.append(left[i])\n                i += 1\n        merged.extend(left[i:])\n        merged.extend(right[j:])\n        return merged, count\n    return sort(list(values))[1]";
    push_all(
        &server,
        vec![
            code_reply("python", naive),
            inputs_reply(
                &[&["[5, 1, 4, 2]"], &["[1, 1, 1]"], &["[9, -3, 0, 2, 2]"]],
                &[&["list(range(1500, 0, -1))"]],
            ),
            code_reply("python", merge_sort),
        ],
    );
    let report = workspace.optimize("count_inversions", &["--write"]).await;
    assert_eq!(stages(&report), ["generate", "refine"], "{report:#}");
    assert_eq!(outcome_kinds(&report), ["passes", "better"], "{report:#}");
    assert_eq!(report["accepted"], true);
    assert!(report["speedup"].as_f64().unwrap() > 2.0);
    assert_eq!(
        report["evidence"]["workspace_tests"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "{report:#}"
    );
    let written = workspace.text();
    assert!(written.contains("count += len(left) - i"));
    assert!(!written.contains("NotImplementedError"));
    // The other function of the file is untouched.
    assert!(written.contains("return result[1:]"));
    // The generate prompt showed the model the tests it must pass.
    let first = server.requests()[0].body.clone();
    assert!(
        first.contains("count_inversions([2, 4, 1, 3, 5]) == 3"),
        "{first}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failing_function_is_fixed_then_refined() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::project(PROJECT, "scores.py", &server, &["alpha", "beta"]);
    let still_wrong = "def unique_sorted(values):\n    return sorted(values)";
    let fixed_but_slow = "def unique_sorted(values):\n    result = []\n    for value in sorted(values):\n        if value not in result:\n            result.append(value)\n    return result";
    push_all(
        &server,
        vec![
            ScriptedReply::openai_text("The slice `[1:]` drops the smallest value.", 300, 40),
            code_reply("python", still_wrong),
            ScriptedReply::openai_text(
                "The function returns result[1:], losing the first distinct value.",
                300,
                40,
            ),
            code_reply("python", fixed_but_slow),
            inputs_reply(
                &[&["[3, 3, 1]"], &["[]"], &["[-1, 5, -1, 0]"]],
                &[&["list(range(3000)) * 2"]],
            ),
            code_reply(
                "python",
                "def unique_sorted(values):\n    return sorted(set(values))",
            ),
        ],
    );
    let report = workspace.optimize("unique_sorted", &[]).await;
    assert_eq!(stages(&report), ["fix", "fix", "refine"], "{report:#}");
    assert_eq!(
        outcome_kinds(&report),
        ["failing_test", "passes", "better"],
        "{report:#}"
    );
    assert_eq!(report["iterations"][0]["model"], "alpha");
    assert_eq!(report["iterations"][1]["model"], "beta");
    // Each fix iteration counts both calls of its reflect-then-fix exchange.
    assert_eq!(report["iterations"][1]["input_tokens"], 1200);
    assert_eq!(report["accepted"], true);
    // The model dropped the docstring; perforch keeps the user's.
    assert_eq!(
        report["code"],
        "def unique_sorted(values):\n    \"\"\"Return the distinct values in ascending order.\"\"\"\n    return sorted(set(values))"
    );
    // The second call of the exchange carries the model's own explanation.
    let fix_call = server.requests()[3].body.clone();
    assert!(
        fix_call.contains("losing the first distinct value"),
        "{fix_call}"
    );
    assert!(fix_call.contains("test_unique_sorted"), "{fix_call}");
}

const ALLOWED_FAST: &str = "def count_allowed(words: list[str], banned: list[str]) -> int:\n    banned_set = set(banned)\n    return sum(1 for word in words if word not in banned_set)";

/// A model whose inputs reply is prose: the job quotes it, builds inputs
/// from the parameter types instead (large ones included) and still judges.
/// A model whose inputs are usable gets the small edge cases added.
#[tokio::test(flavor = "multi_thread")]
async fn type_directed_inputs_replace_an_unusable_reply_and_join_a_usable_one() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new("python/moderation.py", &server, &["alpha"], "");
    push_all(
        &server,
        vec![
            ScriptedReply::openai_text("I would rather not write inputs.", 400, 20),
            code_reply("python", ALLOWED_FAST),
        ],
    );
    let report = workspace.optimize("count_allowed", &[]).await;
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("alpha's test inputs were unusable")
            && notes.contains("(it said: \\\"I would rather not write inputs.\\\")"),
        "{notes}"
    );
    assert!(
        notes.contains("inputs built from the parameter types instead"),
        "{notes}"
    );
    assert!(
        report["evidence"]["stress"].as_u64().unwrap() >= 1,
        "{report:#}"
    );
    assert_eq!(report["accepted"], true, "{report:#}");

    // Usable model inputs: no note, and the five type-directed small
    // cases are in the evidence beside the model's one input (the set
    // version may well lose on small inputs only; that is the judge's call).
    push_all(
        &server,
        vec![
            inputs_reply(&[&["['a', 'b']", "['b']"]], &[]),
            code_reply("python", ALLOWED_FAST),
        ],
    );
    let report = workspace.optimize("count_allowed", &[]).await;
    let notes = report["notes"].to_string();
    assert!(!notes.contains("instead"), "{notes}");
    assert_eq!(report["evidence"]["generated"], 6, "{report:#}");
    assert_eq!(report["evidence"]["stress"], 0, "{report:#}");
    // 9, the call in the module's `__main__` block, and the two large
    // inputs of the parameters' types that join when no input is large.
    assert_eq!(report["evidence"]["test_calls"], 1, "{report:#}");
    assert_eq!(report["evidence"]["inputs_used"], 12, "{report:#}");
}

/// A small model's inputs reply, commented and cut off at its token limit
/// while spelling out a large input: the closed argument lists are used
/// and the note names the cut as the cause.
#[tokio::test(flavor = "multi_thread")]
async fn a_reply_cut_off_at_the_token_limit_keeps_its_complete_inputs() {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new("python/moderation.py", &server, &["alpha"], "");
    let cut_off = "```json\n{\n  \"inputs\": [\n    [\"['a', 'b']\", \"['b']\"], // one banned\n    [\"[]\", \"['x']\"],\n  ],\n  \"stress\": [\n    [\"['w0', 'w1', 'w2', 'w3', 'w4', 'w5',";
    push_all(
        &server,
        vec![
            ScriptedReply::openai_cut_off(cut_off, 400, 512),
            code_reply("python", ALLOWED_FAST),
        ],
    );
    let report = workspace.optimize("count_allowed", &[]).await;
    let notes = report["notes"].to_string();
    assert!(
        notes.contains(
            "kept 2 of alpha's inputs (the reply was cut off at the model's token limit after them)"
        ),
        "{notes}"
    );
    assert!(!notes.contains("unusable"), "{notes}");
    // The model's two and the five type-directed small cases.
    assert_eq!(report["evidence"]["generated"], 7, "{report:#}");
}
