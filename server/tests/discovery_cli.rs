//! `perforch tests`, and the errors a caller of the library can meet.

mod common;
mod discovery_support;

use std::path::PathBuf;
use std::process::Command;

use discovery_support::{Fixture, workspace};
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
