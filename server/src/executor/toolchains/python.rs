//! Python: `python3`, no compile step.

use std::path::PathBuf;

use crate::executor::error::ExecutorError;
use crate::executor::toolchain::{
    BuildPlan, CommandLine, SourceProgram, ToolInfo, Toolchain, missing, probe, which,
};
use crate::language::Language;

pub fn detect() -> Result<Toolchain, ExecutorError> {
    let hint = "install it with `apt-get install python3`";
    let launcher = which("python3").ok_or_else(|| missing(Language::Python, "python3", hint))?;
    // Version managers (pyenv) put shell-script shims on PATH that need the
    // user's home; ask the interpreter for its real location instead.
    let info = probe(
        &launcher,
        &[
            "-c",
            "import sys, platform; print(sys.executable); print(sys.base_prefix); print(platform.python_version())",
        ],
    )
    .ok_or_else(|| missing(Language::Python, "python3", hint))?;
    let mut lines = info.lines();
    let executable = PathBuf::from(lines.next().unwrap_or("python3"));
    let prefix = PathBuf::from(lines.next().unwrap_or("/usr"));
    let version = lines.next().unwrap_or("unknown").to_string();
    Ok(Toolchain {
        language: Language::Python,
        tools: vec![ToolInfo {
            name: "python3".into(),
            path: executable,
            version,
        }],
        readable: vec![prefix],
    })
}

pub fn plan(toolchain: &Toolchain, program: &SourceProgram) -> BuildPlan {
    let python = toolchain.tool("python3").path.clone();
    let main = program.files.first().map_or("main.py", |f| f.path.as_str());
    let mut run = CommandLine::new(python, &["-B", main]);
    run.args.insert(0, "-X".into());
    run.args.insert(1, "utf8".into());
    BuildPlan {
        extra_files: Vec::new(),
        build: None,
        artifacts: program.files.iter().map(|f| f.path.clone()).collect(),
        run,
        build_env: Vec::new(),
        build_writable: Vec::new(),
        build_readable: Vec::new(),
        // Fixed hash seed: set/dict-of-str iteration order then matches
        // between the original and the candidate.
        run_env: vec![("PYTHONHASHSEED".into(), "0".into())],
        run_readable: Vec::new(),
        flags: "-B -X utf8".into(),
    }
}
