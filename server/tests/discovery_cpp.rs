//! C++: GoogleTest cases and plain test programs that include the
//! function's header and call it.

mod common;
mod discovery_support;

use discovery_support::{Fixture, assert_all_pass, failed_names, limits, test_names};
use perforch::discovery::RunnerKind;
use perforch::executor::{Language, RunStatus};

fn fixture() -> Fixture {
    Fixture::new("cpp", "matrix.cpp", Language::Cpp, "dot")
}

#[test]
fn finds_exactly_the_tests_that_call_the_function() {
    let tests = fixture().discover();
    assert_eq!(
        test_names(&tests),
        [
            "Dot.LargeVectors",
            "Dot.SmallVectors",
            "Dot.ThroughHelper",
            "tests/dot_check.cpp"
        ],
        "{}",
        tests.summary()
    );
    let runners: Vec<RunnerKind> = tests.suites.iter().map(|s| s.runner).collect();
    assert_eq!(runners, [RunnerKind::CppProgram, RunnerKind::GoogleTest]);
    assert!(
        tests.notes.iter().any(|n| n.contains("scale_check.cpp")),
        "{:?}",
        tests.notes
    );
}

#[test]
fn original_passes_broken_fails_loop_times_out() {
    let fixture = fixture();
    let tests = fixture.discover();

    let report = fixture.run(&tests, &[], limits(60));
    assert_all_pass(&report, true);
    let (_, costliest) = report.costliest().expect("durations are known");
    assert_eq!(costliest.name, "Dot.LargeVectors", "{report:#?}");

    let broken = fixture.edited("sum += a[i] * b[i];", "sum += a[i] + b[i];");
    let report = fixture.run(&tests, &[broken], limits(60));
    assert!(!report.all_passed());
    assert_eq!(
        failed_names(&report),
        [
            "Dot.LargeVectors",
            "Dot.SmallVectors",
            "Dot.ThroughHelper",
            "tests/dot_check.cpp"
        ],
        "{}",
        report.summary()
    );
    let program = report
        .failures()
        .into_iter()
        .find(|(_, t)| t.name == "tests/dot_check.cpp")
        .unwrap()
        .1;
    assert!(
        program.message.as_deref().unwrap().contains("should be 9"),
        "{program:?}"
    );

    let looping = fixture.edited(
        "    long sum = 0;\n",
        "    long sum = 0;\n    for (volatile int spin = 0;; spin = spin + 1) {}\n",
    );
    let report = fixture.run(&tests, &[looping], limits(5));
    assert!(!report.all_passed());
    assert!(
        report
            .suites
            .iter()
            .all(|s| s.status == Some(RunStatus::Timeout)),
        "{}",
        report.summary()
    );
}
