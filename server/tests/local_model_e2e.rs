//! A real language model behind the normal OpenAI-compatible provider:
//! llama.cpp's `llama-server` with Qwen2.5-Coder-0.5B, both set up by
//! `scripts/local-model setup` (CI runs it in `.ci/run`).
//!
//! The assertions are about protocol and process, never about the model's
//! skill: the request is accepted by a real server, the reply is parsed,
//! every candidate goes through the executor, the report has tokens and
//! timing, and the user's file changes only for an accepted result with
//! `--write`. A small model often writes nothing better or something
//! wrong; that must end as "no verified improvement", never as a
//! regression in the file.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "common/mod.rs"]
mod common;

const MODEL: &str = "0.5b";

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where `scripts/local-model` put `what` ("server" or "model").
fn local_model_path(what: &str) -> PathBuf {
    let output = Command::new("python3")
        .arg(repository().join("scripts/local-model"))
        .args(["path", what, "--model", MODEL])
        .output()
        .expect("python3 runs scripts/local-model");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = PathBuf::from(String::from_utf8(output.stdout).unwrap().trim());
    assert!(
        path.exists(),
        "{} is missing: run `scripts/local-model setup --model {MODEL}` first (CI does it in .ci/run)",
        path.display()
    );
    path
}

/// A running llama-server, stopped when dropped.
struct LocalServer {
    child: Child,
    base_url: String,
    log: PathBuf,
}

impl LocalServer {
    fn start(log_dir: &Path) -> LocalServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = log_dir.join("llama-server.log");
        let child = Command::new(local_model_path("server"))
            .arg("-m")
            .arg(local_model_path("model"))
            // One thread: two on a busy 2-core machine slow generation ten-fold.
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "-t",
                "1",
                "-c",
                "8192",
            ])
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::from(
                std::fs::File::create(log.with_extension("err")).unwrap(),
            ))
            .spawn()
            .expect("llama-server starts");
        let mut server = LocalServer {
            child,
            base_url: format!("http://127.0.0.1:{port}/v1"),
            log,
        };
        server.wait_until_ready(port);
        server
    }

    fn wait_until_ready(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("llama-server exited with {status}:\n{}", self.logs());
            }
            let health = Command::new("python3")
                .args([
                    "-c",
                    "import sys, urllib.request\ntry:\n    sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)\nexcept Exception:\n    sys.exit(1)",
                    &format!("http://127.0.0.1:{port}/health"),
                ])
                .status()
                .unwrap();
            if health.success() {
                return;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        panic!("llama-server was not ready after 180 s:\n{}", self.logs());
    }

    fn logs(&self) -> String {
        let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
        let text = read(&self.log) + &read(&self.log.with_extension("err"));
        text.lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Run {
    report: Value,
    markdown: String,
    recording: Vec<Value>,
    before: String,
    after: String,
}

/// `perforch optimize` on a copy of `fixture`, with the local server as
/// the only model.
fn optimize(server: &LocalServer, fixture: &str, function: &str, write: bool) -> Run {
    let dir = tempfile::Builder::new()
        .prefix("perforch-local-model")
        .tempdir()
        .unwrap();
    let source = repository().join("fixtures").join(fixture);
    let file = dir.path().join(source.file_name().unwrap());
    std::fs::copy(&source, &file).unwrap();
    let config = dir.path().join("perforch.toml");
    std::fs::write(
        &config,
        format!(
            "[[models]]\nname = \"local-qwen\"\nprovider = \"openai\"\nmodel = \"qwen2.5-coder-{MODEL}\"\n\
             base_url = \"{}\"\nmax_tokens = 512\ntemperature = 0.2\ntimeout_secs = 300\n\n\
             [retry]\nmax_attempts = 1\n\n\
             [pipeline]\niterations_per_model = 2\nmax_calls = 4\n",
            server.base_url
        ),
    )
    .unwrap();
    let before = std::fs::read_to_string(&file).unwrap();
    let report_path = dir.path().join("report.md");
    let recording_path = dir.path().join("exchanges.jsonl");
    let mut command = Command::new(env!("CARGO_BIN_EXE_perforch"));
    command
        .arg("optimize")
        .arg(&file)
        .args(["--function", function, "--json", "--config"])
        .arg(&config)
        .arg("--report")
        .arg(&report_path)
        .arg("--record")
        .arg(&recording_path)
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("PERFORCH_CACHE_DIR", common::cache_dir());
    if write {
        command.arg("--write");
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "perforch optimize failed:\n{stderr}\n{stdout}\n{}",
        server.logs()
    );
    let report: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"));
    let recording = std::fs::read_to_string(&recording_path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    Run {
        report,
        markdown: std::fs::read_to_string(&report_path).unwrap(),
        recording,
        before,
        after: std::fs::read_to_string(&file).unwrap(),
    }
}

/// What must hold whatever the model wrote.
fn check_run(run: &Run, function: &str, write: bool) {
    let report = &run.report;
    let context = format!("{report:#}\n{}", run.markdown);
    // Every call reached the real server and came back parsed, with usage.
    let calls = report["llm_calls"].as_u64().unwrap();
    assert!(calls >= 1, "no model call: {context}");
    assert_eq!(
        run.recording.len() as u64,
        calls,
        "one recorded exchange per call: {context}"
    );
    for exchange in &run.recording {
        let messages = exchange["request"]["messages"].as_array().unwrap();
        assert!(
            messages
                .iter()
                .any(|m| m["content"].as_str().unwrap().contains(function)),
            "{exchange:#}"
        );
        let response = &exchange["response"];
        assert!(
            !response["text"].as_str().unwrap().trim().is_empty(),
            "empty reply: {exchange:#}"
        );
        assert!(
            response["usage"]["input_tokens"].as_u64().unwrap() > 0,
            "{exchange:#}"
        );
        assert!(
            response["usage"]["output_tokens"].as_u64().unwrap() > 0,
            "{exchange:#}"
        );
    }
    // Every iteration is a model reply judged by the executor, with its
    // tokens and time; none is a protocol failure.
    let iterations = report["iterations"].as_array().unwrap();
    assert!(
        !iterations.is_empty(),
        "the model was never asked for code: {context}"
    );
    for iteration in iterations {
        let kind = iteration["outcome"]["kind"].as_str().unwrap();
        assert_ne!(
            kind, "model_error",
            "the real server refused or broke a call: {context}"
        );
        assert!(iteration["input_tokens"].as_u64().unwrap() > 0, "{context}");
        assert!(iteration["latency_ms"].as_u64().unwrap() > 0, "{context}");
        // A reply that is the code it was given is a tie without
        // measuring (small models often do that); anything else correct
        // was measured.
        let unchanged = kind == "tie" && iteration["figures"].is_null();
        if unchanged {
            assert!(
                report["notes"]
                    .to_string()
                    .contains("returned the code it was given"),
                "an unmeasured tie is explained: {context}"
            );
        } else if ["slower", "tie", "better"].contains(&kind) {
            let figures = &iteration["figures"];
            assert!(
                figures["original"]["cpu_ms"].as_f64().unwrap() > 0.0,
                "measured: {context}"
            );
        }
    }
    assert!(
        report["input_tokens"].as_u64().unwrap() > 0
            && report["output_tokens"].as_u64().unwrap() > 0
    );
    assert!(
        run.markdown.contains("local-qwen"),
        "the report names the model: {}",
        run.markdown
    );
    assert_eq!(
        report["cost_usd"].as_f64().unwrap(),
        0.0,
        "a local model costs nothing"
    );
    // The file: changed only by an accepted, verified result with --write.
    let accepted = report["accepted"].as_bool().unwrap();
    if accepted {
        assert_eq!(report["verdict"], "faster", "{context}");
        assert!(report["speedup"].as_f64().unwrap() > 1.05, "{context}");
        assert!(
            iterations.iter().any(|i| i["outcome"]["kind"] == "better"),
            "{context}"
        );
    } else {
        assert!(
            run.markdown.contains("no verified improvement"),
            "a rejected run says so plainly: {}",
            run.markdown
        );
    }
    if write && accepted {
        assert_eq!(
            run.after,
            report["new_file_text"].as_str().unwrap(),
            "--write writes the verified variant"
        );
        assert_ne!(run.after, run.before);
    } else {
        assert_eq!(run.after, run.before, "the user's file changed: {context}");
    }
}

#[test]
fn a_real_local_model_goes_through_the_whole_pipeline_in_two_languages() {
    let logs = tempfile::tempdir().unwrap();
    let server = LocalServer::start(logs.path());
    for (fixture, function, write) in [
        ("python/moderation.py", "count_allowed", false),
        ("optimize/go/pairs.go", "CountPairs", true),
    ] {
        let started = Instant::now();
        let run = optimize(&server, fixture, function, write);
        check_run(&run, function, write);
        eprintln!(
            "{fixture}: verdict {}, {} calls, {} + {} tokens, {:.1} s",
            run.report["verdict"],
            run.report["llm_calls"],
            run.report["input_tokens"],
            run.report["output_tokens"],
            started.elapsed().as_secs_f64()
        );
    }
}
