//! The parent side of a sandboxed run: spawn the launcher, capture output
//! through capped pipes, enforce the wall-clock timeout and memory watchdog,
//! kill every process of the run at the end, and collect status, CPU time
//! and memory figures.

use std::ffi::OsString;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::config::ExecutorConfig;
use super::error::ExecutorError;
use super::procfs;
use super::sandbox::cgroup::RunCgroup;
use super::sandbox::{
    LauncherArgs, Protection, ProtectionState, SandboxPolicy, SandboxReport, report::ReportLine,
};

/// How a sandboxed run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunStatus {
    Exited(i32),
    Signaled(i32),
    /// Wall-clock timeout or CPU-time limit.
    Timeout,
    MemoryLimit,
    OutputLimit,
    FileSizeLimit,
    /// The sandbox stopped a forbidden action (e.g. a seccomp-killed syscall).
    SandboxViolation(String),
    LaunchError(String),
}

/// Everything measured about one run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunOutcome {
    pub status: RunStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// user + sys CPU of the whole process tree (wait4 rusage).
    pub cpu: Duration,
    pub user_cpu: Duration,
    pub sys_cpu: Duration,
    pub wall: Duration,
    /// ru_maxrss of the largest process of the tree.
    pub peak_rss_kb: u64,
    /// Mean of periodic RSS samples of the whole tree (peak if too short to sample).
    pub mean_rss_kb: u64,
    /// (user + sys) / wall: "CPUs utilized".
    pub cpu_utilization: f64,
    pub sandbox: SandboxReport,
}

impl RunOutcome {
    pub fn succeeded(&self) -> bool {
        self.status == RunStatus::Exited(0)
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// A program to run in a run folder under a policy.
#[derive(Clone, Debug)]
pub struct RunRequest {
    pub program: OsString,
    pub args: Vec<OsString>,
    pub dir: PathBuf,
    pub policy: SandboxPolicy,
}

impl RunRequest {
    pub fn new(
        program: impl Into<OsString>,
        args: impl IntoIterator<Item = impl Into<OsString>>,
        dir: impl Into<PathBuf>,
        policy: SandboxPolicy,
    ) -> Self {
        RunRequest {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            dir: dir.into(),
            policy,
        }
    }
}

/// Why the parent ended the run itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KilledFor {
    Timeout,
    Output,
    Memory,
}

static RUN_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Output collected from one pipe, capped.
struct CappedReader {
    buffer: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

fn spawn_capped_reader(
    mut pipe: impl Read + Send + 'static,
    cap: usize,
    overflow: Arc<AtomicBool>,
) -> CappedReader {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let (done_tx, done) = mpsc::channel();
    let sink = Arc::clone(&buffer);
    std::thread::spawn(move || {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    let mut kept = sink.lock().unwrap_or_else(|e| e.into_inner());
                    let room = cap.saturating_sub(kept.len());
                    kept.extend_from_slice(&chunk[..n.min(room)]);
                    // Past the cap we keep draining (so the writer never blocks
                    // on a full pipe) but discard, and flag the overflow.
                    if n > room {
                        overflow.store(true, Ordering::SeqCst);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = done_tx.send(());
    });
    CappedReader { buffer, done }
}

impl CappedReader {
    /// The collected bytes; waits a little for the pipe to close (a process
    /// that escaped every kill could hold it open forever).
    fn finish(self, grace: Duration) -> Vec<u8> {
        let _ = self.done.recv_timeout(grace);
        std::mem::take(&mut *self.buffer.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

fn kill_everything(launcher_pid: i32, init_pid: i32, cgroup: &RunCgroup, marker: Option<&str>) {
    // SAFETY: sending signals has no memory-safety preconditions.
    unsafe {
        libc::kill(-launcher_pid, libc::SIGKILL);
        if init_pid > 0 {
            // The init of the pid namespace: its death kills every process in it.
            libc::kill(init_pid, libc::SIGKILL);
        }
        libc::kill(launcher_pid, libc::SIGKILL);
    }
    cgroup.kill_all();
    if let Some(marker) = marker {
        for pid in procfs::with_env_marker(marker) {
            // SAFETY: as above.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::from_secs(tv.tv_sec.max(0) as u64) + Duration::from_micros(tv.tv_usec.max(0) as u64)
}

fn report_pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid two-element array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: pipe2 returned two fresh descriptors we now own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Run one program in the sandbox and measure it. Infrastructure failures
/// (the launcher cannot be started) are errors; everything the program does
/// is described by the returned outcome.
pub fn run_sandboxed(
    config: &ExecutorConfig,
    request: &RunRequest,
) -> Result<RunOutcome, ExecutorError> {
    std::fs::create_dir_all(&request.dir).map_err(|source| ExecutorError::RunDir {
        path: request.dir.clone(),
        source,
    })?;
    let limits = &request.policy.limits;
    let run_name = format!(
        "perforch-{}-{}",
        std::process::id(),
        RUN_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    // SAFETY: plain getter.
    let is_root = unsafe { libc::geteuid() } == 0;
    let (cgroup, cgroup_problems) = if config.use_cgroups && is_root {
        RunCgroup::create(&run_name, limits.mem_mb, limits.nproc)
    } else {
        (RunCgroup::create_none(), Vec::new())
    };
    for problem in &cgroup_problems {
        tracing::debug!(%problem, "cgroup unavailable for run");
    }
    let marker = format!("PERFORCH_RUN_MARKER={run_name}");
    let mut policy = request.policy.clone();
    policy
        .env
        .push(("PERFORCH_RUN_MARKER".to_string(), run_name.clone()));
    let launcher_args = LauncherArgs::from_policy(
        &policy,
        request.dir.clone(),
        cgroup.folders().to_vec(),
        request.program.clone(),
        request.args.clone(),
    );

    let (report_read, report_write) = report_pipe().map_err(|e| ExecutorError::LauncherSpawn {
        launcher: config.launcher.clone(),
        source: e,
    })?;
    let report_write_fd = report_write.as_raw_fd();
    let mut command = Command::new(&config.launcher);
    command
        .arg("sandbox-exec")
        .args(launcher_args.to_cli_args())
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: the closure only calls async-signal-safe dup2/fcntl.
    unsafe {
        command.pre_exec(move || {
            if report_write_fd == 3 {
                let flags = libc::fcntl(3, libc::F_GETFD);
                libc::fcntl(3, libc::F_SETFD, flags & !libc::FD_CLOEXEC);
            } else if libc::dup2(report_write_fd, 3) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|source| ExecutorError::LauncherSpawn {
            launcher: config.launcher.clone(),
            source,
        })?;
    drop(report_write);
    let launcher_pid = child.id() as i32;

    let overflow = Arc::new(AtomicBool::new(false));
    let cap = limits.output_bytes;
    let stdout = spawn_capped_reader(
        child.stdout.take().expect("stdout is piped"),
        cap,
        Arc::clone(&overflow),
    );
    let stderr = spawn_capped_reader(
        child.stderr.take().expect("stderr is piped"),
        cap,
        Arc::clone(&overflow),
    );

    let init_pid = Arc::new(AtomicI32::new(0));
    let (report_tx, report_rx) = mpsc::channel::<Vec<ReportLine>>();
    {
        let init_pid = Arc::clone(&init_pid);
        let mut report_file = std::fs::File::from(report_read);
        std::thread::spawn(move || {
            let mut lines = Vec::new();
            let mut pending = String::new();
            let mut chunk = [0u8; 4096];
            loop {
                match report_file.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        pending.push_str(&String::from_utf8_lossy(&chunk[..n]));
                        while let Some(end) = pending.find('\n') {
                            let line: String = pending.drain(..=end).collect();
                            if let Some(parsed) = ReportLine::decode(line.trim_end()) {
                                if let ReportLine::InitPid(pid) = parsed {
                                    init_pid.store(pid, Ordering::SeqCst);
                                }
                                lines.push(parsed);
                            }
                        }
                    }
                }
            }
            let _ = report_tx.send(lines);
        });
    }

    let (wait_tx, wait_rx) = mpsc::channel::<(i32, libc::rusage)>();
    std::thread::spawn(move || {
        let mut status = 0;
        // SAFETY: zeroed rusage is a valid out-parameter.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: valid out-pointers; the pid is our own child.
            let rc = unsafe { libc::wait4(launcher_pid, &mut status, 0, &mut usage) };
            if rc == launcher_pid
                || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR)
            {
                break;
            }
        }
        let _ = wait_tx.send((status, usage));
    });
    // The Child handle must not reap the launcher; wait4 above does.
    drop(child);

    let watchdog_limit_kb =
        (!cgroup.has_memory() && !limits.address_space_limit).then_some(limits.mem_mb * 1024);
    let deadline = started + limits.wall;
    let mut rss_samples: Vec<u64> = Vec::new();
    let mut killed_for = None;
    let mut sample_interval = Duration::from_millis(5);
    let (wait_status, usage) = loop {
        match wait_rx.recv_timeout(sample_interval) {
            Ok(result) => break result,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                break (125 << 8, unsafe { std::mem::zeroed() });
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        // Sampling a long run less often keeps the parent's own CPU low.
        sample_interval = (sample_interval * 2).min(Duration::from_millis(50));
        let init = init_pid.load(Ordering::SeqCst);
        let processes = if cgroup.has_memory() || cgroup.has_pids() {
            cgroup.processes()
        } else {
            procfs::descendants(launcher_pid)
        };
        let rss: u64 = processes
            .iter()
            .filter(|pid| **pid != launcher_pid && **pid != init)
            .map(|pid| procfs::rss_kb(*pid))
            .sum();
        if rss > 0 {
            rss_samples.push(rss);
        }
        let reason = if Instant::now() >= deadline {
            Some(KilledFor::Timeout)
        } else if overflow.load(Ordering::SeqCst) {
            Some(KilledFor::Output)
        } else if watchdog_limit_kb.is_some_and(|limit| rss > limit) {
            Some(KilledFor::Memory)
        } else {
            None
        };
        if let Some(reason) = reason
            && killed_for.is_none()
        {
            killed_for = Some(reason);
            kill_everything(launcher_pid, init, &cgroup, Some(&marker));
        }
    };
    let wall = started.elapsed();

    let report_lines = report_rx
        .recv_timeout(Duration::from_secs(2))
        .unwrap_or_default();
    let mut sandbox = SandboxReport::default();
    let mut program_status: Option<RunStatus> = None;
    let mut launch_error: Option<String> = None;
    for line in &report_lines {
        match line {
            ReportLine::Protection(p, s) => sandbox.record(*p, s.clone()),
            ReportLine::Exited(code) => program_status = Some(RunStatus::Exited(*code)),
            ReportLine::Signaled(sig) => program_status = Some(RunStatus::Signaled(*sig)),
            ReportLine::LaunchError(msg) => {
                launch_error.get_or_insert_with(|| msg.clone());
            }
            ReportLine::InitPid(_) => {}
        }
    }
    if !cgroup_problems.is_empty() {
        for protection in [Protection::CgroupMemory, Protection::CgroupPids] {
            if !sandbox.is_active(protection) {
                sandbox.record(
                    protection,
                    ProtectionState::Missing(cgroup_problems.join("; ")),
                );
            }
        }
    }

    // Whatever is left (a setsid daemon when there was no pid namespace, a
    // process that escaped the group) dies now.
    let contained =
        sandbox.is_active(Protection::PidNamespace) || sandbox.is_active(Protection::CgroupPids);
    kill_everything(
        launcher_pid,
        init_pid.load(Ordering::SeqCst),
        &cgroup,
        (!contained).then_some(marker.as_str()),
    );
    let grace = Duration::from_millis(500);
    let stdout = stdout.finish(grace);
    let stderr = stderr.finish(grace);
    // A program that passed the cap and exited before the next sample
    // still lost output: its run stopped at a limit all the same.
    if killed_for.is_none() && overflow.load(Ordering::SeqCst) {
        killed_for = Some(KilledFor::Output);
    }

    let user_cpu = timeval(usage.ru_utime);
    let sys_cpu = timeval(usage.ru_stime);
    let cpu = user_cpu + sys_cpu;
    // ru_maxrss is the largest single process of the tree; the cgroup peak
    // also counts page cache, so it is only a fallback.
    let peak_rss_kb = if usage.ru_maxrss > 0 {
        usage.ru_maxrss as u64
    } else {
        cgroup.peak_kb().unwrap_or(0)
    };
    let mean_rss_kb = if rss_samples.is_empty() {
        peak_rss_kb
    } else {
        rss_samples.iter().sum::<u64>() / rss_samples.len() as u64
    };

    let program_status = program_status.unwrap_or_else(|| {
        if libc::WIFEXITED(wait_status) {
            RunStatus::Exited(libc::WEXITSTATUS(wait_status))
        } else {
            RunStatus::Signaled(libc::WTERMSIG(wait_status))
        }
    });
    let status = classify(
        killed_for,
        program_status,
        launch_error,
        cgroup.memory_limit_hit(),
        cpu,
        &request.policy,
        &stderr,
    );
    tracing::debug!(?status, ?wall, ?cpu, "sandboxed run finished");
    Ok(RunOutcome {
        status,
        stdout,
        stderr,
        cpu,
        user_cpu,
        sys_cpu,
        wall,
        peak_rss_kb,
        mean_rss_kb,
        cpu_utilization: if wall.is_zero() {
            0.0
        } else {
            cpu.as_secs_f64() / wall.as_secs_f64()
        },
        sandbox,
    })
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// Turn the raw facts into one verdict. Limits the parent enforced win; then
/// kernel-enforced limits recognised by their signal or, for runtimes that
/// turn a limit into an exception, by the runtime's message.
fn classify(
    killed_for: Option<KilledFor>,
    program_status: RunStatus,
    launch_error: Option<String>,
    cgroup_oom: bool,
    cpu: Duration,
    policy: &SandboxPolicy,
    stderr: &[u8],
) -> RunStatus {
    match killed_for {
        Some(KilledFor::Timeout) => return RunStatus::Timeout,
        Some(KilledFor::Output) => return RunStatus::OutputLimit,
        Some(KilledFor::Memory) => return RunStatus::MemoryLimit,
        None => {}
    }
    if let (Some(message), RunStatus::Exited(125 | 127)) = (&launch_error, &program_status) {
        return RunStatus::LaunchError(message.clone());
    }
    if cgroup_oom {
        return RunStatus::MemoryLimit;
    }
    match program_status {
        RunStatus::Signaled(sig) if sig == libc::SIGXCPU => RunStatus::Timeout,
        RunStatus::Signaled(libc::SIGKILL) if cpu.as_secs() + 1 >= policy.limits.cpu_secs => {
            RunStatus::Timeout
        }
        RunStatus::Signaled(sig) if sig == libc::SIGXFSZ => RunStatus::FileSizeLimit,
        RunStatus::Signaled(sig) if sig == libc::SIGSYS => {
            RunStatus::SandboxViolation("forbidden system call (seccomp killed the program)".into())
        }
        RunStatus::Exited(code) if code != 0 => {
            let memory_messages = [
                "MemoryError",
                "std::bad_alloc",
                "memory allocation of",
                "java.lang.OutOfMemoryError",
                "fatal error: runtime: out of memory",
                "cannot allocate memory",
            ];
            if memory_messages.iter().any(|m| contains(stderr, m)) {
                RunStatus::MemoryLimit
            } else if contains(stderr, "File too large") {
                RunStatus::FileSizeLimit
            } else {
                RunStatus::Exited(code)
            }
        }
        // abort() after std::bad_alloc in C++.
        RunStatus::Signaled(libc::SIGABRT) if contains(stderr, "std::bad_alloc") => {
            RunStatus::MemoryLimit
        }
        other => other,
    }
}
