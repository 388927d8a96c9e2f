//! `perforch compare` and `perforch bench` on the real binary.

#[path = "pipeline_support/mod.rs"]
mod support;

use std::path::PathBuf;
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
        assert!(ok, "{stderr}");
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }
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
    assert_eq!(wrong["outcome"]["input"], "count_pairs([1, 1, 4, 4], 5)");
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
