//! Ranking configured models for one routing decision.
//!
//! A model's score per category label is the paper's figure for it, treated as the outcome of
//! [`PRIOR_WEIGHT_RUNS`] earlier runs, updated by the runs recorded here:
//! `(figure × weight + observed) / (weight + runs)`, where `observed` is the number of
//! successes (generate, fix) or the sum of normalised improvements (refine). With several
//! labels the per-label scores are averaged, so a function tagged Sorting and Array asks what
//! the model does on both. Models the paper did not measure start from the measured models'
//! mean with a weight of [`UNMEASURED_PRIOR_WEIGHT_RUNS`] once they have runs here; before
//! that they have no score and keep their configured position (see [`order`]).

use super::memory::{ModelRef, RankedModel, RoutingMemory, sorted_unique};
use super::priors::{PaperModel, percent};
use super::store::Counts;
use super::types::{Category, Metric, Stage};
use crate::language::Language;

/// How many runs here the paper's figure is worth. The paper measured each model once per
/// problem on HumanEval-X; ten runs on the user's own code should weigh as much as that.
pub const PRIOR_WEIGHT_RUNS: f64 = 10.0;

/// A model the paper did not measure starts from the measured models' mean, weighted lightly so
/// a few runs here decide its place.
pub const UNMEASURED_PRIOR_WEIGHT_RUNS: f64 = 2.0;

impl RoutingMemory {
    /// Configured models ranked best first, each with its score, run counts and reason.
    ///
    /// Models with a score (measured by the paper, or with runs here) are sorted by it, ties in
    /// configured order. A model with neither keeps its configured slot: the user listed it
    /// there, and nothing known says it belongs elsewhere. The measured models fill the other
    /// slots in score order.
    pub fn rank(
        &self,
        stage: Stage,
        language: Language,
        categories: &[Category],
        metric: Metric,
        configured: &[ModelRef],
    ) -> Vec<RankedModel> {
        let categories = sorted_unique(categories);
        let ranked: Vec<RankedModel> = configured
            .iter()
            .map(|model| self.assess(stage, language, &categories, metric, model))
            .collect();
        order(ranked)
    }

    /// The paper's own ranking over every model it measured (as if all were configured, in the
    /// paper's order), with the runs here: what `perforch models` shows when none is configured.
    pub fn paper_ranking(
        &self,
        stage: Stage,
        language: Language,
        categories: &[Category],
        metric: Metric,
    ) -> Vec<RankedModel> {
        let models = self.priors.models();
        let configured: Vec<ModelRef> = models
            .iter()
            .map(|model| ModelRef {
                name: &model.name,
                model: &model.id,
            })
            .collect();
        self.rank(stage, language, categories, metric, &configured)
    }

    fn assess(
        &self,
        stage: Stage,
        language: Language,
        categories: &[Category],
        metric: Metric,
        model: &ModelRef,
    ) -> RankedModel {
        let identity = self.identity(model);
        let metric_key = (stage == Stage::Refine).then_some(metric);
        let runs_of_model: Vec<(&[Category], &Counts)> = self
            .effective_counts()
            .filter(|(key, _)| {
                key.stage == stage
                    && key.language == language
                    && key.metric == metric_key
                    && key.model == identity
            })
            .map(|(key, counts)| (key.categories.as_slice(), counts))
            .collect();
        // Every run that carries one of the asked labels, once (with no labels asked: all).
        let mut local = Counts::default();
        for (labels, counts) in &runs_of_model {
            if categories.is_empty() || labels.iter().any(|label| categories.contains(label)) {
                local.add(counts);
            }
        }
        let labels: Vec<Option<Category>> = if categories.is_empty() {
            vec![None]
        } else {
            categories.iter().copied().map(Some).collect()
        };
        let local_for = |label: Option<Category>| {
            let mut counts = Counts::default();
            for (labels, run_counts) in &runs_of_model {
                if label.is_none_or(|label| labels.contains(&label)) {
                    counts.add(run_counts);
                }
            }
            counts
        };
        let observed = |counts: &Counts| match stage {
            Stage::Refine => counts.improvement_sum,
            Stage::Generate | Stage::Fix => f64::from(counts.successes),
        };
        let blend = |prior: f64, weight: f64, counts: &Counts| {
            (prior * weight + observed(counts)) / (weight + f64::from(counts.runs))
        };

        let paper_model = self.priors.match_model(model.model);
        let here = runs_here(stage, &local);
        let (score, scored, reason) = match &paper_model {
            Some(paper) => {
                let figures: Vec<_> = labels
                    .iter()
                    .map(|label| {
                        self.priors
                            .figure(stage, language, *label, metric, &paper.id)
                            .expect("the priors cover every measured model in every context")
                    })
                    .collect();
                let scores: Vec<f64> = labels
                    .iter()
                    .zip(&figures)
                    .map(|(label, figure)| {
                        blend(figure.expected, PRIOR_WEIGHT_RUNS, &local_for(*label))
                    })
                    .collect();
                let prior_text = describe_figures(stage, language, metric, paper, &figures);
                (mean(&scores), true, format!("{prior_text}; {here}"))
            }
            None if local.runs > 0 => {
                let scores: Vec<f64> = labels
                    .iter()
                    .map(|label| {
                        let start = self.priors.mean_expected(stage, language, *label, metric);
                        blend(start, UNMEASURED_PRIOR_WEIGHT_RUNS, &local_for(*label))
                    })
                    .collect();
                (
                    mean(&scores),
                    true,
                    format!("not measured by PerfOrch, ranked by its runs here: {here}"),
                )
            }
            None => (
                0.0,
                false,
                "not measured by PerfOrch and no runs here yet: kept in its configured position"
                    .to_string(),
            ),
        };
        RankedModel {
            name: model.name.to_string(),
            model: model.model.to_string(),
            score,
            runs: local.runs,
            successes: local.successes,
            reason,
            paper_model: paper_model.map(|paper| paper.name),
            scored,
        }
    }
}

/// Scored models sorted by score (stable, so ties keep configured order) into the slots that
/// scored models occupy in the configured list; unscored models stay where they were.
fn order(ranked: Vec<RankedModel>) -> Vec<RankedModel> {
    let slots: Vec<usize> = ranked
        .iter()
        .enumerate()
        .filter(|(_, model)| model.scored)
        .map(|(index, _)| index)
        .collect();
    let mut scored: Vec<RankedModel> = ranked
        .iter()
        .filter(|model| model.scored)
        .cloned()
        .collect();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut result = ranked;
    for (slot, model) in slots.into_iter().zip(scored) {
        result[slot] = model;
    }
    result
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// "PerfOrch pass@1 93.1% for C++/Sorting (29 problems)" for one label; for several,
/// "PerfOrch pass@1 for C++: Array 89.6%, Sorting 93.1%".
fn describe_figures(
    stage: Stage,
    language: Language,
    metric: Metric,
    paper: &PaperModel,
    figures: &[super::priors::PriorFigure],
) -> String {
    let source = format!("PerfOrch prior ({})", paper.name);
    match figures {
        [single] => format!("{source}: {}", single.basis),
        many => {
            let what = match stage {
                Stage::Generate => format!("pass@1 for {language}"),
                Stage::Fix => format!("fix@1 for {language}"),
                Stage::Refine => format!("refine ({metric}) for {language}"),
            };
            let values: Vec<&str> = many.iter().map(|figure| figure.short.as_str()).collect();
            format!("{source}: {what}: {}", values.join(", "))
        }
    }
}

/// "no runs here yet", "3 runs here, 2 correct", "4 runs here, 1 accepted, mean gain 12.5%".
fn runs_here(stage: Stage, counts: &Counts) -> String {
    if counts.runs == 0 {
        return "no runs here yet".to_string();
    }
    let plural = if counts.runs == 1 { "" } else { "s" };
    match stage {
        Stage::Generate | Stage::Fix => {
            format!(
                "{} run{plural} here, {} correct",
                counts.runs, counts.successes
            )
        }
        Stage::Refine => format!(
            "{} run{plural} here, {} accepted, mean gain {}",
            counts.runs,
            counts.successes,
            percent(counts.improvement_sum / f64::from(counts.runs))
        ),
    }
}
