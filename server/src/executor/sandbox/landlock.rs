//! Landlock: read-only system and toolchain folders, read-write only the run
//! folder (and explicitly shared caches), optionally no TCP at all.

use std::path::{Path, PathBuf};

use landlock::{
    ABI, Access, AccessFs, AccessNet, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus,
};

use super::report::ProtectionState;

/// Folders every toolchain needs to read (and execute from).
const SYSTEM_READ_ONLY: &[&str] = &[
    "/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/opt", "/proc", "/sys", "/dev",
    "/var/lib", "/run",
];

fn existing(paths: impl IntoIterator<Item = PathBuf>) -> Vec<PathBuf> {
    paths.into_iter().filter(|p| p.exists()).collect()
}

fn status_to_state(status: RulesetStatus, what: &str) -> ProtectionState {
    match status {
        RulesetStatus::FullyEnforced => ProtectionState::Active,
        RulesetStatus::PartiallyEnforced => ProtectionState::Missing(format!(
            "{what}: only partially enforced (kernel Landlock ABI older than requested)"
        )),
        RulesetStatus::NotEnforced => ProtectionState::Missing(format!(
            "{what}: kernel does not support or has not enabled Landlock (needs `lsm=...,landlock` boot option)"
        )),
    }
}

/// Restrict the filesystem. Returns the state to report.
pub fn restrict_filesystem(
    run_dir: &Path,
    writable: &[PathBuf],
    readable: &[PathBuf],
) -> ProtectionState {
    // ABI V3 covers file truncation; newer ABIs add device ioctl rules that
    // could break isatty-style probing, which we do not need to restrict.
    let abi = ABI::V3;
    let result = (|| -> Result<RulesetStatus, landlock::RulesetError> {
        let mut ruleset = Ruleset::default()
            .handle_access(AccessFs::from_all(abi))?
            .create()?;
        let read_only = existing(
            SYSTEM_READ_ONLY
                .iter()
                .map(PathBuf::from)
                .chain(readable.iter().cloned()),
        );
        for path in read_only {
            if let Ok(fd) = PathFd::new(&path) {
                ruleset = ruleset.add_rule(PathBeneath::new(fd, AccessFs::from_read(abi)))?;
            }
        }
        let read_write =
            existing(std::iter::once(run_dir.to_path_buf()).chain(writable.iter().cloned()));
        for path in read_write {
            if let Ok(fd) = PathFd::new(&path) {
                ruleset = ruleset.add_rule(PathBeneath::new(fd, AccessFs::from_all(abi)))?;
            }
        }
        // Output redirected to /dev/null must keep working.
        for device in ["/dev/null", "/dev/zero", "/dev/tty"] {
            if let Ok(fd) = PathFd::new(device) {
                let access = AccessFs::from_read(abi) | AccessFs::WriteFile;
                ruleset =
                    ruleset.add_rule(PathBeneath::new(fd, access & AccessFs::from_file(abi)))?;
            }
        }
        Ok(ruleset.restrict_self()?.ruleset)
    })();
    match result {
        Ok(status) => status_to_state(status, "filesystem rules"),
        Err(e) => ProtectionState::Missing(format!("landlock filesystem rules failed: {e}")),
    }
}

/// Deny every TCP bind and connect (Landlock ABI 4, Linux 6.7+).
pub fn deny_tcp() -> ProtectionState {
    let abi = ABI::V4;
    let result = (|| -> Result<RulesetStatus, landlock::RulesetError> {
        Ok(Ruleset::default()
            .handle_access(AccessNet::from_all(abi))?
            .create()?
            .restrict_self()?
            .ruleset)
    })();
    match result {
        Ok(status) => status_to_state(status, "TCP rules"),
        Err(e) => ProtectionState::Missing(format!("landlock TCP rules failed: {e}")),
    }
}
