//! The `workspace/executeCommand` commands perforch offers, and their arguments.

use serde::{Deserialize, Serialize};

/// Optimise the function named in `OptimizeArgs`.
pub const OPTIMIZE: &str = "perforch.optimize";

pub const ALL: &[&str] = &[OPTIMIZE];

/// Which function to optimise, pinned to the document version it was seen in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptimizeArgs {
    pub uri: String,
    pub version: i32,
    pub function: String,
    /// Byte offset of the function's start in that version.
    pub offset: usize,
    pub goal: Goal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    Speed,
}
