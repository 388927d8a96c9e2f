//! `perforch optimize` on methods of classes with state, end to end: the
//! object each call is made on comes from the tests (their setup calls
//! replayed), from the model's inputs and from small-scope states; the
//! object's fields after the call are behaviour too.

#[path = "pipeline_support/mod.rs"]
mod support;

use perforch::models::fake_server::{FakeModelServer, ScriptedReply};
use serde_json::Value;
use support::*;

/// The fixture's plausible inputs, as a model's reply.
fn model_inputs(case: &str) -> ScriptedReply {
    let text = std::fs::read_to_string(fixture(case).join("inputs.json")).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    ScriptedReply::openai_text(&format!("```json\n{value}\n```"), 400, 200)
}

fn version(case: &str, name: &str) -> String {
    std::fs::read_to_string(fixture(case).join(name))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("# differs on") && !line.starts_with("// differs on"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The model offers a version wrong on ties, one that changes the object,
/// then a correct one: only the last is offered, and each rejection says
/// what differs.
async fn wrong_mutating_then_correct(
    case: &str,
    file: &str,
    function: &str,
    language: &str,
    (wrong, mutating, fast): (&str, &str, &str),
) -> Value {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::project(case, file, &server, &["alpha", "beta", "gamma"]);
    let before = workspace.text();
    push_all(
        &server,
        vec![
            model_inputs(case),
            code_reply(language, &version(case, wrong)),
            code_reply(language, &version(case, mutating)),
            code_reply(language, &version(case, fast)),
        ],
    );
    let report = workspace.optimize(function, &[]).await;
    assert_eq!(
        outcome_kinds(&report),
        ["wrong_output", "wrong_output", "better"],
        "{report:#}"
    );
    assert_eq!(report["accepted"], true, "{report:#}");
    assert_same_file(&workspace.file, &before);
    report
}

#[tokio::test(flavor = "multi_thread")]
async fn python_method_judged_on_its_object() {
    let report = wrong_mutating_then_correct(
        "evidence/python/ledger",
        "ledger.py",
        "Ledger.top_accounts",
        "python",
        ("wrong_ties.py", "wrong_keeps_cache.py", "fast.py"),
    )
    .await;
    let ties = &report["iterations"][0]["outcome"];
    // Written as the user would call it: an object, then the method.
    assert!(
        ties["input"].as_str().unwrap().contains(".top_accounts("),
        "{ties}"
    );
    let cache = &report["iterations"][1]["outcome"];
    assert!(
        cache["actual"].as_str().unwrap().contains("self._balances"),
        "the field the version adds is named: {cache}"
    );
    assert!(
        report["code"]
            .as_str()
            .unwrap()
            .contains("balances = dict(self.opening)")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn java_instance_method_judged_on_its_object() {
    let report = wrong_mutating_then_correct(
        "evidence/java/cart",
        "src/main/java/com/acme/shop/Cart.java",
        "Cart.bestSellers",
        "java",
        ("wrong_ties.java", "wrong_merges_lines.java", "fast.java"),
    )
    .await;
    let merged = &report["iterations"][1]["outcome"];
    assert!(
        merged["actual"]
            .as_str()
            .unwrap()
            .contains("self.quantities")
            || merged["actual"].as_str().unwrap().contains("self.skus"),
        "the field the version changes is named: {merged}"
    );
    assert!(report["code"].as_str().unwrap().contains("units.merge"));
}
