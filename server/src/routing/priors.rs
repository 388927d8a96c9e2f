//! The paper's figures, embedded from `server/data/perforch_priors.toml`, and what they say about
//! one model in one context: its expected success rate (generate, fix) or its expected
//! normalised improvement per attempt (refine), with the figures behind it for the reason line.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

use super::aliases::normalise;
use super::types::{Category, Metric, Stage};
use crate::language::Language;

const PRIORS_TOML: &str = include_str!("../../data/perforch_priors.toml");

/// Rows of a table: model id to one value per column.
type Rows = BTreeMap<String, Vec<f64>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorsFile {
    schema: u32,
    benchmark: String,
    problems_per_language: u32,
    languages: Vec<Language>,
    categories: Vec<Category>,
    category_problems: BTreeMap<Category, u32>,
    models: BTreeMap<String, PaperModelEntry>,
    generate: CorrectnessTables,
    fix: CorrectnessTables,
    refine: RefineTables,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaperModelEntry {
    name: String,
    aliases: Vec<String>,
}

/// Tables 2/3 (generate) and 4/5 (fix): a rate per language for every model, and per category
/// for the five best of each language.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CorrectnessTables {
    overall: Rows,
    by_category: BTreeMap<Language, Rows>,
}

/// Tables 6, 7, 10-14 and 15.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefineTables {
    successes: BTreeMap<Metric, Rows>,
    median_improvement: BTreeMap<Metric, Rows>,
    time_successes_by_category: BTreeMap<Language, Rows>,
    time_improvement_sum_by_category: BTreeMap<Language, Rows>,
}

/// A model the paper measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperModel {
    /// Our id, e.g. `claude-3.7-sonnet`.
    pub id: String,
    /// As the paper names it, e.g. `Claude 3.7 Sonnet`.
    pub name: String,
}

/// What the paper says about one model in one (stage, language, category, metric) context.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorFigure {
    /// Success rate (0..1) for generate and fix; mean normalised improvement per problem
    /// (0..1, failures counting 0) for refine. Comparable with what runs here measure.
    pub expected: f64,
    /// How the figure was obtained, in words, for the reason line of a single category.
    pub basis: String,
    /// The figure alone, labelled by its category, for a reason listing several categories,
    /// e.g. `Sorting 93.1%` or `Sorting ≈84.0%` (estimated).
    pub short: String,
}

/// The parsed priors. Built once per process.
#[derive(Debug)]
pub struct Priors {
    file: PriorsFile,
    by_alias: HashMap<String, String>,
}

impl Priors {
    /// The embedded priors. Checked by tests, so a failure here is a build defect.
    pub fn embedded() -> &'static Priors {
        static PRIORS: OnceLock<Priors> = OnceLock::new();
        PRIORS.get_or_init(|| {
            Priors::parse(PRIORS_TOML)
                .unwrap_or_else(|error| panic!("perforch_priors.toml: {error}"))
        })
    }

    fn parse(text: &str) -> Result<Priors, String> {
        let file: PriorsFile = toml::from_str(text).map_err(|error| error.to_string())?;
        if file.schema != 1 {
            return Err(format!("schema {} is not supported", file.schema));
        }
        if file.languages != Language::ALL.to_vec() || file.categories != Category::ALL.to_vec() {
            return Err("column order differs from Language::ALL / Category::ALL".into());
        }
        let mut by_alias = HashMap::new();
        for (id, entry) in &file.models {
            for alias in entry.aliases.iter().chain(std::iter::once(id)) {
                if let Some(other) = by_alias.insert(normalise(alias), id.clone())
                    && other != *id
                {
                    return Err(format!("alias `{alias}` names both {other} and {id}"));
                }
            }
        }
        let priors = Priors { file, by_alias };
        priors.check_tables()?;
        Ok(priors)
    }

    /// Every row names a known model and has one value per column.
    fn check_tables(&self) -> Result<(), String> {
        let check = |table: &str, rows: &Rows, columns: usize| -> Result<(), String> {
            for (model, values) in rows {
                if !self.file.models.contains_key(model) {
                    return Err(format!("{table}: unknown model `{model}`"));
                }
                if values.len() != columns {
                    return Err(format!(
                        "{table}.{model}: {} values, expected {columns}",
                        values.len()
                    ));
                }
            }
            Ok(())
        };
        for (stage, tables) in [("generate", &self.file.generate), ("fix", &self.file.fix)] {
            check(
                &format!("{stage}.overall"),
                &tables.overall,
                Language::ALL.len(),
            )?;
            for (language, rows) in &tables.by_category {
                check(
                    &format!("{stage}.by_category.{}", language.name()),
                    rows,
                    Category::ALL.len(),
                )?;
            }
        }
        let refine = &self.file.refine;
        for (metric, rows) in refine.successes.iter().chain(&refine.median_improvement) {
            check(&format!("refine.{metric}"), rows, Language::ALL.len())?;
        }
        for (language, rows) in refine
            .time_successes_by_category
            .iter()
            .chain(&refine.time_improvement_sum_by_category)
        {
            check(
                &format!("refine.by_category.{}", language.name()),
                rows,
                Category::ALL.len(),
            )?;
        }
        Ok(())
    }

    /// The benchmark the figures were measured on.
    pub fn benchmark(&self) -> &str {
        &self.file.benchmark
    }

    /// All measured models, in the file's order.
    pub fn models(&self) -> Vec<PaperModel> {
        self.file
            .models
            .iter()
            .map(|(id, entry)| PaperModel {
                id: id.clone(),
                name: entry.name.clone(),
            })
            .collect()
    }

    /// The measured model a provider model id names, if any.
    pub fn match_model(&self, model_id: &str) -> Option<PaperModel> {
        let key = normalise(model_id);
        if key.is_empty() {
            return None;
        }
        let id = self.by_alias.get(&key)?;
        Some(PaperModel {
            id: id.clone(),
            name: self.file.models[id].name.clone(),
        })
    }

    /// HumanEval-X problems carrying this label (Table 1).
    pub fn category_problems(&self, category: Category) -> u32 {
        self.file
            .category_problems
            .get(&category)
            .copied()
            .unwrap_or(0)
    }

    /// What the paper says about `model` in this context; `None` for a context the paper's
    /// tables do not cover for that model (never happens for the 17 measured models).
    /// `category` None means the language as a whole.
    pub fn figure(
        &self,
        stage: Stage,
        language: Language,
        category: Option<Category>,
        metric: Metric,
        model: &str,
    ) -> Option<PriorFigure> {
        match stage {
            Stage::Generate => {
                self.correctness_figure(&self.file.generate, "pass@1", language, category, model)
            }
            Stage::Fix => {
                self.correctness_figure(&self.file.fix, "fix@1", language, category, model)
            }
            Stage::Refine => self.refine_figure(language, category, metric, model),
        }
    }

    /// Mean of the figure over all measured models: the starting point for a model the paper
    /// did not measure once it has runs here.
    pub fn mean_expected(
        &self,
        stage: Stage,
        language: Language,
        category: Option<Category>,
        metric: Metric,
    ) -> f64 {
        let values: Vec<f64> = self
            .file
            .models
            .keys()
            .filter_map(|model| self.figure(stage, language, category, metric, model))
            .map(|figure| figure.expected)
            .collect();
        if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    }

    fn correctness_figure(
        &self,
        tables: &CorrectnessTables,
        rate_name: &str,
        language: Language,
        category: Option<Category>,
        model: &str,
    ) -> Option<PriorFigure> {
        let column = language_column(language);
        let overall = tables.overall.get(model)?[column] / 100.0;
        let Some(category) = category else {
            return Some(PriorFigure {
                expected: overall,
                basis: format!("{rate_name} {} for {language}", percent(overall)),
                short: percent(overall),
            });
        };
        let problems = self.category_problems(category);
        let by_category = tables.by_category.get(&language);
        if let Some(values) = by_category.and_then(|rows| rows.get(model)) {
            let rate = values[category.index()] / 100.0;
            return Some(PriorFigure {
                expected: rate,
                basis: format!(
                    "{rate_name} {} for {language}/{category} ({problems} problems)",
                    percent(rate)
                ),
                short: format!("{category} {}", percent(rate)),
            });
        }
        // The paper breaks categories down only for the five best models of each language.
        // For the others, scale the model's overall rate by how hard the category was for
        // those five (their mean rate on it over their mean overall rate).
        let difficulty = by_category.and_then(|rows| {
            let (mut on_category, mut overall_sum) = (0.0, 0.0);
            for (top_model, values) in rows {
                on_category += values[category.index()];
                overall_sum += tables.overall.get(top_model)?[column];
            }
            (overall_sum > 0.0).then(|| on_category / overall_sum)
        });
        let scaled = (overall * difficulty.unwrap_or(1.0)).clamp(0.0, 1.0);
        Some(PriorFigure {
            expected: scaled,
            basis: format!(
                "{rate_name} {} for {language} overall, scaled to {} for {category} (no per-category figure)",
                percent(overall),
                percent(scaled)
            ),
            short: format!("{category} ≈{}", percent(scaled)),
        })
    }

    fn refine_figure(
        &self,
        language: Language,
        category: Option<Category>,
        metric: Metric,
        model: &str,
    ) -> Option<PriorFigure> {
        let refine = &self.file.refine;
        let column = language_column(language);
        let total = self.file.problems_per_language as f64;
        let improved = refine.successes.get(&metric)?.get(model)?[column];
        let median = refine.median_improvement.get(&metric)?.get(model)?[column] / 100.0;
        // Every improved problem is assumed to improve by the median.
        let language_level = improved * median / total;
        let language_basis = format!(
            "refine ({metric}) for {language}: improved {improved:.0} of {total:.0} problems, median {}",
            percent(median)
        );
        let Some(category) = category else {
            return Some(PriorFigure {
                expected: language_level,
                basis: language_basis,
                short: per_problem(language_level),
            });
        };
        let problems = self.category_problems(category) as f64;
        if metric != Metric::Time || problems == 0.0 {
            return Some(PriorFigure {
                expected: language_level,
                basis: format!("{language_basis} (no per-category figure for {metric})"),
                short: format!("{category} ≈{}", per_problem(language_level)),
            });
        }
        let improved_here = refine
            .time_successes_by_category
            .get(&language)
            .and_then(|rows| rows.get(model))
            .map(|values| values[category.index()]);
        let measured_sum = refine
            .time_improvement_sum_by_category
            .get(&language)
            .and_then(|rows| rows.get(model))
            .map(|values| values[category.index()]);
        match (improved_here, measured_sum) {
            // PerfOrch's own score: the sum of normalised improvements over the category.
            (Some(count), Some(sum)) => Some(PriorFigure {
                expected: sum / problems,
                basis: format!(
                    "refine (time) for {language}/{category}: improvement sum {sum:.2} over {problems:.0} problems, {count:.0} improved"
                ),
                short: format!("{category} {}", per_problem(sum / problems)),
            }),
            (Some(count), None) => {
                let sum = count * median;
                Some(PriorFigure {
                    expected: sum / problems,
                    basis: format!(
                        "refine (time) for {language}/{category}: improved {count:.0} of {problems:.0} problems × median {} ≈ sum {sum:.2}",
                        percent(median)
                    ),
                    short: format!("{category} ≈{}", per_problem(sum / problems)),
                })
            }
            _ => Some(PriorFigure {
                expected: language_level,
                basis: language_basis,
                short: format!("{category} ≈{}", per_problem(language_level)),
            }),
        }
    }
}

fn language_column(language: Language) -> usize {
    Language::ALL
        .iter()
        .position(|candidate| *candidate == language)
        .expect("every language is in ALL")
}

pub(crate) fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// A refine figure: mean normalised improvement per problem.
fn per_problem(value: f64) -> String {
    format!("{value:.3}/problem")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_priors_parse_and_cover_seventeen_models() {
        let priors = Priors::embedded();
        assert_eq!(priors.models().len(), 17);
        assert_eq!(priors.benchmark(), "HumanEval-X");
        assert_eq!(priors.category_problems(Category::Array), 77);
        assert_eq!(priors.category_problems(Category::HashTable), 11);
        for model in priors.models() {
            for stage in Stage::ALL {
                for language in Language::ALL {
                    for metric in Metric::ALL {
                        for category in Category::ALL.map(Some).into_iter().chain([None]) {
                            let figure =
                                priors.figure(stage, language, category, metric, &model.id);
                            let figure =
                                figure.unwrap_or_else(|| panic!("{} {stage} {language}", model.id));
                            assert!((0.0..=1.0).contains(&figure.expected), "{figure:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn figures_come_from_the_right_table() {
        let priors = Priors::embedded();
        // Table 3, C++, Claude 3.7 Sonnet, Sorting.
        let figure = priors
            .figure(
                Stage::Generate,
                Language::Cpp,
                Some(Category::Sorting),
                Metric::Time,
                "claude-3.7-sonnet",
            )
            .unwrap();
        assert!((figure.expected - 0.9310).abs() < 1e-9, "{figure:?}");
        // Table 4, Rust, Gemini 2.0 Flash.
        let figure = priors
            .figure(
                Stage::Fix,
                Language::Rust,
                None,
                Metric::Time,
                "gemini-2.0-flash",
            )
            .unwrap();
        assert!((figure.expected - 0.7805).abs() < 1e-9);
        // Table 15, Python, GPT-4o, Array: 10.15 over 77 problems.
        let figure = priors
            .figure(
                Stage::Refine,
                Language::Python,
                Some(Category::Array),
                Metric::Time,
                "gpt-4o",
            )
            .unwrap();
        assert!((figure.expected - 10.15 / 77.0).abs() < 1e-9);
        // Tables 14 and 7, Rust, Amazon Q, Sorting: 13 improved × 50.92% over 29 problems.
        let figure = priors
            .figure(
                Stage::Refine,
                Language::Rust,
                Some(Category::Sorting),
                Metric::Time,
                "amazon-q",
            )
            .unwrap();
        assert!((figure.expected - 13.0 * 0.5092 / 29.0).abs() < 1e-9);
        // Tables 6 and 7, Java, Claude 3.7 Sonnet, mean memory: 85 × 3.13% over 164.
        let figure = priors
            .figure(
                Stage::Refine,
                Language::Java,
                None,
                Metric::MeanMemory,
                "claude-3.7-sonnet",
            )
            .unwrap();
        assert!((figure.expected - 85.0 * 0.0313 / 164.0).abs() < 1e-9);
    }

    #[test]
    fn models_outside_the_top_five_get_a_difficulty_scaled_rate() {
        let priors = Priors::embedded();
        // Llama 3.2 3B is not in Table 3; its Python Enumeration estimate scales its overall
        // 50.61% by the top five's Enumeration rate over their overall rate.
        let figure = priors
            .figure(
                Stage::Generate,
                Language::Python,
                Some(Category::Enumeration),
                Metric::Time,
                "llama-3.2-3b",
            )
            .unwrap();
        let top_enumeration = 100.00 + 91.67 + 100.00 + 100.00 + 83.33;
        let top_overall = 93.29 + 91.46 + 90.85 + 90.85 + 84.15;
        assert!((figure.expected - 0.5061 * top_enumeration / top_overall).abs() < 1e-9);
        assert!(figure.basis.contains("scaled"), "{}", figure.basis);
    }

    #[test]
    fn aliases_match_provider_ids_and_nothing_else() {
        let priors = Priors::embedded();
        let id = |model: &str| priors.match_model(model).map(|found| found.id);
        assert_eq!(id("gpt-4o-2024-08-06").as_deref(), Some("gpt-4o"));
        assert_eq!(
            id("anthropic/claude-3.7-sonnet").as_deref(),
            Some("claude-3.7-sonnet")
        );
        assert_eq!(
            id("claude-3-7-sonnet-20250219").as_deref(),
            Some("claude-3.7-sonnet")
        );
        assert_eq!(
            id("Qwen/Qwen2.5-72B-Instruct").as_deref(),
            Some("qwen-2.5-72b")
        );
        assert_eq!(id("qwen2.5:14b").as_deref(), Some("qwen-2.5-14b"));
        assert_eq!(
            id("gemini-2.0-flash-001").as_deref(),
            Some("gemini-2.0-flash")
        );
        assert_eq!(
            id("llama3.1:8b-instruct-q4_K_M").as_deref(),
            Some("llama-3.1-8b")
        );
        assert_eq!(
            id("codestral-mamba-2407").as_deref(),
            Some("codestral-mamba")
        );
        for unmeasured in [
            "gpt-4o-mini",
            "claude-3-5-sonnet-20241022",
            "qwen2.5-coder-32b-instruct",
            "qwen2.5:7b",
            "claude-sonnet-4-5",
            "",
        ] {
            assert_eq!(id(unmeasured), None, "{unmeasured}");
        }
    }
}
