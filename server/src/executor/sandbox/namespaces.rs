//! Linux namespaces for the sandbox: pid (killing its init kills every
//! process the program started, even ones that called setsid), net (a fresh
//! namespace has only a downed loopback, so no network), mount (private
//! /proc, hidden home folders), plus a user namespace when not root.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::report::{Protection, ProtectionState};

fn last_error() -> String {
    std::io::Error::last_os_error().to_string()
}

fn unshare(flags: libc::c_int) -> Result<(), String> {
    // SAFETY: unshare only changes this (single-threaded) process' namespaces.
    if unsafe { libc::unshare(flags) } == 0 {
        Ok(())
    } else {
        Err(last_error())
    }
}

/// Which namespaces the launcher managed to enter.
#[derive(Debug, Default, Clone, Copy)]
pub struct Entered {
    pub user: bool,
    pub pid: bool,
    pub net: bool,
    pub mount: bool,
}

/// Enter new namespaces, one at a time so each refusal is reported with its
/// own reason. Must run before the fork of the namespace init.
pub fn enter(
    is_root: bool,
    want_network_isolation: bool,
    report: &mut dyn FnMut(Protection, ProtectionState),
) -> Entered {
    let mut entered = Entered::default();
    if is_root {
        report(
            Protection::UserNamespace,
            ProtectionState::NotNeeded(
                "launcher runs as root and drops to an unprivileged uid instead".into(),
            ),
        );
    } else {
        // SAFETY: plain getters.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        match unshare(libc::CLONE_NEWUSER) {
            Ok(()) => {
                let maps = std::fs::write("/proc/self/setgroups", "deny")
                    .and_then(|_| std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1")))
                    .and_then(|_| std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1")));
                match maps {
                    Ok(()) => {
                        entered.user = true;
                        report(Protection::UserNamespace, ProtectionState::Active);
                    }
                    Err(e) => report(
                        Protection::UserNamespace,
                        ProtectionState::Missing(format!("writing uid/gid map failed: {e}")),
                    ),
                }
            }
            Err(e) => report(
                Protection::UserNamespace,
                ProtectionState::Missing(format!(
                    "unshare(CLONE_NEWUSER) refused: {e} (check kernel.unprivileged_userns_clone)"
                )),
            ),
        }
    }
    let privileged = is_root || entered.user;
    let mut try_ns = |flag, protection, what: &str| -> bool {
        if !privileged {
            report(
                protection,
                ProtectionState::Missing(format!("{what} needs root or a user namespace")),
            );
            return false;
        }
        match unshare(flag) {
            Ok(()) => {
                report(protection, ProtectionState::Active);
                true
            }
            Err(e) => {
                report(
                    protection,
                    ProtectionState::Missing(format!("unshare({what}) refused: {e}")),
                );
                false
            }
        }
    };
    entered.mount = try_ns(libc::CLONE_NEWNS, Protection::MountNamespace, "CLONE_NEWNS");
    entered.pid = try_ns(libc::CLONE_NEWPID, Protection::PidNamespace, "CLONE_NEWPID");
    if want_network_isolation {
        entered.net = try_ns(libc::CLONE_NEWNET, Protection::NetNamespace, "CLONE_NEWNET");
    } else {
        report(
            Protection::NetNamespace,
            ProtectionState::NotNeeded("network allowed by policy".into()),
        );
    }
    // IPC and UTS isolation are cheap extras; their failure is not reported.
    let _ = privileged && unshare(libc::CLONE_NEWIPC | libc::CLONE_NEWUTS).is_ok();
    entered
}

fn cstring(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).unwrap_or_default()
}

fn mount(
    source: Option<&str>,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> Result<(), String> {
    let source = source.map(|s| CString::new(s).unwrap_or_default());
    let fstype = fstype.map(|s| CString::new(s).unwrap_or_default());
    let data = data.map(|s| CString::new(s).unwrap_or_default());
    let target_c = cstring(target);
    let ptr = |c: &Option<CString>| c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
    // SAFETY: all pointers are valid NUL-terminated strings or null.
    let rc = unsafe {
        libc::mount(
            ptr(&source),
            target_c.as_ptr(),
            ptr(&fstype),
            flags,
            ptr(&data).cast(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(format!("mount on {}: {}", target.display(), last_error()))
    }
}

/// Stop our mounts from propagating to the host.
pub fn make_mounts_private() -> Result<(), String> {
    mount(
        None,
        Path::new("/"),
        None,
        libc::MS_REC | libc::MS_PRIVATE,
        None,
    )
}

/// Mount a /proc that shows only the sandbox's own pid namespace. Must run in
/// the namespace init (after the fork).
pub fn mount_private_proc() -> Result<(), String> {
    mount(
        Some("proc"),
        Path::new("/proc"),
        Some("proc"),
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        None,
    )
}

/// Top-level folders (like /root) that the sandbox uid cannot enter but that
/// contain folders it must read (a rustup toolchain, a pyenv Python).
fn inaccessible_top(path: &Path) -> Option<PathBuf> {
    let top: PathBuf = path.components().take(2).collect();
    let mode = std::fs::metadata(&top).ok()?.permissions().mode();
    (top != path && mode & 0o001 == 0).then_some(top)
}

/// Cover each such top-level folder with an empty tmpfs and bind-mount back,
/// read-only, only the folders the sandbox needs. This both makes toolchains
/// under /root usable by the unprivileged uid and hides everything else there
/// (API keys, ssh keys, shell history). Returns how many folders were hidden.
pub fn hide_home_folders(readable: &[PathBuf]) -> Result<usize, String> {
    let mut by_top: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    for path in readable {
        if let Some(top) = inaccessible_top(path) {
            match by_top.iter_mut().find(|(t, _)| *t == top) {
                Some((_, paths)) => paths.push(path.clone()),
                None => by_top.push((top, vec![path.clone()])),
            }
        }
    }
    for (top, paths) in &by_top {
        // Open the folders before the tmpfs covers them; mount() can then
        // bind from the open descriptors through /proc/self/fd.
        let mut held = Vec::new();
        for path in paths {
            let file = std::fs::File::open(path)
                .map_err(|e| format!("opening {}: {e}", path.display()))?;
            held.push((path, file));
        }
        mount(
            Some("tmpfs"),
            top,
            Some("tmpfs"),
            libc::MS_NOSUID | libc::MS_NODEV,
            Some("mode=0755,size=1m"),
        )?;
        for (path, file) in &held {
            std::fs::create_dir_all(path).map_err(|e| format!("{}: {e}", path.display()))?;
            use std::os::fd::AsRawFd;
            let source = format!("/proc/self/fd/{}", file.as_raw_fd());
            mount(
                Some(&source),
                path,
                None,
                libc::MS_BIND | libc::MS_REC,
                None,
            )?;
            mount(
                None,
                path,
                None,
                libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID,
                None,
            )?;
        }
        mount(
            None,
            top,
            None,
            libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV,
            None,
        )?;
    }
    Ok(by_top.len())
}
