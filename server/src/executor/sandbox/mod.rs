//! The sandbox: a launcher mode of our own binary (`perforch sandbox-exec`)
//! that confines one untrusted program, plus the types the parent uses to
//! describe the confinement and to learn which protections actually held.

mod args;
pub mod cgroup;
mod landlock;
mod launcher;
mod limits;
mod namespaces;
pub(crate) mod report;
mod seccomp;

pub use args::{LauncherArgs, LauncherArgsError};
pub use launcher::launcher_main;
pub use report::{Protection, ProtectionState, SandboxReport};

use std::path::PathBuf;
use std::time::Duration;

/// Unprivileged identity the launcher switches to when started as root.
/// `nobody` owns nothing on a normal system, so the untrusted program can
/// only touch world-accessible files and its own run folder.
pub const SANDBOX_UID: u32 = 65534;
pub const SANDBOX_GID: u32 = 65534;

/// Resource limits for one sandboxed process tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxLimits {
    /// RLIMIT_CPU, in seconds of user+sys time.
    pub cpu_secs: u64,
    /// Memory cap (cgroup, RLIMIT_AS or RSS watchdog, whichever applies).
    pub mem_mb: u64,
    /// RLIMIT_FSIZE: largest file the program may write.
    pub fsize_mb: u64,
    /// RLIMIT_NOFILE.
    pub nofile: u64,
    /// Processes/threads: pids cgroup when available, RLIMIT_NPROC otherwise.
    pub nproc: u64,
    /// Whether RLIMIT_AS may be set (false for JVM and Go runtimes).
    pub address_space_limit: bool,
    /// Wall-clock timeout enforced by the parent.
    pub wall: Duration,
    /// Bytes of stdout (and separately stderr) kept; more ends the run.
    pub output_bytes: usize,
}

impl SandboxLimits {
    /// Limits for running a built test program.
    pub fn for_run() -> Self {
        SandboxLimits {
            cpu_secs: 20,
            mem_mb: 2048,
            fsize_mb: 64,
            nofile: 256,
            nproc: 256,
            address_space_limit: true,
            wall: Duration::from_secs(20),
            output_bytes: 16 << 20,
        }
    }

    /// Limits for compilers: more time, memory and files than a test run.
    pub fn for_build() -> Self {
        SandboxLimits {
            cpu_secs: 240,
            mem_mb: 4096,
            fsize_mb: 512,
            nofile: 1024,
            nproc: 512,
            address_space_limit: false,
            wall: Duration::from_secs(240),
            output_bytes: 4 << 20,
        }
    }
}

/// Everything the launcher needs besides the program to run.
#[derive(Clone, Debug)]
pub struct SandboxPolicy {
    pub limits: SandboxLimits,
    /// Deny network access (net namespace, else Landlock TCP rules, else seccomp).
    pub no_network: bool,
    /// Extra environment variables (the environment is otherwise cleared).
    pub env: Vec<(String, String)>,
    /// Extra folders the program may write (e.g. a shared GOCACHE).
    pub writable: Vec<PathBuf>,
    /// Extra folders the program may read (toolchains, dependency caches).
    /// Folders under a directory the sandbox user cannot enter (e.g. /root)
    /// are made reachable through bind mounts in the private mount namespace.
    pub readable: Vec<PathBuf>,
}

impl SandboxPolicy {
    pub fn new(limits: SandboxLimits) -> Self {
        SandboxPolicy {
            limits,
            no_network: true,
            env: Vec::new(),
            writable: Vec::new(),
            readable: Vec::new(),
        }
    }
}
