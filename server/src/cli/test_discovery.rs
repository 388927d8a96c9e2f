//! `perforch tests FILE FUNCTION [--container NAME] [--root DIR] [--run] [--json]`:
//! which tests perforch would use to prove a candidate of FUNCTION correct,
//! and optionally run them against the workspace as it is.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::discovery::{TestTarget, discover, run_suites, workspace_root_of};
use crate::executor::ExecutorConfig;
use crate::executor::sandbox::SandboxLimits;
use crate::language::Language;

pub struct Options<'a> {
    pub file: &'a Path,
    pub function: &'a str,
    pub container: Option<&'a str>,
    pub root: Option<&'a Path>,
    pub run: bool,
    pub json: bool,
}

pub fn run(options: Options, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let file = std::fs::canonicalize(options.file)
        .with_context(|| format!("cannot read {}", options.file.display()))?;
    let language = Language::from_path(&file).with_context(|| {
        format!(
            "cannot tell the language of {}: perforch reads .py, .java, .cpp/.cc/.cxx/.h/.hpp, .go and .rs files",
            file.display()
        )
    })?;
    let root = match options.root {
        Some(root) => root.to_path_buf(),
        None => workspace_root_of(&file),
    };
    let target = TestTarget {
        workspace_root: &root,
        file: &file,
        language,
        function: options.function,
        container: options.container,
    };
    let tests = discover(&target)?;
    if !options.run {
        if options.json {
            serde_json::to_writer_pretty(&mut *out, &tests)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{}", tests.summary())?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let report = run_suites(
        &ExecutorConfig::default(),
        &target,
        &tests,
        &[],
        SandboxLimits::for_run(),
    )?;
    if options.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}\n\n{}", tests.summary(), report.summary())?;
    }
    Ok(if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
