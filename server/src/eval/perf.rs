//! Measuring a candidate solution against a benchmark's canonical one: the
//! pipeline's judge (same outputs on every input, then the paired CPU-time
//! measurement and its verdict) on the task's inputs. Used by the replay
//! reference check (known-faster solutions from a file) and by the refine
//! stage (a model's rewrite of the canonical solution).

use serde::{Deserialize, Serialize};

use super::dataset::{DatasetKind, Task};
use super::program::head;
use super::record::Keyed;
use crate::executor::{ExecutorConfig, MeasureConfig};
use crate::language::Language;
use crate::pipeline::evidence::{InputSource, TestInput, doc_example_inputs};
use crate::pipeline::judge::{JudgeError, Screened, repeats_for};
use crate::pipeline::{Baseline, CandidateCode, Outcome, Workbench};
use crate::routing::Metric;

/// What the measurement said about a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerfStatus {
    /// Correct and faster beyond the noise (>= 5%, interval excluding 1).
    Faster,
    Tie,
    Slower,
    /// A different result than the canonical solution on an input.
    Incorrect,
    BuildError,
    /// A crash, timeout or limit on an input.
    RunFailed,
    /// No usable code (a model's reply without the function).
    NoCode,
    /// No input on which the canonical solution runs: nothing to measure.
    NoInputs,
    /// perforch could not measure (infrastructure): no verdict.
    Error,
}

impl PerfStatus {
    pub fn name(self) -> &'static str {
        match self {
            PerfStatus::Faster => "faster",
            PerfStatus::Tie => "tie",
            PerfStatus::Slower => "slower",
            PerfStatus::Incorrect => "incorrect",
            PerfStatus::BuildError => "build error",
            PerfStatus::RunFailed => "run failed",
            PerfStatus::NoCode => "no code",
            PerfStatus::NoInputs => "no inputs",
            PerfStatus::Error => "error",
        }
    }

    /// Returned what the canonical solution returns on every input.
    pub fn is_correct(self) -> bool {
        matches!(
            self,
            PerfStatus::Faster | PerfStatus::Tie | PerfStatus::Slower
        )
    }
}

/// One candidate measured against one task's canonical solution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerfRecord {
    pub dataset: String,
    pub language: Language,
    pub task_id: String,
    /// Where the candidate comes from: a replay source (`enamel`, `coffe`).
    pub source: String,
    pub status: PerfStatus,
    /// candidate / canonical CPU time (below 1 is faster), and its 99% interval.
    pub ratio: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// canonical / candidate: how many times faster.
    pub speedup: Option<f64>,
    /// CPU time of one run over all inputs, trimmed mean.
    pub canonical_ms: Option<f64>,
    pub candidate_ms: Option<f64>,
    /// Inputs measured on, and of those how many are heavy (dataset workloads).
    pub inputs: usize,
    pub heavy_inputs: usize,
    /// The replay file's reason why the candidate must be faster.
    pub expected_faster: Option<String>,
    /// The candidate is the canonical solution itself: a tie is right.
    #[serde(default)]
    pub same_as_canonical: bool,
    pub detail: Option<String>,
    pub wall_ms: u64,
}

impl Keyed for PerfRecord {
    type Key = (String, Language, String, String);

    fn key(&self) -> Self::Key {
        (
            self.dataset.clone(),
            self.language,
            self.task_id.clone(),
            self.source.clone(),
        )
    }
}

/// A task prepared for measurement: the canonical solution as the baseline
/// file and the inputs it runs correctly on.
pub struct PreparedTask {
    pub baseline: Baseline,
    pub screened: Screened,
    pub heavy_inputs: usize,
}

/// The judge for one language's tasks.
pub struct PerfBench {
    workbench: Workbench,
}

impl PerfBench {
    pub fn new(
        executor: ExecutorConfig,
        language: Language,
        measure: MeasureConfig,
    ) -> Result<PerfBench, JudgeError> {
        Ok(PerfBench {
            workbench: Workbench::for_language(executor, language, measure)?,
        })
    }

    /// The canonical solution of `task` as a file, and the inputs it runs
    /// on: `heavy` workloads first, then the calls in the dataset's tests
    /// and doc examples (small, but they check correctness on edge cases).
    pub fn prepare(
        &self,
        kind: DatasetKind,
        language: Language,
        task: &Task,
        function: &str,
        heavy: &[Vec<String>],
    ) -> Result<PreparedTask, JudgeError> {
        let baseline = Baseline::new(language, canonical_file(kind, language, task), function)?;
        let mut inputs: Vec<TestInput> = heavy
            .iter()
            .map(|args| TestInput {
                args: args.clone(),
                source: InputSource::Stress,
            })
            .collect();
        for input in test_call_inputs(language, task, function)
            .into_iter()
            .chain(baseline.doc_inputs())
        {
            if !inputs.iter().any(|known| known.args == input.args) {
                inputs.push(input);
            }
        }
        let screened = self.workbench.screen(&baseline, inputs)?;
        let heavy_inputs = screened
            .kept
            .iter()
            .filter(|input| input.source == InputSource::Stress)
            .count();
        Ok(PreparedTask {
            baseline,
            screened,
            heavy_inputs,
        })
    }

    /// Judge `code` (the function, with any imports and helpers) against
    /// the prepared canonical solution. Never fails: an infrastructure
    /// problem is a record with status `error`.
    pub fn measure(&self, prepared: &PreparedTask, code: &str) -> Measured {
        let baseline = &prepared.baseline;
        if prepared.screened.kept.is_empty() {
            return Measured::status(
                PerfStatus::NoInputs,
                "the canonical solution runs correctly on none of the inputs".into(),
            );
        }
        let file_functions = crate::analysis::functions(&crate::document::Document::new(
            baseline.language,
            0,
            &baseline.file_text,
        ));
        let candidate = match CandidateCode::from_code(
            code,
            baseline.language,
            &baseline.function.name,
            Some(&file_functions),
        ) {
            Ok(candidate) => candidate,
            Err(error) => return Measured::status(PerfStatus::NoCode, error.to_string()),
        };
        let repeats = repeats_for(&prepared.screened.original_ns);
        let judgement = match self.workbench.judge(
            baseline,
            &candidate,
            &prepared.screened.kept,
            // The benchmark's inputs and tests are the evidence here, as in
            // the papers; small-scope checks belong to perforch's own jobs.
            None,
            repeats,
            Metric::Time,
        ) {
            Ok(judgement) => judgement,
            Err(error) => return Measured::status(PerfStatus::Error, error.to_string()),
        };
        let (status, detail) = match &judgement.outcome {
            Outcome::Better { .. } => (PerfStatus::Faster, None),
            Outcome::Tie { .. } => (PerfStatus::Tie, None),
            Outcome::Slower { .. } => (PerfStatus::Slower, None),
            Outcome::WrongOutput {
                input,
                expected,
                actual,
            } => (
                PerfStatus::Incorrect,
                // The answers first: a heavy input's expression can run to
                // hundreds of characters, and summaries clip the line.
                Some(format!("expected {expected}, got {actual}, on {input}")),
            ),
            Outcome::FailingTest { test, detail } => {
                (PerfStatus::Incorrect, Some(format!("{test}: {detail}")))
            }
            outcome @ Outcome::SignatureChanged { .. } => {
                (PerfStatus::Incorrect, Some(outcome.summary(Metric::Time)))
            }
            Outcome::BuildError { detail } => (PerfStatus::BuildError, Some(detail.clone())),
            Outcome::RunFailed { input, status } => {
                (PerfStatus::RunFailed, Some(format!("{status} on {input}")))
            }
            Outcome::NoCode { detail } => (PerfStatus::NoCode, Some(detail.clone())),
            Outcome::ModelError { detail } => (PerfStatus::Error, Some(detail.clone())),
            Outcome::Passes => (PerfStatus::Tie, None),
        };
        Measured {
            status,
            detail,
            figures: judgement.figures.map(|figures| MeasuredFigures {
                ratio: figures.ratio,
                ci_low: figures.ci_low,
                ci_high: figures.ci_high,
                canonical_ms: figures.original.cpu_ms,
                candidate_ms: figures.candidate.cpu_ms,
            }),
        }
    }
}

/// The judge's answer about one candidate.
#[derive(Clone, Debug)]
pub struct Measured {
    pub status: PerfStatus,
    pub detail: Option<String>,
    pub figures: Option<MeasuredFigures>,
}

#[derive(Clone, Copy, Debug)]
pub struct MeasuredFigures {
    pub ratio: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub canonical_ms: f64,
    pub candidate_ms: f64,
}

impl Measured {
    pub fn status(status: PerfStatus, detail: String) -> Measured {
        Measured {
            status,
            detail: Some(detail),
            figures: None,
        }
    }

    /// Fill a record's verdict and figures from this measurement.
    pub fn fill(&self, record: &mut PerfRecord) {
        record.status = self.status;
        record.detail = self.detail.clone();
        if let Some(figures) = self.figures {
            record.ratio = Some(figures.ratio);
            record.ci_low = Some(figures.ci_low);
            record.ci_high = Some(figures.ci_high);
            record.speedup = (figures.ratio > 0.0).then(|| 1.0 / figures.ratio);
            record.canonical_ms = Some(figures.canonical_ms);
            record.candidate_ms = Some(figures.candidate_ms);
        }
    }
}

/// The task's canonical solution as a whole source file with the function
/// in it, as the differential driver takes it.
pub fn canonical_file(kind: DatasetKind, language: Language, task: &Task) -> String {
    let head = head(kind, language, task);
    format!("{head}{}", task.canonical_solution)
}

/// The function a task is about: the last function of its canonical file
/// that its test code names (HumanEval's Python tests call `candidate`, and
/// end with `check(name)`), else the last function of the file.
pub fn entry_point(kind: DatasetKind, language: Language, task: &Task) -> Option<String> {
    let file = canonical_file(kind, language, task);
    let names: Vec<String> =
        crate::analysis::functions(&crate::document::Document::new(language, 0, &file))
            .into_iter()
            .map(|function| function.name)
            .filter(|name| name != "main")
            .collect();
    let named = |name: &&String| {
        let needle = format!("{name}(");
        task.test.match_indices(&needle).any(|(at, _)| {
            !task.test[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    names
        .iter()
        .rev()
        .find(named)
        .or_else(|| names.last())
        .cloned()
}

/// Argument lists of the calls in the dataset's test code: `candidate(...)`
/// in HumanEval's Python tests, `name(...)` elsewhere (`s.name(...)` in Java).
pub fn test_call_inputs(language: Language, task: &Task, function: &str) -> Vec<TestInput> {
    let test = match language {
        Language::Python => task.test.replace("candidate(", &format!(" {function}(")),
        _ => task
            .test
            .replace(&format!(".{function}("), &format!(" {function}(")),
    };
    doc_example_inputs(&test, function)
        .into_iter()
        .map(|input| TestInput {
            args: input.args,
            source: InputSource::DocExample,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_calls_become_inputs_in_every_spelling() {
        let python = Task {
            test: "def check(candidate):\n    assert candidate([1, 2], 3) == True\n    assert candidate([], 0) == False\n".into(),
            ..Task::default()
        };
        let inputs = test_call_inputs(Language::Python, &python, "f");
        let args: Vec<Vec<String>> = inputs.into_iter().map(|i| i.args).collect();
        assert_eq!(
            args,
            vec![
                vec!["[1, 2]".to_string(), "3".into()],
                vec!["[]".into(), "0".into()]
            ]
        );
        let java = Task {
            test: "assert s.hasX(Arrays.asList(1, 2), 3) == true;".into(),
            ..Task::default()
        };
        let inputs = test_call_inputs(Language::Java, &java, "hasX");
        assert_eq!(
            inputs[0].args,
            vec!["Arrays.asList(1, 2)".to_string(), "3".into()]
        );
    }
}
