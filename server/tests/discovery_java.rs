//! Java: JUnit 5 test methods (plain, parameterised, through a helper) that
//! call the method, compiled and run offline with the console launcher.

mod common;
mod discovery_support;

use discovery_support::{Fixture, assert_all_pass, failed_names, limits, test_names};
use perforch::discovery::RunnerKind;
use perforch::executor::{Language, RunStatus};

fn fixture() -> Fixture {
    let mut fixture = Fixture::new(
        "java",
        "src/main/java/com/acme/stock/Inventory.java",
        Language::Java,
        "totalValue",
    );
    fixture.container = Some("Inventory");
    fixture
}

#[test]
fn finds_exactly_the_tests_that_call_the_function() {
    let tests = fixture().discover();
    assert_eq!(
        test_names(&tests),
        [
            "com.acme.stock.InventoryTest#largeStock",
            "com.acme.stock.InventoryTest#scales",
            "com.acme.stock.InventoryTest#totalsThroughHelper",
            "com.acme.stock.InventoryTest#totalsTwoItems",
        ],
        "{}",
        tests.summary()
    );
    assert_eq!(tests.suites[0].runner, RunnerKind::JUnit);
    assert!(
        tests.notes.iter().any(|n| n.contains("ReportTest.java")),
        "{:?}",
        tests.notes
    );
}

#[test]
fn original_passes_broken_fails_loop_times_out() {
    let fixture = fixture();
    let tests = fixture.discover();

    let report = fixture.run(&tests, &[], limits(90));
    assert_all_pass(&report, true);
    let names: Vec<&str> = report.suites[0]
        .tests
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert!(
        names.contains(&"com.acme.stock.InventoryTest#scales[2]"),
        "{names:?}"
    );
    let (_, costliest) = report.costliest().expect("JUnit reports durations");
    assert_eq!(costliest.name, "com.acme.stock.InventoryTest#largeStock");

    let broken = fixture.edited(
        "item.quantity() * item.priceCents()",
        "item.quantity() + item.priceCents()",
    );
    let report = fixture.run(&tests, &[broken], limits(90));
    assert!(!report.all_passed());
    assert_eq!(
        failed_names(&report),
        [
            "com.acme.stock.InventoryTest#largeStock",
            "com.acme.stock.InventoryTest#scales[1]",
            "com.acme.stock.InventoryTest#scales[2]",
            "com.acme.stock.InventoryTest#totalsThroughHelper",
            "com.acme.stock.InventoryTest#totalsTwoItems",
        ],
        "{}",
        report.summary()
    );
    let (_, failure) = report.failures()[0];
    assert!(
        failure
            .message
            .as_deref()
            .is_some_and(|m| m.contains("expected")),
        "{failure:?}"
    );

    let looping = fixture.edited(
        "        long total = 0;\n",
        "        long total = 0;\n        while (items != null) { total++; }\n",
    );
    let report = fixture.run(&tests, &[looping], limits(8));
    assert!(!report.all_passed());
    assert_eq!(
        report.suites[0].status,
        Some(RunStatus::Timeout),
        "{}",
        report.summary()
    );
}
