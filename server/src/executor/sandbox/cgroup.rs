//! Per-run cgroups, created by the parent. They cap memory for runtimes that
//! cannot live under RLIMIT_AS (JVM, Go), cap the number of processes per run,
//! and list every process of the run — even ones that escaped the process
//! group — so all of them can be killed at the end.
//!
//! Supports cgroup v2 (one unified folder) and v1 (memory + pids controllers).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

const ROOT: &str = "/sys/fs/cgroup";

#[derive(Debug)]
pub struct RunCgroup {
    /// Folders whose `cgroup.procs` the launcher joins.
    folders: Vec<PathBuf>,
    memory: Option<PathBuf>,
    pids: Option<PathBuf>,
    v2: bool,
    mem_limit_bytes: u64,
}

/// The folder of the given controller that this process currently lives in,
/// so per-run groups nest under it and inherit its limits.
fn own_cgroup(controller: Option<&str>) -> Option<PathBuf> {
    let text = fs::read_to_string("/proc/self/cgroup").ok()?;
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let matches = match controller {
            None => controllers.is_empty(),
            Some(name) => controllers.split(',').any(|c| c == name),
        };
        if matches {
            let base = match controller {
                None => PathBuf::from(ROOT),
                Some(name) => Path::new(ROOT).join(name),
            };
            return Some(base.join(path.trim_start_matches('/')));
        }
    }
    None
}

fn create_child(parent: &Path, name: &str) -> Result<PathBuf, String> {
    let dir = parent.join(name);
    fs::create_dir(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
    Ok(dir)
}

fn write(path: &Path, value: &str) -> Result<(), String> {
    fs::write(path, value).map_err(|e| format!("write {}: {e}", path.display()))
}

impl RunCgroup {
    /// Create the run's cgroups. Each controller that fails is reported in
    /// the returned problems (the caller falls back to rlimits/watchdog).
    pub fn create(run_name: &str, mem_mb: u64, max_pids: u64) -> (RunCgroup, Vec<String>) {
        let mut group = RunCgroup {
            folders: Vec::new(),
            memory: None,
            pids: None,
            v2: false,
            mem_limit_bytes: mem_mb * 1024 * 1024,
        };
        let mut problems = Vec::new();
        let unified = Path::new(ROOT).join("cgroup.controllers");
        if unified.exists() {
            group.v2 = true;
            let attempt = (|| -> Result<PathBuf, String> {
                let parent = own_cgroup(None).ok_or("no cgroup v2 entry in /proc/self/cgroup")?;
                let dir = create_child(&parent, run_name)?;
                Ok(dir)
            })();
            match attempt {
                Ok(dir) => {
                    match write(&dir.join("memory.max"), &group.mem_limit_bytes.to_string()) {
                        Ok(()) => {
                            let _ = write(&dir.join("memory.swap.max"), "0");
                            group.memory = Some(dir.clone());
                        }
                        Err(e) => problems.push(format!("memory controller: {e}")),
                    }
                    match write(&dir.join("pids.max"), &max_pids.to_string()) {
                        Ok(()) => group.pids = Some(dir.clone()),
                        Err(e) => problems.push(format!("pids controller: {e}")),
                    }
                    group.folders.push(dir);
                }
                Err(e) => problems.push(format!("cgroup v2: {e}")),
            }
            return (group, problems);
        }
        let memory = (|| -> Result<PathBuf, String> {
            let parent = own_cgroup(Some("memory")).ok_or("no memory controller mounted")?;
            let dir = create_child(&parent, run_name)?;
            let limit = group.mem_limit_bytes.to_string();
            if let Err(e) = write(&dir.join("memory.limit_in_bytes"), &limit) {
                let _ = fs::remove_dir(&dir);
                return Err(e);
            }
            // Without this the limit only covers RAM and the run can swap.
            let _ = write(&dir.join("memory.memsw.limit_in_bytes"), &limit);
            Ok(dir)
        })();
        match memory {
            Ok(dir) => {
                group.folders.push(dir.clone());
                group.memory = Some(dir);
            }
            Err(e) => problems.push(format!("memory controller: {e}")),
        }
        let pids = (|| -> Result<PathBuf, String> {
            let parent = own_cgroup(Some("pids")).ok_or("no pids controller mounted")?;
            let dir = create_child(&parent, run_name)?;
            if let Err(e) = write(&dir.join("pids.max"), &max_pids.to_string()) {
                let _ = fs::remove_dir(&dir);
                return Err(e);
            }
            Ok(dir)
        })();
        match pids {
            Ok(dir) => {
                group.folders.push(dir.clone());
                group.pids = Some(dir);
            }
            Err(e) => problems.push(format!("pids controller: {e}")),
        }
        (group, problems)
    }

    /// A placeholder when cgroups are not used (not root, or disabled).
    pub fn create_none() -> RunCgroup {
        RunCgroup {
            folders: Vec::new(),
            memory: None,
            pids: None,
            v2: false,
            mem_limit_bytes: 0,
        }
    }

    pub fn folders(&self) -> &[PathBuf] {
        &self.folders
    }

    pub fn has_memory(&self) -> bool {
        self.memory.is_some()
    }

    pub fn has_pids(&self) -> bool {
        self.pids.is_some()
    }

    /// Every process currently in the run's cgroups.
    pub fn processes(&self) -> Vec<i32> {
        let mut pids: Vec<i32> = self
            .folders
            .iter()
            .filter_map(|dir| fs::read_to_string(dir.join("cgroup.procs")).ok())
            .flat_map(|text| {
                text.lines()
                    .filter_map(|l| l.trim().parse().ok())
                    .collect::<Vec<i32>>()
            })
            .collect();
        pids.sort_unstable();
        pids.dedup();
        pids
    }

    /// Did the kernel have to stop the run for exceeding its memory cap?
    pub fn memory_limit_hit(&self) -> bool {
        let Some(dir) = &self.memory else {
            return false;
        };
        if self.v2 {
            let events = fs::read_to_string(dir.join("memory.events")).unwrap_or_default();
            return events.lines().any(|line| {
                let mut words = line.split_whitespace();
                matches!(words.next(), Some("oom_kill") | Some("max"))
                    && words
                        .next()
                        .and_then(|n| n.parse::<u64>().ok())
                        .unwrap_or(0)
                        > 0
            });
        }
        let oom_kills = fs::read_to_string(dir.join("memory.oom_control"))
            .unwrap_or_default()
            .lines()
            .find_map(|l| {
                l.strip_prefix("oom_kill ")
                    .and_then(|n| n.trim().parse::<u64>().ok())
            })
            .unwrap_or(0);
        // memory.failcnt also counts page-cache reclaim at the limit, which
        // is harmless; only an OOM kill means the program needed more.
        oom_kills > 0
    }

    /// Peak memory charged to the run, in KiB, if the kernel tracks it.
    pub fn peak_kb(&self) -> Option<u64> {
        let dir = self.memory.as_ref()?;
        let name = if self.v2 {
            "memory.peak"
        } else {
            "memory.max_usage_in_bytes"
        };
        fs::read_to_string(dir.join(name))
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .map(|b| b / 1024)
    }

    /// SIGKILL every process of the run until none is left (bounded).
    pub fn kill_all(&self) {
        for _ in 0..100 {
            let pids = self.processes();
            if pids.is_empty() {
                return;
            }
            for pid in pids {
                // SAFETY: sending a signal has no memory-safety preconditions.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for RunCgroup {
    fn drop(&mut self) {
        self.kill_all();
        for dir in &self.folders {
            // A just-killed process may linger for a moment as it exits.
            for _ in 0..50 {
                if fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}
