//! Runs the real `perforch optimize` binary against the fake model server:
//! a copy of a fixture, a perforch.toml naming the fake models, a private
//! routing memory and the shared executor cache.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::time::Duration;

use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};

#[path = "../common/mod.rs"]
mod common;

/// One executor cache for all test binaries (dependencies fetched once).
pub use common::cache_dir;
use serde_json::Value;

pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(relative)
}

/// A fenced reply holding `code`, with a sentence around it like models write.
pub fn code_reply(language: &str, code: &str) -> ScriptedReply {
    ScriptedReply::openai_text(
        &format!(
            "Here is a faster version.\n\n```{language}\n{code}\n```\n\nIt avoids the nested loop."
        ),
        900,
        300,
    )
}

/// The JSON a model answers the inputs request with.
pub fn inputs_reply(inputs: &[&[&str]], stress: &[&[&str]]) -> ScriptedReply {
    let body = serde_json::json!({ "inputs": inputs, "stress": stress });
    ScriptedReply::openai_text(&format!("```json\n{body}\n```"), 400, 200)
}

pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub file: PathBuf,
    pub config: PathBuf,
}

impl Workspace {
    /// Copy `fixture` into a fresh folder and configure `models` (names)
    /// against `server`, in that order.
    pub fn new(
        fixture_path: &str,
        server: &FakeModelServer,
        models: &[&str],
        extra: &str,
    ) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("perforch-e2e")
            .tempdir()
            .unwrap();
        let source = fixture(fixture_path);
        let file = dir.path().join(source.file_name().unwrap());
        std::fs::copy(&source, &file).unwrap();
        Workspace::configure(dir, file, server, models, extra)
    }

    /// Copy the fixture folder `fixture_dir` (a small project with tests)
    /// and optimise `file` in it.
    pub fn project(
        fixture_dir: &str,
        file: &str,
        server: &FakeModelServer,
        models: &[&str],
    ) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("perforch-e2e")
            .tempdir()
            .unwrap();
        copy_tree(&fixture(fixture_dir), dir.path());
        let file = dir.path().join(file);
        Workspace::configure(dir, file, server, models, "")
    }

    fn configure(
        dir: tempfile::TempDir,
        file: PathBuf,
        server: &FakeModelServer,
        models: &[&str],
        extra: &str,
    ) -> Workspace {
        let mut config = String::new();
        for name in models {
            config.push_str(&format!(
                "[[models]]\nname = \"{name}\"\nprovider = \"openai\"\nmodel = \"{name}-test-model\"\nbase_url = \"{}\"\ntimeout_secs = 3\nprice_input_per_mtok = 1.0\nprice_output_per_mtok = 2.0\n\n",
                server.openai_base_url()
            ));
        }
        config.push_str("[retry]\nmax_attempts = 1\n\n");
        config.push_str(extra);
        let config_path = dir.path().join("perforch.toml");
        std::fs::write(&config_path, config).unwrap();
        Workspace {
            dir,
            file,
            config: config_path,
        }
    }

    pub fn text(&self) -> String {
        std::fs::read_to_string(&self.file).unwrap()
    }

    /// Run `perforch optimize` and parse its JSON report.
    pub async fn optimize(&self, function: &str, extra_args: &[&str]) -> Value {
        self.optimize_with_env(function, extra_args, &[]).await
    }

    pub async fn optimize_with_env(
        &self,
        function: &str,
        extra_args: &[&str],
        env: &[(&str, &str)],
    ) -> Value {
        let data_home = self.dir.path().join("data");
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_perforch"));
        command
            .arg("optimize")
            .arg(&self.file)
            .args(["--function", function, "--json", "--config"])
            .arg(&self.config)
            .args(extra_args)
            .env("XDG_DATA_HOME", &data_home)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("PERFORCH_CACHE_DIR", cache_dir())
            .envs(env.iter().copied())
            .kill_on_drop(true);
        let output = tokio::time::timeout(Duration::from_secs(600), command.output())
            .await
            .expect("perforch optimize did not finish in 10 minutes")
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "perforch optimize failed ({}):\n{stderr}\n{stdout}",
            output.status
        );
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"))
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `stage` of every iteration, in order.
pub fn stages(report: &Value) -> Vec<String> {
    report["iterations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|iteration| iteration["stage"].as_str().unwrap().to_string())
        .collect()
}

pub fn outcome_kinds(report: &Value) -> Vec<String> {
    report["iterations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|iteration| iteration["outcome"]["kind"].as_str().unwrap().to_string())
        .collect()
}

pub fn push_all(server: &FakeModelServer, replies: Vec<ScriptedReply>) {
    for reply in replies {
        server.push(Route::OpenAiChat, reply);
    }
}

pub fn assert_same_file(path: &Path, expected: &str) {
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        expected,
        "the user's file changed"
    );
}
