//! `perforch compare` and `perforch bench` on the real binary.

#[path = "pipeline_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{cache_dir, fixture};

use serde_json::Value;

struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new() -> Scratch {
        Scratch(tempfile::tempdir().unwrap())
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Run perforch with `args`; the fixture's folder is the workspace.
    fn perforch(&self, fixture_dir: &str, args: &[&str]) -> (bool, String, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_perforch"))
            .args(args)
            .args(["--workspace"])
            .arg(fixture(fixture_dir))
            .env("PERFORCH_CACHE_DIR", cache_dir())
            .env("XDG_CONFIG_HOME", self.0.path())
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    fn compare_json(
        &self,
        fixture_dir: &str,
        file: &str,
        function: &str,
        candidate: &str,
        inputs: &str,
    ) -> Value {
        let candidate = self.write("candidate", candidate);
        let inputs = self.write("inputs.json", inputs);
        let file = fixture(file);
        let (ok, stdout, stderr) = self.perforch(
            fixture_dir,
            &[
                "compare",
                file.to_str().unwrap(),
                "--function",
                function,
                "--candidate",
                candidate.to_str().unwrap(),
                "--inputs",
                inputs.to_str().unwrap(),
                "--json",
            ],
        );
        report_of(ok, &stdout, &stderr)
    }
}

/// The JSON report of a `compare` run, whose exit code must say what the
/// verdict says: success for a correct version, failure for an incorrect
/// one or too little evidence.
fn report_of(ok: bool, stdout: &str, stderr: &str) -> Value {
    let report: Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    let correct = !matches!(report["verdict"].as_str(), Some("incorrect" | "error"));
    assert_eq!(ok, correct, "exit code against {report:#}\n{stderr}");
    report
}

const PY_INPUTS: &str = r#"{"inputs": [["[1, 1, 4, 4]", "5"], ["[]", "2"]], "stress": [["list(range(2000))", "1999"]]}"#;

#[test]
fn compare_reports_a_faster_correct_python_candidate_with_figures() {
    let scratch = Scratch::new();
    let report = scratch.compare_json(
        "optimize/python",
        "optimize/python/pairs.py",
        "count_pairs",
        "def count_pairs(values, target):\n    seen = {}\n    count = 0\n    for value in values:\n        count += seen.get(target - value, 0)\n        seen[value] = seen.get(value, 0) + 1\n    return count\n",
        PY_INPUTS,
    );
    assert_eq!(report["correct"], true, "{report:#}");
    assert_eq!(report["verdict"], "faster", "{report:#}");
    assert!(report["ratio"].as_f64().unwrap() < 0.5);
    assert!(report["ci_high"].as_f64().unwrap() < 1.0);
    for side in ["original", "candidate"] {
        for field in ["cpu_ms", "wall_ms", "peak_rss_kb"] {
            assert!(
                report[side][field].as_f64().unwrap() > 0.0,
                "{side}.{field}: {report:#}"
            );
        }
    }
    // The doc example, the two inputs and the stress input.
    assert_eq!(report["inputs"], 4);
    assert_eq!(report["workspace_tests"], 1, "the docstring's doctest");
    // A faster candidate: how strong the evidence is, as a job would
    // measure it before offering it.
    let mutation = &report["mutation"];
    let (killed, total) = (
        mutation["killed"].as_u64().unwrap(),
        mutation["total"].as_u64().unwrap(),
    );
    assert!(total >= 10 && killed * 10 >= total * 8, "{mutation:#}");
}

#[test]
fn compare_rejects_wrong_and_unparsable_candidates() {
    let scratch = Scratch::new();
    let wrong = scratch.compare_json(
        "optimize/python",
        "optimize/python/pairs.py",
        "count_pairs",
        "def count_pairs(values, target):\n    seen = set()\n    count = 0\n    for value in values:\n        if target - value in seen:\n            count += 1\n        seen.add(value)\n    return count\n",
        PY_INPUTS,
    );
    assert_eq!(wrong["correct"], false);
    assert_eq!(wrong["verdict"], "incorrect");
    assert_eq!(wrong["outcome"]["kind"], "wrong_output", "{wrong:#}");
    // Repeated values tell it apart; the small-scope inputs find a
    // smaller such call than the given `[1, 1, 4, 4], 5`.
    let input = wrong["outcome"]["input"].as_str().unwrap();
    assert!(input.starts_with("count_pairs(["), "{wrong:#}");
    assert!(
        input.len() <= "count_pairs([1, 1, 4, 4], 5)".len(),
        "{wrong:#}"
    );
    let garbage = scratch.compare_json(
        "optimize/python",
        "optimize/python/pairs.py",
        "count_pairs",
        "this is not python at all {{{",
        PY_INPUTS,
    );
    assert_eq!(garbage["verdict"], "incorrect");
    assert_eq!(garbage["outcome"]["kind"], "no_code", "{garbage:#}");
}

#[test]
fn compare_in_rust_sees_a_slower_candidate() {
    let scratch = Scratch::new();
    // Correct, but visits every pair twice: about twice the original's work.
    let report = scratch.compare_json(
        "optimize/rust",
        "optimize/rust/pairs.rs",
        "count_pairs",
        "pub fn count_pairs(values: &[i64], target: i64) -> u64 {\n    let mut count = 0;\n    for i in 0..values.len() {\n        for j in 0..values.len() {\n            if i < j && values[i] + values[j] == target {\n                count += 1;\n            }\n        }\n    }\n    count\n}\n",
        r#"{"inputs": [["&[1, 1, 4, 4]", "5"]], "stress": [["&(0..6000).collect::<Vec<i64>>()", "5999"]]}"#,
    );
    assert_eq!(report["correct"], true, "{report:#}");
    assert_eq!(report["verdict"], "slower", "{report:#}");
    assert!(report["ci_low"].as_f64().unwrap() > 1.0);
}

#[test]
fn bench_prints_per_input_and_total_figures() {
    let scratch = Scratch::new();
    let inputs = scratch.write("inputs.json", PY_INPUTS);
    let file = fixture("optimize/python/pairs.py");
    let (ok, stdout, stderr) = scratch.perforch(
        "optimize/python",
        &[
            "bench",
            file.to_str().unwrap(),
            "--function",
            "count_pairs",
            "--inputs",
            inputs.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("count_pairs(list(range(2000)), 1999)"),
        "{stdout}"
    );
    assert!(stdout.contains("total:"), "{stdout}");
    assert!(
        stdout.contains("noise: the function against itself measures"),
        "{stdout}"
    );
    assert!(stdout.contains("test passed"), "{stdout}");
}

#[test]
fn unknown_function_is_a_clear_error() {
    let scratch = Scratch::new();
    let file = fixture("optimize/python/pairs.py");
    let (ok, _, stderr) = scratch.perforch(
        "optimize/python",
        &["bench", file.to_str().unwrap(), "--function", "nope"],
    );
    assert!(!ok);
    assert!(stderr.contains("no function named `nope`"), "{stderr}");
}

/// A faster `count_pairs` that forgets repeated values: right on every
/// input below, wrong on the file's own `repeated_values_pair_with_each_other`.
const FORGETS_REPEATS: &str = "pub fn count_pairs(values: &[i64], target: i64) -> u64 {\n    let mut seen = std::collections::HashSet::new();\n    let mut count = 0;\n    for &value in values {\n        if seen.contains(&(target - value)) {\n            count += 1;\n        }\n        seen.insert(value);\n    }\n    count\n}\n";

/// A lone Rust file (no cargo package) is judged with its own #[test]s,
/// with no --workspace: a candidate that every input accepts but one of
/// those tests rejects is incorrect, and the report names the test.
#[test]
fn compare_judges_a_lone_rust_file_with_its_own_tests() {
    let scratch = Scratch::new();
    let candidate = scratch.write("candidate.rs", FORGETS_REPEATS);
    let inputs = scratch.write(
        "inputs.json",
        r#"{"inputs": [["&[1, 2, 3, 4]", "5"], ["&[]", "3"], ["&[5, 1, 9, 0, 7]", "10"]], "stress": [["&(0..3000).collect::<Vec<i64>>()", "2999"]]}"#,
    );
    let compare = |file: &Path| -> Value {
        let output = Command::new(env!("CARGO_BIN_EXE_perforch"))
            .arg("compare")
            .arg(file)
            .args(["--function", "count_pairs", "--candidate"])
            .arg(&candidate)
            .arg("--inputs")
            .arg(&inputs)
            .arg("--json")
            .env("PERFORCH_CACHE_DIR", cache_dir())
            .env("XDG_CONFIG_HOME", scratch.0.path())
            .output()
            .unwrap();
        report_of(
            output.status.success(),
            &String::from_utf8_lossy(&output.stdout),
            &String::from_utf8_lossy(&output.stderr),
        )
    };
    let source = std::fs::read_to_string(fixture("workspaces/rust_lone/pairs.rs")).unwrap();
    let workspace = tempfile::tempdir().unwrap();
    let file = workspace.path().join("pairs.rs");
    std::fs::write(&file, &source).unwrap();

    let report = compare(&file);
    assert_eq!(report["verdict"], "incorrect", "{report:#}");
    assert_eq!(report["correct"], false);
    assert_eq!(report["workspace_tests"], 3, "{report:#}");
    // The tests' own call `count_pairs(&[2, 2, 2], 4)` is an input too, so
    // the rewrite may fail there before the tests run; either way the
    // file's tests are what tell it apart.
    match report["outcome"]["kind"].as_str() {
        Some("failing_test") => assert!(
            report["outcome"]["test"]
                .as_str()
                .unwrap()
                .contains("tests::repeated_values_pair_with_each_other"),
            "{report:#}"
        ),
        Some("wrong_output") => assert_eq!(
            report["test_calls"].as_u64().unwrap() >= 1,
            true,
            "{report:#}"
        ),
        _ => panic!("{report:#}"),
    }

    // The same file without its tests: the small-scope inputs (repeated
    // values) now catch the rewrite on their own.
    let untested = workspace.path().join("untested");
    std::fs::create_dir(&untested).unwrap();
    let cut = source.find("#[cfg(test)]").unwrap();
    std::fs::write(untested.join("pairs.rs"), &source[..cut]).unwrap();
    let report = compare(&untested.join("pairs.rs"));
    assert_eq!(report["workspace_tests"], 0, "{report:#}");
    assert_eq!(report["correct"], false, "{report:#}");
    assert_eq!(report["outcome"]["kind"], "wrong_output", "{report:#}");
}

/// A lone Rust file whose tests use a crate: rustc alone cannot build
/// them, and the report says so instead of judging as if there were none.
#[test]
fn compare_says_when_a_lone_files_tests_cannot_run() {
    let scratch = Scratch::new();
    let workspace = tempfile::tempdir().unwrap();
    let file = workspace.path().join("pairs.rs");
    let source = std::fs::read_to_string(fixture("workspaces/rust_lone/pairs.rs")).unwrap();
    let with_crate = source.replace(
        "    #[test]\n    fn counts_each_pair_once() {",
        "    #[test]\n    fn counts_each_pair_once() {\n        let _shuffled: u8 = rand::random();",
    );
    assert_ne!(with_crate, source);
    std::fs::write(&file, with_crate).unwrap();
    let candidate = scratch.write("candidate.rs", FORGETS_REPEATS);
    let output = Command::new(env!("CARGO_BIN_EXE_perforch"))
        .arg("compare")
        .arg(&file)
        .args(["--function", "count_pairs", "--candidate"])
        .arg(&candidate)
        .env("PERFORCH_CACHE_DIR", cache_dir())
        .env("XDG_CONFIG_HOME", scratch.0.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // A verdict (the rewrite is wrong on repeated values: exit 1), not a failure to run.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("note: workspace tests were not used:")
            && stdout.contains("`rand`")
            && stdout.contains("cargo package"),
        "{stdout}"
    );
}

/// A realistic function of `fixtures/evidence`, its own tests passing on
/// every version: `perforch compare` without `--inputs` must reject the
/// subtly wrong version with a small counterexample and take the correct
/// faster one, in each language.
fn evidence_case(case: &str, file: &str, function: &str, version: &str) -> Value {
    compare_case(&format!("evidence/{case}"), file, function, version)
}

/// `perforch compare` without `--inputs` on `fixtures/DIR/FILE` and the
/// version `fixtures/DIR/VERSION`, the folder as workspace.
fn compare_case(dir: &str, file: &str, function: &str, version: &str) -> Value {
    let scratch = Scratch::new();
    let file = fixture(&format!("{dir}/{file}"));
    let candidate = fixture(&format!("{dir}/{version}"));
    let (ok, stdout, stderr) = scratch.perforch(
        &dir,
        &[
            "compare",
            file.to_str().unwrap(),
            "--function",
            function,
            "--candidate",
            candidate.to_str().unwrap(),
            "--json",
        ],
    );
    report_of(ok, &stdout, &stderr)
}

fn assert_rejected_on(report: &Value, call_prefix: &str) {
    assert_eq!(report["verdict"], "incorrect", "{report:#}");
    let outcome = &report["outcome"];
    assert_eq!(outcome["kind"], "wrong_output", "{report:#}");
    let input = outcome["input"].as_str().unwrap();
    assert!(input.starts_with(call_prefix), "{report:#}");
    // Shrunk: a call a person can read at a glance.
    assert!(input.len() < 120, "not shrunk: {input}");
}

#[test]
fn subtly_wrong_versions_are_rejected_with_a_small_counterexample_in_each_language() {
    let cases = [
        (
            "python/dedupe",
            "tags.py",
            "dedupe",
            "wrong_duplicates.py",
            "dedupe([",
        ),
        (
            "go/merge_intervals",
            "intervals.go",
            "MergeIntervals",
            "wrong_ties.go",
            "MergeIntervals(",
        ),
        (
            "java/percentile",
            "src/main/java/com/acme/metrics/Stats.java",
            "Stats.percentile",
            "wrong_error_not_raised.java",
            "percentile(",
        ),
        (
            "cpp/moving_average",
            "rolling.cpp",
            "moving_average",
            "wrong_overflow.cpp",
            "moving_average(",
        ),
        (
            "rust/count_pairs",
            "pairs.rs",
            "count_pairs",
            "wrong_triplicates.rs",
            "count_pairs(",
        ),
    ];
    for (case, file, function, wrong, call) in cases {
        let report = evidence_case(case, file, function, wrong);
        assert!(
            report["small_scope"].as_u64().unwrap() >= 100,
            "{case}: {report:#}"
        );
        assert_rejected_on(&report, call);
    }
}

#[test]
fn correct_faster_versions_of_the_evidence_cases_are_accepted() {
    let report = evidence_case("python/dedupe", "tags.py", "dedupe", "fast.py");
    assert_eq!(report["verdict"], "faster", "{report:#}");
    assert!(report["test_calls"].as_u64().unwrap() >= 1, "{report:#}");
    let report = evidence_case(
        "go/merge_intervals",
        "intervals.go",
        "MergeIntervals",
        "fast.go",
    );
    assert_eq!(report["verdict"], "faster", "{report:#}");
}

/// Functions whose tests call them on a handful of values only: the
/// original spends microseconds on each call, so fixed costs would decide
/// the verdict. The tests' own calls, grown along their shapes until the
/// original takes milliseconds, show the real speedup.
#[test]
fn small_test_calls_are_grown_until_the_speedup_shows() {
    for (case, file, function, fast) in [
        (
            "cpp/moving_average",
            "rolling.cpp",
            "moving_average",
            "fast.cpp",
        ),
        (
            "java/percentile",
            "src/main/java/com/acme/metrics/Stats.java",
            "Stats.percentile",
            "fast.java",
        ),
    ] {
        let report = evidence_case(case, file, function, fast);
        assert!(
            report["grown_inputs"].as_u64().unwrap() >= 1,
            "{case}: {report:#}"
        );
        assert_eq!(report["verdict"], "faster", "{case}: {report:#}");
    }
}

/// Calls the tests build (parametrised cases, a table, a list made in a
/// loop) are recorded while the tests run, and judge and time the function;
/// the user's folder never sees the recording.
#[test]
fn calls_the_tests_make_are_captured_as_inputs() {
    let dir = "capture/python/names";
    let before = std::fs::read_dir(fixture(dir)).unwrap().count();
    let report = compare_case(dir, "roster.py", "unique_in_order", "fast.py");
    // Four parametrised sheets and a season of 4,000 sign-ups; no call in
    // the test files has literal arguments.
    assert!(report["test_calls"].as_u64().unwrap() >= 5, "{report:#}");
    assert_eq!(report["verdict"], "faster", "{report:#}");
    assert_eq!(std::fs::read_dir(fixture(dir)).unwrap().count(), before);

    let report = evidence_case("go/top_words", "words.go", "TopWords", "fast.go");
    // The rows of a table-driven test.
    assert!(report["test_calls"].as_u64().unwrap() >= 6, "{report:#}");
    assert_eq!(report["verdict"], "faster", "{report:#}");
    let report = evidence_case("go/top_words", "words.go", "TopWords", "wrong_ties.go");
    assert_eq!(report["verdict"], "incorrect", "{report:#}");
}

/// A Go method is called on boards its tests build (`b := NewBoard()`,
/// then `b.Record(..)`), on small boards from the setup methods they use,
/// and timed on a large board: the faster version is taken, and a version
/// that orders ties by name or stops panicking is caught on a small board.
#[test]
fn go_methods_are_judged_on_their_objects() {
    let case =
        |version: &str| evidence_case("go/leaderboard", "board.go", "Board.Leaders", version);
    let report = case("fast.go");
    assert_eq!(report["verdict"], "faster", "{report:#}");
    assert!(report["test_calls"].as_u64().unwrap() >= 2, "{report:#}");
    for wrong in ["wrong_ties.go", "wrong_negative.go"] {
        let report = case(wrong);
        assert_eq!(report["verdict"], "incorrect", "{wrong}: {report:#}");
        let input = report["outcome"]["input"].as_str().unwrap_or_default();
        assert!(input.contains(".Leaders("), "{wrong}: {report:#}");
    }
}

/// A function of numbers only cannot be grown: its verdict comes with the
/// caveat that it rests on microsecond calls.
#[test]
fn a_verdict_on_microsecond_calls_says_so() {
    let scratch = Scratch::new();
    let file = scratch.write(
        "digits.py",
        "def digit_sum(n: int) -> int:\n    \"\"\"\n    >>> digit_sum(1234)\n    10\n    \"\"\"\n    return sum(int(c) for c in str(abs(n)))\n",
    );
    let candidate = scratch.write(
        "fast.py",
        "def digit_sum(n: int) -> int:\n    n = abs(n)\n    total = 0\n    while n:\n        n, digit = divmod(n, 10)\n        total += digit\n    return total\n",
    );
    let output = Command::new(env!("CARGO_BIN_EXE_perforch"))
        .arg("compare")
        .arg(&file)
        .args(["--function", "digit_sum", "--candidate"])
        .arg(&candidate)
        .arg("--json")
        .env("PERFORCH_CACHE_DIR", cache_dir())
        .env("XDG_CONFIG_HOME", scratch.0.path())
        .output()
        .unwrap();
    let report = report_of(
        output.status.success(),
        &String::from_utf8_lossy(&output.stdout),
        &String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(report["grown_inputs"], 0, "{report:#}");
    assert!(
        report["notes"].as_array().unwrap().iter().any(|note| note
            .as_str()
            .unwrap()
            .starts_with("timed on small inputs only")),
        "{report:#}"
    );
}
