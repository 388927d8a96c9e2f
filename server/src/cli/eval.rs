//! `perforch eval --dataset DIR [--lang LANGS] [--solution canonical|buggy]
//! [--limit N] [--json OUT] [--jobs N]`: run a benchmark's own solutions
//! through the executor and print how many met their expectation.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::eval::record::RecordKey;
use crate::eval::{
    Dataset, Evaluator, KnownIssues, ResultsFile, SolutionKind, Summary, TaskRecord,
    prepare_toolchains, summary_path,
};
use crate::executor::ExecutorConfig;
use crate::executor::sandbox::SandboxLimits;
use crate::language::Language;

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// Benchmark folder: HumanEval-X (humaneval_<lang>.jsonl.gz) or
    /// HumanEvalPack (humanevalpack_<lang>.jsonl).
    #[arg(long, value_name = "DIR")]
    pub dataset: PathBuf,
    /// Languages, comma-separated: python, java, cpp, go, rust.
    #[arg(
        long = "lang",
        value_name = "LANGS",
        value_delimiter = ',',
        value_parser = parse_language,
        default_value = "python,java,cpp,go,rust"
    )]
    pub languages: Vec<Language>,
    /// Which solutions to test: `canonical` (must pass) or `buggy` (must be
    /// rejected; HumanEvalPack only).
    #[arg(long, value_name = "KIND", value_parser = parse_solution, default_value = "canonical")]
    pub solution: SolutionKind,
    /// Only the first N tasks of each language.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Append per-task results as JSON lines to OUT (tasks already in OUT
    /// are not run again) and write the summary to OUT's name with the
    /// extension `.summary.json`.
    #[arg(long = "json", value_name = "OUT")]
    pub json: Option<PathBuf>,
    /// Tasks run at once (default: the number of CPU cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Wall-clock and CPU limit of each test run, in seconds (default: the
    /// executor's test-run limit). Benchmark tests take well under a second;
    /// a buggy solution that loops forever is rejected when this expires.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Measure the candidates of a replay file (known-faster solutions and
    /// their heavy inputs, e.g. fixtures/eval/humaneval_python_fast.jsonl)
    /// against the dataset's canonical solutions; no model is called.
    #[arg(long, value_name = "FILE", conflicts_with = "models")]
    pub replay: Option<PathBuf>,
    /// Models to evaluate (names of `[[models]]` entries, comma-separated):
    /// runs the pipeline's stages on the dataset's tasks.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub models: Vec<String>,
    /// With --models: generate (pass@1), fix (fix@1, HumanEvalPack),
    /// refine (improvements over the canonical solution) or all.
    #[arg(long, value_name = "STAGE", default_value = "all")]
    pub stage: String,
    /// With --models: what refine improves (time, peak-memory, mean-memory, cpu).
    #[arg(long, value_name = "METRIC", default_value = "time")]
    pub metric: String,
    /// Write the result tables in markdown to OUT.
    #[arg(long, value_name = "OUT")]
    pub markdown: Option<PathBuf>,
    /// With --models: heavy inputs for refine from a replay file (its
    /// inputs only, matched by task number).
    #[arg(long, value_name = "FILE")]
    pub workloads: Option<PathBuf>,
    /// With --models: read the models from this perforch.toml only; with
    /// --mutation: the [pipeline] settings (mutants, mutation_floor,
    /// small_scope_inputs).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Measure the mutation score of the evidence perforch builds for each
    /// canonical solution (no model) and print its median per language,
    /// with the time the score takes.
    #[arg(long, conflicts_with_all = ["models", "replay"])]
    pub mutation: bool,
}

pub(crate) fn parse_language(text: &str) -> Result<Language, String> {
    Language::ALL
        .into_iter()
        .find(|language| language.name() == text.trim())
        .ok_or_else(|| format!("unknown language `{text}`; use python, java, cpp, go or rust"))
}

fn parse_solution(text: &str) -> Result<SolutionKind, String> {
    text.parse()
}

/// `--jobs`, or the number of cores.
pub(crate) fn jobs_of(args: &EvalArgs) -> anyhow::Result<usize> {
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    Ok(jobs)
}

/// The run limits, with `--timeout` applied.
pub(crate) fn limits_of(args: &EvalArgs) -> anyhow::Result<SandboxLimits> {
    let mut limits = SandboxLimits::for_run();
    if let Some(secs) = args.timeout {
        if secs == 0 {
            bail!("--timeout must be at least 1 second");
        }
        limits.wall = Duration::from_secs(secs);
        limits.cpu_secs = secs;
    }
    Ok(limits)
}

/// The chosen languages, each once, with their tasks (first `--limit`).
pub(crate) fn task_lists(
    args: &EvalArgs,
    dataset: &Dataset,
) -> anyhow::Result<Vec<(Language, Vec<crate::eval::Task>)>> {
    let mut languages: Vec<Language> = Vec::new();
    for language in &args.languages {
        if !languages.contains(language) {
            languages.push(*language);
        }
    }
    // Every task list is read before anything runs: a missing or damaged
    // file is reported at once, not after an hour of other languages.
    let mut lists = Vec::new();
    for language in languages {
        let mut tasks = dataset.load(language)?;
        if let Some(limit) = args.limit {
            tasks.truncate(limit);
        }
        lists.push((language, tasks));
    }
    Ok(lists)
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    if let Some(replay) = args.replay.clone() {
        return super::eval_replay::run(&args, &replay);
    }
    if !args.models.is_empty() {
        return super::eval_models::run(&args);
    }
    if args.mutation {
        return super::eval_mutation::run(&args);
    }
    let started = Instant::now();
    let jobs = jobs_of(&args)?;
    let limits = limits_of(&args)?;
    let dataset = Dataset::open(&args.dataset)?;
    if args.solution == SolutionKind::Buggy && !dataset.kind.has_buggy_solutions() {
        return Err(crate::eval::EvalError::NoBuggySolutions {
            dataset: dataset.name().to_string(),
        }
        .into());
    }
    let task_lists = task_lists(&args, &dataset)?;
    let languages: Vec<Language> = task_lists.iter().map(|(language, _)| *language).collect();
    let known = KnownIssues::shipped()?;
    let mut results: Option<ResultsFile<TaskRecord>> = match &args.json {
        Some(path) => Some(
            ResultsFile::open(path)
                .with_context(|| format!("opening the results file {}", path.display()))?,
        ),
        None => None,
    };
    let config = ExecutorConfig::default();
    let toolchains = prepare_toolchains(&config, &languages)?;
    let evaluator = Evaluator::new(config, dataset.kind, args.solution, limits)?;
    let mut progress = Progress::new(std::io::stderr().is_terminal());
    let mut per_language: Vec<(Language, Vec<TaskRecord>, Duration)> = Vec::new();
    for ((language, tasks), (_, toolchain)) in task_lists.iter().zip(&toolchains) {
        let language_started = Instant::now();
        let mut records = Vec::new();
        let mut pending = Vec::new();
        for task in tasks {
            let key = RecordKey {
                dataset: dataset.name().to_string(),
                language: *language,
                task_id: task.task_id.clone(),
                solution: args.solution,
            };
            match results.as_ref().and_then(|r| r.recorded(&key)) {
                Some(record) => records.push(record.clone()),
                None => pending.push(task),
            }
        }
        let missed = records.iter().filter(|r| !r.met_expectation).count();
        progress.start(*language, tasks.len(), records.len(), missed);
        evaluator.evaluate_all(*language, toolchain, &pending, jobs, |record| {
            if let Some(results) = results.as_mut() {
                results.append(&record)?;
            }
            progress.add(!record.met_expectation);
            records.push(record);
            Ok::<(), crate::eval::EvalError>(())
        })?;
        progress.finish();
        let wall = if pending.is_empty() {
            Duration::ZERO
        } else {
            language_started.elapsed()
        };
        per_language.push((*language, records, wall));
    }
    let summary = Summary::new(
        dataset.name(),
        args.solution,
        &known,
        &per_language,
        started.elapsed(),
    );
    publish(&args, &summary.render(), &summary, None)?;
    Ok(if summary.all_as_expected() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The end of every eval run: its table on stdout, the summary as JSON
/// beside `--json OUT`, and `markdown` (when the run has tables in the
/// papers' shape) in `--markdown OUT`.
pub(crate) fn publish(
    args: &EvalArgs,
    table: &str,
    summary: &impl serde::Serialize,
    markdown: Option<String>,
) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{table}")?;
    stdout.flush()?;
    if let Some(path) = &args.json {
        let path = summary_path(path);
        std::fs::write(&path, serde_json::to_string_pretty(summary)? + "\n")
            .with_context(|| format!("writing the summary to {}", path.display()))?;
    }
    if let (Some(path), Some(markdown)) = (&args.markdown, markdown) {
        std::fs::write(path, markdown)
            .with_context(|| format!("writing the markdown tables to {}", path.display()))?;
    }
    Ok(())
}

/// One status line on stderr, redrawn in place; only when stderr is a
/// terminal, so logs and CI output stay clean.
pub(crate) struct Progress {
    enabled: bool,
    language: Option<Language>,
    total: usize,
    done: usize,
    missed: usize,
    started: Instant,
}

impl Progress {
    pub(crate) fn new(enabled: bool) -> Self {
        Progress {
            enabled,
            language: None,
            total: 0,
            done: 0,
            missed: 0,
            started: Instant::now(),
        }
    }

    /// A language begins: `done` items of `total` already recorded, `missed` of them missed.
    pub(crate) fn start(&mut self, language: Language, total: usize, done: usize, missed: usize) {
        self.language = Some(language);
        self.total = total;
        self.done = done;
        self.missed = missed;
        self.started = Instant::now();
        self.draw();
    }

    pub(crate) fn add(&mut self, missed: bool) {
        self.done += 1;
        if missed {
            self.missed += 1;
        }
        self.draw();
    }

    fn draw(&self) {
        if !self.enabled {
            return;
        }
        let width = 30;
        let filled = (self.done * width).checked_div(self.total).unwrap_or(width);
        let language = self.language.map_or("", Language::name);
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r\x1b[2K{language:<6} [{}{}] {}/{}  missed {}  {:.0}s",
            "#".repeat(filled),
            " ".repeat(width - filled),
            self.done,
            self.total,
            self.missed,
            self.started.elapsed().as_secs_f64()
        );
        let _ = stderr.flush();
    }

    pub(crate) fn finish(&self) {
        if self.enabled {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}
