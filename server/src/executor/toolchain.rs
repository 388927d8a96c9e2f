//! Toolchain adapters: find each language's tools and their versions, build
//! a program inside the sandbox (compilers run untrusted input too), and say
//! how to run the result.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::config::ExecutorConfig;
use super::error::ExecutorError;
use super::sandbox::{SandboxLimits, SandboxPolicy};
use super::toolchains;
use crate::language::Language;

/// One detected tool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub path: PathBuf,
    pub version: String,
}

/// A language's detected tools plus what the sandbox must let them read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toolchain {
    pub language: Language,
    pub tools: Vec<ToolInfo>,
    /// Installation folders the sandbox must expose read-only.
    pub readable: Vec<PathBuf>,
}

impl Toolchain {
    pub fn tool(&self, name: &str) -> &ToolInfo {
        self.tools
            .iter()
            .find(|t| t.name == name)
            .unwrap_or(&self.tools[0])
    }

    /// A short version string identifying the whole toolchain (cache keys).
    pub fn version(&self) -> String {
        self.tools
            .iter()
            .map(|t| format!("{} {}", t.name, t.version))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// What kind of program a set of sources is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProgramKind {
    /// Has its own entry point (`main`, a script).
    Executable,
    /// A test suite run by the language's test harness (Go `_test.go`
    /// via `go test -c`, Rust `#[test]` via `rustc --test`).
    TestHarness,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceFile {
    /// Path relative to the build folder.
    pub path: String,
    pub contents: String,
}

/// Source code ready to build, laid out the way the language expects.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceProgram {
    pub language: Language,
    pub kind: ProgramKind,
    pub files: Vec<SourceFile>,
    /// Built for correctness runs only, never timed: C++ and Rust compile
    /// without optimisation, which builds a driver of hundreds of calls
    /// several times faster (same results: no overflow checks or debug
    /// assertions are turned on).
    #[serde(default)]
    pub quick_build: bool,
}

impl SourceProgram {
    pub fn single(language: Language, kind: ProgramKind, contents: impl Into<String>) -> Self {
        let path = match (language, kind) {
            (Language::Python, _) => "main.py",
            (Language::Java, _) => "Main.java",
            (Language::Cpp, _) => "main.cpp",
            (Language::Go, ProgramKind::Executable) => "main.go",
            (Language::Go, ProgramKind::TestHarness) => "main_test.go",
            (Language::Rust, _) => "main.rs",
        };
        SourceProgram {
            language,
            kind,
            files: vec![SourceFile {
                path: path.to_string(),
                contents: contents.into(),
            }],
            quick_build: false,
        }
    }

    pub fn main_source(&self) -> &str {
        self.files.first().map_or("", |f| f.contents.as_str())
    }
}

/// A command line (program + arguments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandLine {
    pub program: OsString,
    pub args: Vec<OsString>,
}

impl CommandLine {
    pub fn new(program: impl Into<OsString>, args: &[&str]) -> Self {
        CommandLine {
            program: program.into(),
            args: args.iter().map(OsString::from).collect(),
        }
    }
}

/// Find an executable on the parent's PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(candidate)
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

/// Run a trusted helper command (version probes, dependency fetches)
/// outside the sandbox and return stdout+stderr, or None if it failed.
pub fn probe(program: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Some(text.trim().to_string())
}

pub fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_string()
}

pub fn missing(language: Language, tool: &str, hint: &str) -> ExecutorError {
    ExecutorError::ToolchainMissing {
        language,
        tool: tool.to_string(),
        install_hint: hint.to_string(),
    }
}

/// Detect a language's toolchain (cached for the process lifetime: probing
/// a JVM costs ~100 ms).
pub fn detect(language: Language) -> Result<Toolchain, ExecutorError> {
    static CACHE: OnceLock<Vec<(Language, Result<Toolchain, String>)>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        Language::ALL
            .iter()
            .map(|lang| (*lang, detect_uncached(*lang).map_err(|e| e.to_string())))
            .collect()
    });
    let (_, result) = all
        .iter()
        .find(|(lang, _)| *lang == language)
        .expect("every language is probed");
    match result {
        Ok(toolchain) => Ok(toolchain.clone()),
        // Re-run to return the typed error (cheap when the tool is missing).
        Err(_) => detect_uncached(language),
    }
}

pub fn detect_uncached(language: Language) -> Result<Toolchain, ExecutorError> {
    match language {
        Language::Python => toolchains::python::detect(),
        Language::Java => toolchains::java::detect(),
        Language::Cpp => toolchains::cpp::detect(),
        Language::Go => toolchains::go::detect(),
        Language::Rust => toolchains::rust::detect(),
    }
}

/// How to build and run one program: per-language command lines and
/// sandbox additions.
pub struct BuildPlan {
    /// Generated files written next to the sources (go.mod, go.sum).
    pub extra_files: Vec<SourceFile>,
    /// None: nothing to compile (Python is byte-compiled as a syntax check).
    pub build: Option<CommandLine>,
    /// Files (relative to the build folder) that make up the built program.
    pub artifacts: Vec<String>,
    pub run: CommandLine,
    /// Extra environment / folders for the build step.
    pub build_env: Vec<(String, String)>,
    pub build_writable: Vec<PathBuf>,
    pub build_readable: Vec<PathBuf>,
    /// Extra environment / folders for the run step.
    pub run_env: Vec<(String, String)>,
    pub run_readable: Vec<PathBuf>,
    /// Compiler flags that change the artifact (part of the cache key).
    pub flags: String,
}

pub fn plan(
    config: &ExecutorConfig,
    toolchain: &Toolchain,
    program: &SourceProgram,
) -> Result<BuildPlan, ExecutorError> {
    match program.language {
        Language::Python => Ok(toolchains::python::plan(toolchain, program)),
        Language::Java => Ok(toolchains::java::plan(toolchain, program)),
        Language::Cpp => Ok(toolchains::cpp::plan(toolchain, program)),
        Language::Go => toolchains::go::plan(config, toolchain, program),
        Language::Rust => toolchains::rust::plan(config, toolchain, program),
    }
}

/// Sandbox policy for building.
pub fn build_policy(toolchain: &Toolchain, plan: &BuildPlan) -> SandboxPolicy {
    let mut policy = SandboxPolicy::new(SandboxLimits::for_build());
    policy.readable = toolchain.readable.clone();
    policy.readable.extend(plan.build_readable.iter().cloned());
    policy.writable = plan.build_writable.clone();
    policy.env = plan.build_env.clone();
    policy
}

/// Sandbox policy for running with the given limits.
pub fn run_policy(toolchain: &Toolchain, plan: &BuildPlan, limits: SandboxLimits) -> SandboxPolicy {
    let mut limits = limits;
    if !tolerates_address_space_limit(toolchain.language) {
        limits.address_space_limit = false;
    }
    if toolchain.language == Language::Java {
        // The JVM starts a dozen threads; threads count as processes.
        limits.nproc = limits.nproc.max(512);
    }
    let mut policy = SandboxPolicy::new(limits);
    policy.readable = toolchain.readable.clone();
    policy.readable.extend(plan.run_readable.iter().cloned());
    policy.env = plan.run_env.clone();
    policy
}

/// Runtimes that reserve far more virtual memory than they use (JVM heaps,
/// Go's arena) die under RLIMIT_AS, so their memory is capped another way.
fn tolerates_address_space_limit(language: Language) -> bool {
    matches!(language, Language::Python | Language::Cpp | Language::Rust)
}
