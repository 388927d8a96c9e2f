//! Go: a module in the build folder, built offline (`GOPROXY=off`) against
//! a module cache filled once by `prepare` outside the sandbox.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::executor::config::ExecutorConfig;
use crate::executor::error::ExecutorError;
use crate::executor::sandbox::{SANDBOX_GID, SANDBOX_UID};
use crate::executor::toolchain::{
    BuildPlan, CommandLine, ProgramKind, SourceFile, SourceProgram, ToolInfo, Toolchain, missing,
    probe, which,
};
use crate::language::Language;

const HINT: &str = "install Go from https://go.dev/dl or with `apt-get install golang`";
const MODULE: &str = "perforchrun";
/// Third-party modules test programs may import.
const KNOWN_MODULES: &[&str] = &["github.com/stretchr/testify"];

pub fn detect() -> Result<Toolchain, ExecutorError> {
    let go = which("go")
        .or_else(|| Some(PathBuf::from("/usr/local/go/bin/go")).filter(|p| p.exists()))
        .ok_or_else(|| missing(Language::Go, "go", HINT))?;
    let env = probe(&go, &["env", "GOROOT", "GOVERSION"])
        .ok_or_else(|| missing(Language::Go, "go", HINT))?;
    let mut lines = env.lines();
    let goroot = PathBuf::from(lines.next().unwrap_or("/usr/local/go"));
    let version = lines.next().unwrap_or("unknown").to_string();
    Ok(Toolchain {
        language: Language::Go,
        tools: vec![ToolInfo {
            name: "go".into(),
            path: goroot.join("bin/go"),
            version,
        }],
        readable: vec![goroot],
    })
}

pub(crate) struct GoCache {
    /// GOMODCACHE: downloaded modules (read-only in the sandbox).
    pub(crate) modules: PathBuf,
    /// GOCACHE: compiled packages. Writable during builds only: the Go
    /// compiler runs no code from the sources it compiles (cgo is off), so
    /// only trusted tools write here; untrusted runs never see it.
    pub(crate) build: PathBuf,
    /// go.mod/go.sum requiring the known modules.
    template: PathBuf,
}

pub(crate) fn cache(cache_dir: &Path) -> GoCache {
    let root = cache_dir.join("go");
    GoCache {
        modules: root.join("mod"),
        build: root.join("build"),
        template: root.join("template"),
    }
}

pub(crate) fn common_env(toolchain: &Toolchain, cache: &GoCache) -> Vec<(String, String)> {
    let goroot = toolchain.readable[0].display().to_string();
    vec![
        ("GOROOT".into(), goroot.clone()),
        (
            "PATH".into(),
            format!("{goroot}/bin:/usr/local/bin:/usr/bin:/bin"),
        ),
        ("GOMODCACHE".into(), cache.modules.display().to_string()),
        ("GOCACHE".into(), cache.build.display().to_string()),
        ("GOFLAGS".into(), "-mod=mod".into()),
        ("GOTOOLCHAIN".into(), "local".into()),
        ("GOTELEMETRY".into(), "off".into()),
        ("CGO_ENABLED".into(), "0".into()),
    ]
}

fn needs_modules(program: &SourceProgram) -> bool {
    program
        .files
        .iter()
        .any(|f| KNOWN_MODULES.iter().any(|m| f.contents.contains(m)))
}

pub fn plan(
    config: &ExecutorConfig,
    toolchain: &Toolchain,
    program: &SourceProgram,
) -> Result<BuildPlan, ExecutorError> {
    let go = toolchain.tool("go").path.clone();
    let cache = cache(&config.cache_dir);
    let mut extra_files = Vec::new();
    if needs_modules(program) {
        let read = |name: &str| std::fs::read_to_string(cache.template.join(name));
        match (read("go.mod"), read("go.sum")) {
            (Ok(go_mod), Ok(go_sum)) => {
                extra_files.push(SourceFile {
                    path: "go.mod".into(),
                    contents: go_mod,
                });
                extra_files.push(SourceFile {
                    path: "go.sum".into(),
                    contents: go_sum,
                });
            }
            _ => {
                return Err(ExecutorError::DependencyPreparation {
                    language: Language::Go,
                    detail: format!(
                        "the program imports {} but {} has not been prepared",
                        KNOWN_MODULES.join(", "),
                        cache.template.display()
                    ),
                });
            }
        }
    } else {
        extra_files.push(SourceFile {
            path: "go.mod".into(),
            contents: format!("module {MODULE}\n\ngo 1.21\n"),
        });
    }
    // `-s -w`: no symbol table or DWARF. Panics still print full stack
    // traces (they come from the runtime's own tables), and the binaries
    // the artifact cache keeps are a third smaller.
    let (build, artifact) = match program.kind {
        ProgramKind::Executable => (
            CommandLine::new(
                go,
                &["build", "-trimpath", "-ldflags=-s -w", "-o", "main", "."],
            ),
            "main",
        ),
        ProgramKind::TestHarness => (
            CommandLine::new(
                go,
                &[
                    "test",
                    "-c",
                    "-trimpath",
                    "-ldflags=-s -w",
                    "-o",
                    "main.test",
                    ".",
                ],
            ),
            "main.test",
        ),
    };
    let mut build_env = common_env(toolchain, &cache);
    build_env.push(("GOPROXY".into(), "off".into()));
    build_env.push(("GOSUMDB".into(), "off".into()));
    ensure_build_cache(&cache.build);
    Ok(BuildPlan {
        extra_files,
        build: Some(build),
        artifacts: vec![artifact.into()],
        run: CommandLine::new(format!("./{artifact}"), &[]),
        build_env,
        build_writable: vec![cache.build.clone()],
        build_readable: vec![cache.modules.clone()],
        run_env: Vec::new(),
        run_readable: Vec::new(),
        flags: "-trimpath -ldflags=-s -w CGO_ENABLED=0".into(),
    })
}

fn run_trusted(command: &mut Command, what: &str) -> Result<(), ExecutorError> {
    let output = command
        .output()
        .map_err(|e| ExecutorError::DependencyPreparation {
            language: Language::Go,
            detail: format!("{what}: {e}"),
        })?;
    if !output.status.success() {
        return Err(ExecutorError::DependencyPreparation {
            language: Language::Go,
            detail: format!("{what}: {}", String::from_utf8_lossy(&output.stderr)),
        });
    }
    Ok(())
}

/// Fetch the known modules into the module cache and warm the build cache
/// (standard library + testify), outside the sandbox. Idempotent.
pub fn prepare(cache_dir: &Path) -> Result<(), ExecutorError> {
    let toolchain = detect()?;
    let cache = cache(cache_dir);
    if cache.template.join("go.sum").exists() {
        return Ok(());
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExecutorError::Cache { path, source }
    };
    std::fs::create_dir_all(&cache.template).map_err(io(&cache.template))?;
    std::fs::create_dir_all(&cache.build).map_err(io(&cache.build))?;
    std::fs::write(
        cache.template.join("go.mod"),
        format!("module {MODULE}\n\ngo 1.21\n"),
    )
    .map_err(io(&cache.template))?;
    std::fs::write(
        cache.template.join("warm_test.go"),
        "package main\n\nimport (\n\t\"testing\"\n\t\"fmt\"\n\t\"github.com/stretchr/testify/assert\"\n)\n\nfunc TestWarm(t *testing.T) { assert.New(t).Equal(1, 1); fmt.Sprint(1) }\n",
    )
    .map_err(io(&cache.template))?;
    let env = common_env(&toolchain, &cache);
    let go = toolchain.tool("go").path.clone();
    let mut tidy = Command::new(&go);
    tidy.args(["mod", "tidy"])
        .current_dir(&cache.template)
        .envs(env.iter().cloned())
        .env("HOME", cache_dir);
    run_trusted(&mut tidy, "go mod tidy")?;
    ensure_build_cache(&cache.build);
    let mut warm = Command::new(&go);
    warm.args(["test", "-c", "-trimpath", "-o", "/dev/null", "."])
        .current_dir(&cache.template)
        .envs(env.iter().cloned())
        .env("HOME", cache_dir);
    run_trusted(&mut warm, "go test -c (warming the build cache)")?;
    let _ = std::fs::remove_file(cache.template.join("warm_test.go"));
    // Sandboxed builds run as the sandbox uid and must add to GOCACHE.
    // (Callers run this before their first Go build: a sandboxed build
    // racing with the warm-up could meet root-owned cache folders.)
    chown_tree(&cache.build);
    Ok(())
}

fn chown_tree(path: &Path) {
    if !is_root() {
        return;
    }
    let _ = std::os::unix::fs::lchown(path, Some(SANDBOX_UID), Some(SANDBOX_GID));
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                chown_tree(&entry.path());
            } else {
                let _ =
                    std::os::unix::fs::lchown(entry.path(), Some(SANDBOX_UID), Some(SANDBOX_GID));
            }
        }
    }
}

fn is_root() -> bool {
    // SAFETY: plain getter.
    unsafe { libc::geteuid() == 0 }
}

/// GOCACHE must exist and belong to the sandbox uid before any build.
pub(crate) fn ensure_build_cache(path: &Path) {
    let _ = std::fs::create_dir_all(path);
    if is_root() {
        use std::os::unix::fs::MetadataExt;
        let owned = std::fs::metadata(path)
            .map(|m| m.uid() == SANDBOX_UID)
            .unwrap_or(false);
        if !owned {
            let _ = std::os::unix::fs::lchown(path, Some(SANDBOX_UID), Some(SANDBOX_GID));
        }
    }
}
