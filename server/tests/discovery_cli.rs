//! `perforch tests`, and the errors a caller of the library can meet.

mod common;
mod discovery_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use discovery_support::{Fixture, copy_of, workspace};
use perforch::discovery::{DiscoveryError, TestTarget, discover, run_suites};
use perforch::executor::Language;
use perforch::executor::sandbox::SandboxLimits;

#[test]
fn the_cli_lists_a_functions_tests_as_json() {
    let root = workspace("python");
    let output = Command::new(env!("CARGO_BIN_EXE_perforch"))
        .args([
            "tests",
            "inventory.py",
            "total_value",
            "--json",
            "--root",
            ".",
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listing: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let runners: Vec<&str> = listing["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["runner"].as_str().unwrap())
        .collect();
    assert_eq!(runners, ["doctest", "pytest", "unittest"]);
    assert_eq!(
        listing["suites"][0]["tests"][0]["name"],
        "inventory.py::inventory.total_value"
    );
}

/// `perforch tests ARGS` in `dir`, with no `--root`: (succeeded, stdout as
/// JSON, stderr).
fn perforch_tests(dir: &Path, args: &[&str]) -> (bool, serde_json::Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_perforch"))
        .arg("tests")
        .args(args)
        .arg("--json")
        .current_dir(dir)
        .env("PERFORCH_CACHE_DIR", common::cache_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    (output.status.success(), json, stderr)
}

/// (name, outcome) of every test of a run report.
fn outcomes(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut outcomes: Vec<(String, String)> = report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|suite| suite["tests"].as_array().unwrap())
        .map(|test| {
            (
                test["name"].as_str().unwrap().to_string(),
                test["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    outcomes.sort();
    outcomes
}

fn runners(listing: &serde_json::Value) -> Vec<&str> {
    listing["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["runner"].as_str().unwrap())
        .collect()
}

/// A lone .rs file with `#[cfg(test)]` tests and no Cargo.toml: its tests
/// run (rustc --test), pass as it is, and a broken version fails them by name.
#[test]
fn a_lone_rust_files_own_tests_run_and_catch_a_broken_version() {
    let dir = copy_of("rust_lone");
    let (ok, report, stderr) = perforch_tests(dir.path(), &["pairs.rs", "count_pairs", "--run"]);
    assert!(ok, "{stderr}\n{report:#}");
    assert_eq!(report["suites"][0]["runner"], "rustc_test", "{report:#}");
    assert_eq!(
        outcomes(&report),
        [
            ("tests::counts_each_pair_once".into(), "passed".into()),
            ("tests::counts_for_several_targets".into(), "passed".into()),
            (
                "tests::repeated_values_pair_with_each_other".into(),
                "passed".into()
            ),
        ]
    );

    // A faster version that forgets repeated values.
    let file = dir.path().join("pairs.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = text.find("pub fn count_pairs").unwrap();
    let end = start + text[start..].find("\n}\n").unwrap() + 3;
    let wrong = "pub fn count_pairs(values: &[i64], target: i64) -> u64 {\n    let mut seen = std::collections::HashSet::new();\n    let mut count = 0;\n    for &value in values {\n        if seen.contains(&(target - value)) {\n            count += 1;\n        }\n        seen.insert(value);\n    }\n    count\n}\n";
    std::fs::write(&file, format!("{}{wrong}{}", &text[..start], &text[end..])).unwrap();
    let (ok, report, _) = perforch_tests(dir.path(), &["pairs.rs", "count_pairs", "--run"]);
    assert!(!ok, "a failing test must fail the command: {report:#}");
    let failed: Vec<String> = outcomes(&report)
        .into_iter()
        .filter(|(_, outcome)| outcome == "failed")
        .map(|(name, _)| name)
        .collect();
    assert_eq!(failed, ["tests::repeated_values_pair_with_each_other"]);
}

/// A lone .py file: its doctest and the pytest and unittest tests beside it
/// are found without --root, and run.
#[test]
fn a_lone_python_files_doctests_and_tests_run() {
    let dir = copy_of("python");
    let (ok, report, stderr) =
        perforch_tests(dir.path(), &["inventory.py", "total_value", "--run"]);
    assert!(ok, "{stderr}\n{report:#}");
    assert_eq!(runners(&report), ["doctest", "pytest", "unittest"]);
    let names: Vec<String> = outcomes(&report)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(
        names.contains(&"inventory.py::inventory.total_value".to_string()),
        "{names:?}"
    );
    assert!(
        outcomes(&report)
            .iter()
            .all(|(_, outcome)| outcome == "passed"),
        "{report:#}"
    );
}

/// Without --root, the project's own layout names the workspace: a cargo
/// package's folder, and for Java, the folder holding `src/main/java`
/// whose packages match their folders, even with no pom.xml.
#[test]
fn the_workspace_is_the_projects_own_folder_without_root() {
    let rust = copy_of("rust");
    let (ok, listing, stderr) =
        perforch_tests(&rust.path().join("src"), &["value.rs", "total_value"]);
    assert!(ok, "{stderr}");
    let names: Vec<&str> = listing["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["cargo test (lib)", "cargo test (tests/stock.rs)"],
        "{listing:#}"
    );

    let java = copy_of("java");
    assert!(!java.path().join("pom.xml").exists());
    let file = java
        .path()
        .join("src/main/java/com/acme/stock/Inventory.java");
    let elsewhere = tempfile::tempdir().unwrap();
    let (ok, listing, stderr) = perforch_tests(
        elsewhere.path(),
        &[
            file.to_str().unwrap(),
            "totalValue",
            "--container",
            "Inventory",
        ],
    );
    assert!(ok, "{stderr}");
    assert_eq!(runners(&listing), ["junit"], "{listing:#}");
    assert_eq!(
        listing["suites"][0]["tests"][0]["name"], "com.acme.stock.InventoryTest#totalsTwoItems",
        "{listing:#}"
    );
    assert_eq!(
        listing["suites"][0]["files"][0], "src/test/java/com/acme/stock/InventoryTest.java",
        "{listing:#}"
    );
}

#[test]
fn a_file_outside_the_workspace_is_refused() {
    let python = workspace("python");
    let go = workspace("go");
    let file = go.join("stock/stock.go");
    let target = TestTarget {
        workspace_root: &python,
        file: &file,
        language: Language::Go,
        function: "TotalValue",
        container: None,
    };
    let error = discover(&target).unwrap_err();
    assert!(
        matches!(error, DiscoveryError::OutsideWorkspace { .. }),
        "{error}"
    );
}

#[test]
fn a_replacement_may_not_escape_the_copy() {
    let fixture = Fixture::new("python", "inventory.py", Language::Python, "total_value");
    let tests = fixture.discover();
    let config = common::prepared_config();
    for path in ["../outside.py", "/tmp/outside.py"] {
        let error = run_suites(
            &config,
            &fixture.target(),
            &tests,
            &[(PathBuf::from(path), "x = 1\n".to_string())],
            SandboxLimits::for_run(),
        )
        .unwrap_err();
        assert!(
            matches!(error, DiscoveryError::BadReplacementPath { .. }),
            "{error}"
        );
    }
    assert!(!workspace("python").join("../outside.py").exists());
}

#[test]
fn no_tests_is_no_evidence() {
    let fixture = Fixture::new(
        "python",
        "inventory.py",
        Language::Python,
        "no_such_function",
    );
    let tests = fixture.discover();
    assert!(tests.is_empty(), "{}", tests.summary());
    let report = fixture.run(&tests, &[], SandboxLimits::for_run());
    assert!(!report.all_passed());
}
