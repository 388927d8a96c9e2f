//! `perforch profile --model NAME [--dataset DIR] [--lang LANGS] [--limit N]`:
//! measure a configured model on a benchmark, stage by stage (generate,
//! fix, refine), and write every result into the routing memory's user
//! file, keyed by stage, language and the task's problem categories, so the
//! router ranks the model from its own figures next time (`perforch models`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use super::eval::EvalArgs;
use crate::eval::{StageRecord, StageSummary};
use crate::language::Language;
use crate::routing::{Metric, ModelRef, RoutingMemory, RunOutcomeForRouting};

#[derive(clap::Args, Debug)]
pub struct ProfileArgs {
    /// The `[[models]]` entry to measure.
    #[arg(long, value_name = "NAME")]
    pub model: String,
    /// A HumanEvalPack folder (all three stages) or a HumanEval-X one
    /// (generate and refine).
    #[arg(
        long,
        value_name = "DIR",
        default_value = "../shared/datasets/humanevalpack"
    )]
    pub dataset: PathBuf,
    /// Languages, comma-separated: python, java, cpp, go, rust.
    #[arg(long = "lang", value_name = "LANGS", value_delimiter = ',', default_value = "python",
          value_parser = super::eval::parse_language)]
    pub languages: Vec<Language>,
    /// Only the first N tasks of each language.
    #[arg(long, value_name = "N", default_value = "20")]
    pub limit: usize,
    /// generate, fix, refine or all.
    #[arg(long, value_name = "STAGE", default_value = "all")]
    pub stage: String,
    /// Append per-task results to OUT (a rerun skips recorded tasks and
    /// does not count them in the memory again).
    #[arg(long = "json", value_name = "OUT")]
    pub json: Option<PathBuf>,
    /// Test runs at once (default: the number of CPU cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Read the models from this perforch.toml only.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Heavy inputs for refine from a replay file.
    #[arg(long, value_name = "FILE")]
    pub workloads: Option<PathBuf>,
}

pub fn run(args: ProfileArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    if args.stage == "pipeline" {
        anyhow::bail!(
            "--stage pipeline runs several models at once and cannot score one; profile with generate, fix, refine or all"
        );
    }
    let eval_args = EvalArgs {
        dataset: args.dataset.clone(),
        languages: args.languages.clone(),
        solution: crate::eval::SolutionKind::Canonical,
        limit: Some(args.limit),
        json: None,
        jobs: args.jobs,
        timeout: None,
        replay: None,
        models: vec![args.model.clone()],
        stage: args.stage.clone(),
        metric: "time".into(),
        markdown: None,
        config: args.config.clone(),
        workloads: args.workloads.clone(),
        mutation: false,
    };
    // Records already in OUT were counted by the run that wrote them.
    let already: std::collections::HashSet<_> = match &args.json {
        Some(path) if path.exists() => crate::eval::ResultsFile::<StageRecord>::open(path)?
            .records()
            .map(crate::eval::Keyed::key)
            .collect(),
        _ => Default::default(),
    };
    let eval_args = EvalArgs {
        json: args.json.clone(),
        ..eval_args
    };
    let (dataset, records) = super::eval_models::evaluate(&eval_args, &eval_args.models)?;
    let user_file = RoutingMemory::default_user_file()
        .context("no data folder for the routing memory (set XDG_DATA_HOME or HOME)")?;
    let mut memory = RoutingMemory::load(Some(&user_file), None)?;
    let config = super::optimize::load_config(args.config.as_deref(), &std::env::current_dir()?)?;
    let model_id = config
        .models
        .iter()
        .find(|m| m.name == args.model)
        .map(|m| m.model.clone())
        .unwrap_or_default();
    let model = ModelRef {
        name: &args.model,
        model: &model_id,
    };
    let mut counted = 0;
    for record in records.iter().filter(|r| !r.excluded()) {
        let Some(stage) = record.stage.routing() else {
            continue;
        };
        if already.contains(&crate::eval::Keyed::key(record)) {
            continue;
        }
        memory.record(
            stage,
            record.language,
            &record.categories,
            Metric::Time,
            &model,
            routing_outcome(record),
        );
        counted += 1;
    }
    memory.save()?;
    let summary = StageSummary::new(dataset.name(), &records, started.elapsed().as_secs_f64());
    print!("{}", summary.render());
    println!(
        "\n{counted} new result(s) of `{}` written to the routing memory {}; `perforch models --stage refine --lang python` shows its place",
        args.model,
        user_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// What a stage record tells the router: a pass, a fail, or (refine) an
/// improvement with its figures (canonical as 1, the candidate as its ratio).
fn routing_outcome(record: &StageRecord) -> RunOutcomeForRouting {
    match (record.success, record.ratio) {
        (true, Some(ratio)) => RunOutcomeForRouting::Improved {
            original: 1.0,
            candidate: ratio,
        },
        (true, None) => RunOutcomeForRouting::Succeeded,
        (false, _) => RunOutcomeForRouting::Failed,
    }
}
