//! Python: doctests, pytest functions (plain, parametrised, through a
//! helper, in a class) and unittest methods that call the function.

mod common;
mod discovery_support;

use discovery_support::{Fixture, assert_all_pass, failed_names, limits, test_names};
use perforch::discovery::RunnerKind;
use perforch::executor::{Language, RunStatus};

fn fixture() -> Fixture {
    Fixture::new("python", "inventory.py", Language::Python, "total_value")
}

#[test]
fn finds_exactly_the_tests_that_call_the_function() {
    let tests = fixture().discover();
    assert_eq!(
        test_names(&tests),
        [
            "inventory.py::inventory.total_value",
            "tests/test_fixtures.py::test_conftest_fixture",
            "tests/test_fixtures.py::test_in_file_fixture",
            "tests/test_inventory.py::TestLargeStock::test_many_items",
            "tests/test_inventory.py::test_total_through_helper",
            "tests/test_inventory.py::test_total_value_empty",
            "tests/test_inventory.py::test_total_value_scales",
            "tests/test_warehouse.py::WarehouseTest::test_value_matches_total",
        ],
        "{}",
        tests.summary()
    );
    let runners: Vec<RunnerKind> = tests.suites.iter().map(|s| s.runner).collect();
    assert_eq!(
        runners,
        [
            RunnerKind::Doctest,
            RunnerKind::Pytest,
            RunnerKind::Unittest
        ]
    );
    assert!(
        tests.notes.iter().any(|n| n.contains("test_reports.py")),
        "{:?}",
        tests.notes
    );
}

#[test]
fn a_method_is_found_through_its_class() {
    let mut fixture = Fixture::new("python", "inventory.py", Language::Python, "add");
    fixture.container = Some("Warehouse");
    let tests = fixture.discover();
    assert_eq!(
        test_names(&tests),
        [
            "tests/test_warehouse.py::WarehouseTest::test_add_replaces",
            "tests/test_warehouse.py::WarehouseTest::test_value_matches_total",
        ]
    );
}

#[test]
fn original_passes_broken_fails_loop_times_out() {
    let fixture = fixture();
    let tests = fixture.discover();

    let report = fixture.run(&tests, &[], limits(60));
    assert_all_pass(&report, true);
    // Parametrised cases are reported one by one.
    let names: Vec<&str> = report
        .suites
        .iter()
        .flat_map(|s| s.tests.iter().map(|t| t.name.as_str()))
        .collect();
    assert!(
        names.contains(&"tests/test_inventory.py::test_total_value_scales[3]"),
        "{names:?}"
    );
    let (_, costliest) = report.costliest().expect("pytest reports durations");
    assert_eq!(
        costliest.name,
        "tests/test_inventory.py::TestLargeStock::test_many_items"
    );

    // Adds where it should multiply: every test with a non-empty list fails.
    let broken = fixture.edited(
        "item.quantity * item.price_cents",
        "item.quantity + item.price_cents",
    );
    let report = fixture.run(&tests, &[broken], limits(60));
    assert!(!report.all_passed());
    assert_eq!(
        failed_names(&report),
        [
            "inventory.py::inventory.total_value",
            "tests/test_fixtures.py::test_conftest_fixture",
            "tests/test_fixtures.py::test_in_file_fixture",
            "tests/test_inventory.py::TestLargeStock::test_many_items",
            "tests/test_inventory.py::test_total_through_helper",
            "tests/test_inventory.py::test_total_value_scales[1]",
            "tests/test_inventory.py::test_total_value_scales[3]",
            "tests/test_warehouse.py::WarehouseTest::test_value_matches_total",
        ],
        "{}",
        report.summary()
    );
    let failure = &report.failures()[0].1;
    assert!(failure.message.as_deref().is_some_and(|m| !m.is_empty()));

    let looping = fixture.edited(
        "    total = 0\n",
        "    total = 0\n    while True:\n        pass\n",
    );
    let report = fixture.run(&tests, &[looping], limits(5));
    assert!(!report.all_passed());
    assert!(report.timed_out(), "{}", report.summary());
    assert!(
        report
            .suites
            .iter()
            .all(|s| s.status == Some(RunStatus::Timeout))
    );
}
