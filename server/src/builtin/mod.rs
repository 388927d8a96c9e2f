//! The builtin offline optimizer: a "model" named `builtin` that needs no
//! network and no API key. It answers the pipeline's requests from the
//! structured [`Subject`](crate::models::Subject) of each request, never by
//! reading the prose of the prompt:
//!
//! - refine: the function with deterministic rewrites of the static hints
//!   that have a mechanical fix (`rewrite`), as a fenced code block, like a
//!   model's reply, so the pipeline's extraction, splicing and verification
//!   apply unchanged: a rewrite is offered, never trusted;
//! - inputs: type-directed argument lists, small and large (`inputs`);
//! - anything else (generate, fix, classify): a plain answer without code.
//!
//! It is the default when no model is configured (`with_default_model`),
//! and a `provider = "builtin"` entry adds it next to real models.

pub mod inputs;
mod provider;
pub mod rewrite;

use std::sync::Arc;

pub use provider::BuiltinProvider;

use crate::config::{Config, ModelConfig, ProviderKind};
use crate::models::ModelProvider;
use crate::models::registry::BuiltinFactory;

/// The entry name of the default builtin model.
pub const DEFAULT_NAME: &str = "builtin";

/// Builds the provider of a `provider = "builtin"` entry; pass it in
/// `RegistryOptions::builtin`.
pub fn factory() -> BuiltinFactory {
    Arc::new(|model: &ModelConfig| {
        Ok(Arc::new(BuiltinProvider::new(&model.name)) as Arc<dyn ModelProvider>)
    })
}

/// The entry the default builtin model has.
pub fn default_model() -> ModelConfig {
    serde_json::from_value(serde_json::json!({
        "name": DEFAULT_NAME,
        "provider": ProviderKind::Builtin.as_str(),
    }))
    .expect("a name and a provider make a valid model entry")
}

/// `config` with the builtin model as its only model when it configures
/// none, and whether it was added (so the caller can say so).
pub fn with_default_model(mut config: Config) -> (Config, bool) {
    if !config.models.is_empty() {
        return (config, false);
    }
    config.models.push(default_model());
    (config, true)
}
