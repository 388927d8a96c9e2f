//! Logging setup. stdout carries the LSP protocol, so logs go to stderr, or
//! to the file named by `PERFORCH_LOG_FILE`. `PERFORCH_LOG` sets the filter
//! (`info`, `perforch=debug`, ...).

use std::fs::OpenOptions;
use std::path::PathBuf;

use tracing_subscriber::EnvFilter;

pub const LOG_FILTER_VAR: &str = "PERFORCH_LOG";
pub const LOG_FILE_VAR: &str = "PERFORCH_LOG_FILE";

/// Installs the global subscriber. Never fails the program: a bad filter or an
/// unwritable log file falls back to stderr with a warning.
pub fn init() {
    let filter_spec = std::env::var(LOG_FILTER_VAR).unwrap_or_else(|_| "info".to_string());
    let (filter, bad_filter) = match EnvFilter::try_new(&filter_spec) {
        Ok(filter) => (filter, None),
        Err(error) => (EnvFilter::new("info"), Some(error)),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);

    let log_file = std::env::var_os(LOG_FILE_VAR).map(PathBuf::from);
    let file = log_file.as_ref().map(|path| {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| (path, e))
    });
    match file {
        Some(Ok(file)) => {
            let _ = builder.with_writer(std::sync::Mutex::new(file)).try_init();
        }
        Some(Err((path, error))) => {
            let _ = builder.with_writer(std::io::stderr).try_init();
            tracing::warn!(
                "cannot open log file {} ({error}); logging to stderr instead",
                path.display()
            );
        }
        None => {
            let _ = builder.with_writer(std::io::stderr).try_init();
        }
    }
    if let Some(error) = bad_filter {
        tracing::warn!(
            "{LOG_FILTER_VAR}={filter_spec:?} is not a valid filter ({error}); using `info`"
        );
    }
}
