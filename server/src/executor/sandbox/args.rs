//! The launcher's command-line contract:
//!
//! ```text
//! perforch sandbox-exec --dir RUN_DIR --cpu-secs N --mem-mb N --fsize-mb N
//!     --nofile N --nproc N [--no-address-space-limit] [--no-network]
//!     [--env KEY=VALUE]... [--rw PATH]... [--ro PATH]... [--cgroup PATH]...
//!     [--uid N] [--gid N] [--report-fd N] -- PROGRAM ARGS...
//! ```

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::{SANDBOX_GID, SANDBOX_UID, SandboxPolicy};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LauncherArgs {
    pub dir: PathBuf,
    pub cpu_secs: u64,
    pub mem_mb: u64,
    pub fsize_mb: u64,
    pub nofile: u64,
    pub nproc: u64,
    pub address_space_limit: bool,
    pub no_network: bool,
    pub env: Vec<(String, String)>,
    pub writable: Vec<PathBuf>,
    pub readable: Vec<PathBuf>,
    /// cgroup folders (one per controller) the launcher joins first thing.
    pub cgroups: Vec<PathBuf>,
    pub uid: u32,
    pub gid: u32,
    pub report_fd: i32,
    pub program: OsString,
    pub program_args: Vec<OsString>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LauncherArgsError {
    #[error("missing value after {0}")]
    MissingValue(String),
    #[error("invalid number for {flag}: {value}")]
    BadNumber { flag: String, value: String },
    #[error("unknown option {0}; usage: perforch sandbox-exec --dir DIR ... -- PROGRAM ARGS")]
    Unknown(String),
    #[error("missing required option {0}")]
    Required(&'static str),
    #[error("no program given after `--`")]
    NoProgram,
    #[error("--env expects KEY=VALUE, got {0}")]
    BadEnv(String),
}

impl LauncherArgs {
    pub fn from_policy(
        policy: &SandboxPolicy,
        dir: PathBuf,
        cgroups: Vec<PathBuf>,
        program: OsString,
        program_args: Vec<OsString>,
    ) -> Self {
        let limits = &policy.limits;
        LauncherArgs {
            dir,
            cpu_secs: limits.cpu_secs,
            mem_mb: limits.mem_mb,
            fsize_mb: limits.fsize_mb,
            nofile: limits.nofile,
            nproc: limits.nproc,
            address_space_limit: limits.address_space_limit,
            no_network: policy.no_network,
            env: policy.env.clone(),
            writable: policy.writable.clone(),
            readable: policy.readable.clone(),
            cgroups,
            uid: SANDBOX_UID,
            gid: SANDBOX_GID,
            report_fd: 3,
            program,
            program_args,
        }
    }

    /// Arguments after `sandbox-exec`.
    pub fn to_cli_args(&self) -> Vec<OsString> {
        let mut out: Vec<OsString> = Vec::new();
        let mut push = |flag: &str, value: OsString| {
            out.push(flag.into());
            out.push(value);
        };
        push("--dir", self.dir.clone().into_os_string());
        push("--cpu-secs", self.cpu_secs.to_string().into());
        push("--mem-mb", self.mem_mb.to_string().into());
        push("--fsize-mb", self.fsize_mb.to_string().into());
        push("--nofile", self.nofile.to_string().into());
        push("--nproc", self.nproc.to_string().into());
        push("--uid", self.uid.to_string().into());
        push("--gid", self.gid.to_string().into());
        push("--report-fd", self.report_fd.to_string().into());
        for (key, value) in &self.env {
            push("--env", format!("{key}={value}").into());
        }
        for path in &self.writable {
            push("--rw", path.clone().into_os_string());
        }
        for path in &self.readable {
            push("--ro", path.clone().into_os_string());
        }
        for path in &self.cgroups {
            push("--cgroup", path.clone().into_os_string());
        }
        if !self.address_space_limit {
            out.push("--no-address-space-limit".into());
        }
        if self.no_network {
            out.push("--no-network".into());
        }
        out.push("--".into());
        out.push(self.program.clone());
        out.extend(self.program_args.iter().cloned());
        out
    }

    pub fn parse(args: Vec<OsString>) -> Result<Self, LauncherArgsError> {
        let mut dir = None;
        let mut numbers: [Option<u64>; 5] = [None; 5];
        let mut parsed = LauncherArgs {
            dir: PathBuf::new(),
            cpu_secs: 0,
            mem_mb: 0,
            fsize_mb: 0,
            nofile: 0,
            nproc: 0,
            address_space_limit: true,
            no_network: false,
            env: Vec::new(),
            writable: Vec::new(),
            readable: Vec::new(),
            cgroups: Vec::new(),
            uid: SANDBOX_UID,
            gid: SANDBOX_GID,
            report_fd: 3,
            program: OsString::new(),
            program_args: Vec::new(),
        };
        let mut iter = args.into_iter();
        while let Some(arg) = iter.next() {
            let flag = arg.to_string_lossy().into_owned();
            let mut value = || {
                iter.next()
                    .ok_or_else(|| LauncherArgsError::MissingValue(flag.clone()))
            };
            let number = |v: OsString| -> Result<u64, LauncherArgsError> {
                v.to_str().and_then(|s| s.parse().ok()).ok_or_else(|| {
                    LauncherArgsError::BadNumber {
                        flag: flag.clone(),
                        value: v.to_string_lossy().into_owned(),
                    }
                })
            };
            match flag.as_str() {
                "--dir" => dir = Some(PathBuf::from(value()?)),
                "--cpu-secs" => numbers[0] = Some(number(value()?)?),
                "--mem-mb" => numbers[1] = Some(number(value()?)?),
                "--fsize-mb" => numbers[2] = Some(number(value()?)?),
                "--nofile" => numbers[3] = Some(number(value()?)?),
                "--nproc" => numbers[4] = Some(number(value()?)?),
                "--uid" => parsed.uid = number(value()?)? as u32,
                "--gid" => parsed.gid = number(value()?)? as u32,
                "--report-fd" => parsed.report_fd = number(value()?)? as i32,
                "--env" => {
                    let v = value()?;
                    let text = v.to_string_lossy().into_owned();
                    let (key, val) = text
                        .split_once('=')
                        .ok_or_else(|| LauncherArgsError::BadEnv(text.clone()))?;
                    parsed.env.push((key.to_string(), val.to_string()));
                }
                "--rw" => parsed.writable.push(PathBuf::from(value()?)),
                "--ro" => parsed.readable.push(PathBuf::from(value()?)),
                "--cgroup" => parsed.cgroups.push(PathBuf::from(value()?)),
                "--no-address-space-limit" => parsed.address_space_limit = false,
                "--no-network" => parsed.no_network = true,
                "--" => {
                    parsed.program = iter.next().ok_or(LauncherArgsError::NoProgram)?;
                    parsed.program_args = iter.by_ref().collect();
                }
                _ => return Err(LauncherArgsError::Unknown(flag)),
            }
        }
        parsed.dir = dir.ok_or(LauncherArgsError::Required("--dir"))?;
        let names = [
            "--cpu-secs",
            "--mem-mb",
            "--fsize-mb",
            "--nofile",
            "--nproc",
        ];
        for (value, name) in numbers.iter().zip(names) {
            if value.is_none() {
                return Err(LauncherArgsError::Required(name));
            }
        }
        [
            parsed.cpu_secs,
            parsed.mem_mb,
            parsed.fsize_mb,
            parsed.nofile,
            parsed.nproc,
        ] = numbers.map(|n| n.unwrap_or(0));
        if parsed.program.is_empty() {
            return Err(LauncherArgsError::NoProgram);
        }
        Ok(parsed)
    }
}

/// Does `path` contain a NUL byte (which cannot cross exec)?
pub(crate) fn has_nul(s: &OsStr) -> bool {
    s.as_bytes().contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::sandbox::{SandboxLimits, SandboxPolicy};

    #[test]
    fn cli_args_round_trip() {
        let mut policy = SandboxPolicy::new(SandboxLimits::for_run());
        policy.env.push(("GOCACHE".into(), "/c/go=x".into()));
        policy.readable.push("/root/.rustup".into());
        let args = LauncherArgs::from_policy(
            &policy,
            "/tmp/run".into(),
            vec!["/sys/fs/cgroup/pids/x".into()],
            "python3".into(),
            vec!["-c".into(), "print(1)".into()],
        );
        let parsed = LauncherArgs::parse(args.to_cli_args()).unwrap();
        assert_eq!(parsed, args);
    }

    #[test]
    fn missing_program_is_an_error() {
        let err = LauncherArgs::parse(vec!["--dir".into(), "/x".into()]).unwrap_err();
        assert_eq!(err, LauncherArgsError::Required("--cpu-secs"));
    }
}
