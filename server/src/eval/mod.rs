//! `perforch eval`: a public benchmark's own solutions (no model) through
//! the executor, to check that the executor judges correctly: every
//! canonical solution must pass its tests, every buggy one must be
//! rejected, except items listed with a reason in the known-issues file.
//!
//! Plain Rust, no CLI types: `cli/eval.rs` is the command-line edge.

pub mod dataset;
pub mod error;
pub mod known;
pub mod program;
pub mod record;
pub mod runner;
pub mod summary;

pub use dataset::{Dataset, DatasetKind, Expectation, SolutionKind, Task};
pub use error::EvalError;
pub use known::{KnownIssue, KnownIssues};
pub use program::task_program;
pub use record::{ResultsFile, TaskRecord, TaskStatus, summary_path};
pub use runner::{Evaluator, prepare_toolchains};
pub use summary::Summary;
