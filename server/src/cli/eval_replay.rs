//! `perforch eval --replay FILE`: the reference check. Known-faster
//! solutions from FILE are measured against the dataset's canonical ones,
//! one at a time, and the summary says how many the executor detected.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};

use super::eval::{EvalArgs, Progress, limits_of, task_lists};
use crate::eval::record::Keyed;
use crate::eval::{
    Dataset, PerfBench, PerfRecord, ReplayFile, ReplayIssues, ReplaySummary, ResultsFile,
    run_replay,
};
use crate::executor::{ExecutorConfig, MeasureConfig};

pub fn run(args: &EvalArgs, replay_path: &Path) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let replay = ReplayFile::load(replay_path)?;
    let dataset = Dataset::open(&args.dataset)?;
    let lists = task_lists(args, &dataset)?;
    let replayed = replay.languages();
    if let Some((language, _)) = lists.iter().find(|(l, _)| !replayed.contains(l)) {
        let names: Vec<&str> = replayed.iter().map(|l| l.name()).collect();
        bail!(
            "{} has no {language} candidates; pass --lang {}",
            replay_path.display(),
            names.join(",")
        );
    }
    let issues = ReplayIssues::shipped()?;
    let mut results: Option<ResultsFile<PerfRecord>> = match &args.json {
        Some(path) => Some(
            ResultsFile::open(path)
                .with_context(|| format!("opening the results file {}", path.display()))?,
        ),
        None => None,
    };
    let measure = MeasureConfig {
        limits: limits_of(args)?,
        ..MeasureConfig::default()
    };
    let mut progress = Progress::new(std::io::stderr().is_terminal());
    let mut all: Vec<PerfRecord> = Vec::new();
    for (language, tasks) in &lists {
        let bench = PerfBench::new(ExecutorConfig::default(), *language, measure.clone())?;
        let mut total = 0;
        let mut recorded_here = Vec::new();
        for task in tasks {
            let Some(replayed) = replay.task_for(&task.task_id) else {
                continue;
            };
            total += replayed.candidates.len();
            for candidate in &replayed.candidates {
                let key = (
                    dataset.name().to_string(),
                    *language,
                    task.task_id.clone(),
                    candidate.source.clone(),
                );
                if let Some(record) = results.as_ref().and_then(|r| r.recorded(&key)) {
                    recorded_here.push(record.clone());
                }
            }
        }
        let missed = recorded_here
            .iter()
            .filter(|r| !r.status.is_correct())
            .count();
        progress.start(*language, total, recorded_here.len(), missed);
        all.extend(recorded_here);
        let known: std::collections::HashSet<_> = all.iter().map(Keyed::key).collect();
        run_replay(
            &bench,
            dataset.kind,
            *language,
            tasks,
            &replay,
            |key| known.contains(key),
            |record| {
                if let Some(results) = results.as_mut() {
                    results.append(&record)?;
                }
                progress.add(!record.status.is_correct());
                all.push(record);
                Ok::<(), crate::eval::EvalError>(())
            },
        )?;
        progress.finish();
    }
    let summary = ReplaySummary::new(
        dataset.name(),
        &all,
        &issues,
        started.elapsed().as_secs_f64(),
    );
    super::eval::publish(args, &summary.render(), &summary, Some(summary.markdown()))?;
    Ok(if summary.holds() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
