//! What the launcher tells the parent about the protections it applied.
//!
//! The launcher writes one line per event to a dedicated pipe (fd 3 by
//! default) that is closed before the untrusted program starts, so the
//! program cannot forge these lines.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A protection layer of the sandbox.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Protection {
    Rlimits,
    PrivilegeDrop,
    UserNamespace,
    PidNamespace,
    NetNamespace,
    MountNamespace,
    PrivateProc,
    HiddenHome,
    Landlock,
    LandlockNetwork,
    Seccomp,
    CgroupMemory,
    CgroupPids,
}

impl Protection {
    pub fn name(self) -> &'static str {
        match self {
            Protection::Rlimits => "rlimits",
            Protection::PrivilegeDrop => "privilege-drop",
            Protection::UserNamespace => "user-namespace",
            Protection::PidNamespace => "pid-namespace",
            Protection::NetNamespace => "net-namespace",
            Protection::MountNamespace => "mount-namespace",
            Protection::PrivateProc => "private-proc",
            Protection::HiddenHome => "hidden-home",
            Protection::Landlock => "landlock",
            Protection::LandlockNetwork => "landlock-network",
            Protection::Seccomp => "seccomp",
            Protection::CgroupMemory => "cgroup-memory",
            Protection::CgroupPids => "cgroup-pids",
        }
    }

    pub fn from_name(name: &str) -> Option<Protection> {
        ALL_PROTECTIONS.iter().copied().find(|p| p.name() == name)
    }
}

pub const ALL_PROTECTIONS: [Protection; 13] = [
    Protection::Rlimits,
    Protection::PrivilegeDrop,
    Protection::UserNamespace,
    Protection::PidNamespace,
    Protection::NetNamespace,
    Protection::MountNamespace,
    Protection::PrivateProc,
    Protection::HiddenHome,
    Protection::Landlock,
    Protection::LandlockNetwork,
    Protection::Seccomp,
    Protection::CgroupMemory,
    Protection::CgroupPids,
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProtectionState {
    Active,
    /// Wanted but not applied: the reason says why (the kernel refused...).
    Missing(String),
    /// Not applied because another layer covers it or the policy allows
    /// the action (e.g. no user namespace needed when running as root).
    NotNeeded(String),
}

/// Which protections were active for one run. Never silently incomplete:
/// anything that was attempted and refused is recorded with its reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxReport {
    pub protections: Vec<(Protection, ProtectionState)>,
}

impl SandboxReport {
    pub fn record(&mut self, protection: Protection, state: ProtectionState) {
        self.protections.retain(|(p, _)| *p != protection);
        self.protections.push((protection, state));
        self.protections.sort_by_key(|(p, _)| *p);
    }

    pub fn is_active(&self, protection: Protection) -> bool {
        self.protections
            .iter()
            .any(|(p, s)| *p == protection && *s == ProtectionState::Active)
    }

    pub fn missing(&self) -> Vec<(Protection, String)> {
        self.protections
            .iter()
            .filter_map(|(p, s)| match s {
                ProtectionState::Missing(reason) => Some((*p, reason.clone())),
                ProtectionState::Active | ProtectionState::NotNeeded(_) => None,
            })
            .collect()
    }
}

impl fmt::Display for SandboxReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (protection, state) in &self.protections {
            match state {
                ProtectionState::Active => writeln!(f, "  {:<18} active", protection.name())?,
                ProtectionState::Missing(reason) => {
                    writeln!(f, "  {:<18} MISSING ({reason})", protection.name())?
                }
                ProtectionState::NotNeeded(reason) => {
                    writeln!(f, "  {:<18} not needed ({reason})", protection.name())?
                }
            }
        }
        Ok(())
    }
}

/// One line of the launcher-to-parent report protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportLine {
    Protection(Protection, ProtectionState),
    /// Host pid of the namespace init (killing it kills the whole namespace).
    InitPid(i32),
    Exited(i32),
    Signaled(i32),
    LaunchError(String),
}

impl ReportLine {
    pub fn encode(&self) -> String {
        let one_line = |s: &str| s.replace('\n', " ");
        match self {
            ReportLine::Protection(p, ProtectionState::Active) => {
                format!("protection {} active\n", p.name())
            }
            ReportLine::Protection(p, ProtectionState::Missing(reason)) => {
                format!("protection {} missing {}\n", p.name(), one_line(reason))
            }
            ReportLine::Protection(p, ProtectionState::NotNeeded(reason)) => {
                format!("protection {} notneeded {}\n", p.name(), one_line(reason))
            }
            ReportLine::InitPid(pid) => format!("init_pid {pid}\n"),
            ReportLine::Exited(code) => format!("exited {code}\n"),
            ReportLine::Signaled(sig) => format!("signaled {sig}\n"),
            ReportLine::LaunchError(msg) => format!("launch_error {}\n", one_line(msg)),
        }
    }

    pub fn decode(line: &str) -> Option<ReportLine> {
        let mut words = line.splitn(2, ' ');
        let kind = words.next()?;
        let rest = words.next().unwrap_or("");
        match kind {
            "protection" => {
                let mut parts = rest.splitn(3, ' ');
                let protection = Protection::from_name(parts.next()?)?;
                let state = match parts.next()? {
                    "active" => ProtectionState::Active,
                    "missing" => ProtectionState::Missing(parts.next().unwrap_or("").to_string()),
                    "notneeded" => {
                        ProtectionState::NotNeeded(parts.next().unwrap_or("").to_string())
                    }
                    _ => return None,
                };
                Some(ReportLine::Protection(protection, state))
            }
            "init_pid" => rest.trim().parse().ok().map(ReportLine::InitPid),
            "exited" => rest.trim().parse().ok().map(ReportLine::Exited),
            "signaled" => rest.trim().parse().ok().map(ReportLine::Signaled),
            "launch_error" => Some(ReportLine::LaunchError(rest.to_string())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lines_round_trip() {
        let lines = [
            ReportLine::Protection(Protection::Landlock, ProtectionState::Active),
            ReportLine::Protection(
                Protection::Seccomp,
                ProtectionState::Missing("kernel said no\nreally".into()),
            ),
            ReportLine::InitPid(42),
            ReportLine::Exited(3),
            ReportLine::Signaled(9),
            ReportLine::LaunchError("exec failed".into()),
        ];
        for line in lines {
            let encoded = line.encode();
            let decoded = ReportLine::decode(encoded.trim_end_matches('\n')).unwrap();
            match (&line, &decoded) {
                (
                    ReportLine::Protection(_, ProtectionState::Missing(_)),
                    ReportLine::Protection(_, ProtectionState::Missing(r)),
                ) => assert_eq!(r, "kernel said no really"),
                _ => assert_eq!(line, decoded),
            }
        }
    }
}
