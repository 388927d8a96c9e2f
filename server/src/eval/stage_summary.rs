//! The seeds' metrics from stage records, per stage, model and language
//! (and per problem category): pass@1 (generate) and fix@1 (fix) as the
//! share of tasks whose code passes the dataset's tests; for refine, the
//! number of successful refinements, their median improvement
//! (`(1 - candidate/canonical) * 100`, PerfOrch Tables 2-7), %Opt (the share
//! of tasks with a correct and faster version, PerfCodeGen) and the median
//! speedup (canonical/candidate) over correct versions; LLM calls and cost
//! per task (PerfOrch Table 18, MARCO). Tables in markdown in the papers'
//! shape: models as rows, languages as columns.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::pipeline_stage::ACCEPTED_WRONG;
use super::replay_check::median;
use super::stages::{EvalStage, StageRecord};
use crate::language::Language;

/// One cell: one stage, model and language (or category).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StageCell {
    /// Tasks counted (a buggy solution its tests accept is not counted for fix).
    pub tasks: usize,
    pub successes: usize,
    /// Code that is correct (refine: same outputs, whatever the speed).
    pub correct: usize,
    /// successes / tasks (pass@1, fix@1; for refine this is %Opt / 100).
    pub rate: f64,
    /// Refine: median improvement in percent over successful refinements.
    pub median_improvement_pct: Option<f64>,
    /// Refine: median canonical/candidate CPU-time ratio over correct versions.
    pub median_speedup: Option<f64>,
    /// Pipeline: versions the job accepted and offered.
    pub accepted: usize,
    /// Pipeline: accepted versions that fail the benchmark's tests or
    /// answer differently on its inputs (must stay 0).
    pub accepted_wrong: usize,
    pub llm_calls: u32,
    pub cost_usd: f64,
    pub calls_per_task: f64,
    pub cost_per_task_usd: f64,
}

impl StageCell {
    fn of(records: &[&StageRecord]) -> StageCell {
        let counted: Vec<&&StageRecord> = records.iter().filter(|r| !r.excluded()).collect();
        let mut cell = StageCell {
            tasks: counted.len(),
            ..StageCell::default()
        };
        let mut improvements = Vec::new();
        let mut speedups = Vec::new();
        for record in &counted {
            cell.successes += usize::from(record.success);
            cell.correct += usize::from(record.correct);
            if record.claimed_speedup.is_some() {
                cell.accepted += 1;
                cell.accepted_wrong += usize::from(record.status == ACCEPTED_WRONG);
            }
            if let Some(improvement) = record.improvement_pct() {
                improvements.push(improvement);
            }
            if record.correct
                && let Some(speedup) = record.speedup
            {
                speedups.push(speedup);
            }
        }
        for record in records {
            cell.llm_calls += record.llm_calls;
            cell.cost_usd += record.cost_usd;
        }
        if cell.tasks > 0 {
            cell.rate = cell.successes as f64 / cell.tasks as f64;
        }
        if !records.is_empty() {
            cell.calls_per_task = f64::from(cell.llm_calls) / records.len() as f64;
            cell.cost_per_task_usd = cell.cost_usd / records.len() as f64;
        }
        cell.median_improvement_pct = median(&mut improvements);
        cell.median_speedup = median(&mut speedups);
        cell
    }
}

/// "%Opt / median speedup", the cell of the papers' speedup tables.
fn opt_and_speedup(cell: &StageCell) -> String {
    format!(
        "{:.1}% / {}",
        cell.rate * 100.0,
        cell.median_speedup
            .map_or_else(|| "-".to_string(), |s| format!("{s:.2}x"))
    )
}

#[derive(Clone, Debug, Serialize)]
pub struct StageRow {
    pub stage: EvalStage,
    pub model: String,
    pub language: Language,
    #[serde(flatten)]
    pub cell: StageCell,
}

#[derive(Clone, Debug, Serialize)]
pub struct CategoryRow {
    pub stage: EvalStage,
    pub model: String,
    pub category: String,
    #[serde(flatten)]
    pub cell: StageCell,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageSummary {
    pub dataset: String,
    pub rows: Vec<StageRow>,
    pub categories: Vec<CategoryRow>,
    pub wall_secs: f64,
}

impl StageSummary {
    pub fn new(dataset: &str, records: &[StageRecord], wall_secs: f64) -> StageSummary {
        let mut groups: BTreeMap<(EvalStage, String, Language), Vec<&StageRecord>> =
            BTreeMap::new();
        let mut by_category: BTreeMap<(EvalStage, String, String), Vec<&StageRecord>> =
            BTreeMap::new();
        for record in records {
            groups
                .entry((record.stage, record.model.clone(), record.language))
                .or_default()
                .push(record);
            for category in &record.categories {
                by_category
                    .entry((record.stage, record.model.clone(), category.to_string()))
                    .or_default()
                    .push(record);
            }
        }
        StageSummary {
            dataset: dataset.to_string(),
            rows: groups
                .into_iter()
                .map(|((stage, model, language), records)| StageRow {
                    stage,
                    model,
                    language,
                    cell: StageCell::of(&records),
                })
                .collect(),
            categories: by_category
                .into_iter()
                .map(|((stage, model, category), records)| CategoryRow {
                    stage,
                    model,
                    category,
                    cell: StageCell::of(&records),
                })
                .collect(),
            wall_secs,
        }
    }

    fn stages(&self) -> Vec<EvalStage> {
        let mut stages: Vec<EvalStage> = self.rows.iter().map(|r| r.stage).collect();
        stages.dedup();
        stages
    }

    fn table(
        &self,
        out: &mut String,
        stage: EvalStage,
        title: &str,
        cell_text: impl Fn(&StageCell) -> String,
    ) {
        let mut languages: Vec<Language> = self
            .rows
            .iter()
            .filter(|r| r.stage == stage)
            .map(|r| r.language)
            .collect();
        languages.sort();
        languages.dedup();
        let mut models: Vec<&str> = Vec::new();
        for row in self.rows.iter().filter(|r| r.stage == stage) {
            if !models.contains(&row.model.as_str()) {
                models.push(&row.model);
            }
        }
        let _ = writeln!(out, "\n### {title}\n");
        let header: Vec<&str> = languages.iter().map(|l| l.name()).collect();
        let _ = writeln!(out, "| model | {} |", header.join(" | "));
        let _ = writeln!(out, "|---|{}", "---|".repeat(languages.len()));
        for model in models {
            let cells: Vec<String> = languages
                .iter()
                .map(|language| {
                    self.rows
                        .iter()
                        .find(|r| r.stage == stage && r.model == model && r.language == *language)
                        .map_or_else(|| "-".to_string(), |row| cell_text(&row.cell))
                })
                .collect();
            let _ = writeln!(out, "| {model} | {} |", cells.join(" | "));
        }
    }

    /// The papers' tables in markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("## {} with models\n", self.dataset);
        for stage in self.stages() {
            match stage {
                EvalStage::Generate => self.table(&mut out, stage, "Generation: pass@1 (%)", |c| {
                    format!("{:.1} ({}/{})", c.rate * 100.0, c.successes, c.tasks)
                }),
                EvalStage::Fix => self.table(&mut out, stage, "Fix: fix@1 (%)", |c| {
                    format!("{:.1} ({}/{})", c.rate * 100.0, c.successes, c.tasks)
                }),
                EvalStage::Pipeline => {
                    self.table(
                        &mut out,
                        stage,
                        "Pipeline: accepted by perforch, confirmed faster by the benchmark, accepted but wrong",
                        |c| format!("{} / {} / {} of {}", c.accepted, c.successes, c.accepted_wrong, c.tasks),
                    );
                    self.table(
                        &mut out,
                        stage,
                        "Pipeline: %Opt and median speedup of the accepted versions, measured again",
                        opt_and_speedup,
                    );
                }
                EvalStage::Refine => {
                    self.table(
                        &mut out,
                        stage,
                        "Refinement: successful refinements (median improvement)",
                        |c| {
                            format!(
                                "{} ({})",
                                c.successes,
                                c.median_improvement_pct
                                    .map_or_else(|| "-".to_string(), |p| format!("{p:.1}%"))
                            )
                        },
                    );
                    self.table(
                        &mut out,
                        stage,
                        "Refinement: %Opt and median speedup against the reference solution",
                        opt_and_speedup,
                    );
                }
            }
            self.table(
                &mut out,
                stage,
                &format!("{}: LLM calls and cost per task", stage.name()),
                |c| format!("{:.2} calls, ${:.4}", c.calls_per_task, c.cost_per_task_usd),
            );
        }
        if !self.categories.is_empty() {
            let _ = writeln!(out, "\n### Per problem category\n");
            let _ = writeln!(
                out,
                "| stage | model | category | tasks | successes | rate |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---|");
            for row in &self.categories {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {:.1}% |",
                    row.stage.name(),
                    row.model,
                    row.category,
                    row.cell.tasks,
                    row.cell.successes,
                    row.cell.rate * 100.0
                );
            }
        }
        out
    }

    /// The table printed at the end of a run.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} with models", self.dataset);
        let _ = writeln!(
            out,
            "{:<9} {:<14} {:<8} {:>6} {:>6} {:>8} {:>8} {:>11} {:>9} {:>7} {:>10}",
            "stage",
            "model",
            "language",
            "tasks",
            "ok",
            "rate",
            "correct",
            "improvement",
            "speedup",
            "calls",
            "cost"
        );
        for row in &self.rows {
            let c = &row.cell;
            let _ = writeln!(
                out,
                "{:<9} {:<14} {:<8} {:>6} {:>6} {:>7.1}% {:>8} {:>11} {:>9} {:>7} {:>10}",
                row.stage.name(),
                row.model,
                row.language.name(),
                c.tasks,
                c.successes,
                c.rate * 100.0,
                c.correct,
                c.median_improvement_pct
                    .map_or_else(|| "-".to_string(), |p| format!("{p:.1}%")),
                c.median_speedup
                    .map_or_else(|| "-".to_string(), |s| format!("{s:.2}x")),
                c.llm_calls,
                format!("${:.4}", c.cost_usd)
            );
        }
        for row in self.rows.iter().filter(|r| r.stage == EvalStage::Pipeline) {
            let c = &row.cell;
            let _ = writeln!(
                out,
                "pipeline {} {}: {} of {} accepted, {} confirmed faster by the benchmark, {} accepted but wrong",
                row.model,
                row.language.name(),
                c.accepted,
                c.tasks,
                c.successes,
                c.accepted_wrong
            );
        }
        out
    }
}
