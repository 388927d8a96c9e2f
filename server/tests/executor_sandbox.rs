//! The sandbox launcher and the parent-side run loop.

mod common;

use perforch::executor::sandbox::{Protection, SandboxLimits, SandboxPolicy};
use perforch::executor::{RunRequest, RunStatus, run_sandboxed};

fn sh(script: &str, dir: &std::path::Path) -> perforch::executor::RunOutcome {
    let policy = SandboxPolicy::new(SandboxLimits::for_run());
    run_sandboxed(
        &common::config(),
        &RunRequest::new("/bin/sh", ["-c", script], dir, policy),
    )
    .unwrap()
}

#[test]
fn runs_a_program_with_clean_environment_as_unprivileged_user() {
    let tmp = common::TestDir::new();
    let dir = tmp.run_dir("run");
    let outcome = sh(
        "id -u; echo \"home=$HOME\"; env | sort; echo err >&2; exit 3",
        &dir,
    );
    assert_eq!(outcome.status, RunStatus::Exited(3), "{outcome:?}");
    let out = outcome.stdout_text();
    assert!(out.starts_with("65534\n"), "{out}");
    assert!(out.contains(&format!("home={}", dir.display())));
    assert!(!out.contains("CARGO"), "environment leaked: {out}");
    assert_eq!(outcome.stderr_text(), "err\n");
    assert!(outcome.sandbox.is_active(Protection::Rlimits));
    assert!(outcome.sandbox.is_active(Protection::PrivilegeDrop));
    println!("sandbox report:\n{}", outcome.sandbox);
}

#[test]
fn stdin_is_empty() {
    let tmp = common::TestDir::new();
    let outcome = sh("cat; echo done", &tmp.run_dir("run"));
    assert_eq!(outcome.status, RunStatus::Exited(0));
    assert_eq!(outcome.stdout_text(), "done\n");
}

#[test]
fn missing_program_is_a_launch_error() {
    let tmp = common::TestDir::new();
    let policy = SandboxPolicy::new(SandboxLimits::for_run());
    let outcome = run_sandboxed(
        &common::config(),
        &RunRequest::new(
            "no-such-program-xyz",
            Vec::<String>::new(),
            tmp.run_dir("r"),
            policy,
        ),
    )
    .unwrap();
    assert!(
        matches!(outcome.status, RunStatus::LaunchError(_)),
        "{outcome:?}"
    );
}

#[test]
fn measures_cpu_time() {
    let tmp = common::TestDir::new();
    let outcome = sh(
        "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done",
        &tmp.run_dir("run"),
    );
    assert_eq!(outcome.status, RunStatus::Exited(0));
    assert!(outcome.cpu.as_millis() > 10, "{outcome:?}");
    assert!(outcome.peak_rss_kb > 0);
    assert!(outcome.cpu_utilization > 0.0);
}

/// Without cgroups the RSS watchdog caps memory and the pid namespace still
/// takes escaped processes down.
#[test]
fn fallbacks_without_cgroups() {
    let tmp = common::TestDir::new();
    let mut config = common::config();
    config.use_cgroups = false;
    let mut limits = SandboxLimits::for_run();
    limits.address_space_limit = false;
    limits.mem_mb = 256;
    let python = perforch::executor::detect(perforch::executor::Language::Python).unwrap();
    let mut policy = SandboxPolicy::new(limits);
    policy.readable = python.readable.clone();
    let outcome = run_sandboxed(
        &config,
        &RunRequest::new(
            python.tools[0].path.clone(),
            ["-c", "import time\nx = []\nfor i in range(64):\n    x.append(bytearray(64 << 20))\n    time.sleep(0.01)\nprint(len(x))"],
            tmp.run_dir("mem"),
            policy.clone(),
        ),
    )
    .unwrap();
    assert_eq!(outcome.status, RunStatus::MemoryLimit, "{outcome:?}");
    assert!(!outcome.sandbox.is_active(Protection::CgroupMemory));
    assert!(!outcome.sandbox.missing().is_empty());

    let token = format!("nocg{}", std::process::id());
    let outcome = run_sandboxed(
        &config,
        &RunRequest::new(
            "/bin/sh",
            [
                "-c",
                &format!("setsid sh -c 'sleep 300; echo {token}' & echo started"),
            ],
            tmp.run_dir("daemon"),
            SandboxPolicy::new(SandboxLimits::for_run()),
        ),
    )
    .unwrap();
    assert!(outcome.succeeded(), "{outcome:?}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let survivors: Vec<_> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(&token))
                .unwrap_or(false)
        })
        .collect();
    assert!(survivors.is_empty(), "daemon survived without cgroups");
}

#[test]
fn a_program_still_open_for_writing_briefly_is_run_once_it_is_closed() {
    // What happens when another thread forks while a built program is being
    // copied: the copy's write descriptor lives on in that child until its
    // exec, and exec of the program fails with ETXTBSY meanwhile.
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let tmp = common::TestDir::new();
    let program = tmp.dir.path().join("prog.sh");
    let mut writer = std::fs::File::create(&program).unwrap();
    writer.write_all(b"#!/bin/sh\necho ran\n").unwrap();
    writer.flush().unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let closer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(150));
        drop(writer);
    });
    let mut policy = SandboxPolicy::new(SandboxLimits::for_run());
    policy.readable.push(tmp.dir.path().to_path_buf());
    let outcome = run_sandboxed(
        &common::config(),
        &RunRequest::new(&program, Vec::<String>::new(), tmp.run_dir("r"), policy),
    )
    .unwrap();
    closer.join().unwrap();
    assert_eq!(outcome.status, RunStatus::Exited(0), "{outcome:?}");
    assert_eq!(outcome.stdout_text(), "ran\n");
}
