//! Measurement end to end. Asserts verdicts only for differences of orders
//! of magnitude (behaviour), never timings.

mod common;

use perforch::executor::differential::build_driver;
use perforch::executor::driver::DiffSpec;
use perforch::executor::measure::CpuSource;
use perforch::executor::stats::Verdict;
use perforch::executor::{
    Language, MeasureConfig, ProgramKind, SourceProgram, build, detect, measure_driver,
    measure_programs,
};

#[test]
fn driver_measurement_finds_the_faster_candidate_and_costliest_test() {
    let config = common::config();
    let spec = DiffSpec {
        language: Language::Python,
        function: "count_pairs".into(),
        class_name: None,
        receiver: false,
        prelude: String::new(),
        original: "def count_pairs(xs, target):\n    n = 0\n    for i in range(len(xs)):\n        for j in range(i + 1, len(xs)):\n            if xs[i] + xs[j] == target:\n                n += 1\n    return n\n".into(),
        candidate: "def count_pairs(xs, target):\n    seen = {}\n    n = 0\n    for x in xs:\n        n += seen.get(target - x, 0)\n        seen[x] = seen.get(x, 0) + 1\n    return n\n".into(),
        inputs: vec![
            vec!["list(range(10))".into(), "9".into()],
            vec!["list(range(1500))".into(), "1000".into()],
            vec!["[1, 1, 1]".into(), "2".into()],
        ],
        repeats: 1,
    };
    let tmp = common::TestDir::new();
    let driver = build_driver(
        &config,
        &detect(Language::Python).unwrap(),
        &spec,
        &tmp.run_dir("w"),
    )
    .unwrap();
    let measurement = measure_driver(&config, &driver, &MeasureConfig::default()).unwrap();
    println!("{measurement:#?}");
    assert_eq!(measurement.source, CpuSource::ThreadCpu);
    assert_eq!(measurement.original.cpu_ns.len(), 5);
    assert_eq!(measurement.comparison.verdict, Verdict::Faster);
    assert_eq!(measurement.per_test.len(), 3);
    // The original spends most of its time on the big input.
    let costliest_original = measurement
        .per_test
        .iter()
        .max_by(|a, b| a.original_ns.total_cmp(&b.original_ns))
        .unwrap();
    assert_eq!(costliest_original.call, 1);
    assert!(measurement.costliest_test.is_some());
}

#[test]
fn process_measurement_subtracts_baseline() {
    let config = common::config();
    let toolchain = detect(Language::Cpp).unwrap();
    let tmp = common::TestDir::new();
    let program = |iterations: u64| {
        SourceProgram::single(
            Language::Cpp,
            ProgramKind::Executable,
            format!(
                "#include <cstdio>\nint main(){{ volatile unsigned long long s = 0; for (unsigned long long i = 0; i < {iterations}ULL; ++i) s += i; std::printf(\"%llu\\n\", (unsigned long long)s); }}\n"
            ),
        )
    };
    let slow = build(
        &config,
        &toolchain,
        &program(300_000_000),
        &tmp.run_dir("slow"),
    )
    .unwrap();
    let fast = build(
        &config,
        &toolchain,
        &program(1_000_000),
        &tmp.run_dir("fast"),
    )
    .unwrap();
    let empty = build(
        &config,
        &toolchain,
        &SourceProgram::single(Language::Cpp, ProgramKind::Executable, "int main(){}\n"),
        &tmp.run_dir("empty"),
    )
    .unwrap();
    let measure = MeasureConfig {
        runs: 3,
        ..MeasureConfig::default()
    };
    let measurement = measure_programs(&config, &slow, &fast, Some(&empty), &measure).unwrap();
    println!("{measurement:#?}");
    assert_eq!(measurement.source, CpuSource::ProcessCpuMinusBaseline);
    assert!(measurement.baseline_ns.is_some());
    assert_eq!(measurement.comparison.verdict, Verdict::Faster);
    assert!(measurement.original.peak_rss_kb > 0);
}
