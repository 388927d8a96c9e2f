//! C++: `g++ -O2 -std=c++17`.

use crate::executor::error::ExecutorError;
use crate::executor::toolchain::{
    BuildPlan, CommandLine, SourceProgram, ToolInfo, Toolchain, first_line, missing, probe, which,
};
use crate::language::Language;

pub fn detect() -> Result<Toolchain, ExecutorError> {
    let hint = "install it with `apt-get install g++`";
    let gxx = which("g++").ok_or_else(|| missing(Language::Cpp, "g++", hint))?;
    let version = probe(&gxx, &["--version"])
        .map(|v| first_line(&v))
        .ok_or_else(|| missing(Language::Cpp, "g++", hint))?;
    Ok(Toolchain {
        language: Language::Cpp,
        tools: vec![ToolInfo {
            name: "g++".into(),
            path: gxx,
            version,
        }],
        readable: Vec::new(),
    })
}

pub fn plan(toolchain: &Toolchain, program: &SourceProgram) -> BuildPlan {
    let gxx = toolchain.tool("g++").path.clone();
    let optimisation = if program.quick_build { "-O0" } else { "-O2" };
    let mut args: Vec<&str> = vec![optimisation, "-std=c++17", "-o", "main"];
    let sources: Vec<&str> = program
        .files
        .iter()
        .filter(|f| f.path.ends_with(".cpp") || f.path.ends_with(".cc"))
        .map(|f| f.path.as_str())
        .collect();
    args.extend(sources);
    // OpenSSL (md5 in HumanEval CPP/162) needs its library; headers come
    // from the system (`apt-get install libssl-dev`).
    let needs_crypto = program
        .files
        .iter()
        .any(|f| f.contents.contains("openssl/"));
    if needs_crypto {
        args.push("-lcrypto");
    }
    BuildPlan {
        extra_files: Vec::new(),
        build: Some(CommandLine::new(gxx, &args)),
        artifacts: vec!["main".into()],
        run: CommandLine::new("./main", &[]),
        build_env: Vec::new(),
        build_writable: Vec::new(),
        build_readable: Vec::new(),
        run_env: Vec::new(),
        run_readable: Vec::new(),
        flags: format!(
            "{optimisation} -std=c++17{}",
            if needs_crypto { " -lcrypto" } else { "" }
        ),
    }
}
