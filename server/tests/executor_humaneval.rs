//! Assertion programs from HumanEval-X: canonical solutions pass, broken
//! ones fail, in every language.

mod common;

use perforch::executor::sandbox::SandboxLimits;
use perforch::executor::{AssertionParts, Language, compose, detect, run_assertions};

fn field<'a>(row: &'a serde_json::Value, name: &str) -> &'a str {
    row[name].as_str().unwrap_or("")
}

/// Build the program for one task, optionally with the solution mutated.
fn check_task(
    language: Language,
    file: &str,
    index: usize,
    mutate: Option<(&str, &str)>,
) -> perforch::executor::AssertionOutcome {
    let config = common::prepared_config();
    let rows = common::humaneval(file);
    let row = &rows[index];
    let mut solution = field(row, "canonical_solution").to_string();
    if let Some((from, to)) = mutate {
        assert!(solution.contains(from), "{file}/{index}: {solution}");
        solution = solution.replacen(from, to, 1);
    }
    let head = if language == Language::Rust {
        field(row, "declaration")
    } else {
        field(row, "prompt")
    };
    let candidate = format!("{head}{solution}");
    let prelude = if language == Language::Go {
        field(row, "test_setup")
    } else {
        ""
    };
    let program = compose(
        language,
        &AssertionParts {
            prelude,
            candidate: &candidate,
            test: field(row, "test"),
        },
    );
    let tmp = common::TestDir::new();
    let outcome = run_assertions(
        &config,
        &detect(language).unwrap(),
        &program,
        &tmp.run_dir("w"),
        SandboxLimits::for_run(),
    )
    .unwrap();
    if mutate.is_none() && !outcome.passed {
        eprintln!(
            "{file}/{index} failed:\n{}\n--- program ---\n{}",
            outcome.failure_summary().unwrap_or_default(),
            program.main_source()
        );
    }
    outcome
}

fn check_language(language: Language, file: &str, tasks: &[usize], add: (&str, &str)) {
    for &task in tasks {
        assert!(
            check_task(language, file, task, None).passed,
            "{file}/{task} canonical should pass"
        );
    }
    let broken = check_task(language, file, 53, Some(add));
    assert!(
        !broken.passed,
        "{file}/53 with a broken solution should fail"
    );
    // It must fail in the assertions, not by not compiling.
    assert!(broken.build_error.is_none(), "{:?}", broken.build_error);
}

#[test]
fn python_canonical_pass_broken_fail() {
    check_language(
        Language::Python,
        "python",
        &[0, 2, 13, 53, 162],
        ("x + y", "x - y"),
    );
}

#[test]
fn cpp_canonical_pass_broken_fail() {
    check_language(Language::Cpp, "cpp", &[0, 2, 13, 53, 162], ("x+y", "x-y"));
}

#[test]
fn java_canonical_pass_broken_fail() {
    check_language(Language::Java, "java", &[0, 2, 13, 53], ("x + y", "x - y"));
}

#[test]
fn go_canonical_pass_broken_fail() {
    check_language(Language::Go, "go", &[0, 2, 13, 53, 162], ("x + y", "x - y"));
}

#[test]
fn rust_canonical_pass_broken_fail() {
    check_language(
        Language::Rust,
        "rust",
        &[0, 2, 13, 50, 53, 162],
        ("x + y", "x - y"),
    );
}
