//! Errors of test discovery and test runs. A failing or non-compiling test
//! run is NOT an error (it is described by the report); these are the cases
//! where perforch could not look for or run the tests at all.

use std::path::PathBuf;

use crate::executor::ExecutorError;
use crate::language::Language;

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error(
        "{file} is not inside the workspace {root}; pass the workspace folder that contains the file"
    )]
    OutsideWorkspace { file: PathBuf, root: PathBuf },
    #[error("could not read {path}: {source}; check that it exists and is readable")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "could not prepare the test copy of the workspace at {path}: {source}; check free space and permissions of the cache folder"
    )]
    Copy {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the workspace has more than {limit} (files or megabytes) to copy for a test run; list the tests to run in perforch.toml under [[tests.suites]] or open a smaller folder"
    )]
    WorkspaceTooLarge { limit: u64 },
    #[error("replacement path {path} must be relative to the workspace root and stay inside it")]
    BadReplacementPath { path: PathBuf },
    #[error("invalid test configuration: {0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("{runner} is needed to run the {language} tests but is not available: {hint}")]
    RunnerMissing {
        language: Language,
        runner: String,
        hint: String,
    },
    #[error("fetching test dependencies for {language} failed: {detail}")]
    Dependencies { language: Language, detail: String },
    /// The function has tests, but none of them can run here (see
    /// [`super::DiscoveredTests::cannot_run`]); judging it as if it had
    /// none would hide that.
    #[error("{}", reasons.join("; "))]
    TestsCannotRun { reasons: Vec<String> },
    #[error(transparent)]
    Executor(#[from] ExecutorError),
}

impl DiscoveryError {
    pub(crate) fn read(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DiscoveryError::Read {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn copy(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DiscoveryError::Copy {
            path: path.into(),
            source,
        }
    }
}
