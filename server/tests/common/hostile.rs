//! Helpers for the hostile-program tests.

use std::time::Duration;

use perforch::executor::sandbox::SandboxLimits;
use perforch::executor::{
    Language, ProgramKind, RunOutcome, SourceProgram, build, detect, run_built,
};

use super::{TestDir, prepared_config};

pub fn limits(wall_secs: u64) -> SandboxLimits {
    SandboxLimits {
        wall: Duration::from_secs(wall_secs),
        cpu_secs: wall_secs + 2,
        ..SandboxLimits::for_run()
    }
}

pub fn run(
    language: Language,
    source: &str,
    limits: SandboxLimits,
    args: &[&str],
) -> (RunOutcome, TestDir) {
    let config = prepared_config();
    let tmp = TestDir::new();
    let program = SourceProgram::single(language, ProgramKind::Executable, source);
    let built = build(
        &config,
        &detect(language).unwrap(),
        &program,
        &tmp.run_dir("run"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let outcome = run_built(&config, &built, limits, args).unwrap();
    (outcome, tmp)
}

/// After every hostile run: the machine still runs a normal program.
pub fn assert_normal_run_works() {
    let (outcome, _tmp) = run(Language::Python, "print('still fine')\n", limits(20), &[]);
    assert!(
        outcome.succeeded(),
        "normal run after hostile one: {outcome:?}"
    );
    assert_eq!(outcome.stdout_text(), "still fine\n");
}

/// Processes whose command line contains `token` (to prove none survived).
pub fn processes_with(token: &str) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(token))
                .unwrap_or(false)
        })
        .collect()
}

pub fn nonce() -> String {
    format!(
        "{}{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
