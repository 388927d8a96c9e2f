//! Suites named in perforch.toml: chosen by language, file and function,
//! run in the sandbox, with per-test results when they write a JUnit report.

mod common;
mod discovery_support;

use discovery_support::{Fixture, assert_all_pass, failed_names, limits};
use perforch::config::Config;
use perforch::discovery::{RunnerKind, TestOutcome};
use perforch::executor::{Language, RunStatus};

fn fixture() -> Fixture {
    Fixture::new("configured", "prices.py", Language::Python, "net_price")
}

#[test]
fn picks_the_suites_that_name_the_function_or_its_file() {
    let tests = fixture().discover();
    let names: Vec<&str> = tests.suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["price script", "price cases"],
        "{}",
        tests.summary()
    );
    assert!(
        tests
            .suites
            .iter()
            .all(|s| s.runner == RunnerKind::Configured)
    );

    let gross = Fixture::new("configured", "prices.py", Language::Python, "gross_price");
    let names: Vec<String> = gross
        .discover()
        .suites
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["price cases", "gross only"]);
}

#[test]
fn original_passes_broken_fails_loop_times_out() {
    let fixture = fixture();
    let tests = fixture.discover();

    let report = fixture.run(&tests, &[], limits(60));
    assert_all_pass(&report, true);
    let cases = &report.suites[1].tests;
    assert_eq!(cases.len(), 3, "{cases:?}");
    let (_, costliest) = report.costliest().unwrap();
    assert_eq!(costliest.name, "checks.price_cases.test_many_prices");

    // Rounds up instead of down: the standard rate case breaks.
    let broken = fixture.edited(
        "gross_cents * 100 // (100 + tax_percent)",
        "-(-gross_cents * 100 // (100 + tax_percent)) + (1 if tax_percent == 19 else 0)",
    );
    let report = fixture.run(&tests, &[broken], limits(60));
    assert!(!report.all_passed());
    assert_eq!(
        failed_names(&report),
        ["checks.price_cases.test_standard_rate", "price script"],
        "{}",
        report.summary()
    );
    let script = &report.suites[0].tests[0];
    assert_eq!(script.outcome, TestOutcome::Failed);
    assert!(script.message.as_deref().unwrap().contains("expected 100"));

    let looping = fixture.edited(
        "    return gross_cents",
        "    while True:\n        pass\n    return gross_cents",
    );
    let report = fixture.run(&tests, &[looping], limits(4));
    assert!(
        report
            .suites
            .iter()
            .all(|s| s.status == Some(RunStatus::Timeout))
    );
    assert!(!report.all_passed());
}

#[test]
fn the_tests_table_is_checked_when_the_configuration_loads() {
    let duplicate = r#"
[[tests.suites]]
name = "a"
language = "python"
command = ["true"]

[[tests.suites]]
name = "a"
language = "python"
command = ["true"]
"#;
    let error = Config::from_toml_str(duplicate, "perforch.toml")
        .unwrap_err()
        .to_string();
    assert!(error.contains("tests.suites[1].name"), "{error}");

    let unknown = "[[tests.suites]]\nname = \"a\"\nlanguage = \"python\"\ncommand = [\"true\"]\ntimeout = 3\n";
    let error = Config::from_toml_str(unknown, "perforch.toml")
        .unwrap_err()
        .to_string();
    assert!(error.contains("timeout"), "{error}");

    let escaping = "[[tests.suites]]\nname = \"a\"\nlanguage = \"go\"\ncommand = [\"go\"]\nworkdir = \"../elsewhere\"\n";
    let error = Config::from_toml_str(escaping, "perforch.toml")
        .unwrap_err()
        .to_string();
    assert!(error.contains("tests.suites[0].workdir"), "{error}");

    let empty = "[[tests.suites]]\nname = \"a\"\nlanguage = \"go\"\ncommand = []\n";
    let error = Config::from_toml_str(empty, "perforch.toml")
        .unwrap_err()
        .to_string();
    assert!(error.contains("command"), "{error}");
}
