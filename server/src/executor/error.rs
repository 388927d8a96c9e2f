//! Errors of the executor. Every message tells the user what to do next.

use crate::language::Language;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    #[error("{tool} not found (needed for {language}): {install_hint}")]
    ToolchainMissing {
        language: Language,
        tool: String,
        install_hint: String,
    },
    #[error(
        "could not prepare run folder {path}: {source}; check that the parent folder is writable"
    )]
    RunDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "could not start the sandbox launcher {launcher}: {source}; pass a valid `ExecutorConfig::launcher` (the perforch binary)"
    )]
    LauncherSpawn {
        launcher: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("build of the {language} program failed:\n{diagnostics}")]
    BuildFailed {
        language: Language,
        diagnostics: String,
    },
    #[error(
        "dependency preparation for {language} failed: {detail}; check registry access and retry `prepare_dependencies`"
    )]
    DependencyPreparation { language: Language, detail: String },
    #[error(
        "the test harness printed output that could not be parsed ({detail}); this is a perforch bug, please report it with the program"
    )]
    HarnessOutput { detail: String },
    #[error("cache folder {path}: {source}; check permissions or choose another cache folder")]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot generate the differential driver: {0}")]
    Driver(#[from] crate::executor::driver::DriverError),
    #[error(
        "a measurement run of the {side} failed ({status}); measure only programs that pass their tests"
    )]
    MeasurementRunFailed { side: String, status: String },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ExecutorError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ExecutorError::Io {
            path: path.into(),
            source,
        }
    }
}
