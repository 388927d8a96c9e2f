//! The pipeline's stages on a benchmark, one model at a time: generate (a
//! function from its prompt: pass@1), fix (HumanEvalPack's buggy solution
//! after its failing test: fix@1) and refine (a faster version of the
//! canonical solution, judged by the pipeline's judge: successful
//! refinements, improvement, %Opt, speedup). The prompts are the pipeline's
//! own (`pipeline::prompts`), so the figures describe what `perforch
//! optimize` does with the same model.
//!
//! Model calls go one at a time in task order (so a scripted model answers
//! the same task every run); the test runs of generate and fix run on a
//! bounded pool; refine's timing runs are serial.

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::dataset::{DatasetKind, Task};
use super::perf::{PerfBench, PerfStatus, PreparedTask, canonical_file, entry_point};
use super::program::{file_program, head};
use super::record::{Keyed, TaskStatus};
use super::runner::{short_failure, status_of};
use crate::config::ModelConfig;
use crate::executor::sandbox::SandboxLimits;
use crate::executor::{ExecutorConfig, Toolchain, run_assertions};
use crate::language::Language;
use crate::models::{
    ChatRequest, Message, ModelProvider, Prices, Stage as CallStage, extract_code,
};
use crate::pipeline::prompts::{self, Failure, FunctionContext};
use crate::pipeline::{Baseline, CandidateCode};
use crate::routing::{Category, Metric, classify};

/// A stage of `perforch eval --models`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalStage {
    Generate,
    Fix,
    Refine,
    /// The whole `perforch optimize` job (routing among the listed models,
    /// evidence, iterations, acceptance) on the canonical solution, its
    /// accepted code then checked by the benchmark's own tests and heavy
    /// inputs: do perforch's claims hold up?
    Pipeline,
}

impl EvalStage {
    /// The per-model stages, what `--stage all` runs (the papers' tables).
    pub const ALL: [EvalStage; 3] = [EvalStage::Generate, EvalStage::Fix, EvalStage::Refine];

    pub fn name(self) -> &'static str {
        match self {
            EvalStage::Generate => "generate",
            EvalStage::Fix => "fix",
            EvalStage::Refine => "refine",
            EvalStage::Pipeline => "pipeline",
        }
    }

    /// The routing memory's stage; the pipeline is several stages and
    /// models at once, so it teaches the memory nothing of its own.
    pub fn routing(self) -> Option<crate::routing::Stage> {
        match self {
            EvalStage::Generate => Some(crate::routing::Stage::Generate),
            EvalStage::Fix => Some(crate::routing::Stage::Fix),
            EvalStage::Refine => Some(crate::routing::Stage::Refine),
            EvalStage::Pipeline => None,
        }
    }
}

impl FromStr for EvalStage {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        EvalStage::ALL
            .into_iter()
            .chain([EvalStage::Pipeline])
            .find(|stage| stage.name() == text)
            .ok_or_else(|| {
                format!("unknown stage `{text}`; use generate, fix, refine, pipeline or all")
            })
    }
}

/// One model on one task in one stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageRecord {
    pub dataset: String,
    pub language: Language,
    pub task_id: String,
    pub stage: EvalStage,
    pub model: String,
    /// The problem categories of the task's canonical solution (routing's classifier).
    pub categories: Vec<Category>,
    /// Generate, fix: the tests pass. Refine: correct and faster than the
    /// canonical solution beyond the noise.
    pub success: bool,
    /// The code returned is correct (tests pass; refine: same outputs).
    pub correct: bool,
    /// `passed`, `failed assertion`, `build error`... (generate, fix);
    /// `faster`, `tie`, `slower`, `incorrect`... (refine); `no code`,
    /// `model error`; `not broken` when a buggy solution passes its tests.
    pub status: String,
    /// Refine: candidate / canonical CPU time, and canonical / candidate.
    pub ratio: Option<f64>,
    pub speedup: Option<f64>,
    /// Pipeline: the speedup perforch claimed when it accepted a version
    /// (on its own evidence); None when it offered nothing.
    #[serde(default)]
    pub claimed_speedup: Option<f64>,
    /// Pipeline: the accepted version's function, so a reader can check
    /// the claim (the job's folder is gone once it ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_code: Option<String>,
    pub llm_calls: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    pub detail: Option<String>,
    pub wall_ms: u64,
}

impl StageRecord {
    /// Refine: `(1 - ratio) * 100`, the improvement in percent of a success.
    pub fn improvement_pct(&self) -> Option<f64> {
        self.success
            .then_some(self.ratio)
            .flatten()
            .map(|ratio| (1.0 - ratio) * 100.0)
    }

    /// A task that does not count towards the stage's rate (a buggy
    /// solution its own tests accept has nothing to fix).
    pub fn excluded(&self) -> bool {
        self.status == NOT_BROKEN
    }
}

const NOT_BROKEN: &str = "not broken";

impl Keyed for StageRecord {
    type Key = (String, Language, String, EvalStage, String);

    fn key(&self) -> Self::Key {
        (
            self.dataset.clone(),
            self.language,
            self.task_id.clone(),
            self.stage,
            self.model.clone(),
        )
    }
}

/// A configured model, ready to be asked.
pub struct EvalModel {
    pub config: ModelConfig,
    pub provider: std::sync::Arc<dyn ModelProvider>,
}

/// Everything the stages share for one language.
pub struct StageRunner<'a> {
    pub runtime: &'a tokio::runtime::Runtime,
    pub dataset: DatasetKind,
    pub language: Language,
    pub executor: ExecutorConfig,
    pub toolchain: Toolchain,
    pub limits: SandboxLimits,
    pub jobs: usize,
    /// Refine's and the pipeline's judge; None when only generate and fix run.
    pub bench: Option<&'a PerfBench>,
    /// The pipeline stage's engine (only the listed models, the routing
    /// memory's priors); None unless that stage runs.
    pub engine: Option<&'a crate::pipeline::Engine>,
    /// Heavy inputs for refine, by task id (from a replay file's workloads).
    pub workloads: &'a (dyn Fn(&Task) -> Vec<Vec<String>> + Sync),
    pub work_root: std::path::PathBuf,
}

/// The calls one task cost.
#[derive(Default, Clone, Copy)]
struct Spent {
    calls: u32,
    input_tokens: u64,
    output_tokens: u64,
    cost_usd: f64,
}

/// What a model call left for a task: code to test, or why there is none.
enum Produced {
    File(String),
    Nothing {
        status: &'static str,
        detail: String,
    },
}

impl StageRunner<'_> {
    /// Run `stage` with `model` on `tasks`; `on_record` gets each record as
    /// it is ready (in task order for generate and fix, after their tests).
    pub fn run<E>(
        &self,
        stage: EvalStage,
        model: &EvalModel,
        tasks: &[&Task],
        metric: Metric,
        mut on_record: impl FnMut(StageRecord) -> Result<(), E>,
    ) -> Result<(), E> {
        match stage {
            EvalStage::Generate | EvalStage::Fix => {
                for record in self.correctness_stage(stage, model, tasks) {
                    on_record(record)?;
                }
                Ok(())
            }
            EvalStage::Refine => {
                for task in tasks {
                    on_record(self.refine(model, task, metric))?;
                }
                Ok(())
            }
            EvalStage::Pipeline => self.run_pipeline(&model.config.name, tasks, metric, on_record),
        }
    }

    pub(super) fn blank(&self, stage: EvalStage, model: &str, task: &Task) -> StageRecord {
        let categories = entry_point(self.dataset, self.language, task)
            .and_then(|name| {
                Baseline::new(
                    self.language,
                    canonical_file(self.dataset, self.language, task),
                    &name,
                )
                .ok()
            })
            .map(|baseline| classify(self.language, baseline.function_text()))
            .unwrap_or_default();
        StageRecord {
            dataset: self.dataset.name().to_string(),
            language: self.language,
            task_id: task.task_id.clone(),
            stage,
            model: model.to_string(),
            categories,
            success: false,
            correct: false,
            status: "error".into(),
            ratio: None,
            speedup: None,
            claimed_speedup: None,
            accepted_code: None,
            llm_calls: 0,
            input_tokens: 0,
            output_tokens: 0,
            cost_usd: 0.0,
            detail: None,
            wall_ms: 0,
        }
    }

    /// Generate and fix: broken solutions tested (fix), model calls in
    /// task order, then every produced file tested on the pool.
    fn correctness_stage(
        &self,
        stage: EvalStage,
        model: &EvalModel,
        tasks: &[&Task],
    ) -> Vec<StageRecord> {
        let started = Instant::now();
        let mut records: Vec<StageRecord> = tasks
            .iter()
            .map(|task| self.blank(stage, &model.config.name, task))
            .collect();
        // Fix starts from the buggy solution's own failure.
        let failures: Vec<Option<Result<String, String>>> = if stage == EvalStage::Fix {
            self.pool(tasks.len(), |index| {
                let task = tasks[index];
                let Some(buggy) = &task.buggy_solution else {
                    return Some(Err("the task has no buggy solution".to_string()));
                };
                let file = format!("{}{buggy}", head(self.dataset, self.language, task));
                let (status, failure) = self.test_file(task, &file, index, "buggy");
                Some(match status {
                    TaskStatus::Passed => Err(NOT_BROKEN.to_string()),
                    _ => Ok(failure),
                })
            })
        } else {
            vec![None; tasks.len()]
        };
        let mut produced = Vec::new();
        for ((task, record), failure) in tasks.iter().zip(&mut records).zip(&failures) {
            let asked = match failure {
                Some(Err(reason)) => {
                    let status = if reason == NOT_BROKEN {
                        NOT_BROKEN
                    } else {
                        "error"
                    };
                    Produced::Nothing {
                        status,
                        detail: reason.clone(),
                    }
                }
                Some(Ok(failure)) => self.ask_fix(model, task, failure, record),
                None => self.ask_generate(model, task, record),
            };
            produced.push(asked);
        }
        let outcomes = self.pool(tasks.len(), |index| match &produced[index] {
            Produced::File(file) => Some(self.test_file(tasks[index], file, index, stage.name())),
            Produced::Nothing { .. } => None,
        });
        for ((record, asked), outcome) in records.iter_mut().zip(produced).zip(outcomes) {
            match (asked, outcome) {
                (Produced::Nothing { status, detail }, _) => {
                    record.status = status.to_string();
                    record.detail = Some(detail);
                }
                (Produced::File(_), Some((status, failure))) => {
                    record.correct = status == TaskStatus::Passed;
                    record.success = record.correct;
                    record.status = status.name().to_string();
                    record.detail = (!record.correct).then_some(failure);
                }
                (Produced::File(_), None) => {}
            }
            record.wall_ms = started.elapsed().as_millis() as u64;
        }
        records
    }

    fn ask_generate(&self, model: &EvalModel, task: &Task, record: &mut StageRecord) -> Produced {
        let Some(name) = entry_point(self.dataset, self.language, task) else {
            return Produced::Nothing {
                status: "error",
                detail: "no function found in the task's canonical file".into(),
            };
        };
        let stub = head(self.dataset, self.language, task);
        let context = FunctionContext {
            language: self.language,
            name: &name,
            code: stub,
            file_excerpt: "",
            categories: &record.categories,
        };
        let messages = prompts::generate(&context, "");
        let mut spent = Spent::default();
        let reply = self.ask(model, CallStage::Generate, messages, &mut spent);
        spent.fill(record);
        match reply {
            Ok(text) => self.splice(task, &name, &text),
            Err(detail) => Produced::Nothing {
                status: "model error",
                detail,
            },
        }
    }

    fn ask_fix(
        &self,
        model: &EvalModel,
        task: &Task,
        failure: &str,
        record: &mut StageRecord,
    ) -> Produced {
        let Some(name) = entry_point(self.dataset, self.language, task) else {
            return Produced::Nothing {
                status: "error",
                detail: "no function found in the task's canonical file".into(),
            };
        };
        let buggy = format!(
            "{}{}",
            head(self.dataset, self.language, task),
            task.buggy_solution.as_deref().unwrap_or("")
        );
        let code = Baseline::new(self.language, buggy.clone(), &name)
            .map(|baseline| baseline.function_text().to_string())
            .unwrap_or_else(|_| buggy.clone());
        let context = FunctionContext {
            language: self.language,
            name: &name,
            code: &code,
            file_excerpt: "",
            categories: &record.categories,
        };
        let exchange = prompts::reflect(
            &context,
            &Failure {
                test: "the task's test",
                error: failure,
            },
        );
        let mut spent = Spent::default();
        let reply = self
            .ask(model, CallStage::Fix, exchange.clone(), &mut spent)
            .and_then(|reflection| {
                let messages = prompts::fix_after_reflection(exchange, &reflection);
                self.ask(model, CallStage::Fix, messages, &mut spent)
            });
        spent.fill(record);
        match reply {
            Ok(text) => self.splice_into(&buggy, &name, &text),
            Err(detail) => Produced::Nothing {
                status: "model error",
                detail,
            },
        }
    }

    /// The model's function in place of the canonical one, in the task's file.
    fn splice(&self, task: &Task, name: &str, reply: &str) -> Produced {
        self.splice_into(
            &canonical_file(self.dataset, self.language, task),
            name,
            reply,
        )
    }

    fn splice_into(&self, file: &str, name: &str, reply: &str) -> Produced {
        let no_code = |detail: String| Produced::Nothing {
            status: "no code",
            detail,
        };
        let baseline = match Baseline::new(self.language, file.to_string(), name) {
            Ok(baseline) => baseline,
            Err(error) => return no_code(error.to_string()),
        };
        let functions =
            crate::analysis::functions(&crate::document::Document::new(self.language, 0, file));
        let candidate = extract_code(reply, self.language)
            .map_err(|e| e.to_string())
            .and_then(|code| {
                CandidateCode::from_code(&code, self.language, name, Some(&functions))
                    .map_err(|e| e.to_string())
            });
        match candidate.and_then(|c| baseline.with(&c).map_err(|e| e.to_string())) {
            Ok(version) => Produced::File(version.file_text),
            Err(detail) => no_code(detail),
        }
    }

    /// Build and run the task's tests against `file`.
    pub(super) fn test_file(
        &self,
        task: &Task,
        file: &str,
        index: usize,
        label: &str,
    ) -> (TaskStatus, String) {
        let program = file_program(self.language, task, file);
        let work_dir = self.work_root.join(format!(
            "{}-{}-{label}-{index}",
            self.language.name(),
            task.task_id.replace(['/', '\\', '.'], "-")
        ));
        let result = run_assertions(
            &self.executor,
            &self.toolchain,
            &program,
            &work_dir,
            self.limits.clone(),
        );
        let _ = std::fs::remove_dir_all(&work_dir);
        match result {
            Ok(outcome) => (status_of(&outcome), short_failure(&outcome)),
            Err(error) => (TaskStatus::Error, error.to_string()),
        }
    }

    /// Refine: a faster version of the canonical solution, judged against it.
    fn refine(&self, model: &EvalModel, task: &Task, metric: Metric) -> StageRecord {
        let started = Instant::now();
        let mut record = self.blank(EvalStage::Refine, &model.config.name, task);
        let finish = |mut record: StageRecord, status: &str, detail: String| {
            record.status = status.to_string();
            record.detail = Some(detail);
            record.wall_ms = started.elapsed().as_millis() as u64;
            record
        };
        let Some(bench) = self.bench else {
            return finish(record, "error", "no judge for refine".into());
        };
        let (name, prepared) = match self.prepare(bench, task) {
            Ok(prepared) => prepared,
            Err(detail) => return finish(record, "error", detail),
        };
        let costliest = prepared
            .screened
            .original_ns
            .iter()
            .enumerate()
            .max_by_key(|(_, ns)| **ns)
            .map(|(index, _)| prepared.screened.kept[index].clone());
        let code = prepared.baseline.function_text().to_string();
        let context = FunctionContext {
            language: self.language,
            name: &name,
            code: &code,
            file_excerpt: &prepared.baseline.file_text,
            categories: &record.categories,
        };
        let messages = prompts::refine(&context, metric, None, costliest.as_ref(), None, None);
        let mut spent = Spent::default();
        let reply = self.ask(model, CallStage::Refine, messages, &mut spent);
        spent.fill(&mut record);
        let reply = match reply {
            Ok(reply) => reply,
            Err(detail) => return finish(record, "model error", detail),
        };
        let code = match extract_code(&reply, self.language) {
            Ok(code) => code,
            Err(error) => return finish(record, "no code", error.to_string()),
        };
        let measured = bench.measure(&prepared, &code);
        record.status = measured.status.name().to_string();
        record.correct = measured.status.is_correct();
        record.success = measured.status == PerfStatus::Faster;
        record.detail = measured.detail.clone();
        if let Some(figures) = measured.figures {
            record.ratio = Some(figures.ratio);
            record.speedup = (figures.ratio > 0.0).then(|| 1.0 / figures.ratio);
        }
        record.wall_ms = started.elapsed().as_millis() as u64;
        record
    }

    /// The task's entry point and its canonical solution prepared for
    /// measurement on the heavy inputs and the test calls.
    pub(super) fn prepare(
        &self,
        bench: &PerfBench,
        task: &Task,
    ) -> Result<(String, PreparedTask), String> {
        let name = entry_point(self.dataset, self.language, task)
            .ok_or("no function in the canonical file")?;
        let prepared = bench
            .prepare(
                self.dataset,
                self.language,
                task,
                &name,
                &(self.workloads)(task),
            )
            .map_err(|error| error.to_string())?;
        Ok((name, prepared))
    }

    /// One model call; its tokens and cost added to `spent`.
    fn ask(
        &self,
        model: &EvalModel,
        stage: CallStage,
        messages: Vec<Message>,
        spent: &mut Spent,
    ) -> Result<String, String> {
        spent.calls += 1;
        let call = model
            .provider
            .complete(ChatRequest::new(stage, messages), CancellationToken::new());
        let response = self.runtime.block_on(call).map_err(|e| e.to_string())?;
        spent.input_tokens += response.usage.input_tokens;
        spent.output_tokens += response.usage.output_tokens;
        spent.cost_usd += Prices::from_config(&model.config).cost_usd(response.usage);
        Ok(response.text)
    }

    /// `work(index)` for every index on at most `jobs` threads, results in
    /// index order.
    fn pool<T: Send>(&self, count: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
        let next = AtomicUsize::new(0);
        let mut results: Vec<(usize, T)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..self.jobs.max(1).min(count.max(1)))
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let index = next.fetch_add(1, Ordering::SeqCst);
                            if index >= count {
                                break done;
                            }
                            done.push((index, work(index)));
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|worker| worker.join().expect("an eval worker panicked"))
                .collect()
        });
        results.sort_by_key(|(index, _)| *index);
        results.into_iter().map(|(_, result)| result).collect()
    }
}

impl Spent {
    fn fill(&self, record: &mut StageRecord) {
        record.llm_calls += self.calls;
        record.input_tokens += self.input_tokens;
        record.output_tokens += self.output_tokens;
        record.cost_usd += self.cost_usd;
    }
}
