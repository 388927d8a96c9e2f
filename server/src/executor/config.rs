//! Executor configuration.

use std::path::PathBuf;

/// How the executor finds its launcher and where it keeps shared caches.
#[derive(Clone, Debug)]
pub struct ExecutorConfig {
    /// The perforch binary; runs as `LAUNCHER sandbox-exec ...`.
    pub launcher: PathBuf,
    /// Dependency caches (Go module cache, cargo vendor folder) and the
    /// artifact cache. Must not be under a folder the sandbox uid cannot read.
    pub cache_dir: PathBuf,
    /// Create per-run cgroups when running as root.
    pub use_cgroups: bool,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        ExecutorConfig {
            launcher: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("perforch")),
            cache_dir: default_cache_dir(),
            use_cgroups: true,
        }
    }
}

impl ExecutorConfig {
    pub fn with_launcher(launcher: impl Into<PathBuf>) -> Self {
        ExecutorConfig {
            launcher: launcher.into(),
            ..ExecutorConfig::default()
        }
    }
}

/// `$PERFORCH_CACHE_DIR`, else `/var/tmp/perforch-cache` (world-traversable,
/// survives reboots; a user's home often is not traversable by the sandbox uid).
pub fn default_cache_dir() -> PathBuf {
    std::env::var_os("PERFORCH_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/perforch-cache"))
}
