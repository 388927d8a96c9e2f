//! The judge without models: `perforch compare` (is this candidate correct
//! and better?) and `perforch bench` (how does the function measure, per
//! input and per test?). Same evidence and rules as a pipeline job.

use std::path::Path;

use serde::Serialize;

use crate::analysis::functions;
use crate::config::Config;
use crate::discovery::DiscoveryError;
use crate::document::Document;
use crate::executor::stats::Verdict;
use crate::executor::{ExecutorConfig, MeasureConfig};
use crate::language::Language;
use crate::routing::Metric;

use super::candidate::CandidateCode;
use super::differential::check_callable;
use super::evidence::{
    DroppedInput, InputSource, TestInput, same_call, small_scope_for, type_directed_inputs,
};
use super::headers::LocalHeaders;
use super::job::PipelineError;
use super::judge::{Baseline, Checks, Figures, Outcome, Workbench, repeats_for};
use super::mutation::{MutationScore, mutant_limit};
use super::report::MutationReport;
use super::scaling::microsecond_caveat;
use super::workspace_tests::WorkspaceTests;

/// The function under test and where its evidence comes from.
pub struct Subject<'a> {
    pub config: &'a Config,
    pub executor: ExecutorConfig,
    pub workspace_root: &'a Path,
    pub file: &'a Path,
    pub language: Language,
    pub file_text: String,
    /// As users spell it: `f`, `Container.f`.
    pub function: &'a str,
    /// A line inside the function (zero-based), among several of one name.
    pub line: Option<usize>,
    /// Inputs given on the command line (`--inputs FILE`).
    pub extra_inputs: Vec<TestInput>,
}

/// Evidence gathered for a subject: screened inputs and workspace tests.
struct Prepared {
    workbench: Workbench,
    baseline: Baseline,
    inputs: Vec<TestInput>,
    /// Small-scope inputs, checked for correctness only.
    checks: Option<Checks>,
    /// Inputs on which the original raises.
    expected_errors: usize,
    dropped: Vec<DroppedInput>,
    repeats: u32,
    tests: Option<WorkspaceTests>,
    /// Tests the original passes; a failing original makes them no evidence.
    tests_pass_on_original: bool,
    notes: Vec<String>,
}

fn prepare(subject: &Subject) -> Result<Prepared, PipelineError> {
    let baseline = match Baseline::at(
        subject.language,
        subject.file_text.clone(),
        &crate::analysis::FunctionRef::parse(subject.function, subject.line),
    ) {
        Ok(baseline) => baseline,
        Err(super::judge::JudgeError::Function(error)) => return Err(error.into()),
        Err(other) => return Err(other.into()),
    };
    let measure = MeasureConfig {
        runs: subject.config.pipeline.measure_runs,
        ..MeasureConfig::default()
    };
    let workbench = Workbench::for_language(subject.executor.clone(), subject.language, measure)?
        .with_local_headers(LocalHeaders::for_file(
            subject.file,
            Some(subject.workspace_root),
        ));
    let mut notes = Vec::new();
    let tests = match WorkspaceTests::discover(
        subject.config,
        subject.workspace_root,
        subject.file,
        subject.language,
        &baseline.function.name,
        baseline.function.container.as_deref(),
    ) {
        Ok(tests) => tests,
        // The inputs still judge; the report says the tests were not run.
        Err(error @ DiscoveryError::TestsCannotRun { .. }) => {
            notes.push(format!("workspace tests were not used: {error}"));
            None
        }
        Err(error) => return Err(error.into()),
    };
    let mut captured = Vec::new();
    let tests_pass_on_original = match &tests {
        Some(tests) => {
            let (verdict, calls) =
                tests.run_capturing(&subject.executor, &baseline.file_text, &baseline.function)?;
            captured = calls;
            if let Some((test, _)) = &verdict.failure {
                notes.push(format!(
                    "the original fails {test}, so the workspace tests are not used as evidence"
                ));
            }
            verdict.failure.is_none()
        }
        None => false,
    };
    let (mut inputs, mut dropped, mut repeats, mut checks) = (Vec::new(), Vec::new(), 1, None);
    let mut expected_errors = 0;
    match check_callable(subject.language, &baseline.function) {
        Ok(()) => {
            // The evidence of a job whose model wrote no usable inputs:
            // the function's doc examples and the calls in its tests, the
            // inputs given with --inputs, and inputs built from the
            // parameter types (the large ones only without --inputs).
            let mut candidates = baseline.doc_inputs();
            if let Some(tests) = &tests {
                candidates.extend(baseline.test_calls(tests));
            }
            candidates.extend(captured);
            candidates.extend(subject.extra_inputs.iter().cloned());
            candidates.extend(type_directed_inputs(
                subject.language,
                &baseline.function,
                subject.extra_inputs.is_empty(),
            ));
            let mut unique: Vec<TestInput> = Vec::new();
            for input in candidates {
                if !unique.iter().any(|known| same_call(known, &input)) {
                    unique.push(input);
                }
            }
            let scope = small_scope_for(
                subject.language,
                &baseline.function,
                &baseline.file_text,
                baseline.takes_receiver(),
                &mut unique,
            );
            if !unique.is_empty() {
                let screened = workbench.screen(&baseline, unique)?;
                let screened = workbench.scaled_up(&baseline, scope.as_ref().ok(), screened)?;
                notes.extend(microsecond_caveat(&screened.original_ns));
                repeats = repeats_for(&screened.original_ns);
                expected_errors = screened.expected_errors();
                inputs = screened.kept;
                dropped = screened.dropped;
            }
            let count = subject.config.pipeline.small_scope_inputs;
            match scope {
                Ok(scope) if count > 0 => {
                    checks = Some(workbench.small_scope_checks(&baseline, scope, count)?);
                }
                Ok(_) => {}
                Err(note) => notes.push(note),
            }
        }
        Err(reason) => notes.push(reason.to_string()),
    }
    Ok(Prepared {
        workbench,
        baseline,
        inputs,
        checks,
        expected_errors,
        dropped,
        repeats,
        tests,
        tests_pass_on_original,
        notes,
    })
}

/// Result of `perforch compare`.
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    pub function: String,
    pub metric: Metric,
    pub correct: bool,
    /// "faster", "slower", "tie", "incorrect" or "error".
    pub verdict: &'static str,
    pub ratio: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub original: Option<super::judge::SideSummary>,
    pub candidate: Option<super::judge::SideSummary>,
    pub outcome: Option<Outcome>,
    pub inputs: usize,
    /// Inputs taken from calls written in the function's tests.
    pub test_calls: usize,
    /// Inputs of the evidence repeated along their shapes until the
    /// original spends milliseconds on them, for timing.
    pub grown_inputs: usize,
    /// Small inputs the candidate was checked on (correctness only).
    pub small_scope: usize,
    /// Inputs (of both kinds) on which the original raises.
    pub expected_errors: usize,
    pub dropped_inputs: Vec<DroppedInput>,
    pub workspace_tests: usize,
    /// The evidence's mutation score, measured when the candidate is
    /// faster (as a job measures it before offering a version).
    pub mutation: Option<MutationReport>,
    pub notes: Vec<String>,
}

/// The evidence's mutation score on the prepared evidence, as a job
/// measures it before it offers a version: with up to the configured
/// number of mutants for the language; below the floor, again with more
/// small-scope inputs (the first score's tellers among them). The stronger
/// checks come back with the second score.
fn score_prepared(
    config: &Config,
    prepared: &Prepared,
) -> Result<Option<(MutationScore, Option<(Checks, MutationScore)>)>, PipelineError> {
    let pipeline = &config.pipeline;
    let limit = mutant_limit(prepared.baseline.language, pipeline.mutants);
    if limit == 0 {
        return Ok(None);
    }
    let first = prepared.workbench.mutation_score(
        &prepared.baseline,
        &prepared.inputs,
        prepared.checks.as_ref(),
        limit,
    )?;
    let below = first
        .score()
        .is_some_and(|value| value < pipeline.mutation_floor);
    let Some(checks) = prepared.checks.as_ref().filter(|_| below) else {
        return Ok(Some((first, None)));
    };
    let more = prepared.workbench.more_checks(
        &prepared.baseline,
        checks,
        &first.tellers,
        (2 * pipeline.small_scope_inputs).max(1),
    )?;
    if more.inputs.len() == checks.inputs.len() {
        return Ok(Some((first, None)));
    }
    let again = prepared.workbench.mutation_score(
        &prepared.baseline,
        &prepared.inputs,
        Some(&more),
        limit,
    )?;
    Ok(Some((first, Some((more, again)))))
}

/// The strength of the evidence perforch builds for a function when no
/// model writes inputs (`compare`'s): its mutation score as first
/// gathered, and after more small-scope inputs when that was below the
/// floor. For `perforch eval --mutation`.
#[derive(Debug, Clone, Serialize)]
pub struct Strength {
    pub first: Option<MutationReport>,
    pub more: Option<MutationReport>,
    /// Screened inputs and small-scope inputs in the first evidence.
    pub inputs: usize,
    pub small_scope: usize,
    /// Mutants made.
    pub mutants: usize,
    /// Time to gather the evidence, and to score it (both scores).
    pub prepare_ms: u64,
    pub score_ms: u64,
    pub notes: Vec<String>,
}

impl Strength {
    /// The score the job decides on: after more inputs, when it gathered
    /// them.
    pub fn last(&self) -> Option<&MutationReport> {
        self.more.as_ref().or(self.first.as_ref())
    }
}

/// [`Strength`] of the subject's evidence.
pub fn evidence_strength(subject: &Subject) -> Result<Strength, PipelineError> {
    let started = std::time::Instant::now();
    let prepared = prepare(subject)?;
    let prepare_ms = started.elapsed().as_millis() as u64;
    let started = std::time::Instant::now();
    let scored = score_prepared(subject.config, &prepared)?;
    let floor = subject.config.pipeline.mutation_floor;
    let mut strength = Strength {
        first: None,
        more: None,
        inputs: prepared.inputs.len(),
        small_scope: prepared.checks.as_ref().map_or(0, |c| c.inputs.len()),
        mutants: 0,
        prepare_ms,
        score_ms: started.elapsed().as_millis() as u64,
        notes: prepared.notes,
    };
    if let Some((first, more)) = scored {
        strength.mutants = first.mutants;
        strength.first = Some(MutationReport::new(&first, floor));
        strength.more = more.map(|(_, again)| MutationReport::new(&again, floor));
    }
    Ok(strength)
}

/// Judge the function in `candidate_code` against the subject's function.
pub fn compare(
    subject: &Subject,
    candidate_code: &str,
    metric: Metric,
) -> Result<CompareReport, PipelineError> {
    let prepared = prepare(subject)?;
    let mut report = CompareReport {
        function: subject.function.to_string(),
        metric,
        correct: false,
        verdict: "error",
        ratio: None,
        ci_low: None,
        ci_high: None,
        original: None,
        candidate: None,
        outcome: None,
        inputs: prepared.inputs.len(),
        test_calls: prepared
            .inputs
            .iter()
            .filter(|input| input.source == InputSource::TestCall)
            .count(),
        grown_inputs: prepared
            .inputs
            .iter()
            .filter(|input| input.source == InputSource::Scaled)
            .count(),
        small_scope: prepared.checks.as_ref().map_or(0, |c| c.inputs.len()),
        expected_errors: prepared.expected_errors
            + prepared.checks.as_ref().map_or(0, |c| c.expected_errors),
        dropped_inputs: prepared.dropped.clone(),
        workspace_tests: prepared
            .tests
            .as_ref()
            .filter(|_| prepared.tests_pass_on_original)
            .map_or(0, WorkspaceTests::test_count),
        mutation: None,
        notes: prepared.notes.clone(),
    };
    let known = functions(&Document::new(subject.language, 0, &subject.file_text));
    let candidate = match CandidateCode::from_code(
        candidate_code,
        subject.language,
        &prepared.baseline.function.name,
        Some(&known),
    ) {
        Ok(candidate) => candidate,
        Err(error) => {
            report.verdict = "incorrect";
            report.outcome = Some(Outcome::NoCode {
                detail: error.to_string(),
            });
            return Ok(report);
        }
    };
    if report.inputs == 0 && report.workspace_tests == 0 {
        report.notes.push(
            "no evidence: the function has no usable doc examples, no --inputs and no passing workspace tests; nothing can be concluded".into(),
        );
        return Ok(report);
    }
    if prepared.tests_pass_on_original
        && let Some(tests) = &prepared.tests
    {
        let version = prepared.baseline.with(&candidate)?;
        if let Some((test, detail)) = tests.run(&subject.executor, &version.file_text)?.failure {
            report.verdict = "incorrect";
            report.outcome = Some(Outcome::FailingTest { test, detail });
            return Ok(report);
        }
    }
    if prepared.inputs.is_empty() {
        report.correct = true;
        report.verdict = "error";
        report.notes.push(
            "the workspace tests pass, but without inputs the function cannot be timed directly; give inputs with --inputs".into(),
        );
        return Ok(report);
    }
    let judgement = prepared.workbench.judge(
        &prepared.baseline,
        &candidate,
        &prepared.inputs,
        prepared.checks.as_ref(),
        prepared.repeats,
        metric,
    )?;
    report.correct = judgement.outcome.is_correct();
    if let Some(figures) = &judgement.figures {
        report.ratio = Some(figures.ratio);
        report.ci_low = Some(figures.ci_low);
        report.ci_high = Some(figures.ci_high);
        report.original = Some(figures.original.clone());
        report.candidate = Some(figures.candidate.clone());
        report.verdict = match figures.verdict {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::Tie => "tie",
        };
    } else {
        report.verdict = "incorrect";
    }
    if report.verdict == "faster"
        && let Some((first, more)) = score_prepared(subject.config, &prepared)?
    {
        let floor = subject.config.pipeline.mutation_floor;
        let score = match more {
            // The candidate on the stronger checks too.
            Some((checks, again)) => {
                report.small_scope = checks.inputs.len();
                let judgement = prepared.workbench.judge(
                    &prepared.baseline,
                    &candidate,
                    &prepared.inputs,
                    Some(&checks),
                    prepared.repeats,
                    metric,
                )?;
                if !judgement.outcome.is_correct() {
                    report.correct = false;
                    report.verdict = "incorrect";
                    report.outcome = Some(judgement.outcome);
                    report.mutation = Some(MutationReport::new(&again, floor));
                    return Ok(report);
                }
                again
            }
            None => first,
        };
        let mutation = MutationReport::new(&score, floor);
        if mutation.score.is_some_and(|value| value < floor) {
            report.notes.push(format!(
                "the evidence tells only {} of {} small changes of `{}` from it{}, below the floor of {:.0}% (pipeline.mutation_floor): a job would not offer this version; add tests that cover this",
                mutation.killed,
                mutation.total,
                prepared.baseline.function.name,
                mutation
                    .survivors
                    .first()
                    .map(|mutant| format!(" (for example {mutant})"))
                    .unwrap_or_default(),
                floor * 100.0
            ));
        }
        report.mutation = Some(mutation);
    }
    report.outcome = Some(judgement.outcome);
    Ok(report)
}

/// One measured input of `perforch bench`.
#[derive(Debug, Clone, Serialize)]
pub struct InputFigure {
    pub input: String,
    /// Median CPU time of one call.
    pub cpu_ms: f64,
}

/// One workspace test of `perforch bench`.
#[derive(Debug, Clone, Serialize)]
pub struct TestFigure {
    pub test: String,
    pub passed: bool,
    pub wall_ms: Option<f64>,
}

/// Result of `perforch bench`.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub function: String,
    pub inputs: Vec<InputFigure>,
    pub tests: Vec<TestFigure>,
    /// Totals over all inputs (one run), when there were inputs.
    pub total: Option<super::judge::SideSummary>,
    /// The same code measured against itself: how far from 1.0 noise goes.
    pub self_ratio: Option<(f64, f64, f64)>,
    pub dropped_inputs: Vec<DroppedInput>,
    pub notes: Vec<String>,
}

/// Measure the subject's function on its inputs and run its tests.
pub fn bench(subject: &Subject) -> Result<BenchReport, PipelineError> {
    let prepared = prepare(subject)?;
    let mut report = BenchReport {
        function: subject.function.to_string(),
        inputs: Vec::new(),
        tests: Vec::new(),
        total: None,
        self_ratio: None,
        dropped_inputs: prepared.dropped.clone(),
        notes: prepared.notes.clone(),
    };
    if let Some(tests) = &prepared.tests {
        let verdict = tests.run(&subject.executor, &prepared.baseline.file_text)?;
        for suite in &verdict.report.suites {
            for test in &suite.tests {
                report.tests.push(TestFigure {
                    test: test.name.clone(),
                    passed: test.outcome == crate::discovery::TestOutcome::Passed,
                    wall_ms: test.duration.map(|d| d.as_secs_f64() * 1e3),
                });
            }
        }
    }
    if !prepared.inputs.is_empty() {
        let figures: Figures = prepared.workbench.measure_alone(
            &prepared.baseline,
            &prepared.inputs,
            prepared.repeats,
        )?;
        for (input, (original_ns, _)) in prepared.inputs.iter().zip(&figures.per_input_ns) {
            report.inputs.push(InputFigure {
                input: prepared.baseline.call_text(input),
                cpu_ms: original_ns / 1e6,
            });
        }
        report.self_ratio = Some((figures.ratio, figures.ci_low, figures.ci_high));
        report.total = Some(figures.original);
    }
    if report.inputs.is_empty() && report.tests.is_empty() {
        report.notes.push(
            "nothing to measure: no doc examples, no --inputs and no workspace tests were found"
                .into(),
        );
    }
    Ok(report)
}

/// Parse an `--inputs` file: the JSON a model is asked for
/// (`{"inputs": [["expr", ...], ...], "stress": [...]}`).
pub fn read_inputs_file(path: &Path) -> Result<Vec<TestInput>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let parsed = super::evidence::parse_inputs_reply(&text)
        .map_err(|error| format!("{}: {error}", path.display()))?;
    // A model's reply is salvaged; a file the user wrote is fixed instead,
    // so nothing they meant to measure is silently left out.
    match parsed.note("the file", false) {
        Some(problem) => Err(format!("{}: {problem}; fix the file", path.display())),
        None => Ok(parsed.inputs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<TestInput>, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inputs.json");
        std::fs::write(&path, text).unwrap();
        read_inputs_file(&path)
    }

    #[test]
    fn an_inputs_file_may_have_comments_but_not_lose_inputs() {
        let commented = "{\n  // the empty case\n  \"inputs\": [[\"[]\"], [\"[1]\"],],\n}\n";
        assert_eq!(read(commented).unwrap().len(), 2);
        let cut_short = "{\"inputs\": [[\"[]\"], [\"[1, 2";
        let error = read(cut_short).unwrap_err();
        assert!(
            error.ends_with(
                "inputs.json: kept 1 of the file's inputs (the JSON stops short after them); fix the file"
            ),
            "{error}"
        );
    }
}
