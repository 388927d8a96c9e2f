//! Measurement: one warm-up, then rounds that each run original and
//! candidate back to back (alternating which goes first), CPU time per run
//! (thread CPU from the driver where available, else user+sys from wait4
//! minus an empty-harness baseline), a paired comparison of the rounds and
//! a verdict, plus per-test timings so the costliest test is known.
//!
//! Rounds come in batches of `runs`: when a batch leaves the comparison
//! unsettled (neither a difference nor a tie within the threshold is
//! established), another batch runs, up to `max_runs` rounds.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::compare::Implementation;
use super::config::ExecutorConfig;
use super::differential::run_driver;
use super::driver::DriverMode;
use super::error::ExecutorError;
use super::program::{BuiltProgram, run_built};
use super::run::RunOutcome;
use super::sandbox::SandboxLimits;
use super::stats::{self, Comparison};

#[derive(Clone, Debug)]
pub struct MeasureConfig {
    /// Measured runs per side in the first batch (E), and the size of each
    /// further batch.
    pub runs: usize,
    /// At most this many runs per side when batches stay inconclusive
    /// (set it to `runs` for a fixed number).
    pub max_runs: usize,
    pub warmup: bool,
    pub limits: SandboxLimits,
    /// Overall confidence of the verdict, shared out over the looks at
    /// the data that batches allow (see `measure_rounds`).
    pub confidence: f64,
    pub pairing: Pairing,
}

/// How a driver measurement pairs the two sides.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pairing {
    /// One process per round calls both, input by input: the most precise
    /// for CPU time.
    SameProcess,
    /// One process per side per round: needed when the metric is a figure
    /// of the process (memory, CPU utilisation).
    SeparateProcesses,
}

impl Default for MeasureConfig {
    fn default() -> Self {
        MeasureConfig {
            runs: 5,
            max_runs: 15,
            warmup: true,
            limits: SandboxLimits::for_run(),
            confidence: stats::DEFAULT_CONFIDENCE,
            pairing: Pairing::SameProcess,
        }
    }
}

/// Where the CPU-time samples come from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CpuSource {
    /// Per-call thread CPU time measured inside the driver.
    ThreadCpu,
    /// Process-tree user+sys (wait4) minus an empty-harness baseline.
    ProcessCpuMinusBaseline,
}

/// Figures of one side (original or candidate) over the measured runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SideFigures {
    /// CPU time per run in ns (the samples compared).
    pub cpu_ns: Vec<f64>,
    pub trimmed_mean_ns: f64,
    pub median_ns: f64,
    pub cv: f64,
    pub mean_wall: Duration,
    pub peak_rss_kb: u64,
    pub mean_rss_kb: u64,
    pub cpu_utilization: f64,
    /// Per-run samples of the memory and utilisation figures, so a memory
    /// or CPU-utilisation metric gets the same statistics as CPU time.
    #[serde(default)]
    pub peak_rss_kb_runs: Vec<f64>,
    #[serde(default)]
    pub mean_rss_kb_runs: Vec<f64>,
    #[serde(default)]
    pub cpu_utilization_runs: Vec<f64>,
}

impl SideFigures {
    fn new(cpu_ns: Vec<f64>, outcomes: &[RunOutcome]) -> Self {
        let n = outcomes.len().max(1) as u32;
        SideFigures {
            trimmed_mean_ns: stats::trimmed_mean(&cpu_ns),
            median_ns: stats::median(&cpu_ns),
            cv: stats::coefficient_of_variation(&cpu_ns),
            cpu_ns,
            mean_wall: outcomes.iter().map(|o| o.wall).sum::<Duration>() / n,
            peak_rss_kb: outcomes.iter().map(|o| o.peak_rss_kb).max().unwrap_or(0),
            mean_rss_kb: outcomes.iter().map(|o| o.mean_rss_kb).sum::<u64>() / n as u64,
            cpu_utilization: outcomes.iter().map(|o| o.cpu_utilization).sum::<f64>() / n as f64,
            peak_rss_kb_runs: outcomes.iter().map(|o| o.peak_rss_kb as f64).collect(),
            mean_rss_kb_runs: outcomes.iter().map(|o| o.mean_rss_kb as f64).collect(),
            cpu_utilization_runs: outcomes.iter().map(|o| o.cpu_utilization).collect(),
        }
    }
}

/// Median thread CPU time of one test input, per side.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TestTiming {
    pub call: usize,
    pub original_ns: f64,
    pub candidate_ns: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Measurement {
    pub source: CpuSource,
    pub original: SideFigures,
    pub candidate: SideFigures,
    pub comparison: Comparison,
    /// Per input (driver measurements only).
    pub per_test: Vec<TestTiming>,
    /// The input on which the candidate spends the most CPU time.
    pub costliest_test: Option<usize>,
    /// Empty-harness CPU subtracted from each sample (process measurements).
    pub baseline_ns: Option<f64>,
}

fn ensure_ok(outcome: &RunOutcome, side: &str) -> Result<(), ExecutorError> {
    if outcome.succeeded() {
        Ok(())
    } else {
        Err(ExecutorError::MeasurementRunFailed {
            side: side.to_string(),
            status: format!("{:?}: {}", outcome.status, outcome.stderr_text().trim()),
        })
    }
}

/// The order of the two sides in a round: swapped every round so neither
/// side always runs right after the other (cache/frequency effects).
fn order(round: usize) -> [Implementation; 2] {
    if round % 2 == 0 {
        [Implementation::Original, Implementation::Candidate]
    } else {
        [Implementation::Candidate, Implementation::Original]
    }
}

/// Run batches of rounds until the paired comparison settles or
/// `max_runs` rounds have run. `run_round` runs one round (its index
/// given, for the order) and returns its samples (original, candidate);
/// the samples per side come back with the final comparison.
fn measure_rounds<F>(
    measure: &MeasureConfig,
    mut run_round: F,
) -> Result<(Comparison, [Vec<f64>; 2]), ExecutorError>
where
    F: FnMut(usize) -> Result<[f64; 2], ExecutorError>,
{
    let batch = measure.runs.max(1);
    let max_runs = measure.max_runs.max(batch);
    // Stopping at whichever look first shows a difference gives noise
    // that many chances: each look gets an equal share of the allowed
    // error (Bonferroni), so the whole measurement keeps `confidence`.
    let looks = max_runs.div_ceil(batch);
    let confidence_per_look = 1.0 - (1.0 - measure.confidence) / looks as f64;
    let mut samples: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut done = 0;
    loop {
        let next = (done + batch).min(max_runs);
        for round in done..next {
            let [original, candidate] = run_round(round)?;
            samples[0].push(original);
            samples[1].push(candidate);
        }
        done = next;
        let comparison = stats::compare_paired(&samples[0], &samples[1], confidence_per_look);
        if comparison.is_settled() || done >= max_runs {
            return Ok((comparison, samples));
        }
    }
}

fn slot(side: Implementation) -> usize {
    match side {
        Implementation::Original => 0,
        Implementation::Candidate => 1,
    }
}

/// Measure with the differential driver (thread CPU time per call).
///
/// With [`Pairing::SameProcess`] a round is one run of the driver that
/// calls both sides on each input in turn (the candidate first every other
/// round): what a process brings with it (where the allocator put things,
/// the CPU's clock during that second, a hash seed) then weighs on both
/// sides alike, and the round's ratio keeps only the difference of the
/// code. Per-process figures (memory, utilisation) are then the run's,
/// shared by both sides: a metric on them needs [`Pairing::SeparateProcesses`].
pub fn measure_driver(
    config: &ExecutorConfig,
    driver: &BuiltProgram,
    measure: &MeasureConfig,
) -> Result<Measurement, ExecutorError> {
    if measure.warmup {
        let (outcome, _) = run_driver(config, driver, DriverMode::Both, measure.limits.clone())?;
        ensure_ok(&outcome, "warm-up")?;
    }
    let mut outcomes: [Vec<RunOutcome>; 2] = [Vec::new(), Vec::new()];
    let mut per_call: [Vec<Vec<f64>>; 2] = [Vec::new(), Vec::new()];
    let mut run = |mode: DriverMode, name: &str| -> Result<[f64; 2], ExecutorError> {
        let (outcome, records) = run_driver(config, driver, mode, measure.limits.clone())?;
        ensure_ok(&outcome, name)?;
        let mut sums = [0.0; 2];
        let mut ran = [false; 2];
        for record in &records {
            let slot = slot(record.implementation);
            sums[slot] += record.cpu_ns as f64;
            ran[slot] = true;
            if per_call[slot].len() <= record.call {
                per_call[slot].resize(record.call + 1, Vec::new());
            }
            per_call[slot][record.call].push(record.cpu_ns as f64);
        }
        for (slot, ran) in ran.into_iter().enumerate() {
            if ran {
                outcomes[slot].push(outcome.clone());
            }
        }
        Ok(sums)
    };
    let (comparison, samples) = measure_rounds(measure, |round| match measure.pairing {
        Pairing::SameProcess => {
            let mode = match order(round)[0] {
                Implementation::Original => DriverMode::Both,
                Implementation::Candidate => DriverMode::BothCandidateFirst,
            };
            run(mode, "both sides")
        }
        Pairing::SeparateProcesses => {
            let mut sums = [0.0; 2];
            for side in order(round) {
                let (mode, name) = match side {
                    Implementation::Original => (DriverMode::Original, "original"),
                    Implementation::Candidate => (DriverMode::Candidate, "candidate"),
                };
                sums[slot(side)] = run(mode, name)?[slot(side)];
            }
            Ok(sums)
        }
    })?;
    let calls = per_call[0].len().max(per_call[1].len());
    let per_test: Vec<TestTiming> = (0..calls)
        .map(|call| TestTiming {
            call,
            original_ns: per_call[0].get(call).map_or(0.0, |s| stats::median(s)),
            candidate_ns: per_call[1].get(call).map_or(0.0, |s| stats::median(s)),
        })
        .collect();
    let costliest_test = per_test
        .iter()
        .max_by(|a, b| a.candidate_ns.total_cmp(&b.candidate_ns))
        .map(|t| t.call);
    let [original_samples, candidate_samples] = samples;
    let [original_outcomes, candidate_outcomes] = outcomes;
    Ok(Measurement {
        source: CpuSource::ThreadCpu,
        original: SideFigures::new(original_samples, &original_outcomes),
        candidate: SideFigures::new(candidate_samples, &candidate_outcomes),
        comparison,
        per_test,
        costliest_test,
        baseline_ns: None,
    })
}

/// Measure two whole programs (e.g. test suites that cannot use a driver)
/// by process CPU time. `baseline` is an empty harness in the same
/// language: its CPU (interpreter/JVM start-up) is subtracted.
pub fn measure_programs(
    config: &ExecutorConfig,
    original: &BuiltProgram,
    candidate: &BuiltProgram,
    baseline: Option<&BuiltProgram>,
    measure: &MeasureConfig,
) -> Result<Measurement, ExecutorError> {
    let run = |program: &BuiltProgram, side: &str| -> Result<RunOutcome, ExecutorError> {
        let outcome = run_built(config, program, measure.limits.clone(), &[])?;
        ensure_ok(&outcome, side)?;
        Ok(outcome)
    };
    if measure.warmup {
        run(original, "original warm-up")?;
        run(candidate, "candidate warm-up")?;
    }
    let baseline_ns = match baseline {
        Some(program) => {
            let mut samples = Vec::new();
            for _ in 0..measure.runs.max(1) {
                samples.push(run(program, "empty harness")?.cpu.as_nanos() as f64);
            }
            Some(stats::trimmed_mean(&samples))
        }
        None => None,
    };
    let mut outcomes: [Vec<RunOutcome>; 2] = [Vec::new(), Vec::new()];
    let (comparison, samples) = measure_rounds(measure, |round| {
        let mut sums = [0.0; 2];
        for side in order(round) {
            let (program, name) = match side {
                Implementation::Original => (original, "original"),
                Implementation::Candidate => (candidate, "candidate"),
            };
            let outcome = run(program, name)?;
            let cpu = outcome.cpu.as_nanos() as f64 - baseline_ns.unwrap_or(0.0);
            outcomes[slot(side)].push(outcome);
            // Clamp: a program cheaper than the noisy baseline still costs something.
            sums[slot(side)] = cpu.max(1.0);
        }
        Ok(sums)
    })?;
    let [original_samples, candidate_samples] = samples;
    let [original_outcomes, candidate_outcomes] = outcomes;
    Ok(Measurement {
        source: CpuSource::ProcessCpuMinusBaseline,
        original: SideFigures::new(original_samples, &original_outcomes),
        candidate: SideFigures::new(candidate_samples, &candidate_outcomes),
        comparison,
        per_test: Vec::new(),
        costliest_test: None,
        baseline_ns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed `measure_rounds` samples from a script: the candidate's cost
    /// over the original's in each round, around 1000 ns.
    fn rounds_taken(measure: &MeasureConfig, ratios: &[f64]) -> (Comparison, usize) {
        let (comparison, samples) = measure_rounds(measure, |round| {
            Ok([1000.0, 1000.0 * ratios[round % ratios.len()]])
        })
        .unwrap();
        assert_eq!(samples[0].len(), samples[1].len());
        (comparison, samples[0].len())
    }

    #[test]
    fn a_clear_result_stops_after_the_first_batch() {
        let measure = MeasureConfig::default();
        let (comparison, rounds) = rounds_taken(&measure, &[1.10, 1.11, 1.09, 1.10, 1.12]);
        assert_eq!(comparison.verdict, stats::Verdict::Slower);
        assert_eq!(rounds, 5);
        let (comparison, rounds) = rounds_taken(&measure, &[1.0, 1.001, 0.999, 1.0, 1.002]);
        assert_eq!(comparison.verdict, stats::Verdict::Tie);
        assert_eq!(rounds, 5);
    }

    #[test]
    fn inconclusive_batches_take_more_rounds_up_to_the_cap() {
        let measure = MeasureConfig::default();
        // Wildly noisy: never settles, so all 15 rounds run.
        let (comparison, rounds) = rounds_taken(&measure, &[0.7, 1.4, 1.0, 0.8, 1.3]);
        assert_eq!(comparison.verdict, stats::Verdict::Tie);
        assert_eq!(rounds, 15);
        let fixed = MeasureConfig {
            max_runs: 5,
            ..MeasureConfig::default()
        };
        assert_eq!(rounds_taken(&fixed, &[0.7, 1.4, 1.0, 0.8, 1.3]).1, 5);
    }
}
