//! Go: `Test*` functions of the package (internal and external test
//! packages, directly or through a helper) that call the function.

mod common;
mod discovery_support;

use discovery_support::{Fixture, assert_all_pass, failed_names, limits, test_names};
use perforch::discovery::RunnerKind;
use perforch::executor::{Language, RunStatus};

fn fixture() -> Fixture {
    Fixture::new("go", "stock/stock.go", Language::Go, "TotalValue")
}

#[test]
fn finds_exactly_the_tests_that_call_the_function() {
    let tests = fixture().discover();
    assert_eq!(
        test_names(&tests),
        [
            "TestEmptyStock",
            "TestTotalLarge",
            "TestTotalValue",
            "TestTotalViaHelper"
        ],
        "{}",
        tests.summary()
    );
    assert_eq!(tests.suites.len(), 1);
    assert_eq!(tests.suites[0].runner, RunnerKind::GoTest);
}

#[test]
fn a_method_is_found_through_its_receiver_type() {
    let mut fixture = Fixture::new("go", "stock/stock.go", Language::Go, "Value");
    fixture.container = Some("Warehouse");
    assert_eq!(test_names(&fixture.discover()), ["TestWarehouseValue"]);
}

#[test]
fn original_passes_broken_fails_loop_times_out() {
    let fixture = fixture();
    let tests = fixture.discover();

    let report = fixture.run(&tests, &[], limits(60));
    assert_all_pass(&report, true);
    let (_, costliest) = report.costliest().expect("go test reports durations");
    assert_eq!(costliest.name, "TestTotalLarge", "{report:#?}");

    let broken = fixture.edited(
        "item.Quantity * item.PriceCents",
        "item.Quantity + item.PriceCents",
    );
    let report = fixture.run(&tests, &[broken], limits(60));
    assert!(!report.all_passed());
    assert_eq!(
        failed_names(&report),
        ["TestTotalLarge", "TestTotalValue", "TestTotalViaHelper"],
        "{}",
        report.summary()
    );
    let (_, failure) = report.failures()[0];
    assert!(
        failure
            .message
            .as_deref()
            .is_some_and(|m| m.contains("want")),
        "{failure:?}"
    );

    let looping = fixture.edited("\ttotal := 0\n", "\ttotal := 0\n\tfor {\n\t}\n");
    let report = fixture.run(&tests, &[looping], limits(5));
    assert!(!report.all_passed());
    assert_eq!(
        report.suites[0].status,
        Some(RunStatus::Timeout),
        "{}",
        report.summary()
    );
}

#[test]
fn a_candidate_that_does_not_compile_is_a_build_failure() {
    let fixture = fixture();
    let tests = fixture.discover();
    let broken = fixture.edited("total := 0", "total := \"zero\"");
    let report = fixture.run(&tests, &[broken], limits(60));
    assert!(!report.all_passed());
    let error = report.suites[0]
        .build_error
        .as_deref()
        .expect("build error");
    assert!(error.contains("stock.go"), "{error}");
}
