//! A lone Rust file, with no cargo package around it: its `#[test]`s (in
//! the file and the module files it declares) are built with
//! `rustc --test` in the sandbox, as the crate root, like a script's
//! author would (`rustc --test pairs.rs && ./pairs`). rustc alone links
//! only the standard library, so a file using another crate is reported
//! as having tests that cannot run, never silently judged without them.

use std::path::{Path, PathBuf};

use super::super::error::DiscoveryError;
use super::super::report::SuiteReport;
use super::super::run::{RunContext, Step, build_failed, build_limits, path_with};
use super::super::syntax::ParsedFile;
use super::super::workspace::slash_path;
use super::super::{DiscoveredTests, RunnerKind, SuiteDetail, Target, TestSuite};
use super::RustSuite;
use crate::executor::Toolchain;
use crate::language::Language;

/// The edition a lone file is compiled with: it has no Cargo.toml to say.
const EDITION: &str = "2021";

#[derive(Clone, Debug)]
pub(crate) struct LoneSuite {
    /// The file built as the crate root, relative to the workspace root.
    file: PathBuf,
}

pub(super) fn discover(target: &Target, found: &mut DiscoveredTests) {
    // A lone file is its crate's root: `mod tests;` is tests.rs beside it.
    let tests = super::unit_tests(target, true, &[]);
    if tests.is_empty() {
        return;
    }
    // Everything rustc would compile: the file and the modules it declares.
    let parsed: Vec<ParsedFile> = std::iter::once(target.file.clone())
        .chain(
            super::declared_modules(target, true, &[])
                .into_iter()
                .map(|(file, _)| file),
        )
        .filter_map(|file| std::fs::read_to_string(target.root.join(file)).ok())
        .filter_map(|text| ParsedFile::parse(Language::Rust, text))
        .collect();
    let crates = super::crates::external_crates(&parsed);
    if !crates.is_empty() {
        let names: Vec<String> = crates.iter().map(|name| format!("`{name}`")).collect();
        found.cannot_run.push(format!(
            "{} has {} #[test](s) calling `{}`, but it uses the crate(s) {} and no Cargo.toml is above it; rustc alone cannot build it, so its tests cannot run. Put the file in a cargo package (`cargo init` in its folder, with {} under [dependencies]) to have them run",
            target.file.display(),
            tests.len(),
            target.function,
            names.join(", "),
            names.join(", ")
        ));
        return;
    }
    found.suites.push(TestSuite {
        name: format!("rustc --test ({})", slash_path(&target.file)),
        runner: RunnerKind::RustcTest,
        language: Language::Rust,
        files: super::super::distinct_files(&tests),
        tests,
        detail: SuiteDetail::Rust(RustSuite::Lone(LoneSuite {
            file: target.file.clone(),
        })),
    });
}

/// Build each file's test binary with rustc and run it, in the file's
/// folder (where a script's tests expect to find files beside it).
pub(super) fn run(
    context: &RunContext,
    toolchain: &Toolchain,
    suites: &[(&TestSuite, &LoneSuite)],
) -> Result<Vec<SuiteReport>, DiscoveryError> {
    let sysroot = toolchain.readable[0].clone();
    let mut reports = Vec::new();
    for (index, (suite, detail)) in suites.iter().enumerate() {
        let source = context.workspace().join(&detail.file);
        let folder = source
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| context.workspace().to_path_buf());
        let executable = context.scratch(&format!("rustc-{index}"))?.join("tests");
        let mut build = Step::new(&toolchain.tool("rustc").path, &folder, build_limits())
            .args(["--test", "--edition", EDITION, "--color", "never"])
            // Warnings would crowd the errors out of a failed build's report.
            .args(["-A", "warnings"])
            // Relative to the folder, so panics name `pairs.rs:12:5`, not the copy's path.
            .arg(source.file_name().unwrap_or(source.as_os_str()))
            .arg("-o")
            .arg(&executable)
            .env("PATH", path_with(&[sysroot.join("bin")]));
        build.readable = toolchain.readable.clone();
        let outcome = context.sandboxed(build)?;
        if !outcome.succeeded() {
            reports.extend(build_failed(&[*suite], &outcome));
            continue;
        }
        reports.push(super::libtest::run_binary(
            context,
            toolchain,
            suite,
            &executable,
            &folder,
            &[],
        )?);
    }
    Ok(reports)
}
