//! Trusted steps, outside the sandbox, that fetch or build what test
//! runners need, once, into the executor's cache folder: the JUnit console
//! launcher (Maven Central), Go's `test2json` (built from GOROOT), the Go
//! modules a workspace requires (Go proxy) and the crates a Rust workspace
//! depends on (crates.io, vendored). They read manifests but never build or
//! run the user's code; everything that does runs later in the sandbox,
//! offline.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::error::DiscoveryError;
use crate::executor::toolchains::go;
use crate::executor::{Toolchain, detect};
use crate::language::Language;

/// The JUnit Platform console launcher (with the Jupiter engine and API).
pub(crate) const JUNIT_CONSOLE: (&str, &str, &str) = (
    "org.junit.platform",
    "junit-platform-console-standalone",
    "1.11.4",
);

/// Fetch what the test runners need ahead of the first run (a CI step, or
/// `perforch doctor`-style warm-up). Runs also do this on demand; languages
/// whose toolchain is missing are reported, not fatal.
pub fn prepare_test_dependencies(cache_dir: &Path) -> Vec<(Language, DiscoveryError)> {
    let mut problems = Vec::new();
    if let Err(e) = junit_console(cache_dir) {
        problems.push((Language::Java, e));
    }
    match detect(Language::Go) {
        Ok(toolchain) => {
            if let Err(e) = test2json(cache_dir, &toolchain) {
                problems.push((Language::Go, e));
            }
        }
        Err(e) => problems.push((Language::Go, e.into())),
    }
    problems
}

/// Serialises preparers (threads and processes) on one lock file.
struct PrepareLock(#[allow(dead_code)] std::fs::File);

fn lock(cache_dir: &Path) -> Result<PrepareLock, DiscoveryError> {
    use std::os::fd::AsRawFd;
    let path = cache_dir.join(".prepare-tests.lock");
    std::fs::create_dir_all(cache_dir).map_err(|e| DiscoveryError::copy(cache_dir, e))?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| DiscoveryError::copy(&path, e))?;
    // SAFETY: flock on a descriptor we own; released when the file closes.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    Ok(PrepareLock(file))
}

fn failure(
    language: Language,
    what: &str,
    output: std::io::Result<std::process::Output>,
) -> Result<(), DiscoveryError> {
    match output {
        Ok(output) if output.status.success() => Ok(()),
        Ok(output) => Err(DiscoveryError::Dependencies {
            language,
            detail: format!(
                "{what} failed: {}{}",
                String::from_utf8_lossy(&output.stderr).trim(),
                String::from_utf8_lossy(&output.stdout).trim()
            ),
        }),
        Err(e) => Err(DiscoveryError::Dependencies {
            language,
            detail: format!("could not start {what}: {e}"),
        }),
    }
}

/// The console launcher jar, fetched once with Maven into the cache.
pub(crate) fn junit_console(cache_dir: &Path) -> Result<PathBuf, DiscoveryError> {
    let (group, artifact, version) = JUNIT_CONSOLE;
    let dir = cache_dir.join("java");
    let jar = dir.join(format!("{artifact}-{version}.jar"));
    if jar.exists() {
        return Ok(jar);
    }
    let _lock = lock(cache_dir)?;
    if jar.exists() {
        return Ok(jar);
    }
    let mvn =
        crate::executor::toolchain::which("mvn").ok_or_else(|| DiscoveryError::RunnerMissing {
            language: Language::Java,
            runner: "Maven (to fetch the JUnit console launcher once)".into(),
            hint: "install it with `apt-get install maven`".into(),
        })?;
    let staging = dir.join("staging");
    let output = Command::new(mvn)
        .args(["-q", "-B", "dependency:copy"])
        .arg(format!("-Dartifact={group}:{artifact}:{version}"))
        .arg(format!("-DoutputDirectory={}", staging.display()))
        .arg(format!("-Dmaven.repo.local={}", dir.join("m2").display()))
        .current_dir(cache_dir)
        .output();
    failure(
        Language::Java,
        "mvn dependency:copy (JUnit console launcher)",
        output,
    )?;
    let fetched = staging.join(format!("{artifact}-{version}.jar"));
    std::fs::rename(&fetched, &jar).map_err(|e| DiscoveryError::copy(&fetched, e))?;
    Ok(jar)
}

/// `test2json`, which turns a Go test binary's output into JSON events (what
/// `go test -json` does). Built once from GOROOT: newer Go releases no
/// longer ship it prebuilt.
pub(crate) fn test2json(
    cache_dir: &Path,
    toolchain: &Toolchain,
) -> Result<PathBuf, DiscoveryError> {
    let version = toolchain.tool("go").version.clone();
    let dir = cache_dir.join("go").join("tools").join(&version);
    let binary = dir.join("test2json");
    if binary.exists() {
        return Ok(binary);
    }
    let _lock = lock(cache_dir)?;
    if binary.exists() {
        return Ok(binary);
    }
    let scratch = dir.join("gocache");
    let goroot = &toolchain.readable[0];
    let output = Command::new(&toolchain.tool("go").path)
        .args(["build", "-trimpath", "-o"])
        .arg(&binary)
        .arg("cmd/test2json")
        .current_dir(goroot)
        .env("GOROOT", goroot)
        .env("GOCACHE", &scratch)
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .output();
    let _ = std::fs::remove_dir_all(&scratch);
    failure(Language::Go, "go build cmd/test2json", output)?;
    Ok(binary)
}

/// Download the modules a Go module requires into the shared module cache
/// (read-only to sandboxed builds). Reads only go.mod and go.sum, copied to a
/// private folder, so nothing of the workspace is touched or executed.
pub(crate) fn go_modules(
    cache_dir: &Path,
    toolchain: &Toolchain,
    module_dir: &Path,
) -> Result<(), DiscoveryError> {
    let go_mod = std::fs::read_to_string(module_dir.join("go.mod"))
        .map_err(|e| DiscoveryError::read(module_dir.join("go.mod"), e))?;
    if !go_mod
        .lines()
        .any(|line| line.trim_start().starts_with("require"))
    {
        return Ok(());
    }
    let go_sum = std::fs::read_to_string(module_dir.join("go.sum")).unwrap_or_default();
    let key = hash(&[&go_mod, &go_sum]);
    let cache = go::cache(cache_dir);
    let done = cache_dir.join("go").join("downloaded").join(&key);
    if done.exists() {
        return Ok(());
    }
    let _lock = lock(cache_dir)?;
    let work = cache_dir.join("go").join("download-work").join(&key);
    std::fs::create_dir_all(&work).map_err(|e| DiscoveryError::copy(&work, e))?;
    let write = |name: &str, text: &str| {
        std::fs::write(work.join(name), text).map_err(|e| DiscoveryError::copy(work.join(name), e))
    };
    write("go.mod", &go_mod)?;
    write("go.sum", &go_sum)?;
    let goroot = &toolchain.readable[0];
    let output = Command::new(&toolchain.tool("go").path)
        .args(["mod", "download", "all"])
        .current_dir(&work)
        .env("GOROOT", goroot)
        .env("GOMODCACHE", &cache.modules)
        .env("GOCACHE", work.join("gocache"))
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .env("HOME", cache_dir)
        .output();
    let _ = std::fs::remove_dir_all(&work);
    failure(Language::Go, "go mod download", output)?;
    std::fs::create_dir_all(&done).map_err(|e| DiscoveryError::copy(&done, e))?;
    Ok(())
}

/// Vendor the crates of the Cargo workspace in `workspace_dir` (a private
/// copy) into the cache, keyed by its Cargo.lock. Returns the cargo
/// configuration that points builds at them, or None when the workspace
/// has no registry or git dependencies.
pub(crate) fn vendor_crates(
    cache_dir: &Path,
    toolchain: &Toolchain,
    workspace_dir: &Path,
) -> Result<Option<String>, DiscoveryError> {
    let cargo = toolchain.tool("cargo").path.clone();
    let sysroot = &toolchain.readable[0];
    let cargo_command = |args: &[&str]| {
        let mut command = Command::new(&cargo);
        command
            .args(args)
            .current_dir(workspace_dir)
            .env("RUSTC", toolchain.tool("rustc").path.clone())
            .env(
                "PATH",
                format!("{}/bin:/usr/local/bin:/usr/bin:/bin", sysroot.display()),
            )
            .env_remove("CARGO_TARGET_DIR");
        command
    };
    let lock_path = workspace_dir.join("Cargo.lock");
    if !lock_path.exists() {
        // Resolving versions reads the registry index; no code runs.
        let output = cargo_command(&["generate-lockfile", "--quiet"]).output();
        failure(Language::Rust, "cargo generate-lockfile", output)?;
    }
    let lock_text =
        std::fs::read_to_string(&lock_path).map_err(|e| DiscoveryError::read(&lock_path, e))?;
    if !lock_text.lines().any(|l| l.starts_with("source = ")) {
        return Ok(None);
    }
    let key = hash(&[&lock_text]);
    let vendor_root = cache_dir.join("rust").join("vendor").join(&key);
    let config_file = vendor_root.join("config.toml");
    let cached = || {
        std::fs::read_to_string(&config_file)
            .ok()
            .filter(|config| config.contains("vendored-sources"))
    };
    if let Some(config) = cached() {
        return Ok(Some(config));
    }
    let _lock = lock(cache_dir)?;
    if let Some(config) = cached() {
        return Ok(Some(config));
    }
    // The source replacement to use is printed on stdout (not with --quiet).
    let output = cargo_command(&["vendor", "--versioned-dirs"])
        .arg(vendor_root.join("crates"))
        .output();
    let config = match &output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => String::new(),
    };
    failure(Language::Rust, "cargo vendor", output)?;
    if !config.contains("vendored-sources") {
        return Err(DiscoveryError::Dependencies {
            language: Language::Rust,
            detail: format!("cargo vendor printed no source replacement: {config}"),
        });
    }
    std::fs::write(&config_file, &config).map_err(|e| DiscoveryError::copy(&config_file, e))?;
    Ok(Some(config))
}

fn hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}
