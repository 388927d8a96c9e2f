//! perforch: a language server that makes functions faster and proves it.
//!
//! See ARCHITECTURE.md for the map of this crate.

pub mod analysis;
pub mod builtin;
pub mod cli;
pub mod config;
pub mod discovery;
pub mod document;
pub mod eval;
pub mod executor;
pub mod language;
pub mod logging;
pub mod lsp;
pub mod models;
pub mod pipeline;
pub mod routing;
