//! Resource limits applied in the sandboxed child just before exec.

use super::args::LauncherArgs;

const MB: u64 = 1024 * 1024;

fn set(resource: libc::__rlimit_resource_t, soft: u64, hard: u64) -> Result<(), String> {
    let limit = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: setrlimit reads a fully initialised struct.
    if unsafe { libc::setrlimit(resource, &limit) } != 0 {
        return Err(format!(
            "setrlimit({resource}) failed: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// Apply RLIMIT_CPU/FSIZE/NOFILE/CORE/NPROC and, where the runtime tolerates
/// it, RLIMIT_AS. `pids_cgroup_active` relaxes RLIMIT_NPROC: that limit
/// counts every process of the sandbox uid machine-wide (all concurrent runs
/// share it), so when a per-run pids cgroup does the real limiting, NPROC
/// is only a backstop.
pub fn apply(args: &LauncherArgs, pids_cgroup_active: bool) -> Result<(), String> {
    // The soft limit sends SIGXCPU, the hard one a second later SIGKILL, so
    // a program that ignores SIGXCPU still ends.
    set(libc::RLIMIT_CPU, args.cpu_secs, args.cpu_secs + 1)?;
    set(libc::RLIMIT_FSIZE, args.fsize_mb * MB, args.fsize_mb * MB)?;
    set(libc::RLIMIT_NOFILE, args.nofile, args.nofile)?;
    set(libc::RLIMIT_CORE, 0, 0)?;
    let nproc = if pids_cgroup_active {
        (args.nproc * 8).max(4096)
    } else {
        args.nproc
    };
    set(libc::RLIMIT_NPROC, nproc, nproc)?;
    if args.address_space_limit {
        set(libc::RLIMIT_AS, args.mem_mb * MB, args.mem_mb * MB)?;
    }
    Ok(())
}
