//! Rust: `#[test]` functions in the function's `mod tests`, in a module file
//! it declares, and in the crate's `tests/`, that call the function; and
//! those of a lone file (no cargo package), built with `rustc --test`.

mod common;
mod discovery_support;

use discovery_support::{Fixture, assert_all_pass, failed_names, limits, test_names};
use perforch::discovery::RunnerKind;
use perforch::executor::{Language, RunStatus};

fn fixture() -> Fixture {
    Fixture::new("rust", "src/value.rs", Language::Rust, "total_value")
}

#[test]
fn finds_exactly_the_tests_that_call_the_function() {
    let tests = fixture().discover();
    assert_eq!(
        test_names(&tests),
        [
            "empty_stock_is_worth_nothing",
            "value::tests::totals_through_helper",
            "value::tests::totals_two_items",
            "value::value_tests::large_stock",
        ],
        "{}",
        tests.summary()
    );
    let names: Vec<&str> = tests.suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["cargo test (lib)", "cargo test (tests/stock.rs)"]);
    assert!(
        tests
            .suites
            .iter()
            .all(|s| s.runner == RunnerKind::CargoTest)
    );
    assert!(
        tests.notes.iter().any(|n| n.contains("tests/reports.rs")),
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
    let (_, costliest) = report.costliest().expect("libtest reports times");
    assert_eq!(costliest.name, "value::value_tests::large_stock");

    let broken = fixture.edited(
        "item.quantity * item.price_cents",
        "item.quantity + item.price_cents",
    );
    let report = fixture.run(&tests, &[broken], limits(60));
    assert!(!report.all_passed());
    assert_eq!(
        failed_names(&report),
        [
            "value::tests::totals_through_helper",
            "value::tests::totals_two_items",
            "value::value_tests::large_stock",
        ],
        "{}",
        report.summary()
    );
    let (_, failure) = report.failures()[0];
    assert!(
        failure
            .message
            .as_deref()
            .is_some_and(|m| m.contains("left")),
        "{failure:?}"
    );

    let looping = fixture.edited(
        "    let mut total = 0;\n",
        "    let mut total = 0;\n    loop {\n        std::hint::black_box(&total);\n    }\n",
    );
    let report = fixture.run(&tests, &[looping], limits(5));
    assert!(!report.all_passed());
    assert!(
        report
            .suites
            .iter()
            .any(|s| s.status == Some(RunStatus::Timeout)),
        "{}",
        report.summary()
    );
}

/// A crate with a registry dependency: the crate is vendored once by a
/// trusted step, and the sandboxed build stays offline.
#[test]
fn a_crate_with_dependencies_builds_offline_from_vendored_sources() {
    let fixture = Fixture::new("rust_deps", "src/lib.rs", Language::Rust, "fingerprint");
    let tests = fixture.discover();
    assert_eq!(
        test_names(&tests),
        ["tests::empty_input", "tests::fingerprint_of_joined_parts"]
    );
    let report = fixture.run(&tests, &[], limits(60));
    assert_all_pass(&report, true);

    let broken = fixture.edited(
        "joined.push_str(part);",
        "joined.push_str(part.trim_end_matches('c'));",
    );
    let report = fixture.run(&tests, &[broken], limits(60));
    assert_eq!(
        failed_names(&report),
        ["tests::fingerprint_of_joined_parts"],
        "{}",
        report.summary()
    );
}

/// A lone file (no cargo package): its `#[cfg(test)]` tests are built with
/// `rustc --test` and reported like a cargo suite's.
#[test]
fn a_lone_file_is_tested_with_rustc() {
    let fixture = Fixture::new("rust_lone", "pairs.rs", Language::Rust, "count_pairs");
    let tests = fixture.discover();
    assert_eq!(
        test_names(&tests),
        [
            "tests::counts_each_pair_once",
            "tests::counts_for_several_targets",
            "tests::repeated_values_pair_with_each_other",
        ],
        "{}",
        tests.summary()
    );
    assert_eq!(tests.suites[0].runner, RunnerKind::RustcTest);
    assert!(tests.cannot_run.is_empty(), "{:?}", tests.cannot_run);

    let report = fixture.run(&tests, &[], limits(60));
    assert_all_pass(&report, true);

    let broken = fixture.edited("for j in i + 1..values.len()", "for j in i..values.len()");
    let report = fixture.run(&tests, &[broken], limits(60));
    assert_eq!(
        failed_names(&report),
        [
            "tests::counts_for_several_targets",
            "tests::repeated_values_pair_with_each_other",
        ],
        "{}",
        report.summary()
    );
    let (_, failure) = report.failures()[0];
    assert!(
        failure
            .message
            .as_deref()
            .is_some_and(|m| m.contains("pairs.rs:")),
        "{failure:?}"
    );

    let unbuildable = fixture.edited("-> u64 {", "-> u64 { undefined_helper();");
    let report = fixture.run(&tests, &[unbuildable], limits(60));
    assert!(!report.all_passed());
    assert!(
        report.suites[0]
            .build_error
            .as_deref()
            .is_some_and(|e| e.contains("undefined_helper")),
        "{}",
        report.summary()
    );
}

/// rustc alone cannot link a crate: the tests are reported as unable to
/// run, with what to do, never dropped silently.
#[test]
fn a_lone_file_using_a_crate_says_its_tests_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dice.rs");
    std::fs::write(
        &file,
        "use rand::Rng;\n\npub fn roll_sum(rolls: &[u8]) -> u32 {\n    rolls.iter().map(|&r| u32::from(r)).sum()\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn sums_random_rolls() {\n        let rolls: Vec<u8> = (0..10).map(|_| rand::thread_rng().gen_range(1..=6)).collect();\n        assert!(roll_sum(&rolls) >= 10);\n    }\n}\n",
    )
    .unwrap();
    let tests = perforch::discovery::discover(&perforch::discovery::TestTarget {
        workspace_root: dir.path(),
        file: &file,
        language: Language::Rust,
        function: "roll_sum",
        container: None,
    })
    .unwrap();
    assert!(tests.is_empty(), "{}", tests.summary());
    assert_eq!(tests.cannot_run.len(), 1, "{}", tests.summary());
    let reason = &tests.cannot_run[0];
    assert!(reason.contains("`rand`"), "{reason}");
    assert!(reason.contains("cargo package"), "{reason}");
    assert!(
        tests.summary().contains("none can run"),
        "{}",
        tests.summary()
    );
}
