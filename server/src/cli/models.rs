//! `perforch models --stage S --lang L [--category C ...] [--metric M] [--json]`: the configured
//! models in the order the pipeline would try them, and why.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::language::Language;
use crate::routing::{Category, Metric, ModelRef, RankedModel, RoutingMemory, Stage};

/// `--lang` accepts language ids, extensions and fence tags: `python`, `py`, `c++`, `rs`, ...
pub fn parse_language(text: &str) -> Result<Language, String> {
    let lower = text.trim().to_ascii_lowercase();
    Language::from_language_id(&lower)
        .or_else(|| Language::from_fence_tag(&lower))
        .or_else(|| Language::from_extension(&lower))
        .ok_or_else(|| {
            let valid: Vec<&str> = Language::ALL
                .iter()
                .map(|language| language.name())
                .collect();
            format!(
                "unknown language `{text}`; use one of: {}",
                valid.join(", ")
            )
        })
}

pub struct ModelsArgs<'a> {
    pub stage: Stage,
    pub language: Language,
    pub categories: &'a [Category],
    pub metric: Metric,
    pub json: bool,
    /// `--config FILE`: read the configuration from this file only.
    pub config: Option<&'a Path>,
    /// Where `perforch.toml` and `.perforch/routing.json` are looked up.
    pub workspace: &'a Path,
}

#[derive(Serialize)]
struct Report<'a> {
    stage: Stage,
    language: Language,
    categories: Vec<Category>,
    metric: Metric,
    /// False when no model is configured: `ranking` is then the paper's, over its models.
    configured: bool,
    ranking: Vec<Row<'a>>,
}

#[derive(Serialize)]
struct Row<'a> {
    rank: usize,
    #[serde(flatten)]
    model: &'a RankedModel,
}

pub fn run(args: ModelsArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let config = super::optimize::load_config(args.config, args.workspace)
        .context("cannot load the configuration")?;
    let user_file = RoutingMemory::default_user_file();
    let workspace_file = RoutingMemory::workspace_file(args.workspace);
    let memory = RoutingMemory::load(user_file.as_deref(), Some(&workspace_file))
        .context("cannot load the routing memory")?;

    let configured: Vec<ModelRef> = config
        .models
        .iter()
        .map(|model| ModelRef {
            name: &model.name,
            model: &model.model,
        })
        .collect();
    let any_configured = !configured.is_empty();
    let ranking = if any_configured {
        memory.rank(
            args.stage,
            args.language,
            args.categories,
            args.metric,
            &configured,
        )
    } else {
        memory.paper_ranking(args.stage, args.language, args.categories, args.metric)
    };

    let mut categories = args.categories.to_vec();
    categories.sort();
    categories.dedup();
    if args.json {
        let report = Report {
            stage: args.stage,
            language: args.language,
            categories,
            metric: args.metric,
            configured: any_configured,
            ranking: ranking
                .iter()
                .enumerate()
                .map(|(index, model)| Row {
                    rank: index + 1,
                    model,
                })
                .collect(),
        };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(());
    }

    let context = describe_context(args.stage, args.language, &categories, args.metric);
    if any_configured {
        writeln!(out, "Configured models for {context}, best first:")?;
    } else {
        writeln!(
            out,
            "No models are configured (add [[models]] entries to perforch.toml). PerfOrch's ranking for {context}:"
        )?;
    }
    write_table(args.stage, &ranking, out)?;
    if !any_configured {
        writeln!(out, "None of these models is configured.")?;
    }
    Ok(())
}

fn describe_context(
    stage: Stage,
    language: Language,
    categories: &[Category],
    metric: Metric,
) -> String {
    let categories = if categories.is_empty() {
        "all categories".to_string()
    } else {
        categories
            .iter()
            .map(|category| category.title())
            .collect::<Vec<_>>()
            .join(" + ")
    };
    match stage {
        Stage::Refine => format!("{stage} ({metric}) in {language}, {categories}"),
        // Generate and fix are judged on correctness alone; the metric plays no part.
        Stage::Generate | Stage::Fix => format!("{stage} in {language}, {categories}"),
    }
}

fn write_table(stage: Stage, ranking: &[RankedModel], out: &mut impl Write) -> std::io::Result<()> {
    let name_width = ranking
        .iter()
        .map(|model| model.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let model_width = ranking
        .iter()
        .map(|model| model.model.len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "{:>2}  {:<name_width$}  {:<model_width$}  {:>7}  {:>4}  {:>4}  reason",
        "#", "name", "model", "score", "runs", "ok"
    )?;
    for (index, model) in ranking.iter().enumerate() {
        let score = if !model.scored {
            "-".to_string()
        } else if stage == Stage::Refine {
            format!("{:.3}", model.score)
        } else {
            format!("{:.1}%", model.score * 100.0)
        };
        writeln!(
            out,
            "{:>2}  {:<name_width$}  {:<model_width$}  {score:>7}  {:>4}  {:>4}  {}",
            index + 1,
            model.name,
            model.model,
            model.runs,
            model.successes,
            model.reason
        )?;
    }
    Ok(())
}
