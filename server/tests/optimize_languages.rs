//! `perforch optimize` end to end in Java, C++, Go and Rust (Python has its
//! own file): a subtly wrong rewrite that passes the doc example is caught
//! by the generated inputs, and a real O(n) rewrite is accepted with figures;
//! a lone Rust file's own tests reject a rewrite every input accepts.

#[path = "pipeline_support/mod.rs"]
mod support;

use perforch::models::fake_server::FakeModelServer;
use support::*;

struct Case {
    fixture: &'static str,
    fence: &'static str,
    function: &'static str,
    inputs: &'static [&'static [&'static str]],
    stress: &'static [&'static [&'static str]],
    wrong: &'static str,
    fast: &'static str,
    /// A piece of the fast version that must end up in the report's code.
    fast_marker: &'static str,
}

async fn accepts_fast_and_rejects_wrong(case: Case) {
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::new(case.fixture, &server, &["alpha", "beta"], "");
    let before = workspace.text();
    push_all(
        &server,
        vec![
            inputs_reply(case.inputs, case.stress),
            code_reply(case.fence, case.wrong),
            code_reply(case.fence, case.fast),
        ],
    );
    let report = workspace.optimize(case.function, &[]).await;
    assert_eq!(
        outcome_kinds(&report),
        ["wrong_output", "better"],
        "{report:#}"
    );
    assert_eq!(report["accepted"], true, "{report:#}");
    let speedup = report["speedup"].as_f64().unwrap();
    assert!(
        speedup > 1.5,
        "an O(n) rewrite of an O(n^2) loop: {speedup}"
    );
    assert!(report["code"].as_str().unwrap().contains(case.fast_marker));
    let figures = &report["figures"];
    assert!(
        figures["original"]["cpu_ms"].as_f64().unwrap()
            > figures["candidate"]["cpu_ms"].as_f64().unwrap()
    );
    assert!(figures["original"]["peak_rss_kb"].as_u64().unwrap() > 0);
    assert_same_file(&workspace.file, &before);
}

#[tokio::test(flavor = "multi_thread")]
async fn java() {
    accepts_fast_and_rejects_wrong(Case {
        fixture: "optimize/java/Pairs.java",
        fence: "java",
        function: "countPairs",
        inputs: &[&["new int[]{1, 1, 4, 4}", "5"], &["new int[]{}", "3"], &["new int[]{2, 2, 2, 2}", "4"]],
        stress: &[&["java.util.stream.IntStream.range(0, 20000).toArray()", "19999"]],
        wrong: "public static long countPairs(int[] values, int target) {\n    java.util.Set<Integer> seen = new java.util.HashSet<>();\n    long count = 0;\n    for (int value : values) {\n        if (seen.contains(target - value)) count++;\n        seen.add(value);\n    }\n    return count;\n}",
        fast: "import java.util.HashMap;\n\npublic static long countPairs(int[] values, int target) {\n    HashMap<Integer, Integer> seen = new HashMap<>();\n    long count = 0;\n    for (int value : values) {\n        count += seen.getOrDefault(target - value, 0);\n        seen.merge(value, 1, Integer::sum);\n    }\n    return count;\n}",
        fast_marker: "seen.merge",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cpp() {
    accepts_fast_and_rejects_wrong(Case {
        fixture: "optimize/cpp/pairs.cpp",
        fence: "cpp",
        function: "count_pairs",
        inputs: &[&["{1, 1, 4, 4}", "5"], &["{}", "3"], &["{2, 2, 2, 2}", "4"]],
        stress: &[&["[] { std::vector<int> v(30000); for (int i = 0; i < 30000; ++i) v[i] = i; return v; }()", "29999"]],
        wrong: "#include <unordered_set>\nlong long count_pairs(const std::vector<int>& values, int target) {\n    std::unordered_set<int> seen;\n    long long count = 0;\n    for (int value : values) {\n        if (seen.count(target - value)) ++count;\n        seen.insert(value);\n    }\n    return count;\n}",
        fast: "#include <unordered_map>\nlong long count_pairs(const std::vector<int>& values, int target) {\n    std::unordered_map<int, long long> seen;\n    seen.reserve(values.size() * 2);\n    long long count = 0;\n    for (int value : values) {\n        auto it = seen.find(target - value);\n        if (it != seen.end()) count += it->second;\n        ++seen[value];\n    }\n    return count;\n}",
        fast_marker: "unordered_map",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn go() {
    accepts_fast_and_rejects_wrong(Case {
        fixture: "optimize/go/pairs.go",
        fence: "go",
        function: "CountPairs",
        inputs: &[&["[]int{1, 1, 4, 4}", "5"], &["[]int{}", "3"], &["[]int{2, 2, 2, 2}", "4"]],
        stress: &[&["func() []int { v := make([]int, 20000); for i := range v { v[i] = i }; return v }()", "19999"]],
        wrong: "func CountPairs(values []int, target int) int {\n\tseen := map[int]bool{}\n\tcount := 0\n\tfor _, v := range values {\n\t\tif seen[target-v] {\n\t\t\tcount++\n\t\t}\n\t\tseen[v] = true\n\t}\n\treturn count\n}",
        fast: "func CountPairs(values []int, target int) int {\n\tseen := make(map[int]int, len(values))\n\tcount := 0\n\tfor _, v := range values {\n\t\tcount += seen[target-v]\n\t\tseen[v]++\n\t}\n\treturn count\n}",
        fast_marker: "seen[v]++",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rust() {
    accepts_fast_and_rejects_wrong(Case {
        fixture: "optimize/rust/pairs.rs",
        fence: "rust",
        function: "count_pairs",
        inputs: &[&["&[1, 1, 4, 4]", "5"], &["&[]", "3"], &["&[2, 2, 2, 2]", "4"]],
        stress: &[&["&(0..20000).collect::<Vec<i64>>()", "19999"]],
        wrong: "use std::collections::HashSet;\n\npub fn count_pairs(values: &[i64], target: i64) -> u64 {\n    let mut seen = HashSet::new();\n    let mut count = 0;\n    for &v in values {\n        if seen.contains(&(target - v)) {\n            count += 1;\n        }\n        seen.insert(v);\n    }\n    count\n}",
        fast: "use std::collections::HashMap;\n\npub fn count_pairs(values: &[i64], target: i64) -> u64 {\n    let mut seen: HashMap<i64, u64> = HashMap::with_capacity(values.len());\n    let mut count = 0;\n    for &v in values {\n        count += seen.get(&(target - v)).copied().unwrap_or(0);\n        *seen.entry(v).or_insert(0) += 1;\n    }\n    count\n}",
        fast_marker: "or_insert",
    })
    .await;
}

/// A lone Rust file (no cargo package) with `#[cfg(test)]` tests: a faster
/// rewrite that forgets repeated values agrees with the original on every
/// input (the doc example, the model's, the generated edge cases and large
/// ones) but fails the file's own test, so it is not accepted.
#[tokio::test(flavor = "multi_thread")]
async fn rust_lone_files_own_tests_reject_a_rewrite_the_inputs_miss() {
    let server = FakeModelServer::start().await.unwrap();
    // Without small-scope inputs, which would catch it first, so that the
    // file's own tests are what rejects it.
    let workspace = Workspace::new(
        "workspaces/rust_lone/pairs.rs",
        &server,
        &["alpha"],
        "[pipeline]\nsmall_scope_inputs = 0\n",
    );
    let before = workspace.text();
    push_all(
        &server,
        vec![
            inputs_reply(
                &[&["&[1, 2, 3, 4]", "5"], &["&[5, 1, 9, 0, 7]", "10"]],
                &[&["&(0..20000).collect::<Vec<i64>>()", "19999"]],
            ),
            code_reply(
                "rust",
                "use std::collections::HashSet;\n\npub fn count_pairs(values: &[i64], target: i64) -> u64 {\n    let mut seen = HashSet::new();\n    let mut count = 0;\n    for &v in values {\n        if seen.contains(&(target - v)) {\n            count += 1;\n        }\n        seen.insert(v);\n    }\n    count\n}",
            ),
        ],
    );
    let report = workspace.optimize("count_pairs", &[]).await;
    // The test's own call, `count_pairs(&[2, 2, 2], 4)`, is now also an
    // input of the job, so the rewrite fails there first; either way it is
    // the file's own tests that catch what the model's inputs miss.
    let outcome = &report["iterations"][0]["outcome"];
    match outcome["kind"].as_str() {
        Some("failing_test") => assert!(
            outcome["test"]
                .as_str()
                .is_some_and(|test| test.contains("tests::repeated_values_pair_with_each_other")),
            "{report:#}"
        ),
        Some("wrong_output") => {
            assert_eq!(outcome["input"], "count_pairs(&[2, 2, 2], 4)", "{report:#}")
        }
        _ => panic!("{report:#}"),
    }
    assert_eq!(
        report["evidence"]["test_calls"].as_u64().unwrap() >= 1,
        true,
        "{report:#}"
    );
    assert_eq!(report["accepted"], false, "{report:#}");
    assert_same_file(&workspace.file, &before);
}
