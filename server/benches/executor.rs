//! Executor figures (printed, never asserted):
//! 1. overhead of a sandboxed run versus running the same built program
//!    directly;
//! 2. stability: the same C++ candidate measured 10 times, coefficient of
//!    variation of its CPU time (process user+sys and driver thread CPU).
//!
//! Run: `cargo bench --bench executor`

use std::path::PathBuf;
use std::time::Instant;

use perforch::executor::differential::{build_driver, run_driver};
use perforch::executor::driver::{DiffSpec, DriverMode};
use perforch::executor::sandbox::SandboxLimits;
use perforch::executor::stats::{coefficient_of_variation, median};
use perforch::executor::{
    ExecutorConfig, Language, ProgramKind, SourceProgram, build, detect, run_built,
};

fn millis(d: f64) -> String {
    format!("{:.2} ms", d * 1e3)
}

fn main() {
    let mut config = ExecutorConfig::with_launcher(env!("CARGO_BIN_EXE_perforch"));
    config.cache_dir = PathBuf::from("/var/tmp/perforch-bench-cache");
    std::fs::create_dir_all(&config.cache_dir).unwrap();
    let work = PathBuf::from(format!("/var/tmp/perforch-bench-{}", std::process::id()));
    let toolchain = detect(Language::Cpp).expect("g++ installed");

    // 1. Overhead per run.
    let empty = SourceProgram::single(Language::Cpp, ProgramKind::Executable, "int main(){}\n");
    let built = build(&config, &toolchain, &empty, &work.join("empty")).unwrap();
    let runs = 50;
    let mut direct = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let status = std::process::Command::new(built.dir.join("main"))
            .status()
            .unwrap();
        assert!(status.success());
        direct.push(start.elapsed().as_secs_f64());
    }
    let mut sandboxed = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let outcome = run_built(&config, &built, SandboxLimits::for_run(), &[]).unwrap();
        assert!(outcome.succeeded(), "{outcome:?}");
        sandboxed.push(start.elapsed().as_secs_f64());
    }
    println!("overhead ({runs} runs of an empty C++ program, medians):");
    println!("  direct spawn+wait     {}", millis(median(&direct)));
    println!("  sandboxed run         {}", millis(median(&sandboxed)));
    println!(
        "  overhead per run      {}",
        millis(median(&sandboxed) - median(&direct))
    );

    // 2. Stability of CPU time for one candidate.
    let function = "long long collatz_total(int limit) {\n    long long total = 0;\n    for (int n = 1; n < limit; ++n) { long long x = n; while (x != 1) { x = (x % 2) ? 3 * x + 1 : x / 2; ++total; } }\n    return total;\n}\n";
    let program = SourceProgram::single(
        Language::Cpp,
        ProgramKind::Executable,
        format!(
            "#include <cstdio>\n{function}int main(){{ std::printf(\"%lld\\n\", collatz_total(300000)); }}\n"
        ),
    );
    let built = build(&config, &toolchain, &program, &work.join("candidate")).unwrap();
    let mut process_cpu = Vec::new();
    let mut walls = Vec::new();
    for _ in 0..10 {
        let outcome = run_built(&config, &built, SandboxLimits::for_run(), &[]).unwrap();
        assert!(outcome.succeeded());
        process_cpu.push(outcome.cpu.as_secs_f64());
        walls.push(outcome.wall.as_secs_f64());
    }
    let spec = DiffSpec {
        language: Language::Cpp,
        function: "collatz_total".into(),
        class_name: None,
        receiver: false,
        prelude: String::new(),
        original: function.into(),
        candidate: function.into(),
        inputs: vec![vec!["300000".into()]],
        repeats: 1,
    };
    let driver = build_driver(&config, &toolchain, &spec, &work.join("driver")).unwrap();
    let mut thread_cpu = Vec::new();
    for _ in 0..10 {
        let (outcome, records) = run_driver(
            &config,
            &driver,
            DriverMode::Candidate,
            SandboxLimits::for_run(),
        )
        .unwrap();
        assert!(outcome.succeeded());
        thread_cpu.push(records.iter().map(|r| r.cpu_ns as f64).sum::<f64>() / 1e9);
    }
    println!("stability (same C++ candidate measured 10 times):");
    println!(
        "  process CPU (wait4)   median {}  CV {:.2}%",
        millis(median(&process_cpu)),
        100.0 * coefficient_of_variation(&process_cpu)
    );
    println!(
        "  thread CPU (driver)   median {}  CV {:.2}%",
        millis(median(&thread_cpu)),
        100.0 * coefficient_of_variation(&thread_cpu)
    );
    println!(
        "  wall clock            median {}  CV {:.2}%",
        millis(median(&walls)),
        100.0 * coefficient_of_variation(&walls)
    );
    let _ = std::fs::remove_dir_all(&work);
}
