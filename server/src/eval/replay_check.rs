//! The replay reference check: every candidate of a replay file measured
//! against the dataset's canonical solution, serially (timing runs never
//! share the CPU with each other), and the summary of what the executor
//! saw: how many known-faster solutions it detected as faster, the median
//! measured speedup, the ties, and the false "slower" calls.

use std::fmt::Write;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::dataset::{DatasetKind, Task};
use super::error::EvalError;
use super::perf::{PerfBench, PerfRecord, PerfStatus};
use super::record::Keyed;
use super::replay::ReplayFile;
use crate::language::Language;

const SHIPPED_ISSUES: &str = include_str!("../../data/replay_known_issues.toml");
const SHIPPED_ISSUES_NAME: &str = "server/data/replay_known_issues.toml";

/// Measure every replayed candidate of `tasks` not yet recorded. `recorded`
/// says whether a record's key is already in the results file; `on_record`
/// receives each new record as soon as it is measured.
pub fn run_replay<E>(
    bench: &PerfBench,
    dataset: DatasetKind,
    language: Language,
    tasks: &[Task],
    replay: &ReplayFile,
    recorded: impl Fn(&<PerfRecord as Keyed>::Key) -> bool,
    mut on_record: impl FnMut(PerfRecord) -> Result<(), E>,
) -> Result<(), E> {
    for task in tasks {
        let Some(replayed) = replay.task_for(&task.task_id) else {
            continue;
        };
        let blank = |candidate: &super::replay::ReplayCandidate| PerfRecord {
            dataset: dataset.name().to_string(),
            language,
            task_id: task.task_id.clone(),
            source: candidate.source.clone(),
            status: PerfStatus::Error,
            ratio: None,
            ci_low: None,
            ci_high: None,
            speedup: None,
            canonical_ms: None,
            candidate_ms: None,
            inputs: 0,
            heavy_inputs: 0,
            expected_faster: candidate.expected_faster.clone(),
            same_as_canonical: candidate.same_as_canonical,
            detail: None,
            wall_ms: 0,
        };
        let pending: Vec<_> = replayed
            .candidates
            .iter()
            .filter(|candidate| !recorded(&blank(candidate).key()))
            .collect();
        if pending.is_empty() {
            continue;
        }
        let started = Instant::now();
        let prepared = bench.prepare(
            dataset,
            language,
            task,
            &replayed.entry_point,
            &replayed.inputs,
        );
        let screening_ms = started.elapsed().as_millis() as u64;
        for candidate in pending {
            let mut record = blank(candidate);
            match &prepared {
                Ok(prepared) => {
                    let started = Instant::now();
                    bench.measure(prepared, &candidate.code).fill(&mut record);
                    record.inputs = prepared.screened.kept.len();
                    record.heavy_inputs = prepared.heavy_inputs;
                    record.wall_ms = started.elapsed().as_millis() as u64 + screening_ms;
                }
                Err(error) => {
                    record.detail = Some(error.to_string());
                    record.wall_ms = screening_ms;
                }
            }
            on_record(record)?;
        }
    }
    Ok(())
}

/// A replayed candidate that cannot meet the check for a reason outside
/// perforch (it returns a different type than the canonical solution, it
/// disagrees with it on inputs outside the problem's contract...).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayIssue {
    pub task_id: String,
    pub source: String,
    pub explanation: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplayIssuesFile {
    #[serde(default)]
    issue: Vec<ReplayIssue>,
}

#[derive(Clone, Debug, Default)]
pub struct ReplayIssues {
    issues: Vec<ReplayIssue>,
}

impl ReplayIssues {
    pub fn shipped() -> Result<ReplayIssues, EvalError> {
        ReplayIssues::parse(SHIPPED_ISSUES, SHIPPED_ISSUES_NAME)
    }

    pub fn parse(text: &str, source_name: &str) -> Result<ReplayIssues, EvalError> {
        let file: ReplayIssuesFile = toml::from_str(text).map_err(|e| EvalError::KnownIssues {
            source_name: source_name.to_string(),
            detail: e.to_string(),
        })?;
        if let Some(empty) = file.issue.iter().find(|i| i.explanation.trim().is_empty()) {
            return Err(EvalError::KnownIssues {
                source_name: source_name.to_string(),
                detail: format!("{} ({}) has no explanation", empty.task_id, empty.source),
            });
        }
        Ok(ReplayIssues { issues: file.issue })
    }

    /// The entry for a record (task ids match by number across datasets).
    pub fn find(&self, record: &PerfRecord) -> Option<&ReplayIssue> {
        let number = super::replay::task_number(&record.task_id);
        self.issues.iter().find(|issue| {
            issue.source == record.source && super::replay::task_number(&issue.task_id) == number
        })
    }
}

/// One row of the summary: a candidate source, or all of them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReplayRow {
    pub source: String,
    pub candidates: usize,
    pub correct: usize,
    /// Detected faster (>= 5%, interval excluding 1).
    pub faster: usize,
    pub ties: usize,
    /// False "slower" calls: known-faster solutions measured slower.
    pub slower: usize,
    /// Not correct, or not measurable, with a listed reason.
    pub explained: usize,
    /// Not correct, or not measurable, without one.
    pub unexplained: usize,
    /// Median canonical/candidate CPU-time ratio over correct candidates.
    pub median_speedup: Option<f64>,
    /// The same over those detected faster.
    pub median_detected_speedup: Option<f64>,
    /// Candidates whose task claims an asymptotic gain, and of those how
    /// many were detected faster.
    pub expected_faster: usize,
    pub expected_detected: usize,
    /// Candidates that are the canonical solution itself, and of those how
    /// many were measured a tie (the right answer).
    pub same_as_canonical: usize,
    pub same_as_canonical_ties: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExplainedRecord {
    pub task_id: String,
    pub source: String,
    pub status: String,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReplaySummary {
    pub dataset: String,
    pub rows: Vec<ReplayRow>,
    /// Slower verdicts, with their ratios.
    pub slower: Vec<ExplainedRecord>,
    pub explained: Vec<ExplainedRecord>,
    pub unexplained: Vec<ExplainedRecord>,
    /// Expected-faster candidates not detected faster.
    pub missed_expected: Vec<ExplainedRecord>,
    pub wall_secs: f64,
}

impl ReplaySummary {
    pub fn new(
        dataset: &str,
        records: &[PerfRecord],
        issues: &ReplayIssues,
        wall_secs: f64,
    ) -> ReplaySummary {
        let mut sources: Vec<String> = records.iter().map(|r| r.source.clone()).collect();
        sources.sort();
        sources.dedup();
        let mut summary = ReplaySummary {
            dataset: dataset.to_string(),
            rows: Vec::new(),
            slower: Vec::new(),
            explained: Vec::new(),
            unexplained: Vec::new(),
            missed_expected: Vec::new(),
            wall_secs,
        };
        for source in &sources {
            let mine: Vec<&PerfRecord> = records.iter().filter(|r| &r.source == source).collect();
            summary.rows.push(row(source, &mine, issues));
        }
        if sources.len() > 1 {
            let all: Vec<&PerfRecord> = records.iter().collect();
            summary.rows.push(row("all", &all, issues));
        }
        let mut ordered: Vec<&PerfRecord> = records.iter().collect();
        ordered.sort_by_key(|r| (super::replay::task_number(&r.task_id), r.source.clone()));
        for record in ordered {
            let item = |detail: String| ExplainedRecord {
                task_id: record.task_id.clone(),
                source: record.source.clone(),
                status: record.status.name().to_string(),
                detail,
            };
            if record.status == PerfStatus::Slower {
                summary.slower.push(item(format!(
                    "x{:.2} (interval {:.2}..{:.2})",
                    record.ratio.unwrap_or(f64::NAN),
                    record.ci_low.unwrap_or(f64::NAN),
                    record.ci_high.unwrap_or(f64::NAN)
                )));
            }
            if record.expected_faster.is_some() && record.status != PerfStatus::Faster {
                summary
                    .missed_expected
                    .push(item(record.expected_faster.clone().unwrap_or_default()));
            }
            if !record.status.is_correct() {
                match issues.find(record) {
                    Some(issue) => summary.explained.push(item(issue.explanation.clone())),
                    None => summary
                        .unexplained
                        .push(item(record.detail.clone().unwrap_or_default())),
                }
            }
        }
        summary
    }

    /// Every candidate correct or explained, and every candidate with a
    /// claimed asymptotic gain detected faster.
    pub fn holds(&self) -> bool {
        self.unexplained.is_empty() && self.missed_expected.is_empty()
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} / replayed known-faster solutions against the canonical ones",
            self.dataset
        );
        let line = |cells: [&str; 12]| -> String {
            let mut text = format!("{:<width$}", cells[0], width = TERMINAL_WIDTHS[0]);
            for (cell, width) in cells.iter().zip(TERMINAL_WIDTHS).skip(1) {
                let _ = write!(text, " {cell:>width$}");
            }
            text
        };
        let _ = writeln!(out, "{}", line(TERMINAL_HEADER));
        for row in &self.rows {
            let cells = row.cells();
            let _ = writeln!(out, "{}", line(cells.each_ref().map(String::as_str)));
        }
        let lists = [
            ("measured slower", &self.slower),
            ("claimed faster, not detected", &self.missed_expected),
            (
                "not correct, explained (server/data/replay_known_issues.toml)",
                &self.explained,
            ),
            ("not correct, unexplained", &self.unexplained),
        ];
        for (title, items) in lists {
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{title}:");
            for item in items {
                let detail = item.detail.lines().next().unwrap_or("");
                let _ = writeln!(
                    out,
                    "  {} {} {}: {}",
                    item.task_id,
                    item.source,
                    item.status,
                    clip(detail, 160)
                );
            }
        }
        out
    }

    /// The table in markdown, for reports and HANDOFF-style notes.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "| source | candidates | correct | detected faster | ties | slower | explained | unexplained | median speedup | median speedup (faster) | claimed faster: detected | same as canonical: ties |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|");
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.cells().join(" | "));
        }
        out
    }
}

/// The terminal table's column titles and widths (the source left-aligned,
/// the figures right-aligned); the markdown table spells the titles out.
const TERMINAL_HEADER: [&str; 12] = [
    "source",
    "candidates",
    "correct",
    "faster",
    "ties",
    "slower",
    "explained",
    "unexplained",
    "median x",
    "faster: x",
    "expected",
    "same: ties",
];
const TERMINAL_WIDTHS: [usize; 12] = [8, 10, 8, 7, 5, 7, 9, 11, 9, 10, 9, 11];

impl ReplayRow {
    /// The row's twelve cells, in the order of both tables.
    fn cells(&self) -> [String; 12] {
        [
            self.source.clone(),
            self.candidates.to_string(),
            self.correct.to_string(),
            self.faster.to_string(),
            self.ties.to_string(),
            self.slower.to_string(),
            self.explained.to_string(),
            self.unexplained.to_string(),
            format_speedup(self.median_speedup),
            format_speedup(self.median_detected_speedup),
            format!("{}/{}", self.expected_detected, self.expected_faster),
            format!("{}/{}", self.same_as_canonical_ties, self.same_as_canonical),
        ]
    }
}

fn row(source: &str, records: &[&PerfRecord], issues: &ReplayIssues) -> ReplayRow {
    let mut row = ReplayRow {
        source: source.to_string(),
        candidates: records.len(),
        ..ReplayRow::default()
    };
    let mut speedups = Vec::new();
    let mut detected = Vec::new();
    for record in records {
        match record.status {
            PerfStatus::Faster => row.faster += 1,
            PerfStatus::Tie => row.ties += 1,
            PerfStatus::Slower => row.slower += 1,
            _ if issues.find(record).is_some() => row.explained += 1,
            _ => row.unexplained += 1,
        }
        if record.status.is_correct() {
            row.correct += 1;
            if let Some(speedup) = record.speedup {
                speedups.push(speedup);
                if record.status == PerfStatus::Faster {
                    detected.push(speedup);
                }
            }
        }
        if record.same_as_canonical {
            row.same_as_canonical += 1;
            if record.status == PerfStatus::Tie {
                row.same_as_canonical_ties += 1;
            }
        }
        if record.expected_faster.is_some() {
            row.expected_faster += 1;
            if record.status == PerfStatus::Faster {
                row.expected_detected += 1;
            }
        }
    }
    row.median_speedup = median(&mut speedups);
    row.median_detected_speedup = median(&mut detected);
    row
}

/// The median (mean of the middle two for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    })
}

fn format_speedup(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.2}x"))
}

fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(task: &str, source: &str, status: PerfStatus, speedup: Option<f64>) -> PerfRecord {
        PerfRecord {
            dataset: "humaneval-x".into(),
            language: Language::Python,
            task_id: task.into(),
            source: source.into(),
            status,
            ratio: speedup.map(|s| 1.0 / s),
            ci_low: None,
            ci_high: None,
            speedup,
            canonical_ms: None,
            candidate_ms: None,
            inputs: 3,
            heavy_inputs: 2,
            expected_faster: None,
            same_as_canonical: false,
            detail: Some("Python/2: expected 1, got 1.0".into()),
            wall_ms: 10,
        }
    }

    #[test]
    fn counts_and_medians_by_source() {
        let issues = ReplayIssues::parse(
            "[[issue]]\ntask_id = \"HumanEval/2\"\nsource = \"coffe\"\nexplanation = \"returns a float\"\n",
            "t",
        )
        .unwrap();
        let mut expected = record("Python/0", "enamel", PerfStatus::Tie, Some(1.02));
        expected.expected_faster = Some("O(n^2) vs O(n log n)".into());
        let records = vec![
            expected,
            record("Python/1", "enamel", PerfStatus::Faster, Some(4.0)),
            record("Python/2", "enamel", PerfStatus::Faster, Some(2.0)),
            record("Python/2", "coffe", PerfStatus::Incorrect, None),
            record("Python/3", "coffe", PerfStatus::Slower, Some(0.5)),
            record("Python/4", "coffe", PerfStatus::Incorrect, None),
        ];
        let summary = ReplaySummary::new("humaneval-x", &records, &issues, 1.0);
        let enamel = &summary.rows[1];
        assert_eq!(enamel.source, "enamel");
        assert_eq!(
            (
                enamel.candidates,
                enamel.correct,
                enamel.faster,
                enamel.ties
            ),
            (3, 3, 2, 1)
        );
        assert_eq!(enamel.median_speedup, Some(2.0));
        assert_eq!(enamel.median_detected_speedup, Some(3.0));
        assert_eq!((enamel.expected_faster, enamel.expected_detected), (1, 0));
        let coffe = &summary.rows[0];
        assert_eq!(
            (coffe.slower, coffe.explained, coffe.unexplained),
            (1, 1, 1)
        );
        let all = &summary.rows[2];
        assert_eq!(all.candidates, 6);
        assert_eq!(all.median_speedup, Some(1.51));
        assert!(!summary.holds());
        assert_eq!(summary.unexplained[0].task_id, "Python/4");
        assert_eq!(summary.missed_expected[0].task_id, "Python/0");
        let text = summary.render();
        assert!(text.contains("claimed faster, not detected"), "{text}");
        assert!(
            summary
                .markdown()
                .contains("| enamel | 3 | 3 | 2 | 1 | 0 |")
        );
        assert!(text.contains("0/1"), "{text}");
    }
}
