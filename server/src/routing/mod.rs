//! Routing: which model to ask first, per stage, language, problem category and metric.
//!
//! This is PerfOrch's "Memory". [`classify`] labels a function with the paper's ten problem
//! categories from its syntax (a model may refine them: [`classification_prompt`],
//! [`parse_classification`]). [`RoutingMemory`] ranks the configured models for a stage by the
//! paper's figures (embedded from `server/data/perforch_priors.toml`), blended with the
//! outcomes of real runs recorded here and saved in a user file and a workspace file.
//!
//! No LSP types and no network; file IO only in [`RoutingMemory::load`] and
//! [`RoutingMemory::save`].

mod aliases;
mod classify;
mod error;
mod memory;
mod priors;
mod prompt;
mod rank;
mod store;
mod types;

pub use classify::{Features, classify, extract_features};
pub use error::RoutingError;
pub use memory::{ModelRef, RankedModel, RoutingMemory, RunOutcomeForRouting};
pub use priors::{PaperModel, Priors};
pub use prompt::{classification_prompt, parse_classification};
pub use rank::{PRIOR_WEIGHT_RUNS, UNMEASURED_PRIOR_WEIGHT_RUNS};
pub use types::{Category, Metric, ParseKeyError, Stage};
