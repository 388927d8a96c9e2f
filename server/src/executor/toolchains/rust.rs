//! Rust: `rustc -O` on a single file. Crates a test program may use (rand
//! 0.4, regex, md5) are compiled once, outside the sandbox, by a cargo
//! project in the cache; sandboxed builds link them with `--extern`, so they
//! are fully offline and run no build scripts or proc macros of their own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::executor::config::ExecutorConfig;
use crate::executor::error::ExecutorError;
use crate::executor::toolchain::{
    BuildPlan, CommandLine, ProgramKind, SourceProgram, ToolInfo, Toolchain, missing, probe, which,
};
use crate::language::Language;

const HINT: &str = "install Rust with rustup (https://rustup.rs) or `apt-get install rustc cargo`";
/// Crates available to test programs, as `name = "version"` lines.
const CRATES: &[(&str, &str)] = &[("rand", "0.4"), ("regex", "1"), ("md5", "0.7")];
const EDITION: &str = "2021";

pub fn detect() -> Result<Toolchain, ExecutorError> {
    let rustc_on_path = which("rustc").ok_or_else(|| missing(Language::Rust, "rustc", HINT))?;
    // rustup's proxies need the user's home; use the toolchain's real binaries.
    let sysroot = probe(&rustc_on_path, &["--print", "sysroot"])
        .map(PathBuf::from)
        .ok_or_else(|| missing(Language::Rust, "rustc", HINT))?;
    let rustc = sysroot.join("bin/rustc");
    let version =
        probe(&rustc, &["--version"]).ok_or_else(|| missing(Language::Rust, "rustc", HINT))?;
    let cargo = sysroot.join("bin/cargo");
    let cargo_version = probe(&cargo, &["--version"]).unwrap_or_else(|| "not found".into());
    Ok(Toolchain {
        language: Language::Rust,
        tools: vec![
            ToolInfo {
                name: "rustc".into(),
                path: rustc,
                version,
            },
            ToolInfo {
                name: "cargo".into(),
                path: cargo,
                version: cargo_version,
            },
        ],
        readable: vec![sysroot],
    })
}

fn deps_root(cache_dir: &Path) -> PathBuf {
    cache_dir.join("rust")
}

fn manifest_path(cache_dir: &Path) -> PathBuf {
    deps_root(cache_dir).join("externs.json")
}

fn uses_crate(program: &SourceProgram, name: &str) -> bool {
    program.files.iter().any(|f| {
        f.contents.contains(&format!("{name}::"))
            || f.contents.contains(&format!("use {name};"))
            || f.contents.contains(&format!("extern crate {name}"))
    })
}

pub fn plan(
    config: &ExecutorConfig,
    toolchain: &Toolchain,
    program: &SourceProgram,
) -> Result<BuildPlan, ExecutorError> {
    let rustc = toolchain.tool("rustc").path.clone();
    let mut args: Vec<String> = vec![
        "-O".into(),
        "--edition".into(),
        EDITION.into(),
        "-o".into(),
        "main".into(),
        // Warnings in generated or candidate code are noise here.
        "-A".into(),
        "warnings".into(),
        // The standard library's debug info would make every binary (and
        // every artifact cache entry) about 6 MB instead of 1 MB; panic
        // messages do not need it.
        "-C".into(),
        "strip=debuginfo".into(),
    ];
    if program.quick_build {
        args.retain(|arg| arg != "-O");
        for off in ["overflow-checks=off", "debug-assertions=off"] {
            args.extend(["-C".into(), off.into()]);
        }
    }
    if program.kind == ProgramKind::TestHarness {
        args.push("--test".into());
    }
    let mut build_readable = Vec::new();
    let needed: Vec<&str> = CRATES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| uses_crate(program, name))
        .collect();
    if !needed.is_empty() {
        let manifest = std::fs::read_to_string(manifest_path(&config.cache_dir))
            .ok()
            .and_then(|text| serde_json::from_str::<BTreeMap<String, PathBuf>>(&text).ok())
            .ok_or_else(|| ExecutorError::DependencyPreparation {
                language: Language::Rust,
                detail: format!(
                    "the program uses {} but the crate cache in {} has not been prepared",
                    needed.join(", "),
                    deps_root(&config.cache_dir).display()
                ),
            })?;
        for name in needed {
            if let Some(rlib) = manifest.get(name) {
                args.push("--extern".into());
                args.push(format!("{name}={}", rlib.display()));
            }
        }
        let deps_dir = deps_root(&config.cache_dir).join("target/release/deps");
        args.push("-L".into());
        args.push(format!("dependency={}", deps_dir.display()));
        build_readable.push(deps_root(&config.cache_dir));
    }
    args.push("main.rs".into());
    let flags = args.join(" ");
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let sysroot = toolchain.readable[0].display().to_string();
    Ok(BuildPlan {
        extra_files: Vec::new(),
        build: Some(CommandLine::new(rustc, &arg_refs)),
        artifacts: vec!["main".into()],
        run: CommandLine::new(
            "./main",
            if program.kind == ProgramKind::TestHarness {
                &["--test-threads=1"]
            } else {
                &[]
            },
        ),
        build_env: vec![(
            "PATH".into(),
            format!("{sysroot}/bin:/usr/local/bin:/usr/bin:/bin"),
        )],
        build_writable: Vec::new(),
        build_readable,
        run_env: Vec::new(),
        run_readable: Vec::new(),
        flags,
    })
}

fn failure(detail: String) -> ExecutorError {
    ExecutorError::DependencyPreparation {
        language: Language::Rust,
        detail,
    }
}

/// Build the known crates once with cargo (outside the sandbox; this is the
/// only step that talks to the registry) and record their rlibs. Idempotent.
pub fn prepare(cache_dir: &Path) -> Result<(), ExecutorError> {
    let toolchain = detect()?;
    let manifest = manifest_path(cache_dir);
    if manifest.exists() {
        return Ok(());
    }
    let root = deps_root(cache_dir);
    let src = root.join("src");
    std::fs::create_dir_all(&src).map_err(|source| ExecutorError::Cache {
        path: src.clone(),
        source,
    })?;
    let mut cargo_toml = format!(
        "[package]\nname = \"perforch-test-deps\"\nversion = \"0.0.0\"\nedition = \"{EDITION}\"\n\n[dependencies]\n"
    );
    for (name, version) in CRATES {
        cargo_toml.push_str(&format!("{name} = \"{version}\"\n"));
    }
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|source| ExecutorError::Cache { path, source })
    };
    write(root.join("Cargo.toml"), &cargo_toml)?;
    write(src.join("lib.rs"), "")?;
    let cargo = toolchain.tool("cargo").path.clone();
    let sysroot = toolchain.readable[0].clone();
    let output = Command::new(&cargo)
        .args(["build", "--release", "--message-format=json"])
        .current_dir(&root)
        .env("RUSTC", toolchain.tool("rustc").path.clone())
        .env(
            "PATH",
            format!("{}/bin:/usr/local/bin:/usr/bin:/bin", sysroot.display()),
        )
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(|e| failure(format!("running cargo: {e}")))?;
    if !output.status.success() {
        return Err(failure(format!(
            "cargo build failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let mut externs: BTreeMap<String, PathBuf> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let name = message["target"]["name"].as_str().unwrap_or("");
        if !CRATES.iter().any(|(crate_name, _)| *crate_name == name) {
            continue;
        }
        if let Some(rlib) = message["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .find(|f| f.ends_with(".rlib"))
        {
            externs.insert(name.to_string(), PathBuf::from(rlib));
        }
    }
    if externs.len() != CRATES.len() {
        return Err(failure(format!(
            "cargo did not produce all crates: {externs:?}"
        )));
    }
    let text = serde_json::to_string_pretty(&externs).unwrap_or_default();
    write(manifest, &text)
}
