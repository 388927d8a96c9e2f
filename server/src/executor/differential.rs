//! Differential runs: build the generated driver and check that the
//! candidate behaves like the original on every input.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::compare::{
    CallRecord, Mismatch, Tolerance, compare_records, parse_records, parse_stopped_records,
};
use super::config::ExecutorConfig;
use super::driver::{self, DiffSpec, DriverMode};
use super::error::ExecutorError;
use super::program::{BuiltProgram, build, run_built};
use super::run::{RunOutcome, RunStatus};
use super::sandbox::SandboxLimits;
use super::toolchain::Toolchain;

/// Generate and build the driver for `spec` (sandboxed, cached).
pub fn build_driver(
    config: &ExecutorConfig,
    toolchain: &Toolchain,
    spec: &DiffSpec,
    work_dir: &Path,
) -> Result<BuiltProgram, ExecutorError> {
    let program = driver::generate(spec)?;
    build(config, toolchain, &program, work_dir)
}

/// One run of a built driver: its outcome and the parsed call records.
pub fn run_driver(
    config: &ExecutorConfig,
    built: &BuiltProgram,
    mode: DriverMode,
    limits: SandboxLimits,
) -> Result<(RunOutcome, Vec<CallRecord>), ExecutorError> {
    let outcome = run_built(config, built, limits, &[mode.arg()])?;
    let stdout = outcome.stdout_text();
    let records = if outcome.succeeded() {
        parse_records(&stdout)?
    } else {
        parse_stopped_records(&stdout)?
    };
    Ok((outcome, records))
}

/// Verdict of a differential check.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DiffOutcome {
    pub equivalent: bool,
    pub mismatches: Vec<Mismatch>,
    pub records: Vec<CallRecord>,
    /// The batch did not finish (timeout, crash, limit): its status, and
    /// the first input without a record for both implementations.
    pub incomplete: Option<(RunStatus, usize)>,
    pub run: RunOutcome,
}

/// Build the driver and call both implementations on every input.
pub fn check_equivalence(
    config: &ExecutorConfig,
    toolchain: &Toolchain,
    spec: &DiffSpec,
    work_dir: &Path,
    tolerance: Tolerance,
    limits: SandboxLimits,
) -> Result<DiffOutcome, ExecutorError> {
    let built = build_driver(config, toolchain, spec, work_dir)?;
    let (run, records) = run_driver(config, &built, DriverMode::Both, limits)?;
    let mismatches = compare_records(&records, spec.inputs.len(), tolerance);
    let incomplete = (!run.succeeded()).then(|| {
        let first_missing = (0..spec.inputs.len())
            .find(|call| records.iter().filter(|r| r.call == *call).count() < 2)
            .unwrap_or(spec.inputs.len());
        (run.status.clone(), first_missing)
    });
    Ok(DiffOutcome {
        equivalent: mismatches.is_empty() && incomplete.is_none(),
        mismatches,
        records,
        incomplete,
        run,
    })
}
