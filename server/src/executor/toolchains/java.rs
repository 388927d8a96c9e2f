//! Java: `javac` then `java -cp classes Main`.

use std::path::PathBuf;

use crate::executor::error::ExecutorError;
use crate::executor::toolchain::{
    BuildPlan, CommandLine, SourceProgram, ToolInfo, Toolchain, first_line, missing, probe, which,
};
use crate::language::Language;

pub fn detect() -> Result<Toolchain, ExecutorError> {
    let hint = "install a JDK with `apt-get install openjdk-17-jdk-headless`";
    let javac_link = which("javac").ok_or_else(|| missing(Language::Java, "javac", hint))?;
    let javac = std::fs::canonicalize(&javac_link).unwrap_or(javac_link);
    let bin = javac.parent().map(PathBuf::from).unwrap_or_default();
    let java = bin.join("java");
    if !java.exists() {
        return Err(missing(Language::Java, "java", hint));
    }
    let javac_version = probe(&javac, &["-version"])
        .map(|v| first_line(&v))
        .ok_or_else(|| missing(Language::Java, "javac", hint))?;
    let java_version = probe(&java, &["-version"])
        .map(|v| first_line(&v))
        .ok_or_else(|| missing(Language::Java, "java", hint))?;
    let java_home = bin.parent().map(PathBuf::from).unwrap_or_default();
    Ok(Toolchain {
        language: Language::Java,
        tools: vec![
            ToolInfo {
                name: "javac".into(),
                path: javac,
                version: javac_version,
            },
            ToolInfo {
                name: "java".into(),
                path: java,
                version: java_version,
            },
        ],
        readable: vec![java_home],
    })
}

/// JVM flags for runs: the serial collector keeps the thread count (and
/// measurement noise from GC threads) low.
pub const JAVA_RUN_FLAGS: &[&str] = &["-XX:+UseSerialGC", "-Xss64m", "-XX:-UsePerfData"];

pub fn plan(toolchain: &Toolchain, program: &SourceProgram) -> BuildPlan {
    let javac = toolchain.tool("javac").path.clone();
    let java = toolchain.tool("java").path.clone();
    // Compilation speed matters more than javac's own peak performance.
    let mut args: Vec<&str> = vec![
        "-J-XX:+UseSerialGC",
        "-J-XX:TieredStopAtLevel=1",
        "-J-XX:-UsePerfData",
        "-encoding",
        "UTF-8",
        "-nowarn",
        "-d",
        "classes",
    ];
    args.extend(
        program
            .files
            .iter()
            .filter(|f| f.path.ends_with(".java"))
            .map(|f| f.path.as_str()),
    );
    let mut run_args: Vec<&str> = JAVA_RUN_FLAGS.to_vec();
    run_args.extend(["-cp", "classes", "Main"]);
    BuildPlan {
        extra_files: Vec::new(),
        build: Some(CommandLine::new(javac, &args)),
        artifacts: vec!["classes".into()],
        run: CommandLine::new(java, &run_args),
        build_env: Vec::new(),
        build_writable: Vec::new(),
        build_readable: Vec::new(),
        run_env: Vec::new(),
        run_readable: Vec::new(),
        flags: JAVA_RUN_FLAGS.join(" "),
    }
}
