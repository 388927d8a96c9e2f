//! A file inside a cargo package: `#[test]`s of its target (its own file
//! and the module files it declares) and of the package's `tests/`, built
//! with `cargo test --no-run --offline` in the sandbox (crates vendored
//! beforehand by a trusted step).

use std::path::{Path, PathBuf};

use super::super::error::DiscoveryError;
use super::super::prepare;
use super::super::report::SuiteReport;
use super::super::run::{RunContext, Step, build_failed, build_limits, path_with};
use super::super::syntax::{ParsedFile, tests_referring};
use super::super::workspace::slash_path;
use super::super::{DiscoveredTests, RunnerKind, SuiteDetail, Target, TestCase, TestSuite};
use super::{RustSuite, definitions, unit_tests};
use crate::executor::Toolchain;
use crate::language::Language;

#[derive(Clone, Debug)]
pub(crate) struct CargoSuite {
    /// The package folder (holding Cargo.toml), relative to the workspace root.
    crate_dir: PathBuf,
    target: CargoTarget,
}

/// The cargo target whose test binary holds the suite's tests.
#[derive(Clone, Debug, PartialEq, Eq)]
enum CargoTarget {
    Lib,
    Bin(String),
    /// An integration test, `tests/NAME.rs`.
    Test(String),
}

impl CargoTarget {
    fn selector(&self) -> Vec<String> {
        match self {
            CargoTarget::Lib => vec!["--lib".into()],
            CargoTarget::Bin(name) => vec!["--bin".into(), name.clone()],
            CargoTarget::Test(name) => vec!["--test".into(), name.clone()],
        }
    }

    /// Does a `compiler-artifact` message's target denote this one?
    fn matches(&self, kinds: &[&str], name: &str) -> bool {
        match self {
            CargoTarget::Lib => kinds.iter().any(|k| {
                matches!(
                    *k,
                    "lib" | "rlib" | "dylib" | "cdylib" | "staticlib" | "proc-macro"
                )
            }),
            CargoTarget::Bin(bin) => kinds.contains(&"bin") && name == bin,
            CargoTarget::Test(test) => kinds.contains(&"test") && name == test,
        }
    }
}

fn suite_detail(crate_dir: &Path, target: CargoTarget) -> SuiteDetail {
    SuiteDetail::Rust(RustSuite::Cargo(CargoSuite {
        crate_dir: crate_dir.to_path_buf(),
        target,
    }))
}

/// The tests of a file in the package at `crate_dir`.
pub(super) fn discover(target: &Target, crate_dir: &Path, found: &mut DiscoveredTests) {
    let in_crate = target
        .file
        .strip_prefix(crate_dir)
        .unwrap_or(&target.file)
        .to_path_buf();
    let Some((own_target, module_path)) =
        target_and_module(&target.root.join(crate_dir), &in_crate)
    else {
        found.notes.push(format!(
            "{} is not under the package's src/ folder; only its integration tests are searched",
            target.file.display()
        ));
        integration_suites(target, crate_dir, found);
        return;
    };
    // lib.rs, main.rs and mod.rs declare their children beside themselves.
    let file_name = in_crate
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let beside = matches!(file_name.as_str(), "lib.rs" | "main.rs" | "mod.rs");
    let unit_tests = unit_tests(target, beside, &module_path);
    if !unit_tests.is_empty() {
        let label = match &own_target {
            CargoTarget::Lib => "lib".to_string(),
            CargoTarget::Bin(name) => format!("bin {name}"),
            CargoTarget::Test(name) => format!("test {name}"),
        };
        found.suites.push(TestSuite {
            name: format!("cargo test ({label})"),
            runner: RunnerKind::CargoTest,
            language: Language::Rust,
            files: super::super::distinct_files(&unit_tests),
            tests: unit_tests,
            detail: suite_detail(crate_dir, own_target),
        });
    }
    integration_suites(target, crate_dir, found);
}

/// One suite per `tests/*.rs` file (or `tests/NAME/main.rs`) with tests
/// that reference the function.
fn integration_suites(target: &Target, crate_dir: &Path, found: &mut DiscoveredTests) {
    let tests_dir = crate_dir.join("tests");
    let Ok(entries) = std::fs::read_dir(target.root.join(&tests_dir)) else {
        return;
    };
    let mut binaries: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_file() {
                let stem = name.strip_suffix(".rs")?;
                Some((stem.to_string(), tests_dir.join(&name)))
            } else if path.join("main.rs").is_file() {
                Some((name.clone(), tests_dir.join(&name).join("main.rs")))
            } else {
                None
            }
        })
        .collect();
    binaries.sort();
    for (binary, file) in binaries {
        let Ok(text) = std::fs::read_to_string(target.root.join(&file)) else {
            continue;
        };
        if !target.may_be_mentioned_in(&text) {
            continue;
        }
        let Some(parsed) = ParsedFile::parse(Language::Rust, text) else {
            continue;
        };
        let definitions = definitions(&parsed, &[]);
        let tests: Vec<TestCase> = tests_referring(&parsed, &definitions, target.function)
            .into_iter()
            .map(|test| TestCase {
                name: test.id.clone(),
                file: file.clone(),
            })
            .collect();
        if tests.is_empty() {
            found.notes.push(format!(
                "{} mentions `{}` but no #[test] in it calls it",
                file.display(),
                target.function
            ));
            continue;
        }
        found.suites.push(TestSuite {
            name: format!("cargo test ({})", slash_path(&file)),
            runner: RunnerKind::CargoTest,
            language: Language::Rust,
            files: vec![file.clone()],
            tests,
            detail: suite_detail(crate_dir, CargoTarget::Test(binary)),
        });
    }
}

/// The nearest folder above the file (inside the workspace) whose
/// Cargo.toml describes a package.
pub(super) fn crate_dir(root: &Path, file: &Path) -> Option<PathBuf> {
    let mut current = file.parent();
    while let Some(folder) = current {
        let manifest = root.join(folder).join("Cargo.toml");
        if std::fs::read_to_string(&manifest).is_ok_and(|text| text.contains("[package]")) {
            return Some(folder.to_path_buf());
        }
        current = folder.parent();
    }
    None
}

fn package_name(crate_root: &Path) -> String {
    let text = std::fs::read_to_string(crate_root.join("Cargo.toml")).unwrap_or_default();
    text.parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Which target a source file belongs to, and its module path there.
fn target_and_module(crate_root: &Path, in_crate: &Path) -> Option<(CargoTarget, Vec<String>)> {
    let in_src = in_crate.strip_prefix("src").ok()?;
    let parts: Vec<String> = in_src
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts == ["main.rs"] {
        return Some((CargoTarget::Bin(package_name(crate_root)), Vec::new()));
    }
    if parts.first().map(String::as_str) == Some("bin") && parts.len() >= 2 {
        let name = parts[1].trim_end_matches(".rs").to_string();
        return Some((CargoTarget::Bin(name), Vec::new()));
    }
    let target = if crate_root.join("src/lib.rs").exists() {
        CargoTarget::Lib
    } else {
        CargoTarget::Bin(package_name(crate_root))
    };
    Some((target, module_path(&parts)))
}

/// `lib.rs` -> [], `a/mod.rs` -> [a], `a/b.rs` -> [a, b].
fn module_path(parts: &[String]) -> Vec<String> {
    let mut path: Vec<String> = parts.to_vec();
    let last = path.pop().unwrap_or_default();
    match last.as_str() {
        "lib.rs" | "main.rs" | "mod.rs" => {}
        other => path.push(other.trim_end_matches(".rs").to_string()),
    }
    path
}

/// Build each package once, for all of its suites' targets, then run each
/// suite's test binary.
pub(super) fn run(
    context: &RunContext,
    toolchain: &Toolchain,
    suites: &[(&TestSuite, &CargoSuite)],
) -> Result<Vec<SuiteReport>, DiscoveryError> {
    let sysroot = toolchain.readable[0].clone();
    let mut reports = Vec::new();
    let mut crates: Vec<&PathBuf> = suites.iter().map(|(_, d)| &d.crate_dir).collect();
    crates.sort();
    crates.dedup();
    for (index, crate_dir) in crates.into_iter().enumerate() {
        let members: Vec<(&TestSuite, &CargoSuite)> = suites
            .iter()
            .filter(|(_, detail)| &detail.crate_dir == crate_dir)
            .copied()
            .collect();
        let package = context.workspace().join(crate_dir);
        let scratch = context.scratch(&format!("rust-{index}"))?;
        let cargo_home = scratch.join("cargo-home");
        super::super::workspace::traversable_dir(&cargo_home)?;
        let mut readable = toolchain.readable.clone();
        let lock_dir = lock_dir(context.workspace(), crate_dir);
        let vendored = prepare::vendor_crates(&context.config.cache_dir, toolchain, &lock_dir)?;
        if let Some(config) = &vendored {
            let config_path = cargo_home.join("config.toml");
            std::fs::write(&config_path, config)
                .map_err(|e| DiscoveryError::copy(&config_path, e))?;
            readable.push(context.config.cache_dir.join("rust").join("vendor"));
        }
        let mut build = Step::new(&toolchain.tool("cargo").path, &package, build_limits())
            .args([
                "test",
                "--no-run",
                "--offline",
                "--message-format=json-render-diagnostics",
            ])
            .arg("--manifest-path")
            .arg(package.join("Cargo.toml"))
            .env("CARGO_HOME", cargo_home.display().to_string())
            .env(
                "CARGO_TARGET_DIR",
                scratch.join("target").display().to_string(),
            )
            .env("CARGO_TERM_COLOR", "never")
            .env("RUSTC", toolchain.tool("rustc").path.display().to_string())
            .env("PATH", path_with(&[sysroot.join("bin")]));
        for (_, detail) in &members {
            build = build.args(detail.target.selector());
        }
        build.readable = readable;
        let outcome = context.sandboxed(build)?;
        let member_suites: Vec<&TestSuite> = members.iter().map(|(s, _)| *s).collect();
        if !outcome.succeeded() {
            reports.extend(build_failed(&member_suites, &outcome));
            continue;
        }
        let manifest = package.join("Cargo.toml");
        let executables = test_executables(&outcome.stdout_text(), &manifest);
        for (suite, detail) in members {
            let Some(executable) = executables
                .iter()
                .find(|(kinds, name, _)| {
                    detail
                        .target
                        .matches(&kinds.iter().map(String::as_str).collect::<Vec<_>>(), name)
                })
                .map(|(_, _, path)| path.clone())
            else {
                let mut report = SuiteReport::new(suite);
                report.build_error = Some("cargo built no test binary for this target".into());
                reports.push(report);
                continue;
            };
            let env = [("CARGO_MANIFEST_DIR", package.display().to_string())];
            reports.push(super::libtest::run_binary(
                context,
                toolchain,
                suite,
                &executable,
                &package,
                &env,
            )?);
        }
    }
    Ok(reports)
}

/// Where the package's Cargo.lock is: the package folder or the cargo
/// workspace above it.
fn lock_dir(root: &Path, crate_dir: &Path) -> PathBuf {
    let mut current = Some(crate_dir);
    while let Some(folder) = current {
        if root.join(folder).join("Cargo.lock").is_file() {
            return root.join(folder);
        }
        current = folder.parent();
    }
    root.join(crate_dir)
}

/// (target kinds, target name, executable) of the test binaries cargo built
/// for the package with this manifest.
fn test_executables(json_lines: &str, manifest: &Path) -> Vec<(Vec<String>, String, PathBuf)> {
    json_lines
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["profile"]["test"] == true)
        .filter(|m| {
            m["manifest_path"]
                .as_str()
                .is_some_and(|p| Path::new(p) == manifest)
        })
        .filter_map(|m| {
            let executable = PathBuf::from(m["executable"].as_str()?);
            let kinds = m["target"]["kind"]
                .as_array()?
                .iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            let name = m["target"]["name"].as_str()?.to_string();
            Some((kinds, name, executable))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_follow_the_file_layout() {
        let parts = |p: &str| p.split('/').map(str::to_string).collect::<Vec<_>>();
        assert!(module_path(&parts("lib.rs")).is_empty());
        assert_eq!(module_path(&parts("stock/mod.rs")), ["stock"]);
        assert_eq!(module_path(&parts("stock/value.rs")), ["stock", "value"]);
    }
}
