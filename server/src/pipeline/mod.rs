//! The optimisation pipeline: PerfOrch's stages and routing, PerfCodeGen's
//! execution feedback and MARCO's evaluator loop, over the executor and the
//! model layer. Plain Rust: the CLI, the language server and the benchmarks
//! all drive [`optimize`].

pub mod budget;
pub mod candidate;
pub mod differential;
pub mod edits;
pub mod evidence;
mod go_imports;
pub mod headers;
pub mod job;
pub mod judge;
pub mod layout;
pub mod mutation;
pub mod own_file;
pub mod prompts;
pub mod report;
pub mod scaling;
pub mod verify;
pub mod workspace_tests;

pub use candidate::{CandidateCode, CandidateError, TextEdit, apply_edits};
pub use edits::edits_between;
pub use job::{
    Engine, JobRequest, PipelineError, Progress, Step, StepProgress, optimize, optimize_with_steps,
};
pub use judge::{Baseline, Figures, Outcome, SideSummary, Workbench};
pub use mutation::MutationScore;
pub use report::{Iteration, JobVerdict, MutationReport, Report};
