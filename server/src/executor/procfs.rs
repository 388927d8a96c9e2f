//! Small /proc readers: process trees, resident memory, run markers.

use std::fs;

/// (pid, parent pid) of every process visible in /proc.
fn all_parents() -> Vec<(i32, i32)> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // The command name may contain spaces and parentheses; the fields
            // after the last ')' are fixed.
            let after = &stat[stat.rfind(')')? + 2..];
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect()
}

/// `root` and all its descendants.
pub fn descendants(root: i32) -> Vec<i32> {
    let parents = all_parents();
    let mut found = vec![root];
    let mut index = 0;
    while index < found.len() {
        let current = found[index];
        found.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == current)
                .map(|(pid, _)| *pid),
        );
        index += 1;
    }
    found
}

/// Resident set size of one process in KiB (0 if it is gone).
pub fn rss_kb(pid: i32) -> u64 {
    let Ok(statm) = fs::read_to_string(format!("/proc/{pid}/statm")) else {
        return 0;
    };
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page_kb = (unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64 / 1024).max(1);
    pages * page_kb
}

/// Processes whose initial environment carries `KEY=VALUE`. Last resort for
/// finding escaped processes when neither a pid namespace nor a cgroup holds
/// the run (a program can exec away its environment, so this is best effort).
pub fn with_env_marker(marker: &str) -> Vec<i32> {
    let needle = marker.as_bytes();
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|b| *b == 0).any(|entry| entry == needle))
                .unwrap_or(false)
        })
        .collect()
}
