//! Shared helpers for the executor integration tests.
#![allow(dead_code)]

pub mod hostile;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use perforch::executor::ExecutorConfig;

pub fn config() -> ExecutorConfig {
    let mut config = ExecutorConfig::with_launcher(env!("CARGO_BIN_EXE_perforch"));
    config.cache_dir = cache_dir();
    config
}

/// Fetch Go modules and Rust crates once (serialised across test binaries
/// by a lock in the cache); call before building Go or Rust programs.
pub fn prepared_config() -> ExecutorConfig {
    let config = config();
    let problems = perforch::executor::prepare_dependencies(&config.cache_dir);
    assert!(
        problems.is_empty(),
        "dependency preparation failed: {problems:?}"
    );
    config
}

/// One cache shared by all test binaries so dependencies are fetched once.
pub fn cache_dir() -> PathBuf {
    let dir = std::env::var_os("PERFORCH_TEST_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/perforch-test-cache"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// A temporary folder the sandbox uid can traverse (tempfile makes 0700 ones).
pub struct TestDir {
    pub dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("perforch-test")
            .tempdir()
            .unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        TestDir { dir }
    }

    pub fn run_dir(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(&path).unwrap();
        path
    }
}

/// Rows of a HumanEval-X file, read from the shared datasets folder.
pub fn humaneval(file_language: &str) -> Vec<serde_json::Value> {
    use std::io::BufRead;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/datasets/humaneval-x")
        .join(format!("humaneval_{file_language}.jsonl.gz"));
    let path = if path.exists() {
        path
    } else {
        PathBuf::from(format!(
            "/work/shared/datasets/humaneval-x/humaneval_{file_language}.jsonl.gz"
        ))
    };
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::io::BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|line| serde_json::from_str(&line.unwrap()).unwrap())
        .collect()
}

/// A public benchmark from `../shared/datasets` beside the repository.
pub fn dataset_dir(name: &str) -> PathBuf {
    let beside_repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/datasets")
        .join(name);
    let dir = if beside_repo.is_dir() {
        beside_repo
    } else {
        PathBuf::from("/work/shared/datasets").join(name)
    };
    assert!(
        dir.is_dir(),
        "the {name} benchmark is missing: expected ../shared/datasets/{name} beside the repository"
    );
    dir
}
