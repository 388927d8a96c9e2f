//! `perforch eval --dataset DIR --mutation [--lang LANGS] [--limit N]
//! [--json OUT] [--config FILE]`: the median mutation score of the
//! evidence perforch builds for the benchmark's canonical solutions, per
//! language, and the time the score adds to a job. With `--json OUT`,
//! each task's record is appended to OUT as it ends (a JSON line), the
//! summary written beside it.

use std::io::{IsTerminal, Write};

use anyhow::Context;
use std::process::ExitCode;

use super::eval::{EvalArgs, Progress, publish, task_lists};
use crate::eval::Dataset;
use crate::eval::mutation::{MutationSummary, score_task};

pub(crate) fn run(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let dataset = Dataset::open(&args.dataset)?;
    let workspace = std::env::current_dir()?;
    let config = super::optimize::load_config(args.config.as_deref(), &workspace)?;
    let lists = task_lists(args, &dataset)?;
    let work_root = tempfile::Builder::new()
        .prefix("perforch-eval-mutation")
        .tempdir()?;
    let mut progress = Progress::new(std::io::stderr().is_terminal());
    let mut out = match &args.json {
        Some(path) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening the results file {}", path.display()))?,
        ),
        None => None,
    };
    let mut records = Vec::new();
    for (language, tasks) in &lists {
        progress.start(*language, tasks.len(), 0, 0);
        for task in tasks {
            let record = score_task(dataset.kind, *language, task, &config, work_root.path());
            progress.add(record.error.is_some());
            if let Some(out) = out.as_mut() {
                writeln!(out, "{}", serde_json::to_string(&record)?)?;
            }
            records.push(record);
        }
        progress.finish();
    }
    let summary = MutationSummary::new(dataset.name(), &config, records);
    publish(args, &summary.render(), &summary, None)?;
    Ok(ExitCode::SUCCESS)
}
