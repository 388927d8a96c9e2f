//! The run's summary: per language, how many tasks met their expectation,
//! how many missed it for a listed (known) reason, how many missed it
//! unexpectedly; and the table printed for it.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use serde::Serialize;

use super::dataset::{Expectation, SolutionKind};
use super::known::KnownIssues;
use super::record::TaskRecord;
use crate::language::Language;

#[derive(Clone, Debug, Serialize)]
pub struct LanguageSummary {
    pub language: Language,
    pub tasks: usize,
    pub passed: usize,
    /// Not passed: rejected by the tests, or no verdict.
    pub failed: usize,
    pub met_expectation: usize,
    /// Missed the expectation, and listed in the known-issues file.
    pub known_issues: usize,
    /// Missed the expectation with no listed reason: a perforch problem
    /// until shown otherwise.
    pub unexpected: usize,
    /// Task count per status name.
    pub statuses: BTreeMap<String, usize>,
    /// Wall time this run spent on the language (0 when every task was
    /// already recorded).
    pub wall_secs: f64,
}

/// A task that missed its expectation, or is on the known list.
#[derive(Clone, Debug, Serialize)]
pub struct Notable {
    pub language: Language,
    pub task_id: String,
    pub status: String,
    pub met_expectation: bool,
    /// Known issues: the listed explanation; otherwise the failure summary.
    pub detail: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub dataset: String,
    pub solution: SolutionKind,
    pub expected: Expectation,
    pub languages: Vec<LanguageSummary>,
    pub unexpected: Vec<Notable>,
    pub known: Vec<Notable>,
    pub wall_secs: f64,
}

impl Summary {
    pub fn new(
        dataset: &str,
        solution: SolutionKind,
        known_issues: &KnownIssues,
        per_language: &[(Language, Vec<TaskRecord>, Duration)],
        wall: Duration,
    ) -> Summary {
        let mut summary = Summary {
            dataset: dataset.to_string(),
            solution,
            expected: solution.expectation(),
            languages: Vec::new(),
            unexpected: Vec::new(),
            known: Vec::new(),
            wall_secs: wall.as_secs_f64(),
        };
        for (language, records, language_wall) in per_language {
            let mut row = LanguageSummary {
                language: *language,
                tasks: records.len(),
                passed: 0,
                failed: 0,
                met_expectation: 0,
                known_issues: 0,
                unexpected: 0,
                statuses: BTreeMap::new(),
                wall_secs: language_wall.as_secs_f64(),
            };
            for record in records {
                if record.passed {
                    row.passed += 1;
                } else {
                    row.failed += 1;
                }
                *row.statuses
                    .entry(record.status.name().to_string())
                    .or_default() += 1;
                let known = known_issues.find(record);
                match (record.met_expectation, known) {
                    (true, _) => row.met_expectation += 1,
                    (false, Some(_)) => row.known_issues += 1,
                    (false, None) => row.unexpected += 1,
                }
                let notable = |detail: String| Notable {
                    language: record.language,
                    task_id: record.task_id.clone(),
                    status: record.status.name().to_string(),
                    met_expectation: record.met_expectation,
                    detail,
                };
                if let Some(issue) = known {
                    summary
                        .known
                        .push(notable(issue.explanation.trim().to_string()));
                } else if !record.met_expectation {
                    summary
                        .unexpected
                        .push(notable(record.failure.clone().unwrap_or_default()));
                }
            }
            summary.languages.push(row);
        }
        let order = |n: &Notable| (n.language, task_number(&n.task_id), n.task_id.clone());
        summary.unexpected.sort_by_key(order);
        summary.known.sort_by_key(order);
        summary
    }

    /// Every task met its expectation or is a listed known issue.
    pub fn all_as_expected(&self) -> bool {
        self.unexpected.is_empty()
    }

    /// The table and the lists printed at the end of a run.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let expectation = match self.expected {
            Expectation::Pass => "must pass",
            Expectation::Reject => "must be rejected",
        };
        let _ = writeln!(
            out,
            "{} / {} solutions ({expectation})",
            self.dataset,
            self.solution.name()
        );
        let _ = writeln!(
            out,
            "{:<8} {:>6} {:>7} {:>7} {:>6} {:>6} {:>11} {:>9}",
            "language", "tasks", "passed", "failed", "met", "known", "unexpected", "wall"
        );
        let mut total = (0, 0, 0, 0, 0, 0);
        for row in &self.languages {
            let _ = writeln!(
                out,
                "{:<8} {:>6} {:>7} {:>7} {:>6} {:>6} {:>11} {:>9}",
                row.language.name(),
                row.tasks,
                row.passed,
                row.failed,
                row.met_expectation,
                row.known_issues,
                row.unexpected,
                format_secs(row.wall_secs)
            );
            total.0 += row.tasks;
            total.1 += row.passed;
            total.2 += row.failed;
            total.3 += row.met_expectation;
            total.4 += row.known_issues;
            total.5 += row.unexpected;
        }
        let _ = writeln!(
            out,
            "{:<8} {:>6} {:>7} {:>7} {:>6} {:>6} {:>11} {:>9}",
            "total",
            total.0,
            total.1,
            total.2,
            total.3,
            total.4,
            total.5,
            format_secs(self.wall_secs)
        );
        for row in &self.languages {
            let rejected: Vec<String> = row
                .statuses
                .iter()
                .filter(|(status, _)| status.as_str() != "passed")
                .map(|(status, count)| format!("{status} {count}"))
                .collect();
            if !rejected.is_empty() {
                let _ = writeln!(
                    out,
                    "  {} not passed: {}",
                    row.language.name(),
                    rejected.join(", ")
                );
            }
        }
        if !self.known.is_empty() {
            let _ = writeln!(out, "\nknown issues (server/data/eval_known_issues.toml):");
            for item in &self.known {
                let met = if item.met_expectation {
                    " (met its expectation this time)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "  {} {}{met}: {}",
                    item.task_id,
                    item.status,
                    first_line(&item.detail)
                );
            }
        }
        if !self.unexpected.is_empty() {
            let _ = writeln!(out, "\nunexpected results:");
            for item in &self.unexpected {
                let _ = writeln!(
                    out,
                    "  {} {}: {}",
                    item.task_id,
                    item.status,
                    first_line(&item.detail)
                );
            }
        }
        out
    }
}

fn task_number(task_id: &str) -> u64 {
    task_id
        .rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("")
}

fn format_secs(secs: f64) -> String {
    if secs >= 60.0 {
        format!(
            "{}m{:02}s",
            (secs / 60.0).floor() as u64,
            (secs % 60.0).floor() as u64
        )
    } else {
        format!("{secs:.1}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::record::TaskStatus;

    fn record(task_id: &str, status: TaskStatus) -> TaskRecord {
        TaskRecord {
            dataset: "humaneval-x".into(),
            language: Language::Go,
            task_id: task_id.into(),
            solution: SolutionKind::Canonical,
            expected: Expectation::Pass,
            passed: status == TaskStatus::Passed,
            status,
            met_expectation: status == TaskStatus::Passed,
            build_ms: 1,
            build_cached: false,
            run_ms: Some(1),
            failure: (status != TaskStatus::Passed).then(|| "Exited(1)\nboom".to_string()),
        }
    }

    #[test]
    fn misses_are_known_or_unexpected_never_hidden() {
        let known = KnownIssues::parse(
            "[[issue]]\ndataset = \"humaneval-x\"\nlanguage = \"go\"\ntask_id = \"Go/95\"\nsolution = \"canonical\"\nexplanation = \"map order\"\n",
            "t",
        )
        .unwrap();
        let records = vec![
            record("Go/0", TaskStatus::Passed),
            record("Go/95", TaskStatus::FailedAssertion),
            record("Go/10", TaskStatus::Timeout),
        ];
        let summary = Summary::new(
            "humaneval-x",
            SolutionKind::Canonical,
            &known,
            &[(Language::Go, records, Duration::from_secs(75))],
            Duration::from_secs(80),
        );
        let row = &summary.languages[0];
        assert_eq!((row.tasks, row.passed, row.failed), (3, 1, 2));
        assert_eq!(
            (row.met_expectation, row.known_issues, row.unexpected),
            (1, 1, 1)
        );
        assert!(!summary.all_as_expected());
        let table = summary.render();
        assert!(
            table.contains("Go/95 failed assertion: map order"),
            "{table}"
        );
        assert!(table.contains("Go/10 timeout: Exited(1)"), "{table}");
        assert!(
            table.contains("1m15s") && table.contains("1m20s"),
            "{table}"
        );
    }
}
