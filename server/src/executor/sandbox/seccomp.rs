//! A seccomp deny-list. Syscalls no test program needs and that could harm
//! the machine kill the process (reported as a sandbox violation, SIGSYS);
//! a few that well-behaved runtimes may probe just fail with EPERM.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

#[cfg(target_arch = "x86_64")]
const ARCH: TargetArch = TargetArch::x86_64;
#[cfg(target_arch = "aarch64")]
const ARCH: TargetArch = TargetArch::aarch64;

/// Syscalls whose use means the program is trying to escape or harm the host.
const KILL_LIST: &[libc::c_long] = &[
    libc::SYS_ptrace,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_reboot,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_bpf,
    libc::SYS_acct,
    libc::SYS_settimeofday,
    libc::SYS_clock_settime,
    libc::SYS_process_vm_writev,
];

/// Syscalls that fail politely: runtimes sometimes probe them.
const EPERM_LIST: &[libc::c_long] = &[
    libc::SYS_perf_event_open,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_process_vm_readv,
    libc::SYS_userfaultfd,
];

fn filter(
    rules: BTreeMap<i64, Vec<SeccompRule>>,
    action: SeccompAction,
) -> Result<BpfProgram, String> {
    let filter = SeccompFilter::new(rules, SeccompAction::Allow, action, ARCH)
        .map_err(|e| format!("building seccomp filter: {e}"))?;
    filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| format!("compiling seccomp filter: {e}"))
}

/// Install the filters on the calling thread (sets no_new_privs).
/// `deny_inet_sockets` is used when no net namespace could be created.
pub fn apply(deny_inet_sockets: bool) -> Result<(), String> {
    let kill_rules: BTreeMap<i64, Vec<SeccompRule>> =
        KILL_LIST.iter().map(|nr| (*nr, Vec::new())).collect();
    let mut eperm_rules: BTreeMap<i64, Vec<SeccompRule>> =
        EPERM_LIST.iter().map(|nr| (*nr, Vec::new())).collect();
    if deny_inet_sockets {
        let domain_is = |domain: i32| -> Result<SeccompRule, String> {
            let condition =
                SeccompCondition::new(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, domain as u64)
                    .map_err(|e| e.to_string())?;
            SeccompRule::new(vec![condition]).map_err(|e| e.to_string())
        };
        eperm_rules.insert(
            libc::SYS_socket,
            vec![domain_is(libc::AF_INET)?, domain_is(libc::AF_INET6)?],
        );
    }
    let kill = filter(kill_rules, SeccompAction::KillProcess)?;
    let eperm = filter(eperm_rules, SeccompAction::Errno(libc::EPERM as u32))?;
    seccompiler::apply_filter(&eperm).map_err(|e| format!("installing seccomp filter: {e}"))?;
    seccompiler::apply_filter(&kill).map_err(|e| format!("installing seccomp filter: {e}"))?;
    Ok(())
}
