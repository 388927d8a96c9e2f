//! The routing memory: PerfOrch's priors plus the runs recorded on this machine, in a user
//! file (all projects) and optionally a workspace file (this project).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use super::error::RoutingError;
use super::priors::Priors;
use super::store::{self, Counts, Key, Table};
use super::types::{Category, Metric, Stage};
use crate::language::Language;

/// A configured model as routing sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelRef<'a> {
    /// The config entry's name (`[[models]] name`), what the pipeline calls it by.
    pub name: &'a str,
    /// The provider's model id (`[[models]] model`), what the paper's aliases are matched on.
    pub model: &'a str,
}

/// How one real run of a model went, as far as routing cares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RunOutcomeForRouting {
    /// It did not build, failed a test, or (refine) was not measurably better.
    Failed,
    /// It passed every test (generate, fix), or a refinement was accepted without figures.
    Succeeded,
    /// A refinement was accepted: the metric's value for the original and for the candidate
    /// (lower is better for every metric).
    Improved { original: f64, candidate: f64 },
}

impl RunOutcomeForRouting {
    pub fn is_success(self) -> bool {
        !matches!(self, RunOutcomeForRouting::Failed)
    }

    /// `(original - candidate) / original`, clamped to 0..1; 0 unless improved.
    pub fn normalised_improvement(self) -> f64 {
        match self {
            RunOutcomeForRouting::Improved {
                original,
                candidate,
            } if original.is_finite() && candidate.is_finite() && original > 0.0 => {
                ((original - candidate) / original).clamp(0.0, 1.0)
            }
            _ => 0.0,
        }
    }
}

/// One configured model's place in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedModel {
    /// The config entry's name.
    pub name: String,
    /// The provider model id.
    pub model: String,
    /// Generate and fix: expected success rate (0..1). Refine: expected normalised improvement
    /// per attempt (0..1). Both blend the paper's figure with the runs here. 0 when unscored.
    pub score: f64,
    /// Runs of this model recorded here for this stage, language, metric and categories.
    pub runs: u32,
    /// Of those, correct (generate, fix) or accepted (refine).
    pub successes: u32,
    /// One line saying where the score comes from.
    pub reason: String,
    /// The measured model this one was matched to, as the paper names it.
    pub paper_model: Option<String>,
    /// False for a model with neither a paper figure nor runs here: it keeps its configured
    /// position instead of being placed by score.
    pub scored: bool,
}

/// One memory file and what it holds.
#[derive(Debug)]
pub(super) struct Layer {
    /// Where it is saved; `None` for a memory that lives only in this process.
    pub path: Option<PathBuf>,
    /// What the file held when read, plus runs recorded since.
    pub counts: Table,
    /// Runs recorded and not yet saved: what a save adds to the file. Behind a lock so that
    /// `save` takes `&self` (a caller can save while others rank).
    pub pending: Mutex<Table>,
}

impl Layer {
    fn read(path: &Path) -> Result<Layer, RoutingError> {
        Ok(Layer {
            path: Some(path.to_path_buf()),
            counts: store::read(path)?,
            pending: Mutex::new(Table::new()),
        })
    }

    fn in_process() -> Layer {
        Layer {
            path: None,
            counts: Table::new(),
            pending: Mutex::new(Table::new()),
        }
    }

    fn add(&mut self, key: &Key, counts: &Counts) {
        self.counts.entry(key.clone()).or_default().add(counts);
        let pending = self
            .pending
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        pending.entry(key.clone()).or_default().add(counts);
    }
}

/// PerfOrch's "Memory": which model to try first for a stage, language, problem categories
/// and metric, from the paper's tables and from every run recorded here.
#[derive(Debug)]
pub struct RoutingMemory {
    pub(super) priors: &'static Priors,
    pub(super) user: Layer,
    pub(super) workspace: Option<Layer>,
}

impl RoutingMemory {
    /// The shipped priors, merged with the user's memory file and, if given, a workspace one.
    /// Missing files are empty memories (created on save). Where both files count runs for
    /// the same key, the workspace's counts are used: they describe this project.
    pub fn load(
        user_file: Option<&Path>,
        workspace_file: Option<&Path>,
    ) -> Result<Self, RoutingError> {
        let user = match user_file {
            Some(path) => Layer::read(path)?,
            None => Layer::in_process(),
        };
        let workspace = workspace_file.map(Layer::read).transpose()?;
        Ok(RoutingMemory {
            priors: Priors::embedded(),
            user,
            workspace,
        })
    }

    /// The priors alone, with nothing read or saved: for tests, and for a caller that chose
    /// to carry on after a memory file could not be read.
    pub fn priors_only() -> Self {
        RoutingMemory {
            priors: Priors::embedded(),
            user: Layer::in_process(),
            workspace: None,
        }
    }

    /// `<data dir>/perforch/routing.json`, e.g. `~/.local/share/perforch/routing.json` on Linux.
    pub fn default_user_file() -> Option<PathBuf> {
        dirs::data_dir().map(|dir| dir.join("perforch").join("routing.json"))
    }

    /// `ROOT/.perforch/routing.json`.
    pub fn workspace_file(root: &Path) -> PathBuf {
        root.join(".perforch").join("routing.json")
    }

    /// Count one real run. It goes into both the user and the workspace memory: the user's
    /// learns across projects, the workspace's about this one.
    pub fn record(
        &mut self,
        stage: Stage,
        language: Language,
        categories: &[Category],
        metric: Metric,
        model: &ModelRef,
        outcome: RunOutcomeForRouting,
    ) {
        let key = Key {
            stage,
            language,
            metric: (stage == Stage::Refine).then_some(metric),
            categories: sorted_unique(categories),
            model: self.identity(model),
        };
        let counts = Counts {
            runs: 1,
            successes: u32::from(outcome.is_success()),
            improvement_sum: outcome.normalised_improvement(),
        };
        self.user.add(&key, &counts);
        if let Some(workspace) = &mut self.workspace {
            workspace.add(&key, &counts);
        }
    }

    /// Write the runs recorded since the last save to the user file and, when configured, the
    /// workspace file, creating folders. Each write re-reads the file under a lock and adds
    /// the new runs, so runs saved meanwhile by another perforch process are kept (this
    /// memory sees those after the next `load`). Runs are only forgotten once written: after
    /// an error, the next save tries them again.
    pub fn save(&self) -> Result<(), RoutingError> {
        for layer in std::iter::once(&self.user).chain(self.workspace.as_ref()) {
            let Some(path) = &layer.path else { continue };
            let mut pending = layer
                .pending
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if pending.is_empty() {
                continue;
            }
            store::merge_and_write(path, &pending)?;
            pending.clear();
        }
        Ok(())
    }

    /// The key runs of this model are counted under: the paper's id for a model it measured
    /// (so `gpt-4o-2024-08-06` and `openai/gpt-4o` share their runs), else the provider id in
    /// lowercase, else (a model without an id, such as the builtin one) the entry's name.
    pub fn identity(&self, model: &ModelRef) -> String {
        if let Some(measured) = self.priors.match_model(model.model) {
            return measured.id;
        }
        let id = model.model.trim();
        if id.is_empty() {
            format!("entry:{}", model.name.trim())
        } else {
            id.to_ascii_lowercase()
        }
    }

    /// Counts per key as ranking sees them: the workspace's where it has the key, else the user's.
    pub(super) fn effective_counts(&self) -> impl Iterator<Item = (&Key, &Counts)> {
        let workspace = self.workspace.as_ref().map(|layer| &layer.counts);
        let from_user = self
            .user
            .counts
            .iter()
            .filter(move |(key, _)| workspace.is_none_or(|counts| !counts.contains_key(*key)));
        workspace
            .into_iter()
            .flat_map(|counts| counts.iter())
            .chain(from_user)
    }
}

pub(super) fn sorted_unique(categories: &[Category]) -> Vec<Category> {
    let mut categories = categories.to_vec();
    categories.sort();
    categories.dedup();
    categories
}
