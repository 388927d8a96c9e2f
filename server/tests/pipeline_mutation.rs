//! The evidence's mutation score with real toolchains: small-scope checks
//! kill the mutants of a simple function; a single weak input does not,
//! and the survivors are named with inputs that tell them apart; compiled
//! mutants build and run; a mutant that loops forever is killed by the
//! time limit.

mod common;

use std::time::Instant;

use perforch::executor::{MeasureConfig, detect};
use perforch::language::Language;
use perforch::pipeline::evidence::{InputSource, TestInput, small_scope_for};
use perforch::pipeline::judge::Checks;
use perforch::pipeline::{Baseline, MutationScore, Workbench};

fn workbench(language: Language) -> Workbench {
    Workbench::new(
        common::prepared_config(),
        detect(language).unwrap(),
        MeasureConfig::default(),
    )
    .unwrap()
}

fn input(args: &[&str]) -> TestInput {
    TestInput {
        args: args.iter().map(|a| a.to_string()).collect(),
        source: InputSource::Generated,
    }
}

/// The small-scope checks as a job builds them.
fn checks(
    bench: &Workbench,
    baseline: &Baseline,
    inputs: &mut Vec<TestInput>,
    count: usize,
) -> Checks {
    let scope = small_scope_for(
        baseline.language,
        &baseline.function,
        &baseline.file_text,
        baseline.takes_receiver(),
        inputs,
    )
    .unwrap();
    bench.small_scope_checks(baseline, scope, count).unwrap()
}

fn score(
    bench: &Workbench,
    baseline: &Baseline,
    inputs: &[TestInput],
    checks: Option<&Checks>,
    limit: usize,
) -> MutationScore {
    let started = Instant::now();
    let score = bench
        .mutation_score(baseline, inputs, checks, limit)
        .unwrap();
    eprintln!(
        "{:?}: {} ({} evidence inputs, {} mutants) in {:.1?}: {score:?}",
        baseline.language,
        score.summary(),
        inputs.len() + checks.map_or(0, |c| c.inputs.len()),
        score.mutants,
        started.elapsed()
    );
    score
}

const COUNT_PAIRS_PY: &str = "def count_pairs(xs: list[int], target: int) -> int:\n    \"\"\"Pairs i < j with xs[i] + xs[j] == target.\"\"\"\n    count = 0\n    for i in range(len(xs)):\n        for j in range(i + 1, len(xs)):\n            if xs[i] + xs[j] == target:\n                count += 1\n    return count\n";

#[test]
fn python_small_scope_checks_kill_the_mutants_and_one_weak_input_does_not() {
    let bench = workbench(Language::Python);
    let baseline =
        Baseline::new(Language::Python, COUNT_PAIRS_PY.to_string(), "count_pairs").unwrap();
    let mut inputs = vec![input(&["[1, 2, 3, 4]", "5"]), input(&["[]", "0"])];
    let checks = checks(&bench, &baseline, &mut inputs, 200);
    let strong = score(&bench, &baseline, &inputs, Some(&checks), 30);
    assert!(strong.mutants >= 10, "{strong:?}");
    assert!(strong.score().unwrap() >= 0.8, "{strong:?}");
    assert!(strong.survived.is_empty(), "{strong:?}");
    assert!(strong.tellers.is_empty());
    assert_eq!(strong.invalid, 0, "{strong:?}");

    let weak = score(&bench, &baseline, &[input(&["[1, 2]", "100"])], None, 30);
    assert_eq!(weak.mutants, strong.mutants);
    assert!(weak.score().unwrap() < 0.5, "{weak:?}");
    assert!(
        weak.survived.iter().any(|d| d == "line 7: `+=` → `-=`"),
        "{weak:?}"
    );
    assert!(!weak.tellers.is_empty(), "{weak:?}");
    assert!(weak.summary().starts_with("the evidence catches "));
    // Deterministic: the same mutants, the same verdicts.
    let again = score(&bench, &baseline, &[input(&["[1, 2]", "100"])], None, 30);
    assert_eq!(again, weak);
}

#[test]
fn more_small_inputs_with_the_tellers_catch_what_a_few_missed() {
    let bench = workbench(Language::Python);
    let baseline =
        Baseline::new(Language::Python, COUNT_PAIRS_PY.to_string(), "count_pairs").unwrap();
    let mut inputs = vec![input(&["[1, 2]", "100"])];
    let few = checks(&bench, &baseline, &mut inputs, 1);
    // Without the long list the scope adds to time on: two small calls.
    inputs.retain(|input| input.source != InputSource::Stress);
    let weak = score(&bench, &baseline, &inputs, Some(&few), 30);
    assert!(weak.score().unwrap() < 0.8, "{weak:?}");
    assert!(!weak.tellers.is_empty(), "{weak:?}");
    let more = bench
        .more_checks(&baseline, &few, &weak.tellers, 200)
        .unwrap();
    // The first checks stay, in order; the tellers join them.
    assert!(more.inputs.len() > few.inputs.len() + weak.tellers.len());
    assert_eq!(more.inputs[..few.inputs.len()], few.inputs[..]);
    for teller in &weak.tellers {
        assert!(
            more.inputs.iter().any(|known| known.input == teller.input),
            "{teller:?}"
        );
    }
    let strong = score(&bench, &baseline, &inputs, Some(&more), 30);
    assert_eq!(strong.mutants, weak.mutants);
    assert!(strong.score().unwrap() >= 0.8, "{strong:?}");
    assert!(strong.killed > weak.killed, "{strong:?}");
}

const COUNT_PAIRS_GO: &str = "package pairs\n\nfunc CountPairs(xs []int, target int) int {\n\tcount := 0\n\tfor i := 0; i < len(xs); i++ {\n\t\tfor j := i + 1; j < len(xs); j++ {\n\t\t\tif xs[i]+xs[j] == target {\n\t\t\t\tcount += 1\n\t\t\t}\n\t\t}\n\t}\n\treturn count\n}\n";

#[test]
fn go_mutants_build_and_run_and_weak_evidence_scores_low() {
    let bench = workbench(Language::Go);
    let baseline = Baseline::new(Language::Go, COUNT_PAIRS_GO.to_string(), "CountPairs").unwrap();
    let mut inputs = vec![input(&["[]int{1, 2, 3, 4}", "5"])];
    let checks = checks(&bench, &baseline, &mut inputs, 200);
    let strong = score(&bench, &baseline, &inputs, Some(&checks), 30);
    assert!(strong.mutants >= 10, "{strong:?}");
    assert!(strong.score().unwrap() >= 0.8, "{strong:?}");
    assert!(strong.survived.is_empty(), "{strong:?}");
    assert!(strong.invalid <= 1, "{strong:?}");

    let weak = score(
        &bench,
        &baseline,
        &[input(&["[]int{1, 2}", "100"])],
        None,
        30,
    );
    assert!(weak.score().unwrap() < 0.5, "{weak:?}");
    assert!(
        weak.survived.iter().any(|d| d == "line 8: `+=` → `-=`"),
        "{weak:?}"
    );
    assert!(!weak.tellers.is_empty(), "{weak:?}");
}

#[test]
fn a_mutant_that_loops_forever_is_killed_by_the_time_limit() {
    let cases = [
        (
            Language::Python,
            "def digit_sum(n: int) -> int:\n    total = 0\n    while n > 0:\n        total += n % 10\n        n //= 10\n    return total\n",
            "digit_sum",
            ["0", "7", "1234"],
        ),
        // Compiled mutants run two to a build: the one that loops stops
        // the run, the other runs again alone.
        (
            Language::Go,
            "package digits\n\nfunc DigitSum(n int) int {\n\ttotal := 0\n\tfor n > 0 {\n\t\ttotal += n % 10\n\t\tn /= 10\n\t}\n\treturn total\n}\n",
            "DigitSum",
            ["0", "7", "1234"],
        ),
    ];
    for (language, file, name, args) in cases {
        let bench = workbench(language);
        let baseline = Baseline::new(language, file.to_string(), name).unwrap();
        let inputs: Vec<TestInput> = args.iter().map(|a| input(&[a])).collect();
        let started = Instant::now();
        let score = score(&bench, &baseline, &inputs, None, 30);
        // `n >= 0` never ends (0 / 10 is 0).
        let forever = if language == Language::Python {
            "line 3: `>` → `>=`"
        } else {
            "line 5: `>` → `>=`"
        };
        assert!(
            !score.survived.iter().any(|d| d == forever)
                && !score.equivalent.iter().any(|d| d == forever),
            "{score:?}"
        );
        assert_eq!(score.killed, score.mutants, "{score:?}");
        if language == Language::Python {
            // Well within the run's configured 20 s: the limit follows
            // the original's time.
            assert!(started.elapsed().as_secs() < 15, "{:?}", started.elapsed());
        }
    }
}
