//! `perforch doctor`: which toolchains are installed and which sandbox
//! protections this machine actually provides.

use std::fmt;

use super::config::ExecutorConfig;
use super::run::{RunRequest, run_sandboxed};
use super::sandbox::{SandboxLimits, SandboxPolicy, SandboxReport};
use super::toolchain::{Toolchain, detect};
use crate::language::Language;

pub struct DoctorReport {
    pub toolchains: Vec<(Language, Result<Toolchain, String>)>,
    /// Optional C++ library headers test programs use: (header, present, how to install).
    pub cpp_headers: Vec<(&'static str, bool, &'static str)>,
    /// Protections observed on a trial run of `/bin/true`; Err if even that failed.
    pub sandbox: Result<SandboxReport, String>,
}

/// Headers of libraries that benchmark C++ programs include (HumanEval-X
/// uses OpenSSL's md5 and boost::any).
const CPP_HEADERS: &[(&str, &str)] = &[
    ("openssl/md5.h", "apt-get install libssl-dev"),
    ("boost/any.hpp", "apt-get install libboost-dev"),
];

/// Probe every toolchain and make one trial sandboxed run.
pub fn doctor_report(config: &ExecutorConfig) -> DoctorReport {
    let toolchains = Language::ALL
        .iter()
        .map(|lang| (*lang, detect(*lang).map_err(|e| e.to_string())))
        .collect();
    let trial_dir = std::env::temp_dir().join(format!("perforch-doctor-{}", std::process::id()));
    let sandbox = run_sandboxed(
        config,
        &RunRequest::new(
            "/bin/true",
            Vec::<String>::new(),
            &trial_dir,
            SandboxPolicy::new(SandboxLimits::for_run()),
        ),
    )
    .map_err(|e| e.to_string())
    .and_then(|outcome| {
        if outcome.succeeded() {
            Ok(outcome.sandbox)
        } else {
            Err(format!(
                "trial run failed ({:?}): {}",
                outcome.status,
                outcome.stderr_text()
            ))
        }
    });
    let _ = std::fs::remove_dir_all(&trial_dir);
    let cpp_headers = CPP_HEADERS
        .iter()
        .map(|(header, hint)| {
            let present = std::path::Path::new("/usr/include").join(header).exists();
            (*header, present, *hint)
        })
        .collect();
    DoctorReport {
        toolchains,
        cpp_headers,
        sandbox,
    }
}

impl fmt::Display for DoctorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Toolchains:")?;
        for (language, result) in &self.toolchains {
            match result {
                Ok(toolchain) => {
                    for tool in &toolchain.tools {
                        writeln!(
                            f,
                            "  {:<7} {:<6} {} ({})",
                            language.name(),
                            tool.name,
                            tool.version,
                            tool.path.display()
                        )?;
                    }
                }
                Err(message) => writeln!(f, "  {:<7} MISSING: {message}", language.name())?,
            }
        }
        for (header, present, hint) in &self.cpp_headers {
            if *present {
                writeln!(f, "  cpp     header <{header}> present")?;
            } else {
                writeln!(
                    f,
                    "  cpp     header <{header}> MISSING: install it with `{hint}`"
                )?;
            }
        }
        writeln!(f, "Sandbox protections:")?;
        match &self.sandbox {
            Ok(report) => write!(f, "{report}"),
            Err(message) => writeln!(f, "  sandbox not working: {message}"),
        }
    }
}
