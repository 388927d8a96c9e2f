//! Hostile programs: each ends with a clear verdict, the machine is
//! unharmed, and a normal run works afterwards.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use common::hostile::{assert_normal_run_works, limits, nonce, processes_with, run};
use perforch::executor::{Language, RunStatus};

fn disk_usage(path: &std::path::Path) -> u64 {
    let meta = std::fs::symlink_metadata(path).unwrap();
    if meta.is_dir() {
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| disk_usage(&e.unwrap().path()))
            .sum()
    } else {
        meta.len()
    }
}

#[test]
fn infinite_loop_times_out() {
    let (outcome, _t) = run(Language::Python, "while True:\n    pass\n", limits(2), &[]);
    assert_eq!(outcome.status, RunStatus::Timeout, "{outcome:?}");
    // CPU limit (RLIMIT_CPU) alone also ends it: give a long wall clock.
    let mut cpu_bound = limits(30);
    cpu_bound.cpu_secs = 1;
    let (outcome, _t) = run(
        Language::Cpp,
        "int main(){ volatile unsigned long x = 0; for(;;) x++; }\n",
        cpu_bound,
        &[],
    );
    assert_eq!(outcome.status, RunStatus::Timeout, "{outcome:?}");
    assert!(outcome.wall < Duration::from_secs(20));
    assert_normal_run_works();
}

#[test]
fn fork_bomb_is_contained() {
    let token = format!("forkbomb{}", nonce());
    let script = "import os, sys\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n";
    let (outcome, _t) = run(Language::Python, script, limits(3), &[&token]);
    assert_eq!(outcome.status, RunStatus::Timeout, "{outcome:?}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(processes_with(&token).is_empty(), "fork bomb survivors");
    let (outcome, _t) = run(
        Language::Cpp,
        "#include <unistd.h>\nint main(){ for(;;) fork(); }\n",
        limits(3),
        &[&token],
    );
    assert_eq!(outcome.status, RunStatus::Timeout, "{outcome:?}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(processes_with(&token).is_empty(), "fork bomb survivors");
    assert_normal_run_works();
}

#[test]
fn allocating_16_gb_hits_the_memory_limit() {
    let (outcome, _t) = run(
        Language::Python,
        "x = bytearray(16 * 1024 ** 3)\nprint(len(x))\n",
        limits(20),
        &[],
    );
    assert_eq!(outcome.status, RunStatus::MemoryLimit, "{outcome:?}");
    let (outcome, _t) = run(
        Language::Cpp,
        "#include <cstring>\n#include <cstdio>\nint main(){ volatile size_t size = 16ULL << 30; size_t n = size; char* p = new char[n]; std::memset(p, 1, n); std::printf(\"%d %p\", p[n-1], (void*)p); }\n",
        limits(20),
        &[],
    );
    assert_eq!(outcome.status, RunStatus::MemoryLimit, "{outcome:?}");
    // Go reserves virtual memory freely (no RLIMIT_AS): the cgroup or the
    // RSS watchdog must stop it.
    let (outcome, _t) = run(
        Language::Go,
        "package main\nimport \"fmt\"\nfunc main() {\n\tvar chunks [][]byte\n\tfor i := 0; i < 16*1024; i++ {\n\t\tc := make([]byte, 1<<20)\n\t\tfor j := range c {\n\t\t\tc[j] = 1\n\t\t}\n\t\tchunks = append(chunks, c)\n\t}\n\tfmt.Println(len(chunks))\n}\n",
        limits(30),
        &[],
    );
    assert_eq!(outcome.status, RunStatus::MemoryLimit, "{outcome:?}");
    assert_normal_run_works();
}

#[test]
fn ten_gb_file_hits_the_file_size_limit() {
    let (outcome, tmp) = run(
        Language::Python,
        "block = b'x' * (1 << 20)\nwith open('big.bin', 'wb') as f:\n    for _ in range(10 * 1024):\n        f.write(block)\n",
        limits(20),
        &[],
    );
    assert_eq!(outcome.status, RunStatus::FileSizeLimit, "{outcome:?}");
    // The run folder (and the capped file in it) is gone after the run.
    assert!(disk_usage(tmp.dir.path()) < 64 << 20);
    let (outcome, _t) = run(
        Language::Cpp,
        "#include <cstdio>\n#include <vector>\nint main(){ std::vector<char> b(1<<20, 'x'); FILE* f = std::fopen(\"big.bin\", \"wb\"); for (int i = 0; i < 10240; ++i) std::fwrite(b.data(), 1, b.size(), f); std::fclose(f); }\n",
        limits(20),
        &[],
    );
    assert_eq!(outcome.status, RunStatus::FileSizeLimit, "{outcome:?}");
    assert_normal_run_works();
}

#[test]
fn writing_outside_the_run_folder_fails() {
    let outside = common::TestDir::new();
    // World-writable, so only the sandbox (not file permissions) can stop it.
    std::fs::set_permissions(outside.dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let target = outside.dir.path().join("escaped.txt");
    let tmp_target = format!("/tmp/perforch-escaped-{}", nonce());
    let script = format!(
        "import sys\nok = 0\nfor p in [{:?}, {:?}, '/var/tmp/perforch-escape']:\n    try:\n        open(p, 'w').write('pwned')\n        ok += 1\n    except OSError as e:\n        print('blocked', p, e)\nsys.exit(0 if ok else 3)\n",
        target.display().to_string(),
        tmp_target
    );
    let (outcome, _t) = run(Language::Python, &script, limits(10), &[]);
    assert!(!outcome.succeeded(), "{outcome:?}");
    assert!(!target.exists());
    assert!(!std::path::Path::new(&tmp_target).exists());
    assert_normal_run_works();
}

#[test]
fn secret_files_outside_the_run_folder_are_unreadable() {
    let secret = format!("TOPSECRET-{}", nonce());
    // A private secret (0600 in a 0700 folder) ...
    let private = tempfile::tempdir().unwrap();
    let private_file = private.path().join("secret.txt");
    std::fs::write(&private_file, &secret).unwrap();
    std::fs::set_permissions(&private_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    // ... and a world-readable one, which only Landlock keeps out.
    let public = common::TestDir::new();
    let public_file = public.dir.path().join("public-secret.txt");
    std::fs::write(&public_file, &secret).unwrap();
    std::fs::set_permissions(&public_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let script = format!(
        "for p in [{:?}, {:?}, '/root/.bash_history', '/etc/shadow']:\n    try:\n        print(open(p).read())\n    except OSError as e:\n        print('blocked', p, type(e).__name__)\n",
        private_file.display().to_string(),
        public_file.display().to_string()
    );
    let (outcome, _t) = run(Language::Python, &script, limits(10), &[]);
    let all = format!("{}{}", outcome.stdout_text(), outcome.stderr_text());
    assert!(!all.contains(&secret), "secret leaked: {all}");
    assert!(all.contains("blocked"), "{all}");
    assert_normal_run_works();
}

#[test]
fn network_connections_are_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = format!(
        "import socket\nfor host in ['127.0.0.1', 'localhost']:\n    try:\n        s = socket.create_connection((host, {port}), timeout=2)\n        s.sendall(b'exfiltrated')\n        print('CONNECTED')\n    except OSError as e:\n        print('refused', type(e).__name__, e)\n"
    );
    let (outcome, _t) = run(Language::Python, &script, limits(10), &[]);
    assert!(!outcome.stdout_text().contains("CONNECTED"), "{outcome:?}");
    assert!(outcome.stdout_text().contains("refused"), "{outcome:?}");
    match listener.accept() {
        Ok((mut stream, _)) => {
            let mut buf = Vec::new();
            let _ = stream.read_to_end(&mut buf);
            panic!(
                "listener received a connection: {:?}",
                String::from_utf8_lossy(&buf)
            );
        }
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock),
    }
    assert_normal_run_works();
}

#[test]
fn setsid_daemon_is_killed_and_run_ends() {
    let token = format!("daemon{}", nonce());
    // The daemon detaches (setsid, double fork) and keeps stdout open.
    let daemonize = "import os, sys, time\npid = os.fork()\nif pid == 0:\n    os.setsid()\n    if os.fork() == 0:\n        while True:\n            time.sleep(0.1)\n            print('still here', flush=True)\n    os._exit(0)\n";
    // Variant 1: the main program exits at once.
    let started = Instant::now();
    let (outcome, _t) = run(
        Language::Python,
        &format!("{daemonize}print('main done')\n"),
        limits(5),
        &[&token],
    );
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(outcome.succeeded(), "{outcome:?}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(processes_with(&token).is_empty(), "daemon survived");
    // Variant 2: the main program hangs too: the run ends at its timeout.
    let started = Instant::now();
    let (outcome, _t) = run(
        Language::Python,
        &format!("{daemonize}time.sleep(1000)\n"),
        limits(3),
        &[&token],
    );
    assert_eq!(outcome.status, RunStatus::Timeout);
    assert!(started.elapsed() < Duration::from_secs(15));
    std::thread::sleep(Duration::from_millis(200));
    assert!(processes_with(&token).is_empty(), "daemon survived");
    assert_normal_run_works();
}

#[test]
fn printing_1_gb_hits_the_output_limit() {
    let (outcome, _t) = run(
        Language::Python,
        "import sys\nblock = 'x' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(block)\n",
        limits(60),
        &[],
    );
    assert_eq!(
        outcome.status,
        RunStatus::OutputLimit,
        "{:?}",
        outcome.status
    );
    assert!(outcome.stdout.len() <= 16 << 20);
    let (outcome, _t) = run(
        Language::Cpp,
        "#include <cstdio>\nint main(){ for(;;) std::fputs(\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\\n\", stderr); }\n",
        limits(60),
        &[],
    );
    assert_eq!(
        outcome.status,
        RunStatus::OutputLimit,
        "{:?}",
        outcome.status
    );
    assert!(outcome.stderr.len() <= 16 << 20);
    assert_normal_run_works();
}

#[test]
fn forbidden_syscall_is_a_sandbox_violation() {
    let (outcome, _t) = run(
        Language::Cpp,
        "#include <sys/ptrace.h>\n#include <cstdio>\nint main(){ long r = ptrace(PTRACE_TRACEME, 0, nullptr, nullptr); std::printf(\"%ld\\n\", r); }\n",
        limits(10),
        &[],
    );
    assert!(
        matches!(outcome.status, RunStatus::SandboxViolation(_)),
        "{outcome:?}"
    );
    assert_normal_run_works();
}

#[test]
fn a_run_cannot_tamper_with_its_built_program() {
    let config = common::prepared_config();
    let tmp = common::TestDir::new();
    let source = "import os, sys\nprint('original')\ntry:\n    open(__file__, 'w').write('print(\"tampered\")\\n')\nexcept OSError as e:\n    print('blocked', type(e).__name__)\ntry:\n    os.unlink(__file__)\nexcept OSError as e:\n    print('blocked', type(e).__name__)\n";
    let program = perforch::executor::SourceProgram::single(
        Language::Python,
        perforch::executor::ProgramKind::Executable,
        source,
    );
    let built = perforch::executor::build(
        &config,
        &perforch::executor::detect(Language::Python).unwrap(),
        &program,
        &tmp.run_dir("w"),
    )
    .unwrap();
    for _ in 0..2 {
        let outcome = perforch::executor::run_built(&config, &built, limits(10), &[]).unwrap();
        let out = outcome.stdout_text();
        assert!(out.starts_with("original\nblocked"), "{out}");
    }
}
