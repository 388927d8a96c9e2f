//! The executor: builds and runs untrusted candidate code in a sandbox,
//! checks it against tests and measures it.

pub mod error;
pub mod sandbox;

pub use crate::language::Language;
pub use error::ExecutorError;
pub mod config;
mod procfs;
pub mod run;

pub use config::ExecutorConfig;
pub use run::{RunOutcome, RunRequest, RunStatus, run_sandboxed};
pub mod cache;
pub mod program;
pub mod toolchain;
pub mod toolchains;

pub use program::{BuiltProgram, build, prepare_dependencies, run_built};
pub use toolchain::{ProgramKind, SourceFile, SourceProgram, Toolchain, detect};
pub mod doctor;
pub use doctor::{DoctorReport, doctor_report};
pub mod assertion;
pub(crate) mod gofix;
pub(crate) mod source_scan;
pub use assertion::{AssertionOutcome, AssertionParts, compose, run_assertions};
pub mod compare;
pub mod differential;
pub mod driver;
pub mod measure;
pub mod stats;
pub use measure::{MeasureConfig, Measurement, Pairing, measure_driver, measure_programs};
