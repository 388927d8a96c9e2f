//! The `workspace/executeCommand` commands perforch offers, and their arguments.

use serde::{Deserialize, Serialize};

use crate::routing::Metric;

/// Optimise the function named in `OptimizeArgs`, in the background.
pub const OPTIMIZE: &str = "perforch.optimize";
/// Cancel the running job(s) named in `CancelArgs`.
pub const CANCEL: &str = "perforch.cancel";
/// Open the markdown report of a function's last job (`FunctionArgs`).
pub const SHOW_REPORT: &str = "perforch.showReport";

pub const ALL: &[&str] = &[OPTIMIZE, CANCEL, SHOW_REPORT];

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

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    /// Less CPU time.
    Speed,
    /// Lower peak memory.
    Memory,
    /// Write the body of a stub from its tests (then make it fast).
    Generate,
}

impl Goal {
    /// The metric the pipeline judges candidates on.
    pub fn metric(self) -> Metric {
        match self {
            Goal::Speed | Goal::Generate => Metric::Time,
            Goal::Memory => Metric::PeakMemory,
        }
    }
}

/// `perforch.cancel`: the jobs of `function` in `uri`, or every job of
/// `uri` when `function` is absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelArgs {
    pub uri: String,
    #[serde(default)]
    pub function: Option<String>,
}

/// A function of a document, for commands about its last result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionArgs {
    pub uri: String,
    pub function: String,
}
