//! The words users read about a job: the diagnostic's one line with the
//! figures, why nothing was offered, and the titles of the actions.

use crate::pipeline::{Figures, JobVerdict, Outcome, Report};
use crate::routing::Metric;

/// One line with the figures ("2.9x faster (CPU 41 ms -> 14 ms), verified
/// on 3 tests + 12 inputs, peak memory +0.2 MB"), or why nothing is offered
/// ("no faster version: 5 candidates: 2 incorrect, 2 slower, 1 tie"),
/// followed by the first note of the job, if any, on the next line.
pub(crate) fn headline(report: &Report) -> String {
    let line = match (report.accepted, &report.figures) {
        (true, Some(figures)) => match &report.mutation {
            // "...; the evidence catches 19 of 20 mutants"
            Some(mutation) => format!("{}; {}", improvement(report, figures), mutation.summary()),
            None => improvement(report, figures),
        },
        (true, None) => match report.verdict {
            JobVerdict::Generated => {
                format!("generated a body that passes {}", tests_phrase(report))
            }
            JobVerdict::Fixed => format!("fixed: now passes {}", tests_phrase(report)),
            _ => format!("a new version that passes {}", tests_phrase(report)),
        },
        (false, _) => nothing_better(report),
    };
    // A rejected candidate's counterexample says most about why.
    let counterexample = (!report.accepted)
        .then(|| {
            report
                .iterations
                .iter()
                .find_map(|iteration| match &iteration.outcome {
                    outcome @ (Outcome::WrongOutput { .. } | Outcome::SignatureChanged { .. }) => {
                        Some(outcome.summary(report.metric))
                    }
                    _ => None,
                })
        })
        .flatten();
    let line = match counterexample {
        Some(wrong) => format!(
            "{line}
{wrong}"
        ),
        None => line,
    };
    match report.notes.first() {
        Some(note) => format!("{line}\n{note}"),
        None => line,
    }
}

/// How much better, for action titles: "2.9x faster", "1.4x less peak memory".
pub(crate) fn gain(report: &Report) -> Option<String> {
    let figures = report.figures.as_ref()?;
    let times = 1.0 / figures.ratio;
    Some(match figures.metric {
        Metric::Time => format!("{times:.1}x faster"),
        Metric::PeakMemory => format!("{times:.1}x less peak memory"),
        Metric::MeanMemory => format!("{times:.1}x less mean memory"),
        Metric::Cpu => format!("{times:.1}x lower CPU utilisation"),
    })
}

/// "Apply optimized `f` (2.9x faster)", "Apply generated `f` (passes 3 tests)".
pub(crate) fn apply_title(report: &Report, function: &str) -> String {
    match (report.verdict, gain(report)) {
        (_, Some(gain)) => format!("Apply optimized `{function}` ({gain})"),
        (JobVerdict::Generated, None) => format!(
            "Apply generated `{function}` (passes {})",
            tests_phrase(report)
        ),
        (JobVerdict::Fixed, None) => {
            format!("Apply fixed `{function}` (passes {})", tests_phrase(report))
        }
        (_, None) => format!("Apply perforch's version of `{function}`"),
    }
}

/// The diagnostic of a result whose function changed after the job read it.
pub(crate) fn stale(report: &Report, function: &str, version: i32) -> String {
    let was = headline(report);
    let was = was.lines().next().unwrap_or_default();
    format!(
        "stale: `{function}` changed after perforch measured it (version {version}); re-run to optimise the current code (the result was: {was})"
    )
}

fn improvement(report: &Report, figures: &Figures) -> String {
    let gain = gain(report).unwrap_or_default();
    let cpu = format!(
        "CPU {} -> {}",
        ms(figures.original.cpu_ms),
        ms(figures.candidate.cpu_ms)
    );
    let peak = format!(
        "peak memory {} -> {}",
        mb(figures.original.peak_rss_kb as f64),
        mb(figures.candidate.peak_rss_kb as f64)
    );
    let verified = verified_phrase(report);
    match figures.metric {
        Metric::Time | Metric::Cpu => {
            let delta_kb =
                figures.candidate.peak_rss_kb as f64 - figures.original.peak_rss_kb as f64;
            let sign = if delta_kb < 0.0 { "-" } else { "+" };
            format!(
                "{gain} ({cpu}), {verified}, peak memory {sign}{}",
                mb(delta_kb.abs())
            )
        }
        Metric::PeakMemory | Metric::MeanMemory => format!("{gain} ({peak}), {verified}, {cpu}"),
    }
}

fn nothing_better(report: &Report) -> String {
    let lead = match (report.verdict, report.metric) {
        (JobVerdict::Refused, _) => "refused".to_string(),
        (JobVerdict::Error, _) => "failed".to_string(),
        (_, Metric::Time) => "no faster version".to_string(),
        (_, metric) => format!("no version better on {metric}"),
    };
    let counts = outcome_counts(report);
    if counts.is_empty() {
        lead
    } else {
        format!("{lead}: {counts}")
    }
}

/// "5 candidates: 2 incorrect, 2 slower, 1 tie".
fn outcome_counts(report: &Report) -> String {
    const LABELS: [&str; 8] = [
        "incorrect",
        "slower",
        "tie",
        "faster",
        "passing",
        "did not build",
        "no code",
        "model error",
    ];
    let mut counts = [0usize; LABELS.len()];
    for iteration in &report.iterations {
        let label = match iteration.outcome {
            Outcome::WrongOutput { .. }
            | Outcome::SignatureChanged { .. }
            | Outcome::FailingTest { .. }
            | Outcome::RunFailed { .. } => 0,
            Outcome::Slower { .. } => 1,
            Outcome::Tie { .. } => 2,
            Outcome::Better { .. } => 3,
            Outcome::Passes => 4,
            Outcome::BuildError { .. } => 5,
            Outcome::NoCode { .. } => 6,
            Outcome::ModelError { .. } => 7,
        };
        counts[label] += 1;
    }
    let total = report.iterations.len();
    if total == 0 {
        return String::new();
    }
    let parts: Vec<String> = LABELS
        .iter()
        .zip(counts)
        .filter(|(_, count)| *count > 0)
        .map(|(label, count)| format!("{count} {label}"))
        .collect();
    format!("{total} candidate{}: {}", plural(total), parts.join(", "))
}

/// "verified on 3 tests + 12 inputs + 480 small inputs".
fn verified_phrase(report: &Report) -> String {
    let evidence = &report.evidence;
    let counted =
        |count: usize, what: &str| (count > 0).then(|| format!("{count} {what}{}", plural(count)));
    let parts: Vec<String> = [
        counted(evidence.workspace_tests.len(), "test"),
        counted(evidence.inputs_used, "input"),
        counted(evidence.small_scope, "small input"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        return "verified on 0 inputs".into();
    }
    format!("verified on {}", parts.join(" + "))
}

fn tests_phrase(report: &Report) -> String {
    let tests = report.evidence.workspace_tests.len();
    format!("{tests} test{}", plural(tests))
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

fn ms(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.0} ms")
    } else if value >= 1.0 {
        format!("{value:.1} ms")
    } else {
        format!("{value:.2} ms")
    }
}

fn mb(kb: f64) -> String {
    format!("{:.1} MB", kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(extra: serde_json::Value) -> Report {
        let mut value = json!({
            "function": "f", "language": "python", "metric": "time", "categories": [],
            "accepted": false, "verdict": "tie", "speedup": null, "code": null,
            "new_file_text": null, "figures": null, "llm_calls": 1, "input_tokens": 1,
            "output_tokens": 1, "cost_usd": 0.0, "iterations": [],
            "evidence": {"doc_examples": 1, "generated": 4, "stress": 1, "dropped": [],
                         "workspace_tests": ["t1", "t2", "t3"], "inputs_used": 6},
            "notes": [], "wall_ms": 1, "overhead_ms": 1
        });
        for (key, field) in extra.as_object().unwrap() {
            value[key] = field.clone();
        }
        serde_json::from_value(value).unwrap()
    }

    fn iteration(outcome: serde_json::Value) -> serde_json::Value {
        json!({"index": 1, "stage": "refine", "model": "m", "input_tokens": 1, "output_tokens": 1,
               "cost_usd": 0.0, "latency_ms": 1, "outcome": outcome, "summary": "", "figures": null, "code": null})
    }

    fn side(cpu_ms: f64, peak_rss_kb: u64) -> serde_json::Value {
        json!({"cpu_ms": cpu_ms, "wall_ms": cpu_ms, "peak_rss_kb": peak_rss_kb, "mean_rss_kb": peak_rss_kb, "cpu_utilization": 1.0})
    }

    #[test]
    fn an_accepted_speedup_names_its_figures_and_evidence() {
        let report = report(json!({
            "accepted": true, "verdict": "faster", "speedup": 2.93,
            "figures": {"metric": "time", "ratio": 0.3413, "ci_low": 0.3, "ci_high": 0.4,
                        "original": side(41.2, 10240), "candidate": side(14.06, 10445),
                        "costliest_input": null, "per_input_ns": [], "verdict": "Faster"}
        }));
        assert_eq!(
            headline(&report),
            "2.9x faster (CPU 41 ms -> 14 ms), verified on 3 tests + 6 inputs, peak memory +0.2 MB"
        );
        assert_eq!(
            apply_title(&report, "f"),
            "Apply optimized `f` (2.9x faster)"
        );
        // With the evidence's strength, measured before it was offered.
        let mut measured = report.clone();
        measured.mutation = Some(crate::pipeline::MutationReport {
            killed: 19,
            total: 20,
            equivalent: 2,
            survivors: vec!["line 4: `<` → `<=`".into()],
            invalid: 0,
            skipped: 0,
            score: Some(0.95),
            floor: 0.8,
        });
        assert_eq!(
            headline(&measured),
            "2.9x faster (CPU 41 ms -> 14 ms), verified on 3 tests + 6 inputs, peak memory +0.2 MB; the evidence catches 19 of 20 mutants (2 equivalent)"
        );
    }

    #[test]
    fn nothing_better_counts_the_outcomes_and_gives_a_counterexample_and_the_first_note() {
        let report = report(json!({
            "iterations": [
                iteration(json!({"kind": "wrong_output", "input": "f(1)", "expected": "1", "actual": "2"})),
                iteration(json!({"kind": "slower", "ratio": 1.5})),
                iteration(json!({"kind": "failing_test", "test": "t", "detail": ""})),
                iteration(json!({"kind": "tie", "ratio": 1.0})),
                iteration(json!({"kind": "slower", "ratio": 1.2})),
            ],
            "notes": ["budget: 30 model calls used"]
        }));
        assert_eq!(
            headline(&report),
            "no faster version: 5 candidates: 2 incorrect, 2 slower, 1 tie\nwrong output on f(1): 2, the original gives 1\nbudget: 30 model calls used"
        );
        let refused = super::tests::report(
            json!({"verdict": "refused", "notes": ["refused: only 1 input(s) run correctly"]}),
        );
        assert_eq!(
            headline(&refused),
            "refused\nrefused: only 1 input(s) run correctly"
        );
    }
}
