//! The judge: screens inputs with the original as oracle, then decides on a
//! candidate — does it build, does it return what the original returns on
//! every input, and is it better on the metric beyond the noise. Blocking
//! (it runs the executor); the async job calls it on a blocking thread.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::analysis::{FindError, Function, FunctionRef, functions};
use crate::document::Document;
use crate::executor::compare::{
    CallRecord, CallResult, Implementation, Mismatch, MismatchKind, Tolerance, compare_records,
};
use crate::executor::differential::{build_driver, run_driver};
use crate::executor::driver::{DiffSpec, DriverMode};
use crate::executor::measure::SideFigures;
use crate::executor::sandbox::SandboxLimits;
use crate::executor::stats::{self, Comparison, Verdict};
use crate::executor::{
    ExecutorConfig, ExecutorError, MeasureConfig, Measurement, Pairing, RunStatus, Toolchain,
    build, detect, measure_driver, prepare_dependencies,
};
use crate::language::Language;
use crate::routing::Metric;

use super::candidate::{CandidateCode, unindent};
use super::differential::{self, DriverUnavailable};
use super::evidence::small_scope::{SmallInput, SmallScope};
use super::evidence::{DroppedInput, TestInput, doc_example_inputs, shorten};
use super::headers::LocalHeaders;
use super::layout::FileLayout;
use super::own_file;

#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error(transparent)]
    Executor(#[from] ExecutorError),
    #[error(transparent)]
    Unavailable(#[from] DriverUnavailable),
    #[error("cannot create a work folder in {path}: {source}")]
    WorkDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Function(#[from] FindError),
}

/// The version currently held to be right: a whole file and the function
/// in it. Starts as the user's code; becomes each accepted candidate.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub language: Language,
    pub file_text: String,
    pub function: Function,
}

impl Baseline {
    /// The function `spelling` names (`f`, `Container.f`); an error when
    /// it names none, or several.
    pub fn new(
        language: Language,
        file_text: String,
        spelling: &str,
    ) -> Result<Baseline, JudgeError> {
        Baseline::at(language, file_text, &FunctionRef::parse(spelling, None))
    }

    /// The function `target` picks in `file_text`.
    pub fn at(
        language: Language,
        file_text: String,
        target: &FunctionRef,
    ) -> Result<Baseline, JudgeError> {
        let document = Document::new(language, 0, &file_text);
        let function = target.find(&functions(&document))?.clone();
        Ok(Baseline {
            language,
            file_text,
            function,
        })
    }

    pub fn function_text(&self) -> &str {
        &self.file_text[self.function.range.as_range()]
    }

    /// Whether callers of `original` can call this version as they do: the
    /// same header in Python, Java and Go (a changed parameter type is
    /// another function there); in C++ and Rust, where taking a parameter
    /// by reference or as a slice is a legitimate speed-up, the same number
    /// of parameters, the same receiver (`&self`, not `&mut self`) and the
    /// same `const` on a member function.
    pub fn keeps_signature_of(&self, original: &Baseline) -> bool {
        match self.language {
            Language::Cpp | Language::Rust => {
                let receiver = |b: &Baseline| {
                    b.function
                        .parameters
                        .first()
                        .filter(|p| p.contains("self"))
                        .map(|p| p.split_whitespace().collect::<String>())
                };
                let qualifiers = |b: &Baseline| {
                    let signature = b.signature();
                    signature
                        .rfind(')')
                        .map(|at| signature[at..].contains("const"))
                };
                self.function.parameters.len() == original.function.parameters.len()
                    && receiver(self) == receiver(original)
                    && qualifiers(self) == qualifiers(original)
            }
            _ => self.signature() == original.signature(),
        }
    }

    /// The function's header (decorators or modifiers, name, parameters,
    /// return type) with its spacing normalised: what callers depend on.
    pub fn signature(&self) -> String {
        let header = self
            .file_text
            .get(self.function.range.as_range().start..self.function.body_range.as_range().start)
            .unwrap_or_default();
        let mut text = header
            .replace(',', ", ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for (spaced, tight) in [(" )", ")"), ("( ", "("), (" ,", ","), (",)", ")")] {
            text = text.replace(spaced, tight);
        }
        text.trim_end_matches([':', '{', ' ']).to_string()
    }

    /// Whether the function is a method called on an object (its inputs
    /// then start with the object's expression).
    pub fn takes_receiver(&self) -> bool {
        differential::takes_receiver(self.language, &self.function, &self.file_text)
    }

    /// `f(1, 2)`, or `Ledger([]).total("a")` for a method on an object.
    pub fn call_text(&self, input: &TestInput) -> String {
        match input.args.split_first() {
            Some((object, rest)) if self.takes_receiver() => shorten(
                &format!("{object}.{}({})", self.function.name, rest.join(", ")),
                300,
            ),
            _ => input.call_text(&self.function.name),
        }
    }

    /// Calls of the function written in its doc comment, as inputs.
    pub fn doc_inputs(&self) -> Vec<TestInput> {
        let Some(doc) = self.function.doc.as_deref() else {
            return Vec::new();
        };
        match self.function.container.as_deref() {
            Some(class) if self.takes_receiver() => {
                let code = match self.language {
                    Language::Python => super::evidence::objects::doctest_code(doc),
                    _ => doc.to_string(),
                };
                super::evidence::objects::method_calls(
                    self.language,
                    &code,
                    class,
                    &self.function.name,
                    super::evidence::InputSource::DocExample,
                )
            }
            _ => doc_example_inputs(doc, &self.function.name),
        }
    }

    /// Calls of the function written in its tests, as inputs.
    pub fn test_calls(&self, tests: &super::workspace_tests::WorkspaceTests) -> Vec<TestInput> {
        let mut sources = tests.test_sources();
        for (path, text) in &mut sources {
            if tests.is_own_file(path) {
                text.clone_from(&self.file_text);
            }
        }
        super::evidence::calls_in_tests(
            &sources,
            self.language,
            &self.function,
            self.takes_receiver(),
            |path| tests.is_own_file(path),
        )
    }

    /// This baseline with `candidate` spliced in.
    pub fn with(&self, candidate: &CandidateCode) -> Result<Baseline, JudgeError> {
        let text = candidate.splice(self.language, &self.file_text, &self.function);
        // The same function again: same name and container, nearest to
        // where it was (imports the splice added move it down a little).
        Baseline::at(self.language, text, &FunctionRef::of(&self.function))
    }

    /// This version as a candidate for `original`'s file: its function, its
    /// imports, and the functions it has that `original` lacks (helpers an
    /// accepted candidate brought).
    pub fn relative_to(&self, original: &Baseline) -> CandidateCode {
        let layout = FileLayout::of(self.language, &self.file_text);
        let known: Vec<String> =
            functions(&Document::new(original.language, 0, &original.file_text))
                .into_iter()
                .map(|function| function.name)
                .collect();
        let helpers = functions(&Document::new(self.language, 0, &self.file_text))
            .into_iter()
            .filter(|function| {
                !known.contains(&function.name) && function.name != self.function.name
            })
            .map(|function| unindent(&self.file_text, function.range))
            .collect();
        CandidateCode {
            function: unindent(&self.file_text, self.function.range),
            imports: layout
                .imports
                .iter()
                .map(|range| self.file_text[range.as_range()].to_string())
                .collect(),
            helpers,
        }
    }

    /// The function as a candidate of itself (the oracle's own driver).
    pub(crate) fn as_candidate(&self) -> CandidateCode {
        CandidateCode {
            function: self.function_text().to_string(),
            imports: Vec::new(),
            helpers: Vec::new(),
        }
    }
}

/// What happened to one candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The reply held no usable code for the function.
    NoCode {
        detail: String,
    },
    /// The model call failed (error, timeout, budget).
    ModelError {
        detail: String,
    },
    BuildError {
        detail: String,
    },
    /// A different result than the original on an input.
    WrongOutput {
        input: String,
        expected: String,
        actual: String,
    },
    /// The candidate's signature differs from the original's (parameters,
    /// a receiver made mutable, a method made static): callers would break.
    SignatureChanged {
        original: String,
        candidate: String,
    },
    /// A test the original passes now fails.
    FailingTest {
        test: String,
        detail: String,
    },
    /// A crash, timeout or limit on an input.
    RunFailed {
        input: String,
        status: String,
    },
    /// Correct; and how it measured.
    Slower {
        ratio: f64,
    },
    Tie {
        ratio: f64,
    },
    Better {
        ratio: f64,
    },
    /// Correct on all tests (generate and fix stages: nothing to compare with).
    Passes,
}

impl Outcome {
    /// Correct and better beyond the noise.
    pub fn is_improvement(&self) -> bool {
        matches!(self, Outcome::Better { .. })
    }

    pub fn is_correct(&self) -> bool {
        matches!(
            self,
            Outcome::Slower { .. } | Outcome::Tie { .. } | Outcome::Better { .. } | Outcome::Passes
        )
    }

    /// One line for reports and prompts.
    pub fn summary(&self, metric: Metric) -> String {
        let gain = |ratio: f64| (1.0 - ratio) * 100.0;
        match self {
            Outcome::NoCode { detail } => format!("no code: {detail}"),
            Outcome::ModelError { detail } => format!("model error: {detail}"),
            Outcome::BuildError { .. } => "build error".into(),
            Outcome::WrongOutput {
                input,
                expected,
                actual,
            } => format!("wrong output on {input}: {actual}, the original gives {expected}"),
            Outcome::SignatureChanged {
                original,
                candidate,
            } => format!(
                "changes the signature from `{original}` to `{candidate}`, which its callers would notice"
            ),
            Outcome::FailingTest { test, .. } => format!("failing test {test}"),
            Outcome::RunFailed { input, status } => format!("{status} on {input}"),
            Outcome::Slower { ratio } => format!("slower ({metric} ×{ratio:.3})"),
            Outcome::Tie { ratio } => format!("tie ({metric} ×{ratio:.3})"),
            Outcome::Better { ratio } => format!("better by {:.1}% ({metric})", gain(*ratio)),
            Outcome::Passes => "passes the tests".into(),
        }
    }
}

/// Figures of one side in the units users read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideSummary {
    /// CPU time of one run over all inputs (trimmed mean).
    pub cpu_ms: f64,
    pub wall_ms: f64,
    pub peak_rss_kb: u64,
    pub mean_rss_kb: u64,
    pub cpu_utilization: f64,
}

impl From<&SideFigures> for SideSummary {
    fn from(figures: &SideFigures) -> Self {
        SideSummary {
            cpu_ms: figures.trimmed_mean_ns / 1e6,
            wall_ms: figures.mean_wall.as_secs_f64() * 1e3,
            peak_rss_kb: figures.peak_rss_kb,
            mean_rss_kb: figures.mean_rss_kb,
            cpu_utilization: figures.cpu_utilization,
        }
    }
}

/// A measurement reduced to the chosen metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub metric: Metric,
    /// candidate / original on the metric (below 1 is better).
    pub ratio: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub original: SideSummary,
    pub candidate: SideSummary,
    /// The input the candidate spends most CPU time on.
    pub costliest_input: Option<usize>,
    /// Per input: original and candidate CPU ns (median).
    pub per_input_ns: Vec<(f64, f64)>,
    /// The comparison's verdict (faster means better on the metric).
    pub verdict: Verdict,
}

/// The comparison on `metric`: CPU time uses the measurement's own
/// (paired, thread CPU) comparison; the others compare their per-run
/// samples, paired by round, with the same interval and verdict rule.
pub fn comparison_for(metric: Metric, measurement: &Measurement) -> Comparison {
    let samples = |side: &SideFigures| -> Vec<f64> {
        match metric {
            Metric::Time => Vec::new(),
            Metric::PeakMemory => side.peak_rss_kb_runs.clone(),
            Metric::MeanMemory => side.mean_rss_kb_runs.clone(),
            Metric::Cpu => side.cpu_utilization_runs.clone(),
        }
    };
    match metric {
        Metric::Time => measurement.comparison.clone(),
        _ => stats::compare_paired(
            &samples(&measurement.original),
            &samples(&measurement.candidate),
            stats::DEFAULT_CONFIDENCE,
        ),
    }
}

impl Figures {
    pub fn new(metric: Metric, measurement: &Measurement) -> Figures {
        let comparison = comparison_for(metric, measurement);
        Figures {
            metric,
            ratio: comparison.ratio,
            ci_low: comparison.interval.0,
            ci_high: comparison.interval.1,
            original: SideSummary::from(&measurement.original),
            candidate: SideSummary::from(&measurement.candidate),
            costliest_input: measurement.costliest_test,
            per_input_ns: measurement
                .per_test
                .iter()
                .map(|timing| (timing.original_ns, timing.candidate_ns))
                .collect(),
            verdict: comparison.verdict,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Judgement {
    pub outcome: Outcome,
    pub figures: Option<Figures>,
}

/// Inputs that the original handles, and those it does not.
#[derive(Debug, Clone, Default)]
pub struct Screened {
    pub kept: Vec<TestInput>,
    pub dropped: Vec<DroppedInput>,
    /// The original's CPU ns per kept input (one call each).
    pub original_ns: Vec<u64>,
    /// Per kept input: the original raised (or panicked) on it, so a
    /// candidate must raise the same kind there.
    pub raised: Vec<bool>,
}

impl Screened {
    /// Kept inputs on which the original raises.
    pub fn expected_errors(&self) -> usize {
        self.raised.iter().filter(|raised| **raised).count()
    }
}

/// The driver's exception kind for an input whose own expression failed
/// (an unknown name, a bad literal): no evidence either way.
pub const BAD_INPUT: &str = "perforch.BadInput:";

/// Small-scope inputs the original was screened on, run once per
/// candidate for correctness (never timed), with the generator that shrinks
/// a failing one.
#[derive(Debug, Clone)]
pub struct Checks {
    pub scope: SmallScope,
    pub inputs: Vec<SmallInput>,
    pub expected_errors: usize,
}

/// Most shrinking rounds (each a build and a run) for a counterexample.
const SHRINK_ROUNDS: usize = 5;
/// Most smaller inputs tried per round.
const SHRINK_BATCH: usize = 120;

/// Builds and runs in its own temporary folder; one per job.
pub struct Workbench {
    executor: ExecutorConfig,
    toolchain: Toolchain,
    measure: MeasureConfig,
    tolerance: Tolerance,
    root: tempfile::TempDir,
    runs: AtomicUsize,
    headers: LocalHeaders,
}

/// Longest a screening bisection may go on (builds), so a model that sends
/// twenty broken expressions costs seconds, not minutes.
const MAX_SCREEN_BUILDS: usize = 12;
/// Most rebuilds of a batch after dropping the inputs its compiler errors
/// point at (a compiler reports ten or so errors at a time).
const MAX_BLAME_BUILDS: usize = 20;
/// The original's printout of the kept inputs may fill this fraction of the
/// output cap: a run of both versions prints twice as much, and a correct
/// candidate's printout can differ in size (another float's digits, another
/// order of a set) without ending its run.
const PRINTOUT_SHARE: usize = 4;

/// Why an input whose calls print too much for the output cap is not used.
fn too_much_printout(bytes: usize, cap: usize) -> String {
    format!(
        "perforch prints each call's result and arguments, {} kB for this input, which with the other inputs would pass the {} MB output cap of a run; use a smaller input (a heavy input needs to cost time, not to be big)",
        bytes.div_ceil(1024),
        cap >> 20
    )
}

impl Workbench {
    pub fn new(
        executor: ExecutorConfig,
        toolchain: Toolchain,
        measure: MeasureConfig,
    ) -> Result<Workbench, JudgeError> {
        let root = tempfile::Builder::new()
            .prefix("perforch-job")
            .tempdir()
            .map_err(|source| JudgeError::WorkDir {
                path: std::env::temp_dir(),
                source,
            })?;
        // The sandbox may run as another uid; it must traverse the folder.
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).map_err(
            |source| JudgeError::WorkDir {
                path: root.path().to_path_buf(),
                source,
            },
        )?;
        Ok(Workbench {
            executor,
            toolchain,
            measure,
            tolerance: Tolerance::default(),
            root,
            runs: AtomicUsize::new(0),
            headers: LocalHeaders::none(),
        })
    }

    /// Look up the project's own C++ headers here (see [`LocalHeaders`]).
    /// A workbench for `language`: its toolchain found, and (Go, Rust) the
    /// offline dependency cache filled by the trusted step, a no-op once
    /// it is there.
    pub fn for_language(
        executor: ExecutorConfig,
        language: Language,
        measure: MeasureConfig,
    ) -> Result<Workbench, JudgeError> {
        let toolchain = detect(language)?;
        if let Some((_, error)) = prepare_dependencies(&executor.cache_dir)
            .into_iter()
            .find(|(prepared, _)| *prepared == language)
        {
            return Err(error.into());
        }
        Workbench::new(executor, toolchain, measure)
    }

    pub fn with_local_headers(mut self, headers: LocalHeaders) -> Workbench {
        self.headers = headers;
        self
    }

    /// The driver spec for `candidate` against `baseline`, with the
    /// project's headers written into a C++ driver.
    fn spec(
        &self,
        baseline: &Baseline,
        candidate: &CandidateCode,
        inputs: &[TestInput],
        repeats: u32,
    ) -> Result<DiffSpec, JudgeError> {
        let mut spec = differential::spec(
            baseline.language,
            &baseline.file_text,
            &baseline.function,
            candidate,
            inputs.iter().map(|input| input.args.clone()).collect(),
            repeats,
        )?;
        if spec.language == Language::Cpp {
            spec.prelude = self.headers.inline(&spec.prelude);
        }
        Ok(spec)
    }

    pub fn executor(&self) -> &ExecutorConfig {
        &self.executor
    }

    pub fn toolchain(&self) -> &Toolchain {
        &self.toolchain
    }

    fn run_dir(&self, label: &str) -> PathBuf {
        let n = self.runs.fetch_add(1, Ordering::Relaxed);
        self.root.path().join(format!("{n:04}-{label}"))
    }

    /// Run the baseline alone on `inputs`; keep those it answers or
    /// raises on.
    pub fn screen(
        &self,
        baseline: &Baseline,
        inputs: Vec<TestInput>,
    ) -> Result<Screened, JudgeError> {
        self.screen_built(baseline, inputs, false)
    }

    /// [`Workbench::screen`]; `quick`: the driver is built for correctness
    /// only (its timings are not used).
    fn screen_built(
        &self,
        baseline: &Baseline,
        inputs: Vec<TestInput>,
        quick: bool,
    ) -> Result<Screened, JudgeError> {
        let mut screened = Screened::default();
        let mut builds = 0;
        // What the kept inputs' calls of the original print: the judge's
        // run prints as much again for the candidate, all under one cap.
        let mut printed = 0;
        let printout_share = self.measure.limits.output_bytes / PRINTOUT_SHARE;
        // An argument of another language would break its batch's build.
        let inputs: Vec<TestInput> = inputs
            .into_iter()
            .filter_map(
                |input| match super::evidence::syntax_problem(baseline.language, &input) {
                    Some(reason) => {
                        screened.dropped.push(DroppedInput { input, reason });
                        None
                    }
                    None => Some(input),
                },
            )
            .collect();
        let mut pending = vec![inputs];
        let mut blame_builds = 0;
        while let Some(batch) = pending.pop() {
            if batch.is_empty() {
                continue;
            }
            builds += 1;
            let spec = self.spec(baseline, &baseline.as_candidate(), &batch, 1)?;
            let built = match self.build_spec(&spec, quick, "screen") {
                Ok(built) => built,
                Err(ExecutorError::BuildFailed { diagnostics, .. }) => {
                    // The compiler names the lines at fault: drop the
                    // inputs whose calls hold them, and build the rest.
                    let blamed = inputs_blamed(&spec, &diagnostics);
                    if !blamed.is_empty()
                        && blamed.len() < batch.len()
                        && blame_builds < MAX_BLAME_BUILDS
                    {
                        blame_builds += 1;
                        builds -= 1;
                        let reason = format!(
                            "does not build with the function: {}",
                            shorten(first_error_line(&diagnostics), 200)
                        );
                        let mut rest = Vec::new();
                        for (index, input) in batch.into_iter().enumerate() {
                            if blamed.contains(&index) {
                                screened.dropped.push(DroppedInput {
                                    input,
                                    reason: reason.clone(),
                                });
                            } else {
                                rest.push(input);
                            }
                        }
                        pending.push(rest);
                        continue;
                    }
                    // Else one bad expression breaks a compiled batch: bisect.
                    if batch.len() == 1 || builds >= MAX_SCREEN_BUILDS {
                        let reason = format!(
                            "does not build with the function: {}",
                            shorten(first_error_line(&diagnostics), 200)
                        );
                        screened
                            .dropped
                            .extend(batch.into_iter().map(|input| DroppedInput {
                                input,
                                reason: reason.clone(),
                            }));
                    } else {
                        let mut first = batch;
                        let second = first.split_off(first.len() / 2);
                        pending.push(second);
                        pending.push(first);
                    }
                    continue;
                }
                Err(other) => return Err(other.into()),
            };
            let (run, records) = run_driver(
                &self.executor,
                &built,
                DriverMode::Original,
                self.measure.limits.clone(),
            )?;
            let mut rest = Vec::new();
            let mut stopped = false;
            for (index, input) in batch.into_iter().enumerate() {
                if stopped {
                    rest.push(input);
                    continue;
                }
                let record = records
                    .iter()
                    .find(|r| r.call == index && r.implementation == Implementation::Original);
                match record {
                    Some(record) => match &record.result {
                        CallResult::Value(_) if printed + record.printed_bytes > printout_share => {
                            screened.dropped.push(DroppedInput {
                                input,
                                reason: too_much_printout(
                                    record.printed_bytes,
                                    self.measure.limits.output_bytes,
                                ),
                            });
                        }
                        CallResult::Value(_) => {
                            printed += record.printed_bytes;
                            screened.original_ns.push(record.cpu_ns);
                            screened.raised.push(false);
                            screened.kept.push(input);
                        }
                        CallResult::Exception(kind) if kind.starts_with(BAD_INPUT) => {
                            screened.dropped.push(DroppedInput {
                                input,
                                reason: format!(
                                    "the input itself cannot be built ({})",
                                    &kind[BAD_INPUT.len()..]
                                ),
                            })
                        }
                        // Running out of memory or stack is a limit of this
                        // run, like a timeout: a leaner version may well not.
                        CallResult::Exception(kind) if is_resource_exhaustion(kind) => {
                            screened.dropped.push(DroppedInput {
                                input,
                                reason: format!("the original runs out of resources ({kind})"),
                            })
                        }
                        // Error behaviour is behaviour: a version that stops
                        // raising, or raises another kind, is wrong.
                        CallResult::Exception(_) => {
                            printed += record.printed_bytes;
                            screened.original_ns.push(record.cpu_ns);
                            screened.raised.push(true);
                            screened.kept.push(input);
                        }
                    },
                    None => {
                        // The run ended here (timeout, crash): drop this
                        // input and try the ones after it again.
                        screened.dropped.push(DroppedInput {
                            input,
                            reason: format!("the original ends with {}", status_text(&run.status)),
                        });
                        stopped = true;
                    }
                }
            }
            if builds < MAX_SCREEN_BUILDS * 2 {
                pending.push(rest);
            } else {
                screened
                    .dropped
                    .extend(rest.into_iter().map(|input| DroppedInput {
                        input,
                        reason: "not tried: too many failing runs".into(),
                    }));
            }
        }
        Ok(screened)
    }

    /// `count` small-scope inputs from `scope`, screened with `baseline`
    /// as the oracle: those it answers, or raises on, are kept.
    pub fn small_scope_checks(
        &self,
        baseline: &Baseline,
        scope: SmallScope,
        count: usize,
    ) -> Result<Checks, JudgeError> {
        let inputs = scope.inputs(count);
        self.screen_checks(baseline, scope, inputs)
    }

    pub(crate) fn screen_checks(
        &self,
        baseline: &Baseline,
        scope: SmallScope,
        inputs: Vec<SmallInput>,
    ) -> Result<Checks, JudgeError> {
        let screened = self.screen_built(
            baseline,
            inputs.iter().map(|i| i.input.clone()).collect(),
            true,
        )?;
        let mut by_args: std::collections::HashMap<Vec<String>, SmallInput> = inputs
            .into_iter()
            .map(|input| (input.input.args.clone(), input))
            .collect();
        let kept = screened
            .kept
            .iter()
            .filter_map(|input| by_args.remove(&input.args))
            .collect();
        Ok(Checks {
            scope,
            inputs: kept,
            expected_errors: screened.expected_errors(),
        })
    }

    /// Judge `candidate` against `baseline` on `inputs`, after checking it
    /// on the small-scope `checks` when there are any.
    pub fn judge(
        &self,
        baseline: &Baseline,
        candidate: &CandidateCode,
        inputs: &[TestInput],
        checks: Option<&Checks>,
        repeats: u32,
        metric: Metric,
    ) -> Result<Judgement, JudgeError> {
        let verdict_only = |outcome| {
            Ok(Judgement {
                outcome,
                figures: None,
            })
        };
        if let Ok(spliced) = baseline.with(candidate)
            && !spliced.keeps_signature_of(baseline)
        {
            return verdict_only(Outcome::SignatureChanged {
                original: baseline.signature(),
                candidate: spliced.signature(),
            });
        }
        if let Some(checks) = checks
            && let Some(outcome) = self.check(baseline, candidate, checks)?
        {
            return verdict_only(outcome);
        }
        let spec = self.spec(baseline, candidate, inputs, repeats)?;
        let built = match build_driver(
            &self.executor,
            &self.toolchain,
            &spec,
            &self.run_dir("judge"),
        ) {
            Ok(built) => built,
            Err(ExecutorError::BuildFailed { diagnostics, .. }) => {
                return verdict_only(Outcome::BuildError {
                    detail: shorten(&diagnostics, 3000),
                });
            }
            Err(other) => return Err(other.into()),
        };
        let (run, records) = run_driver(
            &self.executor,
            &built,
            DriverMode::Both,
            self.measure.limits.clone(),
        )?;
        let mismatches = compare_records(&records, inputs.len(), self.tolerance);
        if let Some(mismatch) = mismatches.iter().find(|m| m.kind != MismatchKind::Missing) {
            return verdict_only(wrong_output(baseline, inputs, mismatch));
        }
        if !run.succeeded() || !mismatches.is_empty() {
            let call = mismatches.first().map_or(0, |m| m.call);
            return verdict_only(Outcome::RunFailed {
                input: inputs
                    .get(call)
                    .map_or_else(String::new, |input| baseline.call_text(input)),
                status: status_text(&run.status),
            });
        }
        let measure = MeasureConfig {
            pairing: match metric {
                Metric::Time => Pairing::SameProcess,
                Metric::PeakMemory | Metric::MeanMemory | Metric::Cpu => Pairing::SeparateProcesses,
            },
            ..self.measure.clone()
        };
        let measurement = match measure_driver(&self.executor, &built, &measure) {
            Ok(measurement) => measurement,
            // Correct once, then failing under repetition: a limit or a
            // flaky candidate; either way not something to hand out.
            Err(ExecutorError::MeasurementRunFailed { side, status }) => {
                return verdict_only(Outcome::RunFailed {
                    input: format!("repeated runs ({side})"),
                    status,
                });
            }
            Err(other) => return Err(other.into()),
        };
        let figures = Figures::new(metric, &measurement);
        let outcome = match figures.verdict {
            Verdict::Faster => match self.build_error_in_file(baseline, candidate)? {
                Some(detail) => Outcome::BuildError { detail },
                None => Outcome::Better {
                    ratio: figures.ratio,
                },
            },
            Verdict::Slower => Outcome::Slower {
                ratio: figures.ratio,
            },
            Verdict::Tie => Outcome::Tie {
                ratio: figures.ratio,
            },
        };
        Ok(Judgement {
            outcome,
            figures: Some(figures),
        })
    }
}

impl Workbench {
    /// Run `candidate` and `baseline` once on every small-scope input; on
    /// a difference, the smallest failing input found by shrinking.
    fn check(
        &self,
        baseline: &Baseline,
        candidate: &CandidateCode,
        checks: &Checks,
    ) -> Result<Option<Outcome>, JudgeError> {
        let inputs: Vec<TestInput> = checks.inputs.iter().map(|i| i.input.clone()).collect();
        let (run, mismatches) = match self.run_both_once(baseline, candidate, &inputs)? {
            Ok(ran) => ran,
            // The main run reports a build error with its diagnostics.
            Err(_) => return Ok(None),
        };
        let Some(first) = mismatches.iter().find(|m| m.kind != MismatchKind::Missing) else {
            if !run.succeeded() {
                let call = mismatches.first().map_or(0, |m| m.call);
                return Ok(Some(Outcome::RunFailed {
                    input: inputs
                        .get(call)
                        .map_or_else(String::new, |i| baseline.call_text(i)),
                    status: status_text(&run.status),
                }));
            }
            return Ok(None);
        };
        // The failing input among those it ran with (a method's second
        // call takes the next input's arguments).
        let mut failing = (inputs, first.clone());
        let mut failing_small = checks.inputs[first.call].clone();
        for _ in 0..SHRINK_ROUNDS {
            let mut smaller = checks.scope.shrink(&failing_small);
            smaller.truncate(SHRINK_BATCH);
            if smaller.is_empty() {
                break;
            }
            let tries: Vec<TestInput> = smaller.iter().map(|i| i.input.clone()).collect();
            let Ok((_, mismatches)) = self.run_both_once(baseline, candidate, &tries)? else {
                break;
            };
            match mismatches.iter().find(|m| m.kind != MismatchKind::Missing) {
                Some(mismatch) => {
                    failing_small = smaller[mismatch.call].clone();
                    failing = (tries, mismatch.clone());
                }
                None => break,
            }
        }
        Ok(Some(wrong_output(baseline, &failing.0, &failing.1)))
    }

    /// Both versions once on `inputs`: the run and the differences, or the
    /// build error.
    pub(crate) fn run_both_once(
        &self,
        baseline: &Baseline,
        candidate: &CandidateCode,
        inputs: &[TestInput],
    ) -> Result<Result<(crate::executor::RunOutcome, Vec<Mismatch>), String>, JudgeError> {
        let ran = self.run_once(
            baseline,
            candidate,
            inputs,
            DriverMode::Both,
            self.measure.limits.clone(),
        )?;
        Ok(
            ran.map(|(run, records)| {
                (run, compare_records(&records, inputs.len(), self.tolerance))
            }),
        )
    }

    /// The driver of `candidate` against `baseline` on `inputs`, built for
    /// correctness only and run once in `mode` under `limits`: the run and
    /// its records, or the build's diagnostics.
    pub(crate) fn run_once(
        &self,
        baseline: &Baseline,
        candidate: &CandidateCode,
        inputs: &[TestInput],
        mode: DriverMode,
        limits: SandboxLimits,
    ) -> Result<Result<(crate::executor::RunOutcome, Vec<CallRecord>), String>, JudgeError> {
        let spec = self.spec(baseline, candidate, inputs, 1)?;
        let built = match self.build_spec(&spec, true, "check") {
            Ok(built) => built,
            Err(ExecutorError::BuildFailed { diagnostics, .. }) => return Ok(Err(diagnostics)),
            Err(other) => return Err(other.into()),
        };
        Ok(Ok(run_driver(&self.executor, &built, mode, limits)?))
    }

    /// The limits of one run (see [`MeasureConfig::limits`]).
    pub(crate) fn run_limits(&self) -> &SandboxLimits {
        &self.measure.limits
    }

    pub(crate) fn tolerance(&self) -> Tolerance {
        self.tolerance
    }
}

impl Workbench {
    /// Build a driver; `quick` for correctness runs only.
    fn build_spec(
        &self,
        spec: &DiffSpec,
        quick: bool,
        label: &str,
    ) -> Result<crate::executor::BuiltProgram, ExecutorError> {
        if !quick {
            return build_driver(&self.executor, &self.toolchain, spec, &self.run_dir(label));
        }
        let mut program = crate::executor::driver::generate(spec)?;
        program.quick_build = true;
        build(
            &self.executor,
            &self.toolchain,
            &program,
            &self.run_dir(label),
        )
    }
}

/// Exceptions that say the run hit a memory or stack limit, not what the
/// function means to do on the input.
fn is_resource_exhaustion(kind: &str) -> bool {
    [
        "MemoryError",
        "RecursionError",
        "OutOfMemoryError",
        "StackOverflowError",
        "bad_alloc",
    ]
    .iter()
    .any(|name| kind.contains(name))
}

/// "wrong output on `f([5, 5], 10)`: 0, the original gives 1"; for the
/// `mismatch` of one of `inputs`.
fn wrong_output(baseline: &Baseline, inputs: &[TestInput], mismatch: &Mismatch) -> Outcome {
    let input = &inputs[mismatch.call];
    // Same result, other arguments: say so, or the two argument lists
    // read like two different results.
    let what = match mismatch.kind {
        MismatchKind::Arguments => "arguments after the call ".to_string(),
        MismatchKind::Again => {
            let next = &inputs[(mismatch.call + 1) % inputs.len()];
            let rest = next.args.get(1..).unwrap_or_default().join(", ");
            format!(
                "then .{}({}) on the same object returns ",
                baseline.function.name,
                shorten(&rest, 120)
            )
        }
        _ => String::new(),
    };
    // "…: then .m(2) on the same object returns X, the original gives Y".
    let expected_what = match mismatch.kind {
        MismatchKind::Again => String::new(),
        _ => what.clone(),
    };
    Outcome::WrongOutput {
        input: baseline.call_text(input),
        expected: format!("{expected_what}{}", shorten(&mismatch.original, 300)),
        actual: format!("{what}{}", shorten(&mismatch.candidate, 300)),
    }
}

impl Workbench {
    /// Measure `baseline` against itself: its figures per input and in
    /// total, and (in the ratio) how much the measurement wobbles.
    pub fn measure_alone(
        &self,
        baseline: &Baseline,
        inputs: &[TestInput],
        repeats: u32,
    ) -> Result<Figures, JudgeError> {
        let spec = self.spec(baseline, &baseline.as_candidate(), inputs, repeats)?;
        let built = build_driver(
            &self.executor,
            &self.toolchain,
            &spec,
            &self.run_dir("bench"),
        )?;
        let measurement = measure_driver(&self.executor, &built, &self.measure)?;
        Ok(Figures::new(Metric::Time, &measurement))
    }
}

impl Workbench {
    /// A version's file as the compiler sees it: a C++ file with its
    /// project headers written out, so it builds on its own.
    fn with_headers(&self, version: &Baseline) -> String {
        match version.language {
            Language::Cpp => self.headers.inline(&version.file_text),
            _ => version.file_text.clone(),
        }
    }

    /// The compiler's complaint when the candidate builds in the driver but
    /// not inside the user's file (see [`own_file`]); `None` when it builds
    /// there, or when the original file does not build on its own.
    fn build_error_in_file(
        &self,
        baseline: &Baseline,
        candidate: &CandidateCode,
    ) -> Result<Option<String>, JudgeError> {
        let Some(original) = own_file::program(baseline.language, &self.with_headers(baseline))
        else {
            return Ok(None);
        };
        match build(
            &self.executor,
            &self.toolchain,
            &original,
            &self.run_dir("file"),
        ) {
            Ok(_) => {}
            Err(ExecutorError::BuildFailed { .. }) => return Ok(None),
            Err(other) => return Err(other.into()),
        }
        let spliced = baseline.with(candidate)?;
        let Some(program) = own_file::program(baseline.language, &self.with_headers(&spliced))
        else {
            return Ok(None);
        };
        match build(
            &self.executor,
            &self.toolchain,
            &program,
            &self.run_dir("file"),
        ) {
            Ok(_) => Ok(None),
            Err(ExecutorError::BuildFailed { diagnostics, .. }) => Ok(Some(format!(
                "it builds beside perforch's test driver but not in your file:\n{}",
                shorten(&diagnostics, 3000)
            ))),
            Err(other) => Err(other.into()),
        }
    }
}

/// Aim for this much CPU per measured run, so timer noise is small.
const TARGET_RUN_NS: u64 = 20_000_000;
const MAX_REPEATS: u64 = 1_000;

/// How many repetitions make one run of all inputs cost about
/// [`TARGET_RUN_NS`], so per-call timer noise stays small next to the work
/// measured.
pub fn repeats_for(original_ns: &[u64]) -> u32 {
    let total: u64 = original_ns.iter().sum::<u64>().max(1);
    (TARGET_RUN_NS / total).clamp(1, MAX_REPEATS) as u32
}

pub fn status_text(status: &RunStatus) -> String {
    match status {
        RunStatus::Exited(code) => format!("exit code {code}"),
        RunStatus::Signaled(signal) => format!("signal {signal}"),
        RunStatus::Timeout => "a timeout".into(),
        RunStatus::MemoryLimit => "the memory limit".into(),
        RunStatus::OutputLimit => "the output cap (the code's own prints and perforch's printout of each result and argument list passed it; smaller inputs print less)".into(),
        RunStatus::FileSizeLimit => "the file size limit".into(),
        RunStatus::SandboxViolation(what) => format!("a sandbox violation ({what})"),
        RunStatus::LaunchError(what) => format!("a launch error ({what})"),
    }
}

/// The inputs (indices into the spec's inputs) whose call functions hold
/// the lines of the driver that `diagnostics` report errors at. Every
/// driver gives input N its own `…case_o_N` / `…case_c_N` function.
fn inputs_blamed(spec: &DiffSpec, diagnostics: &str) -> Vec<usize> {
    let Ok(program) = crate::executor::driver::generate(spec) else {
        return Vec::new();
    };
    let Some(file) = program.files.first() else {
        return Vec::new();
    };
    let lines: Vec<&str> = file.contents.lines().collect();
    let mut blamed = Vec::new();
    for (at, _) in diagnostics.match_indices(file.path.as_str()) {
        let after = &diagnostics[at + file.path.len()..];
        let Some(digits) = after.strip_prefix(':') else {
            continue;
        };
        let number: String = digits.chars().take_while(char::is_ascii_digit).collect();
        let Ok(line) = number.parse::<usize>() else {
            continue;
        };
        let index = lines[..line.min(lines.len())]
            .iter()
            .rev()
            .find_map(|text| case_index(text));
        if let Some(index) = index
            && index < spec.inputs.len()
            && !blamed.contains(&index)
        {
            blamed.push(index);
        }
    }
    blamed
}

/// N of a driver line that starts input N's call function.
fn case_index(line: &str) -> Option<usize> {
    ["ase_o_", "ase_c_", "again_o_", "again_c_"]
        .iter()
        .find_map(|marker| {
            let at = line.find(marker)?;
            let digits: String = line[at + marker.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
}

fn first_error_line(diagnostics: &str) -> &str {
    diagnostics
        .lines()
        .find(|line| line.contains("error"))
        .unwrap_or_else(|| diagnostics.lines().next().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature_after(
        language: Language,
        file: &str,
        spelling: &str,
        candidate: &str,
    ) -> (String, String) {
        let baseline = Baseline::new(language, file.to_string(), spelling).unwrap();
        let candidate = CandidateCode {
            function: candidate.to_string(),
            imports: Vec::new(),
            helpers: Vec::new(),
        };
        (
            baseline.signature(),
            baseline.with(&candidate).unwrap().signature(),
        )
    }

    #[test]
    fn a_signature_is_its_header_whatever_the_spacing() {
        let file = "class Ledger:\n    def total(self, account):\n        return 0\n";
        let (original, respaced) = signature_after(
            Language::Python,
            file,
            "Ledger.total",
            "def total( self,account ):\n    return 1\n",
        );
        assert_eq!(original, "def total(self, account)");
        assert_eq!(respaced, original);
        let (_, widened) = signature_after(
            Language::Python,
            file,
            "Ledger.total",
            "def total(self, account, cache={}):\n    return 1\n",
        );
        assert_ne!(original, widened);
        let java = "class Cart {\n    int units(String sku) {\n        return 0;\n    }\n}\n";
        let (original, made_static) = signature_after(
            Language::Java,
            java,
            "Cart.units",
            "static int units(String sku) {\n    return 1;\n}\n",
        );
        assert_ne!(original, made_static, "{made_static}");
    }

    #[test]
    fn rust_may_borrow_differently_but_not_take_self_mutably() {
        let file = "struct Graph { edges: Vec<(u32, u32)> }\nimpl Graph {\n    fn degree(&self, v: Vec<u32>) -> usize {\n        0\n    }\n}\n";
        let baseline = Baseline::new(Language::Rust, file.to_string(), "Graph::degree").unwrap();
        let version = |function: &str| {
            baseline
                .with(&CandidateCode {
                    function: function.to_string(),
                    imports: Vec::new(),
                    helpers: Vec::new(),
                })
                .unwrap()
        };
        assert!(
            version("fn degree(&self, v: &[u32]) -> usize {\n    1\n}\n")
                .keeps_signature_of(&baseline)
        );
        assert!(
            !version("fn degree(&mut self, v: Vec<u32>) -> usize {\n    1\n}\n")
                .keeps_signature_of(&baseline)
        );
    }
}
