//! `perforch models`: the real binary, with its own home, config and data folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Home {
    _dir: tempfile::TempDir,
    root: PathBuf,
    workspace: PathBuf,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let workspace = root.join("project");
        std::fs::create_dir_all(&workspace).unwrap();
        Home {
            _dir: dir,
            root,
            workspace,
        }
    }

    fn user_memory(&self) -> PathBuf {
        self.root.join("data/perforch/routing.json")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_perforch"))
            .arg("models")
            .args(args)
            .current_dir(&self.workspace)
            .env("HOME", &self.root)
            .env("XDG_CONFIG_HOME", self.root.join("config"))
            .env("XDG_DATA_HOME", self.root.join("data"))
            .env_remove("PERFORCH_LOG")
            .output()
            .unwrap()
    }

    fn run_ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "perforch models {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn write_config(&self, text: &str) {
        std::fs::write(self.workspace.join("perforch.toml"), text).unwrap();
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const CONFIG: &str = r#"
[[models]]
name = "local"
provider = "openai"
model = "qwen2.5-coder:7b"
base_url = "http://localhost:11434/v1"

[[models]]
name = "gpt"
provider = "openai"
model = "gpt-4o-2024-08-06"
api_key_env = "OPENAI_API_KEY"

[[models]]
name = "claude"
provider = "anthropic"
model = "claude-3-7-sonnet-20250219"

[[models]]
name = "gemini"
provider = "openai"
model = "google/gemini-2.0-flash-001"
base_url = "https://openrouter.ai/api/v1"
api_key_env = "OPENROUTER_API_KEY"
"#;

/// Data rows of the table: (name, score, reason).
fn rows(table: &str) -> Vec<(String, String, String)> {
    table
        .lines()
        .skip(2)
        .filter(|line| line.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let reason_start = line.find(fields[6]).unwrap();
            (
                fields[1].to_string(),
                fields[3].to_string(),
                line[reason_start..].to_string(),
            )
        })
        .collect()
}

#[test]
fn without_models_it_prints_the_papers_ranking() {
    let home = Home::new();
    let out = home.run_ok(&["--stage", "fix", "--lang", "cpp", "--category", "sorting"]);
    assert!(out.starts_with("No models are configured"), "{out}");
    assert!(out.contains("fix in C++, Sorting"), "{out}");
    assert!(
        out.trim_end()
            .ends_with("None of these models is configured."),
        "{out}"
    );
    let table = rows(&out);
    assert_eq!(table.len(), 17, "{out}");
    // Table 5, C++ Sorting: GPT-4o and Grok 3 at 82.76%, Claude 3.7 Sonnet only 72.41%.
    assert_eq!(table[0].0, "GPT-4o");
    assert_eq!(table[0].1, "82.8%");
    let claude = table.iter().position(|row| row.0 == "Claude").unwrap();
    assert!(claude > 3, "{out}");
}

#[test]
fn configured_models_are_ranked_with_reasons() {
    let home = Home::new();
    home.write_config(CONFIG);
    let out = home.run_ok(&[
        "--stage",
        "generate",
        "--lang",
        "python",
        "--category",
        "array,sorting",
    ]);
    assert!(
        out.starts_with("Configured models for generate in Python, Array + Sorting, best first:"),
        "{out}"
    );
    let table = rows(&out);
    let names: Vec<&str> = table.iter().map(|row| row.0.as_str()).collect();
    // Table 3, Python: GPT-4o (96.10 + 93.10) / 2 = 94.6%, Gemini (97.40 + 93.10) / 2 = 95.25%,
    // Claude (93.51 + 96.55) / 2 = 95.03%. The unmeasured local model keeps its first slot.
    assert_eq!(names, ["local", "gemini", "claude", "gpt"], "{out}");
    assert_eq!(table[0].1, "-");
    assert!(table[0].2.contains("not measured by PerfOrch"), "{out}");
    assert!(table[1].1.starts_with("95."), "{out}");
    assert!(table[1].2.contains("Array 97.4%, Sorting 93.1%"), "{out}");
}

#[test]
fn json_output_carries_every_field() {
    let home = Home::new();
    home.write_config(CONFIG);
    let out = home.run_ok(&[
        "--stage",
        "refine",
        "--lang",
        "rust",
        "--metric",
        "peak-memory",
        "--json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["stage"], "refine");
    assert_eq!(report["language"], "rust");
    assert_eq!(report["metric"], "peak-memory");
    assert_eq!(report["configured"], true);
    let ranking = report["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), 4);
    // Tables 6 and 7, Rust peak memory: GPT-4o improved 5 problems (median 54.35%),
    // Claude 4 (54.35%), Gemini 3 (52.17%).
    let names: Vec<&str> = ranking
        .iter()
        .map(|row| row["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["local", "gpt", "claude", "gemini"]);
    let gpt = &ranking[1];
    assert_eq!(gpt["rank"], 2);
    assert_eq!(gpt["model"], "gpt-4o-2024-08-06");
    assert_eq!(gpt["paper_model"], "GPT-4o");
    assert_eq!(gpt["scored"], true);
    assert_eq!(
        (gpt["runs"].as_u64(), gpt["successes"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(
        (gpt["score"].as_f64().unwrap() - 5.0 * 0.5435 / 164.0).abs() < 1e-9,
        "{gpt}"
    );
    assert!(
        gpt["reason"].as_str().unwrap().contains("peak-memory"),
        "{gpt}"
    );
}

#[test]
fn recorded_runs_change_the_order() {
    let home = Home::new();
    home.write_config(CONFIG);
    // Twenty failed Go fixes by Claude in this workspace, eight successes of the local model.
    write(
        &home.workspace.join(".perforch/routing.json"),
        r#"{"version": 1, "entries": [
            {"stage": "fix", "language": "go", "categories": ["math"], "model": "claude-3.7-sonnet",
             "runs": 20, "successes": 0, "improvement_sum": 0.0},
            {"stage": "fix", "language": "go", "categories": ["math", "string"], "model": "qwen2.5-coder:7b",
             "runs": 8, "successes": 8, "improvement_sum": 0.0}
        ]}"#,
    );
    let out = home.run_ok(&["--stage", "fix", "--lang", "go", "--category", "math"]);
    let table = rows(&out);
    let names: Vec<&str> = table.iter().map(|row| row.0.as_str()).collect();
    assert_eq!(names, ["local", "gpt", "gemini", "claude"], "{out}");
    assert!(table[0].2.contains("8 runs here, 8 correct"), "{out}");
    assert!(table[3].2.contains("20 runs here, 0 correct"), "{out}");
}

#[test]
fn bad_input_is_explained() {
    let home = Home::new();
    let output = home.run(&["--stage", "refine", "--lang", "cobol"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown language `cobol`; use one of: python, java, cpp, go, rust"),
        "{stderr}"
    );

    let output = home.run(&["--stage", "refine", "--lang", "go", "--metric", "speed"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("use one of: time, peak-memory, mean-memory, cpu"),
        "{stderr}"
    );

    let output = home.run(&["--stage", "review", "--lang", "go"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("use one of: generate, fix, refine"),
        "{stderr}"
    );

    let output = home.run(&["--stage", "fix", "--lang", "go", "--category", "graphs"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown category `graphs`") && stderr.contains("hash_table"),
        "{stderr}"
    );
}

#[test]
fn a_corrupt_memory_file_is_named() {
    let home = Home::new();
    write(&home.user_memory(), "{ this is not json");
    let output = home.run(&["--stage", "fix", "--lang", "go"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot load the routing memory"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&home.user_memory().display().to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("delete it to start over"), "{stderr}");
}
