//! `perforch eval`: a public benchmark's own solutions (no model) through
//! the executor, to check that the executor judges correctly: every
//! canonical solution must pass its tests, every buggy one must be
//! rejected, except items listed with a reason in the known-issues file.
//!
//! Plain Rust, no CLI types: `cli/eval.rs` is the command-line edge.

pub mod dataset;
pub mod error;
pub mod known;
pub mod mutation;
pub mod perf;
pub mod pipeline_stage;
pub mod program;
pub mod record;
pub mod replay;
pub mod replay_check;
pub mod runner;
pub mod stage_summary;
pub mod stages;
pub mod summary;

pub use dataset::{Dataset, DatasetKind, Expectation, SolutionKind, Task};
pub use error::EvalError;
pub use known::{KnownIssue, KnownIssues};
pub use perf::{PerfBench, PerfRecord, PerfStatus};
pub use program::task_program;
pub use record::{Keyed, ResultsFile, TaskRecord, TaskStatus, summary_path};
pub use replay::{ReplayFile, ReplayTask};
pub use replay_check::{ReplayIssues, ReplaySummary, run_replay};
pub use runner::{Evaluator, prepare_toolchains};
pub use stage_summary::StageSummary;
pub use stages::{EvalModel, EvalStage, StageRecord, StageRunner};
pub use summary::Summary;
