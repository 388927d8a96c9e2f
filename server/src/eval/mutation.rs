//! `perforch eval --mutation`: how strong the evidence perforch builds
//! is, on a benchmark's canonical solutions. Each task's solution is put
//! in a file of its own folder and given the evidence of a job whose model
//! wrote no usable inputs (`perforch compare`'s: doc examples, calls in
//! the tests found beside it, inputs from the parameter types, small-scope
//! inputs); then its mutation score is measured as a job measures it
//! before offering a version, with the configured limits (more small
//! inputs when the first score is below the floor). Per language: the
//! median score, how many tasks fall below the floor, and the time the
//! score adds (the cost a job pays for it).

use std::path::Path;

use serde::Serialize;

use super::dataset::{DatasetKind, Task};
use super::perf::{canonical_file, entry_point};
use super::pipeline_stage::file_name;
use crate::config::Config;
use crate::executor::ExecutorConfig;
use crate::language::Language;
use crate::pipeline::verify::{Subject, evidence_strength};

/// One task's evidence strength.
#[derive(Debug, Clone, Serialize)]
pub struct MutationRecord {
    pub language: Language,
    pub task_id: String,
    pub function: Option<String>,
    /// The score of the first evidence; `None` when no mutant counts.
    pub first: Option<f64>,
    /// The score the job decides on (after more small inputs, when the
    /// first was below the floor).
    pub last: Option<f64>,
    pub killed: usize,
    /// Mutants counted (killed and survivors) for `last`.
    pub total: usize,
    pub equivalent: usize,
    pub invalid: usize,
    /// Mutants not run in the time the score may take.
    pub skipped: usize,
    /// Mutants made.
    pub mutants: usize,
    pub survivors: Vec<String>,
    pub inputs: usize,
    pub small_scope: usize,
    pub prepare_ms: u64,
    pub score_ms: u64,
    /// Why the task has no score (the function cannot be called, ...).
    pub error: Option<String>,
}

/// Score one task's canonical solution in a folder under `work_root`.
pub fn score_task(
    kind: DatasetKind,
    language: Language,
    task: &Task,
    config: &Config,
    work_root: &Path,
) -> MutationRecord {
    let mut record = MutationRecord {
        language,
        task_id: task.task_id.clone(),
        function: entry_point(kind, language, task),
        first: None,
        last: None,
        killed: 0,
        total: 0,
        equivalent: 0,
        invalid: 0,
        skipped: 0,
        mutants: 0,
        survivors: Vec::new(),
        inputs: 0,
        small_scope: 0,
        prepare_ms: 0,
        score_ms: 0,
        error: None,
    };
    let Some(function) = record.function.clone() else {
        record.error = Some("no function in the canonical file".into());
        return record;
    };
    let folder = work_root.join(task.task_id.replace(['/', '\\', '.'], "-"));
    let file = folder.join(file_name(language));
    let text = canonical_file(kind, language, task);
    if let Err(error) = std::fs::create_dir_all(&folder).and_then(|()| std::fs::write(&file, &text))
    {
        record.error = Some(format!("{}: {error}", file.display()));
        return record;
    }
    let subject = Subject {
        config,
        executor: ExecutorConfig::default(),
        workspace_root: &folder,
        file: &file,
        language,
        file_text: text,
        function: &function,
        line: None,
        extra_inputs: Vec::new(),
    };
    let strength = evidence_strength(&subject);
    let _ = std::fs::remove_dir_all(&folder);
    match strength {
        // Nothing to score: a job refuses before any candidate
        // (pipeline.min_evidence), so it is no score of 0.
        Ok(strength) if strength.inputs == 0 && strength.small_scope == 0 => {
            record.prepare_ms = strength.prepare_ms;
            record.error = Some(format!(
                "no evidence: no usable input and no small-scope input{}",
                strength
                    .notes
                    .first()
                    .map(|note| format!(" ({note})"))
                    .unwrap_or_default()
            ));
        }
        Ok(strength) => {
            record.first = strength.first.as_ref().and_then(|m| m.score);
            if let Some(last) = strength.last() {
                record.last = last.score;
                record.killed = last.killed;
                record.total = last.total;
                record.equivalent = last.equivalent;
                record.invalid = last.invalid;
                record.skipped = last.skipped;
                record.survivors = last.survivors.clone();
            }
            if strength.first.is_none() {
                record.error = Some(match strength.notes.first() {
                    Some(note) => format!("not scored: {note}"),
                    None => "not scored (pipeline.mutants = 0)".into(),
                });
            }
            record.mutants = strength.mutants;
            record.inputs = strength.inputs;
            record.small_scope = strength.small_scope;
            record.prepare_ms = strength.prepare_ms;
            record.score_ms = strength.score_ms;
        }
        Err(error) => record.error = Some(error.to_string()),
    }
    record
}

/// One language's figures.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageStrength {
    pub language: Language,
    pub tasks: usize,
    /// Tasks with a score (at least one mutant counted).
    pub scored: usize,
    pub median_first: Option<f64>,
    pub median_last: Option<f64>,
    /// Tasks whose last score is below the floor: a job would refuse.
    pub below_floor: usize,
    pub median_mutants: Option<f64>,
    pub median_score_ms: Option<f64>,
    pub max_score_ms: u64,
    pub errors: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MutationSummary {
    pub dataset: String,
    pub floor: f64,
    pub mutants_limit: usize,
    pub languages: Vec<LanguageStrength>,
    pub records: Vec<MutationRecord>,
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 0 {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    })
}

impl MutationSummary {
    pub fn new(dataset: &str, config: &Config, records: Vec<MutationRecord>) -> MutationSummary {
        let floor = config.pipeline.mutation_floor;
        let mut languages: Vec<Language> = Vec::new();
        for record in &records {
            if !languages.contains(&record.language) {
                languages.push(record.language);
            }
        }
        let languages = languages
            .into_iter()
            .map(|language| {
                let mine: Vec<&MutationRecord> =
                    records.iter().filter(|r| r.language == language).collect();
                let scored: Vec<&&MutationRecord> =
                    mine.iter().filter(|r| r.last.is_some()).collect();
                LanguageStrength {
                    language,
                    tasks: mine.len(),
                    scored: scored.len(),
                    median_first: median(mine.iter().filter_map(|r| r.first).collect()),
                    median_last: median(mine.iter().filter_map(|r| r.last).collect()),
                    below_floor: scored
                        .iter()
                        .filter(|r| r.last.is_some_and(|s| s < floor))
                        .count(),
                    median_mutants: median(
                        mine.iter()
                            .filter(|r| r.error.is_none())
                            .map(|r| r.mutants as f64)
                            .collect(),
                    ),
                    median_score_ms: median(
                        mine.iter()
                            .filter(|r| r.error.is_none())
                            .map(|r| r.score_ms as f64)
                            .collect(),
                    ),
                    max_score_ms: mine.iter().map(|r| r.score_ms).max().unwrap_or(0),
                    errors: mine.iter().filter(|r| r.error.is_some()).count(),
                }
            })
            .collect();
        MutationSummary {
            dataset: dataset.to_string(),
            floor,
            mutants_limit: config.pipeline.mutants,
            languages,
            records,
        }
    }

    /// The table: one row per language.
    pub fn render(&self) -> String {
        let percent =
            |value: Option<f64>| value.map_or("-".into(), |v| format!("{:.0}%", v * 100.0));
        let mut out = format!(
            "Mutation score of perforch's evidence on {} canonical solutions (floor {:.0}%, pipeline.mutants = {})\n\n",
            self.dataset,
            self.floor * 100.0,
            self.mutants_limit
        );
        out.push_str(&format!(
            "{:<8} {:>5} {:>6} {:>13} {:>12} {:>11} {:>8} {:>15} {:>12} {:>6}\n",
            "language",
            "tasks",
            "scored",
            "median first",
            "median last",
            "below floor",
            "mutants",
            "median score s",
            "max score s",
            "errors"
        ));
        for row in &self.languages {
            out.push_str(&format!(
                "{:<8} {:>5} {:>6} {:>13} {:>12} {:>11} {:>8} {:>15} {:>12.1} {:>6}\n",
                row.language.name(),
                row.tasks,
                row.scored,
                percent(row.median_first),
                percent(row.median_last),
                row.below_floor,
                row.median_mutants.map_or("-".into(), |m| format!("{m:.0}")),
                row.median_score_ms
                    .map_or("-".into(), |ms| format!("{:.1}", ms / 1000.0)),
                row.max_score_ms as f64 / 1000.0,
                row.errors
            ));
        }
        let weak: Vec<&MutationRecord> = self
            .records
            .iter()
            .filter(|r| r.last.is_some_and(|s| s < self.floor) || r.error.is_some())
            .collect();
        if !weak.is_empty() {
            out.push('\n');
        }
        for record in weak {
            match &record.error {
                Some(error) => out.push_str(&format!(
                    "{} {}: {error}\n",
                    record.language.name(),
                    record.task_id
                )),
                None => out.push_str(&format!(
                    "{} {}: {} of {} caught; missed {}\n",
                    record.language.name(),
                    record.task_id,
                    record.killed,
                    record.total,
                    record.survivors.join("; ")
                )),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(language: Language, last: Option<f64>, score_ms: u64) -> MutationRecord {
        MutationRecord {
            language,
            task_id: format!("{}/{score_ms}", language.name()),
            function: Some("f".into()),
            first: last,
            last,
            killed: 0,
            total: 0,
            equivalent: 0,
            invalid: 0,
            skipped: 0,
            mutants: 10,
            survivors: Vec::new(),
            inputs: 0,
            small_scope: 0,
            prepare_ms: 0,
            score_ms,
            error: None,
        }
    }

    #[test]
    fn medians_per_language_leave_unscored_tasks_out() {
        let config = Config::default();
        let summary = MutationSummary::new(
            "HumanEval-X",
            &config,
            vec![
                record(Language::Python, Some(1.0), 1000),
                record(Language::Python, Some(0.5), 3000),
                record(Language::Python, None, 2000),
                record(Language::Python, Some(0.9), 5000),
                record(Language::Go, Some(0.75), 40_000),
            ],
        );
        let python = &summary.languages[0];
        assert_eq!((python.tasks, python.scored), (4, 3));
        assert_eq!(python.median_last, Some(0.9));
        assert_eq!(python.below_floor, 1);
        assert_eq!(python.median_score_ms, Some(2500.0));
        assert_eq!(python.max_score_ms, 5000);
        let go = &summary.languages[1];
        assert_eq!((go.median_last, go.below_floor), (Some(0.75), 1));
        let table = summary.render();
        assert!(table.contains("python       4      3"), "{table}");
        assert!(table.contains("go go/40000: 0 of 0 caught"), "{table}");
    }
}
