//! `perforch eval --models` and `perforch profile`, the real binary, with
//! the fake model server (OpenAI wire format on 127.0.0.1) and the real
//! sandboxed executor, on a slice of HumanEvalPack (two Python tasks, one
//! C++ task). Every metric is checked against values computed by hand from
//! the scripted replies, and the resume behaviour against the server's log.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use serde_json::Value;

/// A reply holding `code` in a fence; 900 tokens in, 300 out.
fn code_reply(language: &str, code: &str) -> ScriptedReply {
    ScriptedReply::openai_text(
        &format!("Here it is.\n\n```{language}\n{code}\n```\n"),
        900,
        300,
    )
}

fn text_reply(text: &str) -> ScriptedReply {
    ScriptedReply::openai_text(text, 900, 300)
}

/// Cost of one scripted call at 1 $/Mtok in and 2 $/Mtok out.
const CALL_COST: f64 = 900.0 * 1e-6 + 300.0 * 2e-6;

const PY0_CORRECT: &str = "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n    ordered = sorted(numbers)\n    return any(b - a < threshold for a, b in zip(ordered, ordered[1:]))";
const PY1_CANONICAL: &str = "def separate_paren_groups(paren_string: str) -> List[str]:\n    result = []\n    current_string = []\n    current_depth = 0\n    for c in paren_string:\n        if c == '(':\n            current_depth += 1\n            current_string.append(c)\n        elif c == ')':\n            current_depth -= 1\n            current_string.append(c)\n            if current_depth == 0:\n                result.append(''.join(current_string))\n                current_string.clear()\n    return result";
const PY1_WRONG: &str =
    "def separate_paren_groups(paren_string: str) -> List[str]:\n    return paren_string.split()";
const CPP0_CORRECT: &str = "bool has_close_elements(vector<float> numbers, float threshold){\n    for (size_t i = 0; i < numbers.size(); i++)\n        for (size_t j = i + 1; j < numbers.size(); j++)\n            if (fabs(numbers[i] - numbers[j]) < threshold) return true;\n    return false;\n}";

struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
    workloads: PathBuf,
}

impl Setup {
    fn new(server: &FakeModelServer, models: &[(&str, &str)]) -> Setup {
        let dir = tempfile::Builder::new()
            .prefix("perforch-eval-models")
            .tempdir()
            .unwrap();
        let mut config = String::new();
        for (name, model) in models {
            config.push_str(&format!(
                "[[models]]\nname = \"{name}\"\nprovider = \"openai\"\nmodel = \"{model}\"\nbase_url = \"{}\"\ntimeout_secs = 5\nprice_input_per_mtok = 1.0\nprice_output_per_mtok = 2.0\n\n",
                server.openai_base_url()
            ));
        }
        config.push_str("[retry]\nmax_attempts = 1\n");
        let config_path = dir.path().join("perforch.toml");
        std::fs::write(&config_path, config).unwrap();
        // A heavy input for Python/0, where the quadratic canonical
        // solution and a sort-based one differ by far more than the noise.
        let workloads = dir.path().join("workloads.jsonl");
        std::fs::write(
            &workloads,
            "{\"task_id\":\"HumanEval/0\",\"entry_point\":\"has_close_elements\",\"inputs\":[[\"[i * 1.5 for i in range(1200)]\",\"1.0\"]],\"candidates\":[]}\n",
        )
        .unwrap();
        Setup {
            dir,
            config: config_path,
            workloads,
        }
    }

    async fn perforch(&self, args: &[&str]) -> (bool, String, String) {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_perforch"));
        command
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .current_dir(self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("PERFORCH_CACHE_DIR", common::cache_dir())
            .kill_on_drop(true);
        let output = tokio::time::timeout(Duration::from_secs(900), command.output())
            .await
            .expect("perforch finished within 15 minutes")
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn find<'a>(records: &'a [Value], stage: &str, task: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["stage"] == stage && r["task_id"] == task)
        .unwrap_or_else(|| panic!("no {stage} record for {task}"))
}

fn row<'a>(summary: &'a Value, stage: &str, language: &str) -> &'a Value {
    summary["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["stage"] == stage && r["language"] == language)
        .unwrap_or_else(|| panic!("no {stage}/{language} row in {summary:#}"))
}

fn close(actual: &Value, expected: f64) -> bool {
    actual
        .as_f64()
        .is_some_and(|value| (value - expected).abs() < 1e-9)
}

/// CPP/1 as the dataset solves it: the signature line of its prompt and
/// its canonical body.
fn cpp1_canonical() -> String {
    let path = common::dataset_dir("humanevalpack").join("humanevalpack_cpp.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let task: Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(task["task_id"], "CPP/1");
    let prompt = task["prompt"].as_str().unwrap().trim_end();
    let signature = prompt.lines().last().unwrap();
    format!(
        "{signature}\n{}",
        task["canonical_solution"].as_str().unwrap()
    )
}

/// The replies, in the order perforch asks: per language (python, cpp),
/// per stage (generate, fix, refine), task by task.
fn script(server: &FakeModelServer) {
    let cpp1 = cpp1_canonical();
    for reply in [
        // generate: Python/0 right, Python/1 wrong.
        code_reply("python", PY0_CORRECT),
        code_reply("python", PY1_WRONG),
        // fix: reflect then fix; Python/0 fixed, Python/1 answered without code.
        text_reply("The distance must be absolute."),
        code_reply("python", PY0_CORRECT),
        text_reply("The group ends when the depth returns to 0."),
        text_reply("I would rather not write code."),
        // refine: Python/0 sort-based (much faster on the workload),
        // Python/1 the canonical solution again (a tie).
        code_reply("python", PY0_CORRECT),
        code_reply("python", PY1_CANONICAL),
        // C++: generate right twice, fix (reflect, fix) right twice,
        // refine with the same loops (not faster).
        code_reply("cpp", CPP0_CORRECT),
        code_reply("cpp", &cpp1),
        text_reply("Use the absolute difference."),
        code_reply("cpp", CPP0_CORRECT),
        text_reply("Close a group when the depth is back to 0."),
        code_reply("cpp", &cpp1),
        code_reply("cpp", CPP0_CORRECT),
        code_reply("cpp", &cpp1),
    ] {
        server.push(Route::OpenAiChat, reply);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn stages_metrics_match_hand_computed_values_and_resume() {
    let server = FakeModelServer::start().await.unwrap();
    let setup = Setup::new(&server, &[("alpha", "alpha-test-model")]);
    script(&server);
    let out = setup.dir.path().join("models.jsonl");
    let markdown = setup.dir.path().join("tables.md");
    let dataset = common::dataset_dir("humanevalpack");
    let args = [
        "eval",
        "--dataset",
        dataset.to_str().unwrap(),
        "--lang",
        "python,cpp",
        "--models",
        "alpha",
        "--stage",
        "all",
        "--json",
        out.to_str().unwrap(),
        "--markdown",
        markdown.to_str().unwrap(),
        "--workloads",
        setup.workloads.to_str().unwrap(),
        "--jobs",
        "2",
    ];
    let args: Vec<&str> = args.iter().copied().chain(["--limit", "2"]).collect();
    let (ok, stdout, stderr) = setup.perforch(&args).await;
    assert!(ok, "eval failed:\n{stderr}\n{stdout}");
    assert_eq!(
        server.remaining(Route::OpenAiChat),
        0,
        "every scripted reply used"
    );
    assert_eq!(server.requests_for(Route::OpenAiChat).len(), 16);

    let records = records(&out);
    assert_eq!(records.len(), 12, "3 stages x 2 tasks x 2 languages");
    // Generate: pass@1 = 1/2 in Python, 1/1 in C++.
    assert_eq!(find(&records, "generate", "Python/0")["success"], true);
    assert_eq!(find(&records, "generate", "Python/1")["success"], false);
    assert_eq!(
        find(&records, "generate", "Python/1")["status"],
        "failed assertion"
    );
    // Fix: Python/0 fixed (2 calls), Python/1 no code (2 calls).
    let fixed = find(&records, "fix", "Python/0");
    assert_eq!(fixed["success"], true);
    assert_eq!(fixed["llm_calls"], 2);
    assert!(close(&fixed["cost_usd"], 2.0 * CALL_COST), "{fixed}");
    assert_eq!(find(&records, "fix", "Python/1")["status"], "no code");
    // Refine: the sort-based version is faster, the canonical one is not.
    let refined = find(&records, "refine", "Python/0");
    assert_eq!(refined["status"], "faster", "{refined}");
    let ratio = refined["ratio"].as_f64().unwrap();
    assert!(
        ratio < 0.5,
        "sorting beats comparing all pairs of 1200 numbers: {ratio}"
    );
    let tied = find(&records, "refine", "Python/1");
    assert_eq!(tied["success"], false);
    assert_eq!(tied["correct"], true);
    // The same code on both sides: never "faster" (a tie in at least 95%
    // of trials, by the executor's decision benchmark).
    assert_ne!(tied["status"], "faster", "{tied}");

    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.with_extension("summary.json")).unwrap())
            .unwrap();
    let generate = row(&summary, "generate", "python");
    assert_eq!(
        (generate["tasks"].as_u64(), generate["successes"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(close(&generate["rate"], 0.5));
    assert!(close(&generate["calls_per_task"], 1.0));
    assert!(close(&generate["cost_usd"], 2.0 * CALL_COST));
    let fix = row(&summary, "fix", "python");
    assert!(close(&fix["rate"], 0.5));
    assert_eq!(fix["llm_calls"], 4);
    assert!(close(&fix["cost_per_task_usd"], 2.0 * CALL_COST));
    let refine = row(&summary, "refine", "python");
    assert_eq!(refine["successes"], 1);
    assert_eq!(refine["correct"], 2);
    // %Opt = 1 of 2 tasks; improvement = (1 - ratio) * 100 of the one
    // success; speedup = the median over both correct versions.
    assert!(close(&refine["rate"], 0.5));
    assert!(close(
        &refine["median_improvement_pct"],
        (1.0 - ratio) * 100.0
    ));
    let speedups = [
        refined["speedup"].as_f64().unwrap(),
        tied["speedup"].as_f64().unwrap(),
    ];
    assert!(close(
        &refine["median_speedup"],
        (speedups[0] + speedups[1]) / 2.0
    ));
    let cpp = row(&summary, "generate", "cpp");
    assert!(close(&cpp["rate"], 1.0));
    assert!(close(&row(&summary, "fix", "cpp")["rate"], 1.0));
    assert_eq!(row(&summary, "fix", "cpp")["llm_calls"], 4);
    let cpp_refine = row(&summary, "refine", "cpp");
    let details: Vec<&Value> = records.iter().filter(|r| r["stage"] == "refine").collect();
    assert_eq!(cpp_refine["correct"], 2, "{cpp_refine} {details:#?}");
    assert_eq!(cpp_refine["successes"], 0, "the same loops are not faster");

    let tables = std::fs::read_to_string(&markdown).unwrap();
    assert!(tables.contains("### Generation: pass@1 (%)"), "{tables}");
    assert!(
        tables.contains("| alpha | 50.0 (1/2) | 100.0 (2/2) |"),
        "pass@1 per language:\n{tables}"
    );
    assert!(tables.contains("%Opt"), "{tables}");

    // Resume: a rerun asks nothing and reports the same figures.
    let before = server.requests().len();
    let (ok, stdout, stderr) = setup.perforch(&args).await;
    assert!(ok, "{stderr}");
    assert_eq!(
        server.requests().len(),
        before,
        "recorded tasks are not asked again"
    );
    assert!(stdout.contains("50.0%"), "{stdout}");
    // An interrupted run: the last Python record lost; only it runs again.
    let text = std::fs::read_to_string(&out).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !(line.contains("\"refine\"") && line.contains("Python/1")))
        .collect();
    std::fs::write(
        &out,
        kept.join("\n") + "\n{\"dataset\":\"humanevalpack\",\"lang",
    )
    .unwrap();
    server.push(Route::OpenAiChat, code_reply("python", PY1_CANONICAL));
    let (ok, _, stderr) = setup.perforch(&args).await;
    assert!(ok, "{stderr}");
    assert_eq!(server.requests().len(), before + 1);
    assert_eq!(records_len(&out), 12);
}

fn records_len(path: &Path) -> usize {
    records(path).len()
}

#[tokio::test(flavor = "multi_thread")]
async fn profiling_a_model_that_always_succeeds_moves_it_up_the_ranking() {
    let server = FakeModelServer::start().await.unwrap();
    // Llama 3.2 3B has the paper's figures; "newcomer" has none and keeps
    // its configured place, behind it, until it has runs.
    let setup = Setup::new(
        &server,
        &[("small", "llama3.2:3b"), ("newcomer", "newcomer-coder-1")],
    );
    let ranking = |stdout: &str| -> Vec<String> {
        let value: Value = serde_json::from_str(stdout).unwrap();
        value["ranking"]
            .as_array()
            .unwrap_or_else(|| panic!("{value:#}"))
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect()
    };
    let models_args = [
        "models", "--stage", "generate", "--lang", "python", "--json",
    ];
    let (ok, before, stderr) = setup.perforch(&models_args).await;
    assert!(ok, "{stderr}");
    assert_eq!(ranking(&before), ["small", "newcomer"]);

    for code in [PY0_CORRECT, PY1_CANONICAL] {
        server.push(Route::OpenAiChat, code_reply("python", code));
    }
    let dataset = common::dataset_dir("humanevalpack");
    let (ok, stdout, stderr) = setup
        .perforch(&[
            "profile",
            "--model",
            "newcomer",
            "--dataset",
            dataset.to_str().unwrap(),
            "--lang",
            "python",
            "--limit",
            "2",
            "--stage",
            "generate",
        ])
        .await;
    assert!(ok, "profile failed:\n{stderr}\n{stdout}");
    assert!(stdout.contains("2 new result(s)"), "{stdout}");
    let memory = setup.dir.path().join("data/perforch/routing.json");
    assert!(memory.is_file(), "the user memory file is written");

    let (ok, after, stderr) = setup.perforch(&models_args).await;
    assert!(ok, "{stderr}");
    assert_eq!(ranking(&after), ["newcomer", "small"], "{after}");
    let value: Value = serde_json::from_str(&after).unwrap();
    let newcomer = &value["ranking"][0];
    assert_eq!(newcomer["runs"], 2);
    assert_eq!(newcomer["successes"], 2);
}

/// Sorted-order neighbours only: right on sorted lists, wrong on others
/// (HumanEval's test `[1.0, 2.0, 5.9, 4.0, 5.0]`, 0.95 among them), and
/// linear where the canonical solution compares every pair.
const PY0_NEIGHBOURS_ONLY: &str = "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n    return any(abs(b - a) < threshold for a, b in zip(numbers, numbers[1:]))";

/// Inputs for has_close_elements that are all sorted, so they cannot tell
/// PY0_NEIGHBOURS_ONLY from the canonical solution.
fn sorted_inputs_reply() -> ScriptedReply {
    text_reply(
        "```json\n{\"inputs\": [[\"[0.5, 1.7, 2.9]\", \"1.0\"], [\"[1.0, 1.05, 4.0]\", \"0.1\"], [\"[]\", \"1.0\"], [\"[2.0]\", \"0.5\"]], \"stress\": [[\"[i * 1.5 for i in range(1500)]\", \"1.0\"]]}\n```",
    )
}

fn separate_paren_inputs_reply() -> ScriptedReply {
    text_reply(
        "```json\n{\"inputs\": [[\"'()'\"], [\"'(()) ()'\"], [\"'((()))'\"]], \"stress\": [[\"'(()()) ' * 2000\"]]}\n```",
    )
}

/// `--stage pipeline`: the whole job per task, its acceptances checked by
/// the benchmark. A real gain is accepted and confirmed; the same code
/// back is no improvement; a version that is only right on sorted lists is
/// refused by the job's small-scope inputs, and when those are turned off
/// it is caught by the benchmark's tests, and the run fails.
#[tokio::test(flavor = "multi_thread")]
async fn pipeline_acceptances_are_checked_by_the_benchmark() {
    let server = FakeModelServer::start().await.unwrap();
    let setup = Setup::new(&server, &[("alpha", "alpha-test-model")]);
    let dataset = common::dataset_dir("humanevalpack");
    let run = |out: &Path, limit: &str| -> Vec<String> {
        [
            "eval",
            "--dataset",
            dataset.to_str().unwrap(),
            "--lang",
            "python",
            "--models",
            "alpha",
            "--stage",
            "pipeline",
            "--limit",
            limit,
            "--json",
            out.to_str().unwrap(),
            "--workloads",
            setup.workloads.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec()
    };

    // Per job: the inputs request, then one refine call.
    for reply in [
        sorted_inputs_reply(),
        code_reply("python", PY0_CORRECT),
        separate_paren_inputs_reply(),
        code_reply("python", PY1_CANONICAL),
    ] {
        server.push(Route::OpenAiChat, reply);
    }
    let out = setup.dir.path().join("pipeline.jsonl");
    let args = run(&out, "2");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, stdout, stderr) = setup.perforch(&args).await;
    assert!(ok, "eval failed:\n{stderr}\n{stdout}");
    assert_eq!(server.remaining(Route::OpenAiChat), 0, "{stderr}");
    let records = records(&out);
    let confirmed = find(&records, "pipeline", "Python/0");
    assert_eq!(confirmed["status"], "faster", "{confirmed}");
    assert_eq!(confirmed["success"], true);
    assert!(
        confirmed["claimed_speedup"].as_f64().unwrap() > 1.05,
        "{confirmed}"
    );
    assert!(confirmed["speedup"].as_f64().unwrap() > 2.0, "{confirmed}");
    assert_eq!(confirmed["llm_calls"], 2);
    assert!(
        close(&confirmed["cost_usd"], 2.0 * CALL_COST),
        "{confirmed}"
    );
    let unchanged = find(&records, "pipeline", "Python/1");
    assert_eq!(unchanged["status"], "no improvement", "{unchanged}");
    assert_eq!(unchanged["correct"], true);
    assert!(unchanged["claimed_speedup"].is_null());
    assert!(
        stdout
            .contains("1 of 2 accepted, 1 confirmed faster by the benchmark, 0 accepted but wrong"),
        "{stdout}"
    );

    // The job's small-scope inputs hold unsorted lists: it refuses the
    // neighbours-only version itself.
    server.push(Route::OpenAiChat, sorted_inputs_reply());
    server.push(Route::OpenAiChat, code_reply("python", PY0_NEIGHBOURS_ONLY));
    let out = setup.dir.path().join("pipeline-refused.jsonl");
    let args = run(&out, "1");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, stdout, stderr) = setup.perforch(&args).await;
    assert!(ok, "eval failed:\n{stderr}\n{stdout}");
    let refused = &self::records(&out)[0];
    assert_eq!(refused["status"], "no improvement", "{refused}");
    assert!(refused["accepted_code"].is_null(), "{refused}");

    // Without them (and without the mutation score, which would find
    // the model's sorted inputs too weak to offer anything) the job
    // accepts it; the benchmark's tests catch it and the run fails.
    let mut config = std::fs::read_to_string(&setup.config).unwrap();
    config.push_str("\n[pipeline]\nsmall_scope_inputs = 0\nmutants = 0\n");
    std::fs::write(&setup.config, config).unwrap();
    server.push(Route::OpenAiChat, sorted_inputs_reply());
    server.push(Route::OpenAiChat, code_reply("python", PY0_NEIGHBOURS_ONLY));
    let out = setup.dir.path().join("pipeline-wrong.jsonl");
    let args = run(&out, "1");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, stdout, stderr) = setup.perforch(&args).await;
    assert!(!ok, "accepted wrong code must fail the run:\n{stdout}");
    assert!(
        stderr.contains("perforch accepted 1 version(s) that the benchmark rejects: Python/0"),
        "{stderr}"
    );
    let wrong = &self::records(&out)[0];
    assert_eq!(wrong["status"], "accepted wrong", "{wrong}");
    assert_eq!(wrong["correct"], false);
    assert!(wrong["claimed_speedup"].as_f64().unwrap() > 1.05, "{wrong}");
    // The accepted code is kept, so a reader can check the claim.
    assert!(
        wrong["accepted_code"]
            .as_str()
            .unwrap()
            .contains("zip(numbers, numbers[1:])"),
        "{wrong}"
    );
    assert!(
        wrong["detail"].as_str().unwrap().contains("assert"),
        "the failing test is named: {wrong}"
    );
}
