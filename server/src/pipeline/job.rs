//! One optimisation job: classify, gather evidence, route, refine, verify.
//!
//! The job owns the order of events and the bookkeeping (report, budget,
//! routing updates); the judge decides about candidates, the prompts module
//! words the requests. Executor work runs on blocking threads; model calls
//! are awaited with the job's cancellation token.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use crate::config::{Config, ModelConfig, RefineMode};
use crate::executor::{ExecutorConfig, ExecutorError, MeasureConfig};
use crate::language::Language;
use crate::models::{
    ChatRequest, ChatResponse, Message, ModelRegistry, Prices, RegistryOptions, Stage as CallStage,
    Subject, WebSearch,
};
use crate::routing::{
    Category, Metric, ModelRef, RoutingMemory, RunOutcomeForRouting, Stage, classification_prompt,
    classify, parse_classification,
};

use super::budget::Budget;
use super::candidate::CandidateCode;
use super::differential;
use super::evidence::small_scope::SmallScope;
use super::evidence::{
    InputSource, TestInput, parse_inputs_reply, same_call, shorten, small_scope_for,
    type_directed_inputs,
};
use super::headers::LocalHeaders;
use super::judge::{
    Baseline, Checks, Figures, JudgeError, Judgement, Outcome, Workbench, repeats_for,
};
use super::mutation::{MutationScore, mutant_limit};
use super::prompts::{self, FunctionContext, PreviousAttempt};
use super::report::{EvidenceSummary, Iteration, JobVerdict, MutationReport, Report};
use super::scaling::microsecond_caveat;
use super::workspace_tests::{TestsVerdict, WorkspaceTests};

/// Everything a job needs that outlives it.
pub struct Engine {
    pub config: Config,
    pub registry: Arc<ModelRegistry>,
    pub executor: ExecutorConfig,
    pub routing: Arc<Mutex<RoutingMemory>>,
    pub search: Option<Arc<WebSearch>>,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Models(#[from] crate::models::ModelError),
    #[error(transparent)]
    Routing(#[from] crate::routing::RoutingError),
}

impl Engine {
    /// Models from `config`, routing memory from the user's file (and the
    /// workspace's, when it has one).
    pub fn new(
        config: Config,
        options: &RegistryOptions,
        executor: ExecutorConfig,
        workspace_root: Option<&Path>,
    ) -> Result<Engine, EngineError> {
        let registry = Arc::new(ModelRegistry::from_config(&config, options)?);
        let search = WebSearch::from_config(config.search.as_ref(), &config.retry)?.map(Arc::new);
        // A per-workspace memory is opt-in: perforch does not create
        // folders in a user's repository; `mkdir .perforch` turns it on.
        let workspace_file = workspace_root
            .map(RoutingMemory::workspace_file)
            .filter(|file| file.parent().is_some_and(Path::is_dir));
        let routing = RoutingMemory::load(
            RoutingMemory::default_user_file().as_deref(),
            workspace_file.as_deref(),
        )?;
        Ok(Engine {
            config,
            registry,
            executor,
            routing: Arc::new(Mutex::new(routing)),
            search,
        })
    }

    /// An engine whose routing memory is the shipped priors alone and is
    /// never saved: a benchmark run neither depends on what this machine's
    /// past jobs taught the router nor changes it.
    pub fn with_priors_only(
        config: Config,
        options: &RegistryOptions,
        executor: ExecutorConfig,
    ) -> Result<Engine, EngineError> {
        let registry = Arc::new(ModelRegistry::from_config(&config, options)?);
        let search = WebSearch::from_config(config.search.as_ref(), &config.retry)?.map(Arc::new);
        Ok(Engine {
            config,
            registry,
            executor,
            routing: Arc::new(Mutex::new(RoutingMemory::priors_only())),
            search,
        })
    }

    /// Write what this engine's jobs taught the routing memory.
    pub fn save_routing(&self) -> Result<(), crate::routing::RoutingError> {
        self.routing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .save()
    }
}

/// What to optimise.
#[derive(Debug, Clone)]
pub struct JobRequest {
    pub path: PathBuf,
    pub workspace_root: Option<PathBuf>,
    pub language: Language,
    pub file_text: String,
    /// The function as users spell it: `f`, `Container.f`, `Type::f`.
    pub function: String,
    /// A line inside the function (zero-based), to pick among functions of
    /// one name (overloads, a cursor's function).
    pub line: Option<usize>,
    pub metric: Metric,
    /// Overrides `pipeline.mode`.
    pub mode: Option<RefineMode>,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("the job was cancelled")]
    Cancelled,
    #[error(transparent)]
    Function(#[from] crate::analysis::FindError),
    #[error(transparent)]
    Executor(#[from] ExecutorError),
    #[error(transparent)]
    Judge(#[from] JudgeError),
    #[error(transparent)]
    Tests(#[from] crate::discovery::DiscoveryError),
    #[error("an executor thread failed: {0}")]
    Join(String),
}

/// Called with a short message at each step (editors show it as progress).
pub type Progress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// One step of a job: what it is doing and roughly how far along it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<'m> {
    pub message: &'m str,
    /// 0 to 100; never decreases within a job. An estimate from the stage
    /// and the number of refine attempts planned, not a time prediction.
    pub percent: u32,
}

/// Called at each step with its message and percentage.
pub type StepProgress<'a> = &'a (dyn Fn(Step<'_>) + Send + Sync);

pub async fn optimize(
    engine: &Engine,
    request: JobRequest,
    cancel: CancellationToken,
    progress: Progress<'_>,
) -> Result<Report, PipelineError> {
    optimize_with_steps(engine, request, cancel, &|step: Step<'_>| {
        progress(step.message)
    })
    .await
}

/// [`optimize`] reporting a percentage with each message (editors show a bar).
pub async fn optimize_with_steps(
    engine: &Engine,
    request: JobRequest,
    cancel: CancellationToken,
    progress: StepProgress<'_>,
) -> Result<Report, PipelineError> {
    let target = crate::analysis::FunctionRef::parse(&request.function, request.line);
    let baseline = match Baseline::at(request.language, request.file_text.clone(), &target) {
        Ok(baseline) => baseline,
        Err(JudgeError::Function(error)) => return Err(error.into()),
        Err(other) => return Err(other.into()),
    };
    let mut job = Job {
        engine,
        budget: Budget::new(&engine.config.pipeline),
        mode: request.mode.unwrap_or(engine.config.pipeline.mode),
        request,
        cancel,
        progress,
        percent: 0,
        categories: Vec::new(),
        iterations: Vec::new(),
        notes: Vec::new(),
        evidence: EvidenceSummary::default(),
        mutation: None,
        captured_calls: Vec::new(),
        started: Instant::now(),
    };
    let result = job.run(baseline).await;
    match result {
        Ok(ending) => Ok(job.report(ending)),
        Err(PipelineError::Cancelled) => Err(PipelineError::Cancelled),
        Err(error) => Err(error),
    }
}

/// A version about to be offered: the whole file, the function as a
/// candidate against the original, and its figures.
struct Offer {
    winner: Baseline,
    candidate: CandidateCode,
    figures: Figures,
}

/// How the job ended, before the report is assembled.
struct Ending {
    verdict: JobVerdict,
    /// The version to offer, with its figures against the user's code when
    /// it was measured (a generated or fixed version has none).
    accepted: Option<(Baseline, Option<Figures>)>,
}

impl Ending {
    fn refused() -> Ending {
        Ending {
            verdict: JobVerdict::Refused,
            accepted: None,
        }
    }
}

struct Job<'a> {
    engine: &'a Engine,
    request: JobRequest,
    cancel: CancellationToken,
    progress: StepProgress<'a>,
    /// The last percentage reported, so progress never goes backwards.
    percent: u32,
    budget: Budget,
    mode: RefineMode,
    categories: Vec<Category>,
    iterations: Vec<Iteration>,
    notes: Vec<String>,
    evidence: EvidenceSummary,
    /// The evidence's mutation score, once measured.
    mutation: Option<MutationReport>,
    /// Calls of the function recorded while its tests ran on it.
    captured_calls: Vec<TestInput>,
    started: Instant,
}

/// Why a model call produced nothing.
enum AskError {
    Budget(String),
    Failed(String),
    Cancelled,
}

impl<'a> Job<'a> {
    async fn run(&mut self, original: Baseline) -> Result<Ending, PipelineError> {
        let language = self.request.language;
        if let Err(reason) = differential::check_callable(language, &original.function) {
            self.notes.push(reason.to_string());
            return Ok(Ending::refused());
        }
        if self.engine.config.models.is_empty() {
            self.notes.push(
                "no models are configured; add a [[models]] entry to perforch.toml (see docs/perforch.example.toml)".into(),
            );
            return Ok(Ending::refused());
        }
        self.categories = classify(language, original.function_text());
        if self.engine.config.pipeline.classify_with_model {
            self.classify_with_model(&original).await?;
        }
        self.step(2, &format!("preparing the {language} toolchain"));
        let measure = MeasureConfig {
            runs: self.engine.config.pipeline.measure_runs,
            ..MeasureConfig::default()
        };
        let executor = self.engine.executor.clone();
        let headers =
            LocalHeaders::for_file(&self.request.path, self.request.workspace_root.as_deref());
        let workbench = Arc::new(
            self.blocking(move || {
                Workbench::for_language(executor, language, measure)
                    .map(|workbench| workbench.with_local_headers(headers))
            })
            .await??,
        );
        let tests = self.discover_tests(&original).await?;
        let mut original = original;
        // A version that earlier stages produced and the tests vouch for;
        // offered even when refine finds nothing better.
        let mut produced: Option<JobVerdict> = None;
        let mut known_failure = None;
        if original.function.is_stub {
            let Some(tests) = tests.clone() else {
                self.notes.push(format!(
                    "`{}` is a stub; perforch writes a body only when tests say what it must do, and none were found (add tests that call it, or name them in perforch.toml under [[tests.suites]])",
                    original.function.name
                ));
                return Ok(Ending::refused());
            };
            let Some((generated, failure)) = self.generate(&tests, &original).await? else {
                return Ok(Ending {
                    verdict: JobVerdict::Incorrect,
                    accepted: None,
                });
            };
            original = generated;
            known_failure = Some(failure);
            produced = Some(JobVerdict::Generated);
        }
        if let Some(tests) = tests.clone() {
            let failure = match known_failure {
                Some(failure) => failure,
                None => {
                    self.step(10, "running the function's tests");
                    let (verdict, calls) = self.run_tests_capturing(&tests, &original).await?;
                    // Empty when they fail: then `original` is fixed
                    // before its inputs are gathered.
                    self.captured_calls = calls;
                    self.evidence.workspace_tests = verdict.passed.clone();
                    verdict.failure
                }
            };
            if let Some(failure) = failure {
                let Some((fixed, passed)) = self.fix(&tests, &original, failure).await? else {
                    self.notes.push(
                        "no model produced a version that passes the tests; nothing is offered"
                            .into(),
                    );
                    return Ok(Ending {
                        verdict: JobVerdict::Incorrect,
                        accepted: None,
                    });
                };
                self.evidence.workspace_tests = passed;
                original = fixed;
                produced = produced.or(Some(JobVerdict::Fixed));
            }
        }
        let mut inputs = self.gather_inputs(&original, tests.as_deref()).await?;
        let scope = small_scope_for(
            language,
            &original.function,
            &original.file_text,
            original.takes_receiver(),
            &mut inputs,
        );
        self.step(
            26,
            &format!("checking {} inputs on the original", inputs.len()),
        );
        let screened = {
            let (workbench, baseline) = (workbench.clone(), original.clone());
            let scope = scope.as_ref().ok().cloned();
            self.blocking(move || {
                let screened = workbench.screen(&baseline, inputs)?;
                workbench.scaled_up(&baseline, scope.as_ref(), screened)
            })
            .await??
        };
        self.notes.extend(microsecond_caveat(&screened.original_ns));
        self.evidence.dropped = screened.dropped.clone();
        self.evidence.inputs_used = screened.kept.len();
        self.evidence.expected_errors = screened.expected_errors();
        let checks = self
            .small_scope_checks(&workbench, &original, scope)
            .await?;
        let minimum = self.engine.config.pipeline.min_evidence;
        if screened.kept.len() < minimum {
            if let Some(verdict) = produced {
                self.notes.push(format!(
                    "not refined: only {} input(s) could be used to measure it (pipeline.min_evidence = {minimum})",
                    screened.kept.len()
                ));
                return Ok(Ending {
                    verdict,
                    accepted: Some((original, None)),
                });
            }
            self.notes.push(format!(
                "refused: only {} input(s) run correctly on the original, and at least {minimum} are needed (pipeline.min_evidence); add examples to the function's documentation or configure a model to generate inputs",
                screened.kept.len()
            ));
            return Ok(Ending::refused());
        }
        let repeats = repeats_for(&screened.original_ns);
        let costliest = screened
            .original_ns
            .iter()
            .enumerate()
            .max_by_key(|(_, ns)| **ns)
            .map(|(index, _)| screened.kept[index].clone());
        let ending = self
            .refine(
                workbench,
                tests,
                original.clone(),
                screened.kept,
                checks.map(Arc::new),
                repeats,
                costliest,
            )
            .await?;
        Ok(match (ending.accepted, produced) {
            (None, Some(verdict)) => Ending {
                verdict,
                accepted: Some((original, None)),
            },
            (accepted, _) => Ending {
                verdict: ending.verdict,
                accepted,
            },
        })
    }

    async fn discover_tests(
        &mut self,
        original: &Baseline,
    ) -> Result<Option<Arc<WorkspaceTests>>, PipelineError> {
        let Some(root) = self.request.workspace_root.clone() else {
            return Ok(None);
        };
        let (config, path, language) = (
            self.engine.config.clone(),
            self.request.path.clone(),
            self.request.language,
        );
        let (function, container) = (
            original.function.name.clone(),
            original.function.container.clone(),
        );
        let found = self
            .blocking(move || {
                WorkspaceTests::discover(
                    &config,
                    &root,
                    &path,
                    language,
                    &function,
                    container.as_deref(),
                )
            })
            .await?;
        match found {
            Ok(Some(tests)) => {
                for note in &tests.discovered.notes {
                    self.notes.push(note.clone());
                }
                Ok(Some(Arc::new(tests)))
            }
            Ok(None) => Ok(None),
            // Tests are extra evidence; without them the inputs still judge.
            Err(error) => {
                self.notes
                    .push(format!("workspace tests were not used: {error}"));
                Ok(None)
            }
        }
    }

    async fn run_tests(
        &mut self,
        tests: &Arc<WorkspaceTests>,
        version: &Baseline,
    ) -> Result<TestsVerdict, PipelineError> {
        let (tests, executor, text) = (
            tests.clone(),
            self.engine.executor.clone(),
            version.file_text.clone(),
        );
        Ok(self.blocking(move || tests.run(&executor, &text)).await??)
    }

    /// [`Self::run_tests`] on the function as it is, recording the calls
    /// the tests make ([`WorkspaceTests::run_capturing`]).
    async fn run_tests_capturing(
        &mut self,
        tests: &Arc<WorkspaceTests>,
        version: &Baseline,
    ) -> Result<(TestsVerdict, Vec<TestInput>), PipelineError> {
        let (tests, executor, version) =
            (tests.clone(), self.engine.executor.clone(), version.clone());
        Ok(self
            .blocking(move || tests.run_capturing(&executor, &version.file_text, &version.function))
            .await??)
    }

    /// Test code shown to models that must make the tests pass.
    fn tests_text(&self, tests: &WorkspaceTests) -> String {
        let root = self.request.workspace_root.clone().unwrap_or_default();
        let mut text = String::new();
        for suite in &tests.discovered.suites {
            for file in &suite.files {
                if let Ok(contents) = std::fs::read_to_string(root.join(file)) {
                    text.push_str(&format!(
                        "{}:\n```\n{}\n```\n",
                        file.display(),
                        shorten(&contents, 3_000)
                    ));
                }
            }
        }
        shorten(&text, 8_000)
    }

    /// The generate stage: ranked models in turn until one writes code.
    /// Returns the version and, when it fails the tests, the failure (the
    /// fix stage takes it from there).
    async fn generate(
        &mut self,
        tests: &Arc<WorkspaceTests>,
        stub: &Baseline,
    ) -> Result<Option<(Baseline, Option<(String, String)>)>, PipelineError> {
        let top_k = self.engine.config.pipeline.top_k;
        let tests_text = self.tests_text(tests);
        for model in self.ranked(Stage::Generate).into_iter().take(top_k) {
            self.check_cancel()?;
            let messages = {
                let code = stub.function_text().to_string();
                prompts::generate(&self.context(&stub.file_text, &code), &tests_text)
            };
            self.step(6, &format!("generate: asking {model}"));
            let Some((candidate, response, cost)) = self
                .ask_for_candidate(
                    &model,
                    Stage::Generate,
                    CallStage::Generate,
                    messages,
                    stub,
                    Vec::new(),
                )
                .await?
            else {
                continue;
            };
            let version = stub.with(&candidate)?;
            let verdict = self.run_tests(tests, &version).await?;
            let outcome = tests_outcome(&verdict);
            self.record_routing(Stage::Generate, &model, routing_outcome_of(&outcome));
            self.push_iteration(
                Stage::Generate,
                &model,
                &response,
                cost,
                &Judgement {
                    outcome,
                    figures: None,
                },
                Some(candidate.function.clone()),
            );
            if verdict.failure.is_none() {
                self.evidence.workspace_tests = verdict.passed.clone();
            }
            return Ok(Some((version, verdict.failure)));
        }
        Ok(None)
    }

    /// The fix stage: ranked fix models in turn, each first asked why the
    /// test fails, then for the corrected function (PerfCodeGen's reflect
    /// then fix), until one passes every test.
    async fn fix(
        &mut self,
        tests: &Arc<WorkspaceTests>,
        broken: &Baseline,
        failure: (String, String),
    ) -> Result<Option<(Baseline, Vec<String>)>, PipelineError> {
        let top_k = self.engine.config.pipeline.top_k;
        let (test, error) = failure;
        for model in self.ranked(Stage::Fix).into_iter().take(top_k) {
            self.check_cancel()?;
            let code = broken.function_text().to_string();
            let exchange = prompts::reflect(
                &self.context(&broken.file_text, &code),
                &prompts::Failure {
                    test: &test,
                    error: &error,
                },
            );
            self.step(14, &format!("fix: asking {model} what is wrong"));
            let subject = self.subject(broken, Vec::new());
            let (reflection, reflection_cost) = match self
                .ask(&model, CallStage::Fix, exchange.clone(), Some(subject))
                .await
            {
                Ok(answer) => answer,
                Err(AskError::Cancelled) => return Err(PipelineError::Cancelled),
                Err(AskError::Budget(reason)) => {
                    self.note_once(reason);
                    return Ok(None);
                }
                Err(AskError::Failed(detail)) => {
                    self.record_routing(Stage::Fix, &model, RunOutcomeForRouting::Failed);
                    self.push_failed_iteration(Stage::Fix, &model, Outcome::ModelError { detail });
                    continue;
                }
            };
            let messages = prompts::fix_after_reflection(exchange, &reflection.text);
            self.step(16, &format!("fix: asking {model} for the correction"));
            let asked = self
                .ask_for_candidate(
                    &model,
                    Stage::Fix,
                    CallStage::Fix,
                    messages,
                    broken,
                    Vec::new(),
                )
                .await?;
            let Some((candidate, response, cost)) = asked else {
                self.fold_into_last(&reflection, reflection_cost);
                continue;
            };
            let version = broken.with(&candidate)?;
            let verdict = self.run_tests(tests, &version).await?;
            let outcome = tests_outcome(&verdict);
            self.record_routing(Stage::Fix, &model, routing_outcome_of(&outcome));
            self.push_iteration(
                Stage::Fix,
                &model,
                &response,
                cost,
                &Judgement {
                    outcome,
                    figures: None,
                },
                Some(candidate.function.clone()),
            );
            self.fold_into_last(&reflection, reflection_cost);
            if verdict.failure.is_none() {
                return Ok(Some((version, verdict.passed)));
            }
        }
        Ok(None)
    }

    /// Count the reflection call of a fix exchange in the iteration it led to.
    fn fold_into_last(&mut self, response: &ChatResponse, cost: f64) {
        if let Some(last) = self.iterations.last_mut() {
            last.input_tokens += response.usage.input_tokens;
            last.output_tokens += response.usage.output_tokens;
            last.cost_usd += cost;
            last.latency_ms += response.latency.as_millis() as u64;
        }
    }

    /// The refine stage: ranked models in turn, each for the configured
    /// number of iterations, starting from the best version so far.
    async fn refine(
        &mut self,
        workbench: Arc<Workbench>,
        tests: Option<Arc<WorkspaceTests>>,
        original: Baseline,
        inputs: Vec<TestInput>,
        checks: Option<Arc<Checks>>,
        repeats: u32,
        costliest: Option<TestInput>,
    ) -> Result<Ending, PipelineError> {
        let metric = self.request.metric;
        let top_k = self.engine.config.pipeline.top_k;
        let models: Vec<String> = self.ranked(Stage::Refine).into_iter().take(top_k).collect();
        let findings = self.search_findings(&original).await;
        let mut current = original.clone();
        // Figures of the current version against the original; None until
        // something is accepted.
        let mut accepted: Option<Figures> = None;
        let mut best: Option<(Baseline, Figures)> = None;
        let mut saw_correct = Vec::new();
        // Refine spans 30% to 90% of the bar, in equal parts per planned attempt.
        let planned =
            (models.len() * self.engine.config.pipeline.iterations_per_model).max(1) as u32;
        let mut attempt = 0u32;
        'models: for model in &models {
            let mut previous: Option<(String, String)> = None;
            let mut current_figures: Option<Figures> = accepted.clone();
            // What this model already offered for `current`, so an offline
            // model that cannot sample differently can offer something else.
            let mut tried: Vec<String> = Vec::new();
            for _ in 0..self.engine.config.pipeline.iterations_per_model {
                self.check_cancel()?;
                let context_file = current.file_text.clone();
                let code = current.function_text().to_string();
                let messages = {
                    let context = self.context(&context_file, &code);
                    let previous_attempt = previous
                        .as_ref()
                        .map(|(code, outcome)| PreviousAttempt { code, outcome });
                    prompts::refine(
                        &context,
                        metric,
                        current_figures.as_ref(),
                        costliest.as_ref(),
                        previous_attempt.as_ref(),
                        findings.as_deref(),
                    )
                };
                let base = 30 + 60 * attempt / planned;
                let share = 60 / planned;
                attempt += 1;
                self.step(base, &format!("refine: asking {model}"));
                let Some((candidate, response, cost)) = self
                    .ask_for_candidate(
                        model,
                        Stage::Refine,
                        CallStage::Refine,
                        messages,
                        &current,
                        tried.clone(),
                    )
                    .await?
                else {
                    // Model error, garbage or budget: next model.
                    continue 'models;
                };
                self.step(
                    base + share / 3,
                    &format!("refine: measuring {model}'s candidate"),
                );
                // Sequential acceptance chains from the current version;
                // best-of-n judges every candidate against the original.
                let reference = match self.mode {
                    RefineMode::Sequential => current.clone(),
                    RefineMode::BestOfN => original.clone(),
                };
                let mut judgement = if candidate.is_same_as(reference.function_text()) {
                    self.notes.push(format!(
                        "{model} returned the code it was given; a tie without measuring"
                    ));
                    Judgement {
                        outcome: Outcome::Tie { ratio: 1.0 },
                        figures: None,
                    }
                } else {
                    let (workbench, reference, candidate, inputs, checks) = (
                        workbench.clone(),
                        reference.clone(),
                        candidate.clone(),
                        inputs.clone(),
                        checks.clone(),
                    );
                    self.blocking(move || {
                        workbench.judge(
                            &reference,
                            &candidate,
                            &inputs,
                            checks.as_deref(),
                            repeats,
                            metric,
                        )
                    })
                    .await??
                };
                // Better on the inputs; it must also pass the workspace tests.
                if judgement.outcome.is_improvement()
                    && let Some(tests) = &tests
                {
                    self.step(
                        base + 2 * share / 3,
                        "refine: running the tests on the candidate",
                    );
                    let version = reference.with(&candidate)?;
                    let verdict = self.run_tests(tests, &version).await?;
                    if let Some((test, detail)) = verdict.failure {
                        judgement.outcome = Outcome::FailingTest { test, detail };
                    }
                }
                let routing_outcome = match &judgement.figures {
                    Some(figures) if judgement.outcome.is_improvement() => {
                        RunOutcomeForRouting::Improved {
                            original: 1.0,
                            candidate: figures.ratio,
                        }
                    }
                    _ => RunOutcomeForRouting::Failed,
                };
                self.record_routing(Stage::Refine, model, routing_outcome);
                if judgement.outcome.is_correct() {
                    saw_correct.push(judgement.outcome.clone());
                }
                let outcome_text = judgement.outcome.summary(metric);
                self.push_iteration(
                    Stage::Refine,
                    model,
                    &response,
                    cost,
                    &judgement,
                    Some(candidate.function.clone()),
                );
                if judgement.outcome.is_improvement()
                    && let Some(figures) = judgement.figures.clone()
                {
                    let next = reference.with(&candidate)?;
                    match self.mode {
                        RefineMode::Sequential => {
                            current = next;
                            current_figures = Some(figures.clone());
                            accepted = Some(figures);
                            tried.clear();
                        }
                        RefineMode::BestOfN => {
                            if best.as_ref().is_none_or(|(_, b)| figures.ratio < b.ratio) {
                                best = Some((next, figures));
                            }
                        }
                    }
                }
                // A regression leaves `current` where it was: rollback.
                if !judgement.outcome.is_improvement() || self.mode == RefineMode::BestOfN {
                    tried.push(candidate.function.clone());
                }
                previous = Some((candidate.function.clone(), outcome_text));
            }
            if self.mode == RefineMode::Sequential && accepted.is_some() {
                break;
            }
            if let Some(reason) = self.budget.exhausted() {
                self.note_once(reason);
                break;
            }
        }
        let winner = match self.mode {
            RefineMode::Sequential => (current.file_text != original.file_text).then_some(current),
            RefineMode::BestOfN => best.map(|(baseline, _)| baseline),
        };
        let Some(winner) = winner else {
            let verdict = if saw_correct.iter().any(|o| matches!(o, Outcome::Tie { .. })) {
                JobVerdict::Tie
            } else if saw_correct.is_empty() {
                JobVerdict::Incorrect
            } else {
                JobVerdict::Slower
            };
            return Ok(Ending {
                verdict,
                accepted: None,
            });
        };
        // The user gets figures of their code against the final version,
        // measured directly (a chain of small wins is re-checked as a whole).
        self.step(92, "verifying the final version against the original");
        let final_candidate = winner.relative_to(&original);
        let judgement = {
            let (workbench, original, inputs, final_candidate, checks) = (
                workbench.clone(),
                original.clone(),
                inputs.clone(),
                final_candidate.clone(),
                checks.clone(),
            );
            self.blocking(move || {
                workbench.judge(
                    &original,
                    &final_candidate,
                    &inputs,
                    checks.as_deref(),
                    repeats,
                    metric,
                )
            })
            .await??
        };
        match (judgement.outcome, judgement.figures) {
            (Outcome::Better { .. }, Some(figures)) => {
                let offer = Offer {
                    winner,
                    candidate: final_candidate,
                    figures,
                };
                self.offer_if_checked(workbench, &original, offer, inputs, checks, repeats)
                    .await
            }
            (outcome, _) => {
                self.notes.push(format!(
                    "the final version did not hold up when measured against the original directly ({}); nothing is offered",
                    outcome.summary(metric)
                ));
                Ok(Ending {
                    verdict: JobVerdict::Tie,
                    accepted: None,
                })
            }
        }
    }

    /// The last gate before a faster version is offered: the evidence's
    /// mutation score on the original, measured here, once, so that jobs
    /// that offer nothing do not pay for it. Below the floor, more
    /// small-scope inputs (first those that told survivors apart), the
    /// version judged again on them, and the score again; still below,
    /// nothing is offered. No mutant to count (none made, or all of them
    /// equivalent or unbuildable) is reported, not refused: there is
    /// nothing the evidence failed to catch.
    async fn offer_if_checked(
        &mut self,
        workbench: Arc<Workbench>,
        original: &Baseline,
        offer: Offer,
        inputs: Vec<TestInput>,
        checks: Option<Arc<Checks>>,
        repeats: u32,
    ) -> Result<Ending, PipelineError> {
        let config = &self.engine.config.pipeline;
        let (floor, limit) = (
            config.mutation_floor,
            mutant_limit(original.language, config.mutants),
        );
        let more_count = (2 * config.small_scope_inputs).max(1);
        let Offer {
            winner,
            candidate,
            mut figures,
        } = offer;
        if limit == 0 {
            return Ok(Ending {
                verdict: JobVerdict::Faster,
                accepted: Some((winner, Some(figures))),
            });
        }
        self.step(
            93,
            "measuring the evidence: can it tell small changes of the original apart?",
        );
        let mut score = self
            .mutation_score(&workbench, original, &inputs, checks.clone(), limit)
            .await?;
        let below = |score: &MutationScore| score.score().is_some_and(|value| value < floor);
        if below(&score)
            && let Some(current) = checks
        {
            self.step(96, "the evidence is weak: checking more small inputs");
            let more = {
                let (workbench, original, tellers) =
                    (workbench.clone(), original.clone(), score.tellers.clone());
                let current = current.clone();
                self.blocking(move || {
                    workbench.more_checks(&original, &current, &tellers, more_count)
                })
                .await??
            };
            if more.inputs.len() > current.inputs.len() {
                self.evidence.small_scope = more.inputs.len();
                self.evidence.expected_errors += more.expected_errors - current.expected_errors;
                let more = Arc::new(more);
                let judgement = {
                    let (workbench, original, candidate, inputs, more) = (
                        workbench.clone(),
                        original.clone(),
                        candidate.clone(),
                        inputs.clone(),
                        more.clone(),
                    );
                    let metric = self.request.metric;
                    self.blocking(move || {
                        workbench.judge(
                            &original,
                            &candidate,
                            &inputs,
                            Some(&more),
                            repeats,
                            metric,
                        )
                    })
                    .await??
                };
                match (judgement.outcome, judgement.figures) {
                    (Outcome::Better { .. }, Some(again)) => figures = again,
                    (outcome, _) => {
                        self.notes.push(format!(
                            "the final version did not hold up on more small inputs ({}); nothing is offered",
                            outcome.summary(self.request.metric)
                        ));
                        let verdict = if outcome.is_correct() {
                            JobVerdict::Tie
                        } else {
                            JobVerdict::Incorrect
                        };
                        return Ok(Ending {
                            verdict,
                            accepted: None,
                        });
                    }
                }
                score = self
                    .mutation_score(&workbench, original, &inputs, Some(more), limit)
                    .await?;
            }
        }
        let report = MutationReport::new(&score, floor);
        let weak = below(&score);
        if weak {
            let example = score
                .survived
                .first()
                .map(|mutant| format!(" (for example {mutant})"))
                .unwrap_or_default();
            // First: the editor's diagnostic shows the first note.
            self.notes.insert(0, format!(
                "refused: the evidence tells only {} of {} small changes of `{}` from it{example}, below the floor of {:.0}% (pipeline.mutation_floor); perforch does not offer a version it cannot check; add tests that cover this",
                report.killed,
                report.total,
                original.function.name,
                floor * 100.0
            ));
        } else if report.total == 0 {
            self.notes.push(format!(
                "the evidence's strength was not measured: {}",
                report.summary()
            ));
        }
        self.mutation = Some(report);
        Ok(if weak {
            Ending::refused()
        } else {
            Ending {
                verdict: JobVerdict::Faster,
                accepted: Some((winner, Some(figures))),
            }
        })
    }

    async fn mutation_score(
        &mut self,
        workbench: &Arc<Workbench>,
        original: &Baseline,
        inputs: &[TestInput],
        checks: Option<Arc<Checks>>,
        limit: usize,
    ) -> Result<MutationScore, PipelineError> {
        let (workbench, original, inputs) = (workbench.clone(), original.clone(), inputs.to_vec());
        Ok(self
            .blocking(move || {
                workbench.mutation_score(&original, &inputs, checks.as_deref(), limit)
            })
            .await??)
    }

    /// Inputs from the documentation, the calls in the function's tests,
    /// and a model.
    async fn gather_inputs(
        &mut self,
        original: &Baseline,
        tests: Option<&WorkspaceTests>,
    ) -> Result<Vec<TestInput>, PipelineError> {
        let mut inputs = original.doc_inputs();
        self.evidence.doc_examples = inputs.len();
        let mut test_calls = tests.map_or_else(Vec::new, |tests| original.test_calls(tests));
        // The calls the tests made when they ran on `original`.
        for call in std::mem::take(&mut self.captured_calls) {
            if !test_calls
                .iter()
                .chain(&inputs)
                .any(|known| same_call(known, &call))
            {
                test_calls.push(call);
            }
        }
        self.evidence.test_calls = test_calls.len();
        inputs.extend(test_calls);
        let config = &self.engine.config.pipeline;
        let model = config
            .inputs_model
            .clone()
            .or_else(|| self.ranked(Stage::Refine).into_iter().next());
        let (count, stress) = (config.generated_inputs, config.stress_inputs);
        if let Some(model) = model
            && count + stress > 0
        {
            self.check_cancel()?;
            self.step(20, &format!("asking {model} for test inputs"));
            let code = original.function_text().to_string();
            let object_class = original
                .takes_receiver()
                .then_some(original.function.container.as_deref())
                .flatten();
            let messages = prompts::inputs(
                &self.context(&original.file_text, &code),
                count,
                stress,
                object_class,
            );
            let subject = self.subject(original, Vec::new());
            let reply = match self
                .ask(&model, CallStage::Inputs, messages, Some(subject))
                .await
            {
                Ok((response, _)) => match parse_inputs_reply(&response.text) {
                    Ok(parsed) => {
                        self.notes.extend(parsed.note(&model, response.truncated));
                        Ok(parsed.inputs)
                    }
                    Err(error) => Err(format!(
                        "{model}'s test inputs were unusable: {}{}",
                        error.reason(response.truncated),
                        reply_opening(&response.text)
                    )),
                },
                Err(AskError::Cancelled) => return Err(PipelineError::Cancelled),
                Err(AskError::Budget(reason)) | Err(AskError::Failed(reason)) => {
                    Err(format!("no generated inputs from {model}: {reason}"))
                }
            };
            let generated = match reply {
                Ok(mut generated) => {
                    // A model writes inputs for the cases it thinks of; the
                    // small edge cases from the parameter types (empty, one
                    // element, repeats, negatives) are added whatever it
                    // wrote, since they cost nothing to run and are where
                    // a faster rewrite most often goes wrong.
                    generated.extend(self.type_directed_inputs(original, false));
                    generated
                }
                Err(problem) => {
                    self.notes.push(problem);
                    self.type_directed_inputs(original, true)
                }
            };
            self.evidence.generated = generated
                .iter()
                .filter(|i| i.source == InputSource::Generated)
                .count();
            self.evidence.stress = generated.len() - self.evidence.generated;
            for input in generated {
                if !inputs.iter().any(|known| known.args == input.args) {
                    inputs.push(input);
                }
            }
        }
        Ok(inputs)
    }

    /// Small-scope inputs screened on the original; `None` (with a note)
    /// when their values cannot be built.
    async fn small_scope_checks(
        &mut self,
        workbench: &Arc<Workbench>,
        original: &Baseline,
        scope: Result<SmallScope, String>,
    ) -> Result<Option<Checks>, PipelineError> {
        let count = self.engine.config.pipeline.small_scope_inputs;
        let scope = match scope {
            Ok(scope) if count > 0 => scope,
            Ok(_) => return Ok(None),
            Err(note) => {
                self.notes.push(note);
                return Ok(None);
            }
        };
        self.step(
            28,
            &format!("checking {count} small inputs on the original"),
        );
        let (workbench, baseline) = (workbench.clone(), original.clone());
        let checks = self
            .blocking(move || workbench.small_scope_checks(&baseline, scope, count))
            .await??;
        self.evidence.small_scope = checks.inputs.len();
        self.evidence.expected_errors += checks.expected_errors;
        Ok(Some(checks))
    }

    /// Inputs built from the parameter types by the builtin generator.
    /// `instead`: they replace the model's inputs, which were unusable
    /// (small local models often loop or break the JSON), so the large
    /// cases come too and the report says so; else only the small edge
    /// cases, added to the model's.
    fn type_directed_inputs(&mut self, original: &Baseline, instead: bool) -> Vec<TestInput> {
        let inputs = type_directed_inputs(self.request.language, &original.function, instead);
        if instead && !inputs.is_empty() {
            self.notes.push(format!(
                "used {} inputs built from the parameter types instead",
                inputs.len()
            ));
        }
        inputs
    }

    async fn classify_with_model(&mut self, original: &Baseline) -> Result<(), PipelineError> {
        let Some(model) = self.ranked(Stage::Refine).into_iter().next() else {
            return Ok(());
        };
        let prompt = classification_prompt(self.request.language, original.function_text());
        match self
            .ask(
                &model,
                CallStage::Classify,
                vec![Message::user(prompt)],
                None,
            )
            .await
        {
            Ok((response, _)) => match parse_classification(&response.text) {
                Some(categories) if !categories.is_empty() => self.categories = categories,
                _ => self.notes.push(format!(
                    "{model}'s classification was unusable; kept the categories found in the code"
                )),
            },
            Err(AskError::Cancelled) => return Err(PipelineError::Cancelled),
            Err(AskError::Budget(reason)) | Err(AskError::Failed(reason)) => {
                self.notes.push(format!("classification skipped: {reason}"))
            }
        }
        Ok(())
    }

    /// Web-search findings for the refine prompt, when search is on.
    async fn search_findings(&mut self, original: &Baseline) -> Option<String> {
        let search = self.engine.search.clone()?;
        let categories: Vec<String> = self.categories.iter().map(|c| c.to_string()).collect();
        let query = format!(
            "{} performance optimization {} {}",
            self.request.language,
            categories.join(" "),
            original.function.name
        );
        let started = Instant::now();
        let result = search.search_for_prompt(&query, &self.cancel).await;
        self.budget.model_time += started.elapsed();
        match result {
            Ok(text) => Some(text),
            Err(error) => {
                self.notes
                    .push(format!("web search failed, continuing without it: {error}"));
                None
            }
        }
    }

    /// Ask `model` and parse a candidate for the function; failures become
    /// iterations of the report and `None`.
    async fn ask_for_candidate(
        &mut self,
        model: &str,
        stage: Stage,
        call_stage: CallStage,
        messages: Vec<Message>,
        baseline: &Baseline,
        tried: Vec<String>,
    ) -> Result<Option<(CandidateCode, ChatResponse, f64)>, PipelineError> {
        let subject = self.subject(baseline, tried);
        let (response, cost) = match self.ask(model, call_stage, messages, Some(subject)).await {
            Ok(answer) => answer,
            Err(AskError::Cancelled) => return Err(PipelineError::Cancelled),
            Err(AskError::Budget(reason)) => {
                self.note_once(reason);
                return Ok(None);
            }
            Err(AskError::Failed(detail)) => {
                self.record_routing(stage, model, RunOutcomeForRouting::Failed);
                self.push_failed_iteration(stage, model, Outcome::ModelError { detail });
                return Ok(None);
            }
        };
        let functions_in_file = crate::analysis::functions(&crate::document::Document::new(
            baseline.language,
            0,
            &baseline.file_text,
        ));
        let parsed = crate::models::extract_code(&response.text, baseline.language)
            .map_err(|error| error.to_string())
            .and_then(|code| {
                CandidateCode::from_code(
                    &code,
                    baseline.language,
                    &baseline.function.name,
                    Some(&functions_in_file),
                )
                .map_err(|error| error.to_string())
            });
        match parsed {
            Ok(candidate) => Ok(Some((candidate, response, cost))),
            Err(detail) => {
                self.record_routing(stage, model, RunOutcomeForRouting::Failed);
                let judgement = Judgement {
                    outcome: Outcome::NoCode { detail },
                    figures: None,
                };
                self.push_iteration(stage, model, &response, cost, &judgement, None);
                Ok(None)
            }
        }
    }

    /// One model call with budget, accounting and cancellation.
    async fn ask(
        &mut self,
        model: &str,
        stage: CallStage,
        messages: Vec<Message>,
        subject: Option<Subject>,
    ) -> Result<(ChatResponse, f64), AskError> {
        if self.cancel.is_cancelled() {
            return Err(AskError::Cancelled);
        }
        if let Some(reason) = self.budget.exhausted() {
            return Err(AskError::Budget(reason));
        }
        let provider = self
            .engine
            .registry
            .get(model)
            .ok_or_else(|| AskError::Failed(format!("model `{model}` is not configured")))?;
        let prices = self.model_config(model).map(Prices::from_config);
        self.budget.calls += 1;
        let started = Instant::now();
        // The wall-clock budget also bounds a hanging model.
        let mut request = ChatRequest::new(stage, messages);
        request.subject = subject;
        let call = provider.complete(request, self.cancel.child_token());
        let result = tokio::time::timeout(self.budget.remaining(), call).await;
        self.budget.model_time += started.elapsed();
        let response = match result {
            Err(_) => {
                return Err(AskError::Failed(
                    "no answer before the job's time limit (pipeline.max_wall_secs)".into(),
                ));
            }
            Ok(Err(error)) if error.is_cancelled() => return Err(AskError::Cancelled),
            Ok(Err(error)) => return Err(AskError::Failed(error.to_string())),
            Ok(Ok(response)) => response,
        };
        let cost = prices.map_or(0.0, |prices| prices.cost_usd(response.usage));
        self.budget.cost_usd += cost;
        self.budget.input_tokens += response.usage.input_tokens;
        self.budget.output_tokens += response.usage.output_tokens;
        Ok((response, cost))
    }

    /// The function a request is about, for providers that read code
    /// rather than prose.
    fn subject(&self, version: &Baseline, tried: Vec<String>) -> Subject {
        Subject {
            language: self.request.language,
            function: crate::analysis::qualified_name(&version.function),
            line: Some(version.function.start_line),
            file_text: version.file_text.clone(),
            tried,
        }
    }

    fn model_config(&self, name: &str) -> Option<&ModelConfig> {
        self.engine.config.models.iter().find(|m| m.name == name)
    }

    /// Configured models, best first, for a stage of this job.
    fn ranked(&self, stage: Stage) -> Vec<String> {
        let available: Vec<&str> = self.engine.registry.names();
        let configured: Vec<ModelRef> = self
            .engine
            .config
            .models
            .iter()
            .filter(|m| available.contains(&m.name.as_str()))
            .map(|m| ModelRef {
                name: &m.name,
                model: &m.model,
            })
            .collect();
        let routing = self
            .engine
            .routing
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        routing
            .rank(
                stage,
                self.request.language,
                &self.categories,
                self.request.metric,
                &configured,
            )
            .into_iter()
            .map(|ranked| ranked.name)
            .collect()
    }

    fn record_routing(&self, stage: Stage, model: &str, outcome: RunOutcomeForRouting) {
        let model_id = self.model_config(model).map_or("", |m| m.model.as_str());
        let mut routing = self
            .engine
            .routing
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        routing.record(
            stage,
            self.request.language,
            &self.categories,
            self.request.metric,
            &ModelRef {
                name: model,
                model: model_id,
            },
            outcome,
        );
    }

    fn context<'c>(&'c self, file_text: &'c str, code: &'c str) -> FunctionContext<'c> {
        FunctionContext {
            language: self.request.language,
            name: &self.request.function,
            code,
            file_excerpt: file_excerpt(file_text),
            categories: &self.categories,
        }
    }

    fn push_iteration(
        &mut self,
        stage: Stage,
        model: &str,
        response: &ChatResponse,
        cost: f64,
        judgement: &Judgement,
        code: Option<String>,
    ) {
        self.iterations.push(Iteration {
            index: self.iterations.len() + 1,
            stage,
            model: model.to_string(),
            input_tokens: response.usage.input_tokens,
            output_tokens: response.usage.output_tokens,
            cost_usd: cost,
            latency_ms: response.latency.as_millis() as u64,
            summary: judgement.outcome.summary(self.request.metric),
            outcome: judgement.outcome.clone(),
            figures: judgement.figures.clone(),
            code,
        });
    }

    fn push_failed_iteration(&mut self, stage: Stage, model: &str, outcome: Outcome) {
        self.iterations.push(Iteration {
            index: self.iterations.len() + 1,
            stage,
            model: model.to_string(),
            input_tokens: 0,
            output_tokens: 0,
            cost_usd: 0.0,
            latency_ms: 0,
            summary: outcome.summary(self.request.metric),
            outcome,
            figures: None,
            code: None,
        });
    }

    fn step(&mut self, percent: u32, message: &str) {
        self.percent = self.percent.max(percent.min(100));
        (self.progress)(Step {
            message,
            percent: self.percent,
        });
    }

    fn note_once(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    fn check_cancel(&self) -> Result<(), PipelineError> {
        if self.cancel.is_cancelled() {
            Err(PipelineError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Executor work on a blocking thread, timed as executor time.
    async fn blocking<T: Send + 'static>(
        &mut self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PipelineError> {
        self.check_cancel()?;
        let started = Instant::now();
        let task = tokio::task::spawn_blocking(work);
        let result = tokio::select! {
            joined = task => joined.map_err(|error| PipelineError::Join(error.to_string())),
            // The sandboxed run is bounded by its own limits and finishes
            // in the background; the job stops waiting for it now.
            _ = self.cancel.cancelled() => Err(PipelineError::Cancelled),
        };
        self.budget.executor_time += started.elapsed();
        result
    }

    fn report(self, ending: Ending) -> Report {
        let (code, new_file_text, figures) = match &ending.accepted {
            Some((baseline, figures)) => (
                Some(baseline.function_text().to_string()),
                Some(baseline.file_text.clone()),
                figures.clone(),
            ),
            None => (None, None, None),
        };
        Report {
            function: self.request.function.clone(),
            language: self.request.language,
            metric: self.request.metric,
            categories: self.categories,
            accepted: ending.accepted.is_some(),
            verdict: ending.verdict,
            speedup: figures.as_ref().map(|f| 1.0 / f.ratio),
            code,
            new_file_text,
            figures,
            llm_calls: self.budget.calls,
            input_tokens: self.budget.input_tokens,
            output_tokens: self.budget.output_tokens,
            cost_usd: self.budget.cost_usd,
            iterations: self.iterations,
            evidence: self.evidence,
            mutation: self.mutation,
            notes: self.notes,
            wall_ms: self.started.elapsed().as_millis() as u64,
            overhead_ms: self.budget.overhead().as_millis() as u64,
        }
    }
}

fn tests_outcome(verdict: &TestsVerdict) -> Outcome {
    match &verdict.failure {
        None => Outcome::Passes,
        Some((test, detail)) => Outcome::FailingTest {
            test: test.clone(),
            detail: detail.clone(),
        },
    }
}

/// The start of a reply that was not what was asked for, quoted, so the
/// user sees the model's own reason (" (it said: ...)"); empty for none.
fn reply_opening(reply: &str) -> String {
    const MOST: usize = 160;
    let line = reply.lines().map(str::trim).find(|line| !line.is_empty());
    match line {
        Some(line) if line.chars().count() > MOST => {
            let cut: String = line.chars().take(MOST).collect();
            format!(" (it said: \"{cut}…\")")
        }
        Some(line) => format!(" (it said: \"{line}\")"),
        None => String::new(),
    }
}

fn routing_outcome_of(outcome: &Outcome) -> RunOutcomeForRouting {
    if outcome.is_correct() {
        RunOutcomeForRouting::Succeeded
    } else {
        RunOutcomeForRouting::Failed
    }
}

/// The file as context for prompts, cut to a size models handle well.
fn file_excerpt(file_text: &str) -> &str {
    const MAX: usize = 6_000;
    if file_text.len() <= MAX {
        return file_text;
    }
    let mut cut = MAX;
    while !file_text.is_char_boundary(cut) {
        cut -= 1;
    }
    &file_text[..cut]
}

#[cfg(test)]
mod tests {
    use super::reply_opening;

    #[test]
    fn an_unusable_reply_is_quoted_by_its_first_line_cut_short() {
        assert_eq!(
            reply_opening("\n  I cannot build inputs for `f`: unknown type.\nMore."),
            " (it said: \"I cannot build inputs for `f`: unknown type.\")"
        );
        let long = "x".repeat(500);
        let quoted = reply_opening(&long);
        assert!(
            quoted.ends_with("…\")") && quoted.chars().count() < 200,
            "{quoted}"
        );
        assert_eq!(reply_opening("  \n "), "");
    }
}
