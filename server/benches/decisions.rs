//! Decision benchmark (figures printed, never asserted): does the
//! executor's measurement, with its default settings, say what is true?
//!
//! Per language, one real differential driver around a function `work(n)`
//! (a modular recurrence no compiler can fold), measured many times with
//! `measure_driver` and the default `MeasureConfig`:
//! - A against A: the verdict should be a tie in at least 95% of trials;
//! - A against A' (the same loop, 10% more iterations): the verdict should
//!   be "slower" in at least 95% of trials.
//!
//! Run: `cargo bench --bench decisions`. Environment:
//! `PERFORCH_DECISION_TRIALS` (default 60 per scenario and language),
//! `PERFORCH_DECISION_LANGS` (comma list, default python,cpp,java,go,rust),
//! `PERFORCH_DECISION_VERBOSE=1` (print the samples of every missed trial),
//! `PERFORCH_DECISION_PAIRING=separate` (one process per side per round,
//! as memory metrics measure, instead of both sides in one process),
//! `PERFORCH_DECISION_RUNS` / `PERFORCH_DECISION_MAX_RUNS` (batch size
//! and cap of runs per side instead of the defaults) and
//! `PERFORCH_DECISION_DUMP=FILE` (every trial's samples as JSON lines), to
//! study the decision rule offline.

use std::path::PathBuf;
use std::time::Instant;

use perforch::executor::differential::build_driver;
use perforch::executor::driver::DiffSpec;
use perforch::executor::stats::{Verdict, median};
use perforch::executor::{
    ExecutorConfig, Language, MeasureConfig, Measurement, Pairing, detect, measure_driver,
};

/// Loop iterations of A per call; A' runs 10% more.
struct Workload {
    language: Language,
    function: &'static str,
    class_name: Option<&'static str>,
    /// Source of `work` with `ITERATIONS` standing for its loop bound.
    template: &'static str,
    /// Loop bound of A (an expression in `n`) and of A' (10% more).
    bound: &'static str,
    bound_plus_ten_percent: &'static str,
    /// Argument of each call (three inputs, like a small test set).
    inputs: [&'static str; 3],
}

const WORKLOADS: &[Workload] = &[
    Workload {
        language: Language::Python,
        function: "work",
        class_name: None,
        template: "def work(n):\n    total = 0\n    for i in range(ITERATIONS):\n        total = (total * 31 + i) % 1000003\n    return total\n",
        bound: "n",
        bound_plus_ten_percent: "n + n // 10",
        inputs: ["100000", "200000", "300000"],
    },
    Workload {
        language: Language::Cpp,
        function: "work",
        class_name: None,
        template: "long long work(long long n) {\n    long long total = 0;\n    for (long long i = 0; i < ITERATIONS; ++i) total = (total * 31 + i) % 1000003;\n    return total;\n}\n",
        bound: "n",
        bound_plus_ten_percent: "n + n / 10",
        inputs: ["2000000", "4000000", "6000000"],
    },
    Workload {
        language: Language::Java,
        function: "work",
        class_name: Some("Solution"),
        template: "class Solution {\n    public long work(long n) {\n        long total = 0;\n        for (long i = 0; i < ITERATIONS; ++i) total = (total * 31 + i) % 1000003;\n        return total;\n    }\n}\n",
        bound: "n",
        bound_plus_ten_percent: "n + n / 10",
        inputs: ["2000000L", "4000000L", "6000000L"],
    },
    Workload {
        language: Language::Go,
        function: "Work",
        class_name: None,
        template: "func Work(n int) int {\n\ttotal := 0\n\tfor i := 0; i < ITERATIONS; i++ {\n\t\ttotal = (total*31 + i) % 1000003\n\t}\n\treturn total\n}\n",
        bound: "n",
        bound_plus_ten_percent: "n+n/10",
        inputs: ["2000000", "4000000", "6000000"],
    },
    Workload {
        language: Language::Rust,
        function: "work",
        class_name: None,
        template: "fn work(n: i64) -> i64 {\n    let mut total: i64 = 0;\n    let mut i: i64 = 0;\n    while i < ITERATIONS {\n        total = (total * 31 + i) % 1000003;\n        i += 1;\n    }\n    total\n}\n",
        bound: "n",
        bound_plus_ten_percent: "n + n / 10",
        inputs: ["2000000", "4000000", "6000000"],
    },
];

impl Workload {
    fn spec(&self, candidate_bound: &str) -> DiffSpec {
        DiffSpec {
            language: self.language,
            function: self.function.to_string(),
            class_name: self.class_name.map(str::to_string),
            receiver: false,
            prelude: String::new(),
            original: self.template.replace("ITERATIONS", self.bound),
            candidate: self.template.replace("ITERATIONS", candidate_bound),
            inputs: self
                .inputs
                .iter()
                .map(|arg| vec![arg.to_string()])
                .collect(),
            repeats: 1,
        }
    }
}

#[derive(Default)]
struct Tally {
    tie: usize,
    faster: usize,
    slower: usize,
    ratios: Vec<f64>,
    /// Runs per side each trial took.
    runs: Vec<usize>,
}

impl Tally {
    fn add(&mut self, m: &Measurement) {
        self.ratios.push(m.comparison.ratio);
        self.runs.push(m.original.cpu_ns.len());
        match m.comparison.verdict {
            Verdict::Tie => self.tie += 1,
            Verdict::Faster => self.faster += 1,
            Verdict::Slower => self.slower += 1,
        }
    }

    fn percent(&self, count: usize) -> f64 {
        100.0 * count as f64 / self.ratios.len().max(1) as f64
    }

    fn line(&self) -> String {
        format!(
            "tie {:5.1}%  faster {:5.1}%  slower {:5.1}%  median ratio {:.3}  (ratios {:.3}..{:.3})  runs/side {:.1}",
            self.percent(self.tie),
            self.percent(self.faster),
            self.percent(self.slower),
            median(&self.ratios),
            self.ratios.iter().copied().fold(f64::INFINITY, f64::min),
            self.ratios
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max),
            self.runs.iter().sum::<usize>() as f64 / self.runs.len().max(1) as f64,
        )
    }
}

/// The samples of a trial that missed its expected verdict.
fn print_trial(scenario: &str, m: &Measurement) {
    let ms = |v: &[f64]| {
        v.iter()
            .map(|ns| format!("{:.2}", ns / 1e6))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "  miss {scenario}: {:?} ratio {:.3} interval {:.3}..{:.3}; original ms [{}] candidate ms [{}]",
        m.comparison.verdict,
        m.comparison.ratio,
        m.comparison.interval.0,
        m.comparison.interval.1,
        ms(&m.original.cpu_ns),
        ms(&m.candidate.cpu_ns)
    );
}

fn dump_trial(
    dump: &mut Option<std::fs::File>,
    language: Language,
    scenario: &str,
    m: &Measurement,
) {
    use std::io::Write;
    if let Some(file) = dump {
        let line = serde_json::json!({
            "language": language.name(),
            "scenario": scenario,
            "original": m.original.cpu_ns,
            "candidate": m.candidate.cpu_ns,
        });
        writeln!(file, "{line}").expect("dump file is writable");
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (a filter) is ignored.
    let trials: usize = env_or("PERFORCH_DECISION_TRIALS", 60);
    let verbose = std::env::var_os("PERFORCH_DECISION_VERBOSE").is_some();
    let languages: Vec<String> = std::env::var("PERFORCH_DECISION_LANGS")
        .unwrap_or_else(|_| "python,cpp,java,go,rust".into())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let mut config = ExecutorConfig::with_launcher(env!("CARGO_BIN_EXE_perforch"));
    config.cache_dir = PathBuf::from("/var/tmp/perforch-bench-cache");
    std::fs::create_dir_all(&config.cache_dir).unwrap();
    let problems = perforch::executor::prepare_dependencies(&config.cache_dir);
    assert!(problems.is_empty(), "{problems:?}");
    let work = PathBuf::from(format!(
        "/var/tmp/perforch-decisions-{}",
        std::process::id()
    ));
    let mut measure = MeasureConfig::default();
    // For studying the decision rule: more runs per side, samples dumped.
    measure.runs = env_or("PERFORCH_DECISION_RUNS", measure.runs);
    measure.max_runs = env_or("PERFORCH_DECISION_MAX_RUNS", measure.max_runs);
    if std::env::var("PERFORCH_DECISION_PAIRING").as_deref() == Ok("separate") {
        measure.pairing = Pairing::SeparateProcesses;
    }
    let mut dump = std::env::var_os("PERFORCH_DECISION_DUMP")
        .map(|path| std::fs::File::create(path).expect("dump file can be created"));
    println!(
        "decision benchmark: {trials} trials per scenario, batches of {} runs per side up to {}, warm-up {}, pairing {:?}",
        measure.runs, measure.max_runs, measure.warmup, measure.pairing
    );
    let mut all_met = true;
    for workload in WORKLOADS {
        if !languages.iter().any(|l| l == workload.language.name()) {
            continue;
        }
        let toolchain =
            detect(workload.language).unwrap_or_else(|e| panic!("{}: {e}", workload.language));
        let language_dir = work.join(workload.language.name());
        let same = build_driver(
            &config,
            &toolchain,
            &workload.spec(workload.bound),
            &language_dir.join("same"),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", workload.language));
        let more = build_driver(
            &config,
            &toolchain,
            &workload.spec(workload.bound_plus_ten_percent),
            &language_dir.join("more"),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", workload.language));
        let started = Instant::now();
        let mut a_vs_a = Tally::default();
        let mut a_vs_more = Tally::default();
        // Interleave the scenarios so machine load affects both alike.
        for _ in 0..trials {
            let m = measure_driver(&config, &same, &measure).expect("A vs A measures");
            if verbose && m.comparison.verdict != Verdict::Tie {
                print_trial("A vs A", &m);
            }
            dump_trial(&mut dump, workload.language, "same", &m);
            a_vs_a.add(&m);
            let m = measure_driver(&config, &more, &measure).expect("A vs A' measures");
            if verbose && m.comparison.verdict != Verdict::Slower {
                print_trial("A vs A+10%", &m);
            }
            dump_trial(&mut dump, workload.language, "more", &m);
            a_vs_more.add(&m);
        }
        let tie_ok = a_vs_a.percent(a_vs_a.tie) >= 95.0;
        let slower_ok = a_vs_more.percent(a_vs_more.slower) >= 95.0;
        all_met &= tie_ok && slower_ok;
        println!(
            "{:<6} A vs A     {}  {}",
            workload.language.name(),
            a_vs_a.line(),
            if tie_ok {
                "ok (tie >= 95%)"
            } else {
                "MISSED (tie < 95%)"
            }
        );
        println!(
            "{:<6} A vs A+10% {}  {}",
            workload.language.name(),
            a_vs_more.line(),
            if slower_ok {
                "ok (slower >= 95%)"
            } else {
                "MISSED (slower < 95%)"
            }
        );
        println!(
            "{:<6} {:.0} s for {} trials",
            workload.language.name(),
            started.elapsed().as_secs_f64(),
            2 * trials
        );
    }
    println!(
        "targets: {}",
        if all_met { "all met" } else { "some missed" }
    );
    let _ = std::fs::remove_dir_all(&work);
}
