//! Optimisation jobs through the language server, in process, as an editor
//! drives them: code action, executeCommand, work-done progress, the result
//! diagnostic, the quick fix, cancellation, edits while a job runs, the
//! report, and editor settings. Models are the fake model server; candidates
//! run in the real sandbox with the real Python toolchain.

mod support;

#[path = "pipeline_support/mod.rs"]
mod pipeline_support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use perforch::executor::ExecutorConfig;
use perforch::lsp::ServerOptions;
use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use pipeline_support::{code_reply, inputs_reply};
use serde_json::{Value, json};
use support::LspClient;

const FAST: &str = "def count_pairs(values, target):\n    seen = {}\n    count = 0\n    for value in values:\n        count += seen.get(target - value, 0)\n        seen[value] = seen.get(value, 0) + 1\n    return count";

/// The longest a whole job may take on a slow, shared machine.
const JOB_LIMIT: Duration = Duration::from_secs(600);

fn inputs() -> ScriptedReply {
    inputs_reply(
        &[
            &["[1, 1, 4, 4]", "5"],
            &["[]", "3"],
            &["[2, 2, 2, 2]", "4"],
            &["[5]", "10"],
        ],
        &[&["list(range(2500))", "2499"]],
    )
}

/// Runs a test body on its own runtime after the environment is set. The
/// environment is set once, before any runtime or server thread of this
/// binary exists that could read it concurrently: every test goes through here.
/// The body runs on a thread with a large stack: these long async bodies
/// outgrow the 2 MiB of a test thread in debug builds (the server's tasks run
/// on the runtime's ordinary worker threads).
fn run(test: impl Future<Output = ()> + Send + 'static) {
    environment();
    let body = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(test)
        })
        .unwrap();
    if let Err(panic) = body.join() {
        std::panic::resume_unwind(panic);
    }
}

/// Private routing memory, user config and caches for this test binary.
fn environment() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("perforch-lsp-env")
            .tempdir()
            .unwrap()
            .keep();
        // SAFETY: see `run`: no other thread of this binary reads the
        // environment while the OnceLock initialises.
        unsafe {
            std::env::set_var("XDG_DATA_HOME", dir.join("data"));
            std::env::set_var("XDG_CONFIG_HOME", dir.join("config"));
            std::env::set_var("XDG_CACHE_HOME", dir.join("cache"));
            std::env::set_var("PERFORCH_CACHE_DIR", pipeline_support::cache_dir());
        }
        // The server's log, on stderr, when asked for (PERFORCH_LOG=perforch=debug).
        if std::env::var_os(perforch::logging::LOG_FILTER_VAR).is_some() {
            perforch::logging::init();
        }
        dir
    })
}

/// Editor settings naming one fake model, as `initializationOptions` or
/// the answer to `workspace/configuration`. Static hints are off: these
/// tests count the diagnostics of job results (`lsp_hints.rs` and the
/// test below that turns them on check how the two mix).
fn settings(server: &FakeModelServer, timeout_secs: u64) -> Value {
    json!({
        "hints": {"enabled": false},
        "models": [{
            "name": "alpha",
            "provider": "openai",
            "model": "alpha-test-model",
            "base_url": server.openai_base_url(),
            "timeout_secs": timeout_secs,
            "price_input_per_mtok": 1.0,
            "price_output_per_mtok": 2.0,
        }],
        "retry": {"max_attempts": 1},
    })
}

/// An editor with pairs.py open in a fresh workspace folder: it answers the
/// server's requests (progress tokens, configuration, showDocument) and
/// keeps every message it received.
struct Editor {
    client: LspClient,
    _server: tokio::task::JoinHandle<perforch::lsp::SessionEnd>,
    workspace: tempfile::TempDir,
    file: PathBuf,
    uri: String,
    text: String,
    version: i32,
    /// The answer to `workspace/configuration`.
    configuration: Value,
    log: Vec<Value>,
    /// Indices of `log` a `wait_for` already returned.
    taken: std::collections::HashSet<usize>,
    next_id: i64,
}

impl Editor {
    async fn start(initialization_options: Value) -> Editor {
        Editor::start_with("pairs.py", initialization_options).await
    }

    /// An editor with `fixtures/optimize/python/NAME` open.
    async fn start_with(name: &str, initialization_options: Value) -> Editor {
        let workspace = tempfile::Builder::new()
            .prefix("perforch-lsp")
            .tempdir()
            .unwrap();
        let source = pipeline_support::fixture(&format!("optimize/python/{name}"));
        let file = workspace.path().join(name);
        std::fs::copy(&source, &file).unwrap();
        let options = ServerOptions {
            executor: ExecutorConfig {
                cache_dir: pipeline_support::cache_dir(),
                ..ExecutorConfig::with_launcher(env!("CARGO_BIN_EXE_perforch"))
            },
            reports_dir: workspace.path().join("reports"),
        };
        let (client, server) = LspClient::in_process_with(options);
        let root = format!("file://{}", workspace.path().display());
        let mut editor = Editor {
            client,
            _server: server,
            uri: format!("{root}/{name}"),
            text: std::fs::read_to_string(&file).unwrap(),
            file,
            workspace,
            version: 1,
            configuration: Value::Null,
            log: Vec::new(),
            taken: Default::default(),
            next_id: 1,
        };
        let capabilities = json!({
            "window": {"workDoneProgress": true, "showDocument": {"support": true}},
            "workspace": {"configuration": true, "workspaceFolders": true,
                          "workspaceEdit": {"documentChanges": true}},
        });
        let reply = editor
            .request(
                "initialize",
                json!({"processId": null, "rootUri": root, "capabilities": capabilities,
                       "workspaceFolders": [{"uri": root, "name": "workspace"}],
                       "initializationOptions": initialization_options,
                       "clientInfo": {"name": "perforch-lsp-optimize-tests"}}),
            )
            .await;
        assert!(reply.get("error").is_none(), "{reply}");
        editor.client.notify("initialized", json!({})).await;
        let text = editor.text.clone();
        editor
            .client
            .open(&editor.uri.clone(), "python", 1, &text)
            .await;
        editor
    }

    /// Reads one message (answering it if it is a request to the editor).
    /// `DEBUG_EDITOR=1` prints the conversation.
    async fn next(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = self
            .client
            .read_message_within(left)
            .await
            .ok()?
            .expect("the server closed its output");
        if std::env::var_os("DEBUG_EDITOR").is_some() {
            eprintln!("editor <- {message}");
        }
        if let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) {
            let result = match method {
                "window/workDoneProgress/create" => Value::Null,
                "workspace/configuration" => json!([self.configuration.clone()]),
                "window/showDocument" => json!({"success": true}),
                other => panic!("unexpected request from the server: {other}"),
            };
            let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
            self.client.send(&reply).await;
            if std::env::var_os("DEBUG_EDITOR").is_some() {
                eprintln!("editor -> {reply}");
            }
        }
        self.log.push(message.clone());
        Some(message)
    }

    /// The first message for which `wanted` holds that no earlier wait
    /// returned: one already received (the server's messages from different
    /// tasks may come in any order), else the next to arrive within `limit`.
    async fn wait_for(
        &mut self,
        what: &str,
        limit: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        let received =
            (0..self.log.len()).find(|i| !self.taken.contains(i) && wanted(&self.log[*i]));
        if let Some(index) = received {
            self.taken.insert(index);
            return self.log[index].clone();
        }
        let deadline = Instant::now() + limit;
        loop {
            match self.next(deadline).await {
                Some(message) if wanted(&message) => {
                    self.taken.insert(self.log.len() - 1);
                    return message;
                }
                Some(_) => {}
                None => panic!("no {what} within {limit:?}; received:\n{}", self.dump()),
            }
        }
    }

    /// Reads whatever arrives during `duration`.
    async fn drain_for(&mut self, duration: Duration) {
        let deadline = Instant::now() + duration;
        while self.next(deadline).await.is_some() {}
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = json!(format!("editor-{}", self.next_id));
        self.next_id += 1;
        self.client
            .send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        let is_reply = |m: &Value| m.get("id") == Some(&id) && m.get("method").is_none();
        self.wait_for(
            &format!("reply to {method}"),
            Duration::from_secs(30),
            is_reply,
        )
        .await
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        let reply = self.request(method, params).await;
        assert!(reply.get("error").is_none(), "{method} failed: {reply}");
        reply["result"].clone()
    }

    /// The actions at the first occurrence of `needle`.
    async fn actions_at(&mut self, needle: &str) -> Vec<Value> {
        let (line, character) = support::position_of(&self.text, needle);
        let params = support::code_action_params(&self.uri, line, character);
        let result = self.call("textDocument/codeAction", params).await;
        result.as_array().cloned().unwrap_or_default()
    }

    async fn action(&mut self, needle: &str, title_prefix: &str) -> Value {
        let actions = self.actions_at(needle).await;
        actions
            .iter()
            .find(|a| a["title"].as_str().unwrap().starts_with(title_prefix))
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "no action {title_prefix:?} at {needle:?}; got {}",
                    titles(&actions).join(" | ")
                )
            })
    }

    /// Runs an action's command; returns the command's result.
    async fn execute(&mut self, action: &Value) -> Value {
        let command = &action["command"];
        self.call(
            "workspace/executeCommand",
            json!({"command": command["command"], "arguments": command["arguments"]}),
        )
        .await
    }

    /// Replaces the first occurrence of `old` with `new`, as the user typing.
    async fn replace(&mut self, old: &str, new: &str) {
        let (line, character) = support::position_of(&self.text, old);
        let end = character + old.encode_utf16().count() as u32;
        self.version += 1;
        self.text = self.text.replacen(old, new, 1);
        let change = json!({"range": {"start": {"line": line, "character": character},
                                      "end": {"line": line, "character": end}}, "text": new});
        self.client
            .notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": [change]}),
            )
            .await;
    }

    /// `$/progress` values of a token, in order.
    fn progress(&self, token: &Value) -> Vec<Value> {
        self.log
            .iter()
            .filter(|m| m["method"] == "$/progress" && &m["params"]["token"] == token)
            .map(|m| m["params"]["value"].clone())
            .collect()
    }

    async fn wait_for_progress_end(&mut self, token: &Value) -> Value {
        let token = token.clone();
        let message = self
            .wait_for("end of the job's progress", JOB_LIMIT, move |m| {
                m["method"] == "$/progress"
                    && m["params"]["token"] == token
                    && m["params"]["value"]["kind"] == "end"
            })
            .await;
        message["params"]["value"].clone()
    }

    /// The next perforch diagnostics published for the document.
    async fn wait_for_diagnostics(&mut self) -> Vec<Value> {
        let uri = self.uri.clone();
        let message = self
            .wait_for("perforch diagnostics", JOB_LIMIT, move |m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
            })
            .await;
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap()
    }

    fn perforch_diagnostics_published(&self) -> Vec<Value> {
        self.log
            .iter()
            .filter(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == self.uri
            })
            .flat_map(|m| {
                m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }

    fn dump(&self) -> String {
        self.log
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Waits until the fake model server has received `count` requests: the
/// job's progress message comes just before its request is sent.
async fn requests_reach(server: &FakeModelServer, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.requests().len() < count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.requests().len(), count, "requests to the model");
}

fn titles(actions: &[Value]) -> Vec<String> {
    actions
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

/// Applies a versioned workspace edit to `text` (ASCII: columns are bytes).
fn apply_workspace_edit(text: &str, edit: &Value, uri: &str, version: i32) -> String {
    let changes = edit["documentChanges"].as_array().expect("documentChanges");
    assert_eq!(changes.len(), 1, "{edit}");
    assert_eq!(changes[0]["textDocument"]["uri"], uri);
    assert_eq!(
        changes[0]["textDocument"]["version"], version,
        "the edit is pinned to the current version"
    );
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        line_start + character
    };
    let mut edits: Vec<(usize, usize, String)> = changes[0]["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let mut result = text.to_string();
    for (start, end, new_text) in edits {
        result.replace_range(start..end, &new_text);
    }
    result
}

/// Runs the edited module with the real interpreter: it must still work.
fn check_with_python(workspace: &Path, text: &str) {
    let module = workspace.join("applied_pairs.py");
    std::fs::write(&module, text).unwrap();
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg("from applied_pairs import count_pairs\nassert count_pairs([1, 1, 4, 4], 5) == 4\nassert count_pairs([2, 2, 2], 4) == 3\nprint('ok')")
        .current_dir(workspace)
        .output()
        .expect("python3 runs (install python3)");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "ok",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn optimize_reports_progress_publishes_figures_and_offers_the_verified_edit() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        pipeline_support::push_all(&server, vec![inputs(), code_reply("python", FAST)]);
        let mut editor = Editor::start(settings(&server, 10)).await;

        let actions = editor.actions_at("count += 1").await;
        assert_eq!(
            titles(&actions),
            [
                "Optimize `count_pairs` for speed (perforch)",
                "Optimize `count_pairs` for memory (perforch)"
            ]
        );
        let reply = editor.execute(&actions[0]).await;
        let token = reply["progressToken"].clone();
        assert!(token.is_string(), "{reply}");
        assert!(
            editor.progress(&token).is_empty(),
            "the command returned before the job ended"
        );

        let end = editor.wait_for_progress_end(&token).await;
        let progress = editor.progress(&token);
        assert_eq!(progress[0]["kind"], "begin", "{progress:?}");
        assert_eq!(progress[0]["cancellable"], true);
        let percentages: Vec<u64> = progress
            .iter()
            .filter_map(|p| p["percentage"].as_u64())
            .collect();
        assert!(
            percentages.windows(2).all(|w| w[0] <= w[1]),
            "percentages never go back: {percentages:?}"
        );
        let messages: Vec<&str> = progress
            .iter()
            .filter_map(|p| p["message"].as_str())
            .collect();
        assert!(messages.contains(&"refine: asking alpha"), "{messages:?}");
        assert!(
            messages.iter().any(|m| m.starts_with("refine: measuring")),
            "{messages:?}"
        );
        assert!(end["message"].as_str().unwrap().contains("faster"), "{end}");

        let diagnostics = editor.wait_for_diagnostics().await;
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let diagnostic = &diagnostics[0];
        assert_eq!(diagnostic["source"], "perforch");
        assert_eq!(diagnostic["severity"], 3, "information");
        let (line, column) = support::position_of(&editor.text, "count_pairs(values");
        assert_eq!(
            diagnostic["range"]["start"],
            json!({"line": line, "character": column})
        );
        assert_eq!(
            diagnostic["range"]["end"],
            json!({"line": line, "character": column + 11})
        );
        let message = diagnostic["message"].as_str().unwrap();
        let speedup: f64 = message
            .split('x')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{message}"));
        assert!(
            speedup > 2.0,
            "an O(n) rewrite of an O(n^2) loop: {message}"
        );
        assert!(
            message.contains(" faster (CPU ") && message.contains(" ms -> "),
            "{message}"
        );
        // The doc example, the model's inputs and its stress input, and
        // the small-scope inputs grown from the examples (the untyped
        // parameters take the types the examples show).
        assert!(
            message.contains("verified on ")
                && message.contains(" inputs + ")
                && message.contains(" small inputs"),
            "{message}"
        );
        assert!(message.contains("peak memory "), "{message}");
        // And how strong that evidence is, measured before it was offered.
        assert!(
            message.contains("; the evidence catches ") && message.contains(" mutants"),
            "{message}"
        );

        let apply = editor
            .action("count += 1", "Apply optimized `count_pairs`")
            .await;
        assert_eq!(apply["kind"], "quickfix");
        assert_eq!(
            apply["title"],
            format!("Apply optimized `count_pairs` ({speedup:.1}x faster)")
        );
        assert_eq!(apply["diagnostics"][0]["message"], message);
        let applied = apply_workspace_edit(&editor.text, &apply["edit"], &editor.uri, 1);
        assert!(
            applied.contains("        count += seen.get(target - value, 0)\n"),
            "{applied}"
        );
        assert!(!applied.contains("for j in range"), "{applied}");
        assert!(
            applied.starts_with("\"\"\"Pair counting"),
            "the rest of the file is untouched: {applied}"
        );
        assert!(
            applied.contains(">>> count_pairs([1, 2, 3, 4], 5)"),
            "the docstring is kept: {applied}"
        );
        assert!(
            applied.ends_with(
                "if __name__ == \"__main__\":\n    print(count_pairs([1, 2, 3, 4], 5))\n"
            )
        );
        check_with_python(editor.workspace.path(), &applied);
        assert_eq!(
            std::fs::read_to_string(&editor.file).unwrap(),
            editor.text,
            "the server never writes the file"
        );

        let show = editor
            .action("count += 1", "Show perforch report for `count_pairs`")
            .await;
        let shown = editor.execute(&show).await;
        let path = PathBuf::from(shown["path"].as_str().unwrap());
        let request = editor
            .wait_for("window/showDocument", Duration::from_secs(30), |m| {
                m["method"] == "window/showDocument"
            })
            .await;
        assert_eq!(
            request["params"]["uri"],
            format!("file://{}", path.display())
        );
        let report = std::fs::read_to_string(&path).unwrap();
        assert!(
            report.contains("## perforch: `count_pairs` (Python, metric: time)"),
            "{report}"
        );
        assert!(report.contains("**Result: faster**"), "{report}");
        assert!(report.contains("seen.get(target - value, 0)"), "{report}");
    });
}

/// Two classes define `count_shown`: the action in the second one optimises
/// that method, judged on its own objects, and its edit changes only it.
#[test]
fn the_method_under_the_cursor_is_the_one_optimized() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        let fast = "def count_shown(self, authors):\n    banned = set(self.banned)\n    return sum(1 for author in authors if author not in banned)";
        pipeline_support::push_all(
            &server,
            vec![
                inputs_reply(
                    &[&["Moderation(['eve', 'mallory'])", "['eve', 'ann', 'eve']"]],
                    &[&[
                        "Moderation([f'u{i}' for i in range(3000)])",
                        "[f'u{i}' for i in range(0, 9000, 3)]",
                    ]],
                ),
                code_reply("python", fast),
            ],
        );
        let mut editor = Editor::start_with("queues.py", settings(&server, 10)).await;
        let actions = editor.actions_at("if author not in self.banned").await;
        let optimize = actions
            .iter()
            .find(|a| a["title"].as_str().unwrap().contains("for speed"))
            .unwrap_or_else(|| panic!("{}", titles(&actions).join(" | ")));
        let reply = editor.execute(optimize).await;
        editor
            .wait_for_progress_end(&reply["progressToken"].clone())
            .await;
        let diagnostics = editor.wait_for_diagnostics().await;
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let (line, _) = support::position_of(&editor.text, "if author not in self.banned");
        let on = diagnostics[0]["range"]["start"]["line"].as_u64().unwrap() as u32;
        assert!(
            on < line && on > 20,
            "on Moderation.count_shown: {diagnostics:?}"
        );
        let apply = editor
            .action("if author not in self.banned", "Apply optimized")
            .await;
        let applied = apply_workspace_edit(&editor.text, &apply["edit"], &editor.uri, 1);
        assert!(applied.contains("banned = set(self.banned)"), "{applied}");
        let review_queue = |text: &str| {
            let start = text.find("class ReviewQueue").unwrap();
            let end = text.find("class Moderation").unwrap();
            text[start..end].to_string()
        };
        assert_eq!(review_queue(&applied), review_queue(&editor.text));
        // Both classes' doc examples still hold.
        let module = editor.workspace.path().join("applied_queues.py");
        std::fs::write(&module, &applied).unwrap();
        let doctest = std::process::Command::new("python3")
            .args(["-m", "doctest"])
            .arg(&module)
            .output()
            .expect("python3 runs (install python3)");
        assert!(
            doctest.status.success(),
            "{}",
            String::from_utf8_lossy(&doctest.stdout)
        );
    });
}

#[test]
fn cancelled_and_superseded_jobs_end_their_progress_and_publish_nothing() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        let mut editor = Editor::start(settings(&server, 300)).await;
        let speed = editor
            .action("count += 1", "Optimize `count_pairs` for speed")
            .await;
        let asking = |token: &Value| {
            let token = token.clone();
            move |m: &Value| {
                m["method"] == "$/progress"
                    && m["params"]["token"] == token
                    && m["params"]["value"]["message"] == "asking alpha for test inputs"
            }
        };
        let limit = Duration::from_secs(120);

        // Cancelled from the progress bar while the model hangs.
        server.push(Route::OpenAiChat, ScriptedReply::hang());
        let first = editor.execute(&speed).await["progressToken"].clone();
        editor
            .wait_for("the inputs request", limit, asking(&first))
            .await;
        requests_reach(&server, 1).await;
        editor
            .client
            .notify("window/workDoneProgress/cancel", json!({"token": first}))
            .await;
        assert_eq!(
            editor.wait_for_progress_end(&first).await["message"],
            "cancelled"
        );

        // Cancelled with the command.
        server.push(Route::OpenAiChat, ScriptedReply::hang());
        let second = editor.execute(&speed).await["progressToken"].clone();
        editor
            .wait_for("the inputs request", limit, asking(&second))
            .await;
        requests_reach(&server, 2).await;
        let cancel = editor
            .action("count += 1", "Cancel perforch on `count_pairs`")
            .await;
        assert_eq!(editor.execute(&cancel).await, json!({"cancelled": 1}));
        assert_eq!(
            editor.wait_for_progress_end(&second).await["message"],
            "cancelled"
        );

        // Superseded by a new run of the same function.
        server.push(Route::OpenAiChat, ScriptedReply::hang());
        server.push(Route::OpenAiChat, ScriptedReply::hang());
        let third = editor.execute(&speed).await["progressToken"].clone();
        editor
            .wait_for("the inputs request", limit, asking(&third))
            .await;
        requests_reach(&server, 3).await;
        let fourth = editor.execute(&speed).await["progressToken"].clone();
        assert_eq!(
            editor.wait_for_progress_end(&third).await["message"],
            "superseded by a newer run"
        );
        editor
            .wait_for("the inputs request", limit, asking(&fourth))
            .await;
        requests_reach(&server, 4).await;
        let cancel =
            json!({"command": {"command": "perforch.cancel", "arguments": [{"uri": editor.uri}]}});
        assert_eq!(editor.execute(&cancel).await, json!({"cancelled": 1}));
        assert_eq!(
            editor.wait_for_progress_end(&fourth).await["message"],
            "cancelled"
        );

        editor.drain_for(Duration::from_secs(2)).await;
        assert!(
            editor.perforch_diagnostics_published().is_empty(),
            "{}",
            editor.dump()
        );
        assert!(
            titles(&editor.actions_at("count += 1").await)
                .iter()
                .all(|t| !t.starts_with("Apply"))
        );
        // Every hanging model call was abandoned, not left running.
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.dropped_connections() < 4 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(server.dropped_connections(), 4);
    });
}

#[test]
fn editing_the_function_while_the_job_runs_makes_the_result_stale() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        pipeline_support::push_all(&server, vec![inputs(), code_reply("python", FAST)]);
        let mut editor = Editor::start(settings(&server, 10)).await;
        let speed = editor
            .action("count += 1", "Optimize `count_pairs` for speed")
            .await;
        let token = editor.execute(&speed).await["progressToken"].clone();
        // The job works on version 1; the user edits the function meanwhile.
        editor
            .replace("count = 0", "count = 0  # pairs so far")
            .await;
        editor.wait_for_progress_end(&token).await;

        let diagnostics = editor.wait_for_diagnostics().await;
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0]["severity"], 4, "hint");
        assert_eq!(diagnostics[0]["code"], "stale");
        let message = diagnostics[0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("stale: `count_pairs` changed"),
            "{message}"
        );
        assert!(
            message.contains("faster"),
            "it says what the old result was: {message}"
        );

        let actions = editor.actions_at("count += 1").await;
        assert!(
            titles(&actions).iter().all(|t| !t.starts_with("Apply")),
            "no edit for other text: {actions:?}"
        );
        assert!(actions.iter().all(|a| a.get("edit").is_none()));
        let rerun = editor
            .action("count += 1", "Re-run optimize `count_pairs`")
            .await;
        assert_eq!(rerun["command"]["arguments"][0]["version"], 2);
        assert_eq!(rerun["command"]["arguments"][0]["goal"], "speed");
        editor
            .action("count += 1", "Show perforch report for `count_pairs`")
            .await;
    });
}

#[test]
fn edits_elsewhere_re_anchor_the_edit_and_an_edit_of_the_function_makes_it_stale() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        pipeline_support::push_all(&server, vec![inputs(), code_reply("python", FAST)]);
        let mut editor = Editor::start(settings(&server, 10)).await;
        let speed = editor
            .action("count += 1", "Optimize `count_pairs` for speed")
            .await;
        let token = editor.execute(&speed).await["progressToken"].clone();
        // An edit above the function while the job runs: it moves down a line.
        editor
            .replace(
                "\"\"\"Pair counting",
                "# Copyright the authors\n\"\"\"Pair counting",
            )
            .await;
        editor.wait_for_progress_end(&token).await;

        let diagnostics = editor.wait_for_diagnostics().await;
        assert_eq!(diagnostics[0]["severity"], 3, "{diagnostics:?}");
        assert_eq!(
            diagnostics[0]["range"]["start"]["line"], 4,
            "on the name, one line lower"
        );
        let apply = editor
            .action("count += 1", "Apply optimized `count_pairs`")
            .await;
        let applied = apply_workspace_edit(&editor.text, &apply["edit"], &editor.uri, 2);
        assert!(
            applied.starts_with("# Copyright the authors\n\"\"\"Pair counting"),
            "{applied}"
        );
        assert!(
            applied.contains("        count += seen.get(target - value, 0)\n"),
            "{applied}"
        );
        check_with_python(editor.workspace.path(), &applied);

        // Another edit after the function: the edit follows version 3.
        editor
            .replace(
                "    print(count_pairs([1, 2, 3, 4], 5))",
                "    print(count_pairs([1, 2, 3, 4, 1], 5))",
            )
            .await;
        let apply = editor
            .action("count += 1", "Apply optimized `count_pairs`")
            .await;
        let applied = apply_workspace_edit(&editor.text, &apply["edit"], &editor.uri, 3);
        assert!(
            applied.contains("print(count_pairs([1, 2, 3, 4, 1], 5))"),
            "{applied}"
        );
        assert!(
            applied.contains("count += seen.get(target - value, 0)"),
            "{applied}"
        );

        // Editing the function itself: stale, nothing to apply.
        editor.replace("count += 1", "count = count + 1").await;
        let diagnostics = editor.wait_for_diagnostics().await;
        assert_eq!(diagnostics[0]["code"], "stale", "{diagnostics:?}");
        let actions = editor.actions_at("count = count + 1").await;
        assert!(
            titles(&actions).iter().all(|t| !t.starts_with("Apply")),
            "{actions:?}"
        );

        // Undoing it brings the result back, pinned to the new version.
        editor.replace("count = count + 1", "count += 1").await;
        let diagnostics = editor.wait_for_diagnostics().await;
        assert_eq!(diagnostics[0]["code"], "improved", "{diagnostics:?}");
        let apply = editor
            .action("count += 1", "Apply optimized `count_pairs`")
            .await;
        let applied = apply_workspace_edit(&editor.text, &apply["edit"], &editor.uri, 5);
        check_with_python(editor.workspace.path(), &applied);
    });
}

#[test]
fn bad_settings_are_reported_by_field_and_the_last_good_ones_stay_in_use() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        let bad_initial = json!({"models": [{"name": "alpha", "provider": "openai", "model": "m", "temperature": "hot"}]});
        let mut editor = Editor::start(bad_initial).await;
        let is_error = |m: &Value| m["method"] == "window/showMessage" && m["params"]["type"] == 1;
        let shown = editor
            .wait_for("an error message", Duration::from_secs(30), is_error)
            .await;
        let text = shown["params"]["message"].as_str().unwrap();
        assert!(
            text.contains("editor settings: models[0].temperature"),
            "{text}"
        );
        // Still serving.
        editor
            .action("count += 1", "Optimize `count_pairs` for speed")
            .await;

        // Good settings pulled after a change notification.
        editor.configuration = settings(&server, 300);
        editor
            .client
            .notify(
                "workspace/didChangeConfiguration",
                json!({"settings": null}),
            )
            .await;
        editor
            .wait_for("workspace/configuration", Duration::from_secs(30), |m| {
                m["method"] == "workspace/configuration"
            })
            .await;
        // Then bad ones: reported, and not used.
        editor.configuration = json!({"pipeline": {"top_k": "five"}});
        editor
            .client
            .notify(
                "workspace/didChangeConfiguration",
                json!({"settings": null}),
            )
            .await;
        let shown = editor
            .wait_for("an error message", Duration::from_secs(30), is_error)
            .await;
        let text = shown["params"]["message"].as_str().unwrap();
        assert!(text.contains("pipeline.top_k"), "{text}");
        assert!(text.contains("previous settings stay in use"), "{text}");

        // A job uses the good settings: it calls the fake model.
        server.push(Route::OpenAiChat, ScriptedReply::hang());
        let speed = editor
            .action("count += 1", "Optimize `count_pairs` for speed")
            .await;
        let token = editor.execute(&speed).await["progressToken"].clone();
        let wanted = token.clone();
        editor
            .wait_for("the inputs request", Duration::from_secs(120), move |m| {
                m["method"] == "$/progress"
                    && m["params"]["token"] == wanted
                    && m["params"]["value"]["message"] == "asking alpha for test inputs"
            })
            .await;
        // The job asked the configured model.
        requests_reach(&server, 1).await;
        editor
            .client
            .notify("window/workDoneProgress/cancel", json!({"token": token}))
            .await;
        assert_eq!(
            editor.wait_for_progress_end(&token).await["message"],
            "cancelled"
        );
        let errors = editor.log.iter().filter(|m| is_error(m)).count();
        assert_eq!(
            errors,
            2,
            "only the two bad settings were reported: {}",
            editor.dump()
        );
    });
}

#[test]
fn a_stub_is_offered_generation_not_optimisation() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        let mut editor = Editor::start(settings(&server, 10)).await;
        let stub = "def reorder_level(values):\n    raise NotImplementedError\n";
        editor
            .replace("if __name__", &format!("{stub}\n\nif __name__"))
            .await;
        let actions = editor.actions_at("raise NotImplementedError").await;
        assert_eq!(titles(&actions), ["Generate `reorder_level` (perforch)"]);
        assert_eq!(actions[0]["command"]["arguments"][0]["goal"], "generate");
        let memory = editor
            .action("count += 1", "Optimize `count_pairs` for memory")
            .await;
        assert_eq!(memory["command"]["arguments"][0]["goal"], "memory");
    });
}

#[test]
fn when_nothing_is_better_the_diagnostic_says_why_and_offers_no_edit() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        // Same answers with twice the work: reliably slower even on a
        // loaded machine (identical code is a tie only most of the time).
        let slower = "def count_pairs(values, target):\n    count = 0\n    for _ in range(2):\n        count = 0\n        for i in range(len(values)):\n            for j in range(i + 1, len(values)):\n                if values[i] + values[j] == target:\n                    count += 1\n    return count";
        pipeline_support::push_all(&server, vec![inputs(), code_reply("python", slower)]);
        let mut editor = Editor::start(settings(&server, 10)).await;
        let speed = editor
            .action("count += 1", "Optimize `count_pairs` for speed")
            .await;
        let token = editor.execute(&speed).await["progressToken"].clone();
        let end = editor.wait_for_progress_end(&token).await;
        assert_eq!(end["message"], "no faster version: 1 candidate: 1 slower");

        let diagnostics = editor.wait_for_diagnostics().await;
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0]["severity"], 4, "hint");
        assert_eq!(diagnostics[0]["code"], "not-improved");
        assert_eq!(
            diagnostics[0]["message"],
            "no faster version: 1 candidate: 1 slower"
        );
        let actions = editor.actions_at("count += 1").await;
        assert!(
            titles(&actions).iter().all(|t| !t.starts_with("Apply")),
            "{actions:?}"
        );
        editor
            .action("count += 1", "Show perforch report for `count_pairs`")
            .await;
    });
}

#[test]
fn hints_and_the_result_share_the_diagnostics_and_applying_the_fix_clears_both() {
    run(async {
        let server = FakeModelServer::start().await.unwrap();
        pipeline_support::push_all(&server, vec![inputs(), code_reply("python", FAST)]);
        let mut with_hints = settings(&server, 10);
        with_hints["hints"] = json!({"enabled": true, "debounce_ms": 50});
        let mut editor = Editor::start(with_hints).await;
        let codes = |diagnostics: &[Value]| -> Vec<String> {
            diagnostics
                .iter()
                .map(|d| d["code"].as_str().unwrap().to_string())
                .collect()
        };
        const HINT: &str = "py-nested-loop-same-collection";
        assert_eq!(codes(&editor.wait_for_diagnostics().await), [HINT]);

        let speed = editor
            .action("count += 1", "Optimize `count_pairs` for speed")
            .await;
        let token = editor.execute(&speed).await["progressToken"].clone();
        editor.wait_for_progress_end(&token).await;
        // One set per document: the result joins the hint, neither replaces the other.
        let both = editor.wait_for_diagnostics().await;
        assert_eq!(codes(&both), ["improved", HINT], "{both:?}");
        let offered = titles(&editor.actions_at("range(i + 1").await);
        assert!(
            offered
                .iter()
                .any(|t| t.starts_with("Apply optimized `count_pairs`")),
            "{offered:?}"
        );
        assert!(
            offered.contains(&"Optimize `count_pairs` with perforch".to_string()),
            "{offered:?}"
        );

        // The editor applies the quick fix: the loop and its hint go, and
        // the applied result says nothing more (it is not "stale").
        let apply = editor
            .action("count += 1", "Apply optimized `count_pairs`")
            .await;
        let applied = apply_workspace_edit(&editor.text, &apply["edit"], &editor.uri, 1);
        editor.version += 1;
        editor.text = applied.clone();
        editor
            .client
            .notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": editor.uri, "version": editor.version},
                       "contentChanges": [{"text": applied}]}),
            )
            .await;
        let after = editor.wait_for_diagnostics().await;
        assert!(after.is_empty(), "{after:?}");
        let offered = titles(&editor.actions_at("seen.get(target - value, 0)").await);
        assert!(
            offered
                .iter()
                .all(|t| !t.starts_with("Apply") && !t.starts_with("Re-run")),
            "{offered:?}"
        );
        assert!(
            offered.contains(&"Show perforch report for `count_pairs`".to_string()),
            "the report stays available: {offered:?}"
        );
    });
}
