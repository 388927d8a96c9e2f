//! `perforch eval --models NAMES [--stage generate|fix|refine|all]`: the
//! pipeline's stages with configured models on a benchmark's tasks, the
//! seeds' metrics per stage, model and language, in a table and (with
//! `--markdown`) in the papers' shape. Also the engine of `perforch profile`.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};

use super::eval::{EvalArgs, Progress, jobs_of, limits_of, task_lists};
use crate::eval::pipeline_stage::ACCEPTED_WRONG;
use crate::eval::record::Keyed;
use crate::eval::{
    Dataset, EvalModel, EvalStage, PerfBench, ReplayFile, ResultsFile, StageRecord, StageRunner,
    StageSummary, Task, prepare_toolchains,
};
use crate::executor::{ExecutorConfig, MeasureConfig};
use crate::models::{ModelRegistry, RegistryOptions};
use crate::pipeline::Engine;

pub fn run(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (dataset, records) = evaluate(args, &args.models)?;
    let summary = StageSummary::new(dataset.name(), &records, started.elapsed().as_secs_f64());
    super::eval::publish(args, &summary.render(), &summary, Some(summary.markdown()))?;
    // The pipeline handing out code the benchmark's own tests reject is
    // the failure perforch exists to prevent: the run fails with the list.
    let wrong: Vec<&str> = records
        .iter()
        .filter(|r| r.stage == EvalStage::Pipeline && r.status == ACCEPTED_WRONG)
        .map(|r| r.task_id.as_str())
        .collect();
    if !wrong.is_empty() {
        eprintln!(
            "perforch accepted {} version(s) that the benchmark rejects: {} (see `detail` in the records)",
            wrong.len(),
            wrong.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The stages `--stage` names; `all` leaves out fix on a dataset without
/// buggy solutions.
fn stages_of(args: &EvalArgs, dataset: &Dataset) -> anyhow::Result<Vec<EvalStage>> {
    if args.stage == "all" {
        return Ok(EvalStage::ALL
            .into_iter()
            .filter(|stage| *stage != EvalStage::Fix || dataset.kind.has_buggy_solutions())
            .collect());
    }
    let stage: EvalStage = args.stage.parse().map_err(anyhow::Error::msg)?;
    if stage == EvalStage::Fix && !dataset.kind.has_buggy_solutions() {
        bail!(
            "--stage fix needs buggy solutions to fix: use a HumanEvalPack folder (../shared/datasets/humanevalpack)"
        );
    }
    Ok(vec![stage])
}

/// How pipeline records name the model set: the names joined by `+`.
fn pipeline_label(models: &[String]) -> String {
    models.join("+")
}

/// Run every chosen stage with every model in `models` on the dataset's
/// tasks; records already in `--json OUT` are reused, not rerun.
pub(crate) fn evaluate(
    args: &EvalArgs,
    models: &[String],
) -> anyhow::Result<(Dataset, Vec<StageRecord>)> {
    let dataset = Dataset::open(&args.dataset)?;
    let stages = stages_of(args, &dataset)?;
    let metric = super::verify::parse_metric(&args.metric)?;
    let jobs = jobs_of(args)?;
    let limits = limits_of(args)?;
    let workspace = std::env::current_dir()?;
    let mut config = super::optimize::load_config(args.config.as_deref(), &workspace)?;
    // The builtin model needs no entry, as in `perforch optimize`.
    if models
        .iter()
        .any(|name| name == crate::builtin::DEFAULT_NAME)
        && !config
            .models
            .iter()
            .any(|m| m.name == crate::builtin::DEFAULT_NAME)
    {
        config.models.push(crate::builtin::default_model());
    }
    let options = RegistryOptions {
        builtin: Some(crate::builtin::factory()),
        ..RegistryOptions::default()
    };
    let registry = ModelRegistry::from_config(&config, &options)?;
    let mut chosen = Vec::new();
    for name in models {
        let Some(model_config) = config.models.iter().find(|m| &m.name == name) else {
            let names: Vec<&str> = config.models.iter().map(|m| m.name.as_str()).collect();
            bail!(
                "model `{name}` is not configured; add a [[models]] entry named `{name}` to perforch.toml (configured: {})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            );
        };
        let provider = registry
            .get(name)
            .with_context(|| format!("model `{name}` could not be started"))?;
        chosen.push(EvalModel {
            config: model_config.clone(),
            provider,
        });
    }
    // The pipeline's engine knows only the listed models, and routes
    // among them by the shipped priors alone.
    let engine = if stages.contains(&EvalStage::Pipeline) {
        let mut listed = config.clone();
        listed.models.retain(|model| models.contains(&model.name));
        Some(Engine::with_priors_only(
            listed,
            &options,
            ExecutorConfig::default(),
        )?)
    } else {
        None
    };
    let workloads = match &args.workloads {
        Some(path) => Some(ReplayFile::load(path)?),
        None => None,
    };
    let lists = task_lists(args, &dataset)?;
    let languages: Vec<_> = lists.iter().map(|(language, _)| *language).collect();
    let executor = ExecutorConfig::default();
    let toolchains = prepare_toolchains(&executor, &languages)?;
    let mut results: Option<ResultsFile<StageRecord>> = match &args.json {
        Some(path) => Some(
            ResultsFile::open(path)
                .with_context(|| format!("opening the results file {}", path.display()))?,
        ),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let work_root = tempfile::Builder::new()
        .prefix("perforch-eval-models")
        .tempdir()?;
    {
        use std::os::unix::fs::PermissionsExt;
        // The sandbox may run as another uid; it must enter the folder.
        std::fs::set_permissions(work_root.path(), std::fs::Permissions::from_mode(0o755))?;
    }
    let mut progress = Progress::new(std::io::stderr().is_terminal());
    let mut records = Vec::new();
    for ((language, tasks), (_, toolchain)) in lists.iter().zip(toolchains) {
        let bench = if stages.contains(&EvalStage::Refine) || stages.contains(&EvalStage::Pipeline)
        {
            let measure = MeasureConfig {
                limits: limits.clone(),
                ..MeasureConfig::default()
            };
            Some(PerfBench::new(executor.clone(), *language, measure)?)
        } else {
            None
        };
        let heavy = |task: &Task| -> Vec<Vec<String>> {
            workloads
                .as_ref()
                .and_then(|file| file.task_for(&task.task_id))
                .filter(|replayed| replayed.language == *language)
                .map(|replayed| replayed.inputs.clone())
                .unwrap_or_default()
        };
        let runner = StageRunner {
            runtime: &runtime,
            dataset: dataset.kind,
            language: *language,
            executor: executor.clone(),
            toolchain,
            limits: limits.clone(),
            jobs,
            bench: bench.as_ref(),
            engine: engine.as_ref(),
            workloads: &heavy,
            work_root: work_root.path().to_path_buf(),
        };
        for &stage in &stages {
            // The pipeline runs once with every listed model; the other
            // stages once per model.
            let runs: Vec<(String, Option<&EvalModel>)> = if stage == EvalStage::Pipeline {
                vec![(pipeline_label(models), None)]
            } else {
                chosen
                    .iter()
                    .map(|model| (model.config.name.clone(), Some(model)))
                    .collect()
            };
            for (label, model) in runs {
                let mut pending: Vec<&Task> = Vec::new();
                let mut done = 0;
                let mut missed = 0;
                for task in tasks {
                    let key = (
                        dataset.name().to_string(),
                        *language,
                        task.task_id.clone(),
                        stage,
                        label.clone(),
                    );
                    match results.as_ref().and_then(|r| r.recorded(&key)) {
                        Some(record) => {
                            done += 1;
                            missed += usize::from(!record.success);
                            records.push(record.clone());
                        }
                        None => pending.push(task),
                    }
                }
                progress.start(*language, tasks.len(), done, missed);
                let on_record = |record: StageRecord| {
                    if let Some(results) = results.as_mut() {
                        results.append(&record)?;
                    }
                    progress.add(!record.success);
                    records.push(record);
                    Ok::<(), crate::eval::EvalError>(())
                };
                match model {
                    Some(model) => runner.run(stage, model, &pending, metric, on_record)?,
                    None => runner.run_pipeline(&label, &pending, metric, on_record)?,
                }
                progress.finish();
            }
        }
    }
    // Records in a stable order: stage, model, language, task number.
    records.sort_by_key(|r| {
        (
            r.stage,
            r.model.clone(),
            r.language,
            crate::eval::replay::task_number(&r.task_id),
        )
    });
    records.dedup_by_key(|r| r.key());
    Ok((dataset, records))
}
