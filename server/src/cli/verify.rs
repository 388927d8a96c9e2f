//! `perforch compare` and `perforch bench`: the judge from the command line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::executor::ExecutorConfig;
use crate::pipeline::verify::{self, BenchReport, CompareReport, Subject};
use crate::routing::Metric;

use super::optimize::open_source;

/// What both commands need to find the function and its evidence.
#[derive(clap::Args, Debug)]
pub struct SubjectArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub function: String,
    /// A line (1-based) inside the function, to pick among several of one
    /// name (overloads).
    #[arg(long)]
    pub line: Option<usize>,
    /// JSON file of inputs: {"inputs": [["expr", ...], ...]}.
    #[arg(long)]
    pub inputs: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Use only this configuration file (default: user + workspace perforch.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Workspace root (default: nearest folder with a project marker).
    #[arg(long)]
    pub workspace: Option<PathBuf>,
}

fn with_subject<T>(
    args: &SubjectArgs,
    work: impl FnOnce(&Subject) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let source = open_source(&args.file, args.workspace.clone(), args.config.as_deref())?;
    let extra_inputs = match &args.inputs {
        Some(path) => verify::read_inputs_file(path).map_err(anyhow::Error::msg)?,
        None => Vec::new(),
    };
    let subject = Subject {
        config: &source.config,
        executor: ExecutorConfig::default(),
        workspace_root: &source.workspace,
        file: &source.file,
        language: source.language,
        file_text: source.text,
        function: &args.function,
        line: args.line.map(|line| line.saturating_sub(1)),
        extra_inputs,
    };
    work(&subject)
}

/// `memory` is accepted as a short name for peak memory.
pub fn parse_metric(text: &str) -> anyhow::Result<Metric> {
    if text == "memory" {
        return Ok(Metric::PeakMemory);
    }
    text.parse().map_err(anyhow::Error::msg)
}

pub fn compare(args: SubjectArgs, candidate: PathBuf, metric: Metric) -> anyhow::Result<ExitCode> {
    let code = std::fs::read_to_string(&candidate)
        .with_context(|| format!("{}: cannot read the candidate", candidate.display()))?;
    let report = with_subject(&args, |subject| {
        Ok(verify::compare(subject, &code, metric)?)
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_compare(&mut out, &report)?;
    }
    // Scripts and CI can gate on the exit code alone.
    Ok(match report.verdict {
        "incorrect" => ExitCode::from(1),
        "error" => ExitCode::from(2),
        _ => ExitCode::SUCCESS,
    })
}

fn print_compare(out: &mut impl Write, report: &CompareReport) -> std::io::Result<()> {
    writeln!(out, "{}: {}", report.function, report.verdict)?;
    writeln!(
        out,
        "evidence: {} input(s) ({} from calls in the tests, {} grown for timing), {} small-scope input(s), {} workspace test(s); the original raises on {} of them",
        report.inputs,
        report.test_calls,
        report.grown_inputs,
        report.small_scope,
        report.workspace_tests,
        report.expected_errors
    )?;
    if let Some(outcome) = &report.outcome {
        writeln!(out, "outcome: {}", outcome.summary(report.metric))?;
        if let super::super::pipeline::Outcome::WrongOutput {
            input,
            expected,
            actual,
        } = outcome
        {
            writeln!(out, "  on {input}: original {expected}, candidate {actual}")?;
        }
    }
    if let (Some(ratio), Some(low), Some(high)) = (report.ratio, report.ci_low, report.ci_high) {
        writeln!(
            out,
            "{} ratio candidate/original: {ratio:.3} (99% CI {low:.3} to {high:.3})",
            report.metric
        )?;
    }
    for (name, side) in [
        ("original", &report.original),
        ("candidate", &report.candidate),
    ] {
        match side {
            // Timed in one process with the other version: the process's
            // wall time and memory are both versions', not this one's.
            Some(side) if report.metric == Metric::Time => {
                writeln!(out, "{name:>9}: {:.3} ms CPU", side.cpu_ms)?
            }
            Some(side) => writeln!(
                out,
                "{name:>9}: {:.3} ms CPU, {:.1} ms wall, {} KB peak",
                side.cpu_ms, side.wall_ms, side.peak_rss_kb
            )?,
            None => {}
        }
    }
    if let Some(mutation) = &report.mutation {
        writeln!(out, "evidence strength: {}", mutation.summary())?;
        for survivor in &mutation.survivors {
            writeln!(out, "  missed: {survivor}")?;
        }
    }
    for dropped in &report.dropped_inputs {
        writeln!(
            out,
            "dropped input {}: {}",
            dropped.input.args.join(", "),
            dropped.reason
        )?;
    }
    for note in &report.notes {
        writeln!(out, "note: {note}")?;
    }
    Ok(())
}

pub fn bench(args: SubjectArgs) -> anyhow::Result<ExitCode> {
    let report = with_subject(&args, |subject| Ok(verify::bench(subject)?))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_bench(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_bench(out: &mut impl Write, report: &BenchReport) -> std::io::Result<()> {
    writeln!(out, "{}", report.function)?;
    for input in &report.inputs {
        writeln!(out, "  {:>10.4} ms CPU  {}", input.cpu_ms, input.input)?;
    }
    if let Some(total) = &report.total {
        writeln!(
            out,
            "  total: {:.3} ms CPU per run over all inputs, {:.1} ms wall, {} KB peak, {:.2} CPUs",
            total.cpu_ms, total.wall_ms, total.peak_rss_kb, total.cpu_utilization
        )?;
    }
    if let Some((ratio, low, high)) = report.self_ratio {
        writeln!(
            out,
            "  noise: the function against itself measures {ratio:.3} (99% CI {low:.3} to {high:.3})"
        )?;
    }
    for test in &report.tests {
        let time = test
            .wall_ms
            .map_or(String::new(), |ms| format!("{ms:.1} ms"));
        let status = if test.passed { "passed" } else { "FAILED" };
        writeln!(out, "  test {status:<6} {time:>10}  {}", test.test)?;
    }
    for dropped in &report.dropped_inputs {
        writeln!(
            out,
            "  dropped input {}: {}",
            dropped.input.args.join(", "),
            dropped.reason
        )?;
    }
    for note in &report.notes {
        writeln!(out, "  note: {note}")?;
    }
    Ok(())
}
