//! `perforch sandbox-exec`: runs in a fresh process started by the parent
//! and turns itself into a confined environment for one untrusted program.
//!
//! Process layout:
//! - launcher (L): joins the run's cgroups, starts a new session, chowns the
//!   run folder, enters namespaces, forks the init, waits for it.
//! - init (C): pid 1 of the new pid namespace; mounts a private /proc, hides
//!   home folders, forks the program, reaps orphans and reports the
//!   program's exit status. When it exits the kernel kills every process
//!   left in the namespace (setsid daemons included).
//! - program (G): rlimits, uid drop, Landlock, seccomp, then exec.
//!
//! Everything here runs single-threaded, so forking without exec is sound.

use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::args::{LauncherArgs, has_nul};
use super::report::{Protection, ProtectionState, ReportLine};
use super::{landlock, limits, namespaces, seccomp};

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Writes report lines to the parent's pipe (or stderr if there is none).
struct Reporter {
    fd: i32,
}

impl Reporter {
    fn send(&self, line: ReportLine) {
        let text = line.encode();
        // SAFETY: writing a valid buffer to a file descriptor.
        let written = unsafe { libc::write(self.fd, text.as_ptr().cast(), text.len()) };
        if written < 0 {
            eprint!("perforch sandbox: {text}");
        }
    }

    fn protection(&self, protection: Protection, state: ProtectionState) {
        self.send(ReportLine::Protection(protection, state));
    }
}

/// Entry point of the launcher mode; `args` are the words after
/// `sandbox-exec`. Returns the process exit code (the program's own code,
/// 128+signal if it was killed, 125 when the sandbox could not be set up).
pub fn launcher_main(args: Vec<OsString>) -> i32 {
    let args = match LauncherArgs::parse(args) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("perforch sandbox-exec: {e}");
            return 125;
        }
    };
    let reporter = Reporter { fd: args.report_fd };
    match run_launcher(&args, &reporter) {
        Ok(code) => code,
        Err(message) => {
            reporter.send(ReportLine::LaunchError(message));
            125
        }
    }
}

fn os_error(what: &str) -> String {
    format!("{what}: {}", std::io::Error::last_os_error())
}

fn run_launcher(args: &LauncherArgs, reporter: &Reporter) -> Result<i32, String> {
    if has_nul(args.program.as_os_str()) || args.program_args.iter().any(|a| has_nul(a)) {
        return Err("program or argument contains a NUL byte".into());
    }
    // SAFETY: plain getter.
    let is_root = unsafe { libc::geteuid() } == 0;

    // Join the cgroups first so every process started from here on is
    // counted and can be found by the parent.
    let mut joined_pids = false;
    let mut joined_memory = false;
    for folder in &args.cgroups {
        let procs = folder.join("cgroup.procs");
        match std::fs::write(&procs, std::process::id().to_string()) {
            Ok(()) => {
                let name = folder.to_string_lossy();
                joined_memory |= name.contains("memory") || folder.join("memory.max").exists();
                joined_pids |= name.contains("pids") || folder.join("pids.max").exists();
            }
            Err(e) => reporter.send(ReportLine::LaunchError(format!(
                "joining cgroup {} failed: {e}",
                folder.display()
            ))),
        }
    }
    report_cgroup(
        reporter,
        Protection::CgroupMemory,
        joined_memory,
        &args.cgroups,
    );
    report_cgroup(reporter, Protection::CgroupPids, joined_pids, &args.cgroups);

    // Own session and process group: the parent kills the group on timeout,
    // and the program cannot signal the parent's group.
    // SAFETY: setsid has no memory-safety preconditions.
    unsafe { libc::setsid() };

    prepare_run_dir(args, is_root)?;

    let entered = namespaces::enter(is_root, args.no_network, &mut |p, s| {
        reporter.protection(p, s)
    });

    // SAFETY: single-threaded process; the child only calls async-signal-safe
    // functions or exits/execs... and, being single-threaded, may allocate.
    let init_pid = unsafe { libc::fork() };
    if init_pid < 0 {
        return Err(os_error("fork of the sandbox init failed"));
    }
    if init_pid == 0 {
        let code = namespace_init(args, reporter, entered, joined_pids, is_root);
        // SAFETY: leave without running the parent's atexit handlers.
        unsafe { libc::_exit(code) };
    }
    reporter.send(ReportLine::InitPid(init_pid));
    let status = wait_for(init_pid);
    Ok(exit_code_of(status))
}

fn report_cgroup(reporter: &Reporter, protection: Protection, joined: bool, folders: &[PathBuf]) {
    let state = if joined {
        ProtectionState::Active
    } else if folders.is_empty() {
        ProtectionState::Missing(
            "parent could not create this cgroup (not root, or controller not mounted)".into(),
        )
    } else {
        ProtectionState::Missing("joining the cgroup failed".into())
    };
    reporter.protection(protection, state);
}

/// Make the run folder (and its private TMPDIR) belong to the sandbox uid.
fn prepare_run_dir(args: &LauncherArgs, is_root: bool) -> Result<(), String> {
    let tmp = args.dir.join("tmp");
    std::fs::create_dir_all(&tmp).map_err(|e| format!("creating {}: {e}", tmp.display()))?;
    if is_root {
        chown_tree(&args.dir, args.uid, args.gid)?;
    }
    Ok(())
}

/// lchown, never following symlinks: a previous run could have planted a
/// link to a system file in the folder.
fn chown_tree(path: &Path, uid: u32, gid: u32) -> Result<(), String> {
    let c = CString::new(path.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
    // SAFETY: valid C string.
    if unsafe { libc::lchown(c.as_ptr(), uid, gid) } != 0 {
        return Err(os_error(&format!("chown {}", path.display())));
    }
    let meta = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).map_err(|e| e.to_string())? {
            let entry = entry.map_err(|e| e.to_string())?;
            chown_tree(&entry.path(), uid, gid)?;
        }
    }
    Ok(())
}

fn wait_for(pid: i32) -> i32 {
    let mut status = 0;
    loop {
        // SAFETY: status is a valid out-pointer.
        let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
        if rc == pid {
            return status;
        }
        if rc < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return 125 << 8;
        }
    }
}

fn exit_code_of(status: i32) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        125
    }
}

/// The namespace init: sets up mounts, forks the program, reaps everything,
/// reports the program's status.
fn namespace_init(
    args: &LauncherArgs,
    reporter: &Reporter,
    entered: namespaces::Entered,
    pids_cgroup: bool,
    is_root: bool,
) -> i32 {
    // If the launcher dies (killed by the parent), take the namespace down.
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) };
    if entered.mount {
        if let Err(e) = namespaces::make_mounts_private() {
            reporter.send(ReportLine::LaunchError(e));
            return 125;
        }
        if entered.pid {
            match namespaces::mount_private_proc() {
                Ok(()) => reporter.protection(Protection::PrivateProc, ProtectionState::Active),
                Err(e) => reporter.protection(Protection::PrivateProc, ProtectionState::Missing(e)),
            }
        } else {
            reporter.protection(
                Protection::PrivateProc,
                ProtectionState::Missing("needs a pid namespace".into()),
            );
        }
        match namespaces::hide_home_folders(&args.readable) {
            Ok(_) => reporter.protection(Protection::HiddenHome, ProtectionState::Active),
            Err(e) => reporter.protection(Protection::HiddenHome, ProtectionState::Missing(e)),
        }
    } else {
        let reason = "needs a mount namespace".to_string();
        reporter.protection(
            Protection::PrivateProc,
            ProtectionState::Missing(reason.clone()),
        );
        reporter.protection(Protection::HiddenHome, ProtectionState::Missing(reason));
    }

    // SAFETY: single-threaded, see launcher_main.
    let program_pid = unsafe { libc::fork() };
    if program_pid < 0 {
        reporter.send(ReportLine::LaunchError(os_error(
            "fork of the program failed",
        )));
        return 125;
    }
    if program_pid == 0 {
        let error = exec_program(args, reporter, entered, pids_cgroup, is_root);
        reporter.send(ReportLine::LaunchError(error));
        // SAFETY: leave without running atexit handlers.
        unsafe { libc::_exit(127) };
    }
    // Reap the program and any orphan re-parented to us until the program ends.
    loop {
        let mut status = 0;
        // SAFETY: status is a valid out-pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
        if pid == program_pid {
            if libc::WIFEXITED(status) {
                reporter.send(ReportLine::Exited(libc::WEXITSTATUS(status)));
            } else if libc::WIFSIGNALED(status) {
                reporter.send(ReportLine::Signaled(libc::WTERMSIG(status)));
            }
            return exit_code_of(status);
        }
        if pid < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return 125;
        }
    }
}

fn sandbox_env(args: &LauncherArgs) -> Vec<(String, String)> {
    let dir = args.dir.to_string_lossy().into_owned();
    let mut env = vec![
        ("PATH".to_string(), DEFAULT_PATH.to_string()),
        ("HOME".to_string(), dir.clone()),
        ("LANG".to_string(), "C.UTF-8".to_string()),
        ("TMPDIR".to_string(), format!("{dir}/tmp")),
    ];
    for (key, value) in &args.env {
        env.retain(|(k, _)| k != key);
        env.push((key.clone(), value.clone()));
    }
    env
}

fn resolve_program(program: &Path, path_var: &str) -> PathBuf {
    if program.as_os_str().as_bytes().contains(&b'/') {
        return program.to_path_buf();
    }
    for dir in path_var.split(':') {
        let candidate = Path::new(dir).join(program);
        if let Ok(meta) = std::fs::metadata(&candidate) {
            use std::os::unix::fs::PermissionsExt;
            if meta.is_file() && meta.permissions().mode() & 0o111 != 0 {
                return candidate;
            }
        }
    }
    program.to_path_buf()
}

/// In the program's process: confine, then exec. Returns only on failure.
fn exec_program(
    args: &LauncherArgs,
    reporter: &Reporter,
    entered: namespaces::Entered,
    pids_cgroup: bool,
    is_root: bool,
) -> String {
    // stdin from /dev/null: the program must not wait for input.
    let devnull = CString::new("/dev/null").unwrap_or_default();
    // SAFETY: valid C string; dup2 onto fd 0.
    unsafe {
        let fd = libc::open(devnull.as_ptr(), libc::O_RDONLY);
        if fd >= 0 {
            libc::dup2(fd, 0);
            libc::close(fd);
        }
    }
    let dir = CString::new(args.dir.as_os_str().as_bytes()).unwrap_or_default();
    // SAFETY: valid C string.
    if unsafe { libc::chdir(dir.as_ptr()) } != 0 {
        return os_error(&format!("chdir {}", args.dir.display()));
    }
    // Resolve while still privileged enough to see every PATH entry.
    let env = sandbox_env(args);
    let path_var = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let program = resolve_program(Path::new(&args.program), &path_var);

    if let Err(e) = limits::apply(args, pids_cgroup) {
        return e;
    }
    reporter.protection(Protection::Rlimits, ProtectionState::Active);

    if is_root {
        // SAFETY: credential syscalls with plain integers.
        let dropped = unsafe {
            libc::setgroups(0, std::ptr::null()) == 0
                && libc::setresgid(args.gid, args.gid, args.gid) == 0
                && libc::setresuid(args.uid, args.uid, args.uid) == 0
        };
        // SAFETY: plain getters.
        if !dropped || unsafe { libc::geteuid() } == 0 || unsafe { libc::getuid() } == 0 {
            return os_error("dropping root privileges failed; refusing to run as root");
        }
        reporter.protection(Protection::PrivilegeDrop, ProtectionState::Active);
    } else {
        reporter.protection(
            Protection::PrivilegeDrop,
            ProtectionState::NotNeeded(
                "not started as root: runs as the invoking, unprivileged user".into(),
            ),
        );
    }
    // Credential changes clear the parent-death signal, so set it now.
    // SAFETY: prctl with integer arguments.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
        libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        libc::umask(0o022);
    }

    reporter.protection(
        Protection::Landlock,
        landlock::restrict_filesystem(&args.dir, &args.writable, &args.readable),
    );
    let mut network_denied = entered.net || !args.no_network;
    if args.no_network && !entered.net {
        let state = landlock::deny_tcp();
        network_denied = state == ProtectionState::Active;
        reporter.protection(Protection::LandlockNetwork, state);
    } else {
        reporter.protection(
            Protection::LandlockNetwork,
            ProtectionState::NotNeeded(if args.no_network {
                "the net namespace already has no network".into()
            } else {
                "network allowed by policy".into()
            }),
        );
    }
    match seccomp::apply(!network_denied) {
        Ok(()) => reporter.protection(Protection::Seccomp, ProtectionState::Active),
        Err(e) => reporter.protection(Protection::Seccomp, ProtectionState::Missing(e)),
    }

    // Nothing but stdin/stdout/stderr crosses into the program: the report
    // pipe and anything else inherited is closed on exec.
    // SAFETY: marks descriptors close-on-exec; no memory is touched.
    unsafe {
        libc::syscall(
            libc::SYS_close_range,
            3u32,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        );
    }

    let program_c = match CString::new(program.as_os_str().as_bytes()) {
        Ok(c) => c,
        Err(e) => return e.to_string(),
    };
    let mut argv: Vec<CString> = vec![CString::new(args.program.as_bytes()).unwrap_or_default()];
    argv.extend(
        args.program_args
            .iter()
            .map(|a| CString::new(a.as_bytes()).unwrap_or_default()),
    );
    let envp: Vec<CString> = env
        .iter()
        .map(|(k, v)| CString::new(format!("{k}={v}")).unwrap_or_default())
        .collect();
    let mut argv_ptrs: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    let mut envp_ptrs: Vec<*const libc::c_char> = envp.iter().map(|e| e.as_ptr()).collect();
    envp_ptrs.push(std::ptr::null());
    // ETXTBSY: the program was written moments ago (the artifact copy) and
    // a child forked meanwhile by another thread of the parent still holds
    // the written file open until its own exec. That lasts milliseconds, so
    // retry for a while before calling it an error.
    let mut delays_ms = [1, 2, 5, 10, 20, 50, 100, 200, 400, 800].into_iter();
    loop {
        // SAFETY: argv/envp are NULL-terminated arrays of valid C strings
        // that outlive the call.
        unsafe { libc::execve(program_c.as_ptr(), argv_ptrs.as_ptr(), envp_ptrs.as_ptr()) };
        let error = std::io::Error::last_os_error();
        match (error.raw_os_error(), delays_ms.next()) {
            (Some(libc::ETXTBSY), Some(delay)) => {
                std::thread::sleep(std::time::Duration::from_millis(delay));
            }
            _ => return format!("exec {}: {error}", program.display()),
        }
    }
}
