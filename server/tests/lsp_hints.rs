//! Static performance hints as LSP diagnostics, through the real server in
//! process: they appear after open in every language, follow edits after a
//! pause in typing (one publish for a burst of edits), vanish when the code
//! is fixed, the document closed or the setting turned off, and the hint's
//! range offers "Optimize `NAME` with perforch".

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::LspClient;

const PAIRS: &str = "file:///hints/pairs.py";

/// An editor session: the messages the server pushed, and the document's text.
struct Editor {
    client: LspClient,
    _server: tokio::task::JoinHandle<perforch::lsp::SessionEnd>,
    text: String,
    version: i32,
}

impl Editor {
    /// Initialized with `options`, without `workspace/configuration`
    /// (settings are pushed), with pairs.py open.
    async fn start(options: Value) -> Editor {
        let (mut client, server) = LspClient::in_process();
        client
            .call(
                "initialize",
                json!({"processId": null, "rootUri": null, "capabilities": {},
                       "initializationOptions": options}),
            )
            .await;
        client.notify("initialized", json!({})).await;
        let text = support::fixture("optimize/python/pairs.py");
        client.open(PAIRS, "python", 1, &text).await;
        Editor {
            client,
            _server: server,
            text,
            version: 1,
        }
    }

    /// The next diagnostics published for `uri`, with their version.
    async fn next_publish(&mut self, uri: &str, limit: Duration) -> Option<Value> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self.client.read_message_within(left).await.ok()??;
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                return Some(message["params"].clone());
            }
        }
    }

    async fn publish(&mut self, uri: &str) -> Value {
        self.next_publish(uri, Duration::from_secs(30))
            .await
            .unwrap_or_else(|| panic!("no diagnostics published for {uri}"))
    }

    /// Replaces the first `old` with `new` in pairs.py, as the user typing.
    async fn replace(&mut self, old: &str, new: &str) {
        let (line, character) = support::position_of(&self.text, old);
        let end = support::position_of(&format!("{old}\u{0}"), "\u{0}");
        let end = if end.0 == 0 {
            json!({"line": line, "character": character + end.1})
        } else {
            json!({"line": line + end.0, "character": end.1})
        };
        self.version += 1;
        self.text = self.text.replacen(old, new, 1);
        let change = json!({"range": {"start": {"line": line, "character": character}, "end": end},
                            "text": new});
        self.client
            .notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": PAIRS, "version": self.version},
                       "contentChanges": [change]}),
            )
            .await;
    }

    async fn actions_at(&mut self, needle: &str) -> Vec<Value> {
        let (line, character) = support::position_of(&self.text, needle);
        let actions = self.client.code_actions(PAIRS, line, character).await;
        actions.as_array().cloned().unwrap_or_default()
    }
}

fn codes(publish: &Value) -> Vec<String> {
    publish["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn titles(actions: &[Value]) -> Vec<String> {
    actions
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

const HINT: &str = "py-nested-loop-same-collection";
const INNER_LOOP: &str = "for j in range(i + 1, len(values)):";
const FIXED: &str = "    seen = {}\n    count = 0\n    for value in values:\n        count += seen.get(target - value, 0)\n        seen[value] = seen.get(value, 0) + 1\n    return count\n";

#[tokio::test]
async fn hints_appear_after_open_in_every_language() {
    let (mut client, _server) = LspClient::in_process();
    client.initialize(json!({})).await;
    for (fixture, language_id, id, loop_header) in [
        ("python/pairs.py", "python", HINT, INNER_LOOP),
        (
            "java/Pairs.java",
            "java",
            "java-nested-loop-same-collection",
            "for (int j = i + 1",
        ),
        (
            "cpp/pairs.cpp",
            "cpp",
            "cpp-nested-loop-same-collection",
            "for (size_t j = i + 1",
        ),
        (
            "go/pairs.go",
            "go",
            "go-nested-loop-same-collection",
            "for j := i + 1",
        ),
        (
            "rust/pairs.rs",
            "rust",
            "rust-nested-loop-same-collection",
            "for j in i + 1",
        ),
    ] {
        let text = support::fixture(&format!("optimize/{fixture}"));
        let uri = format!("file:///hints/{fixture}");
        client.open(&uri, language_id, 7, &text).await;
        let mut editor_publish = None;
        let deadline = Instant::now() + Duration::from_secs(30);
        while editor_publish.is_none() && Instant::now() < deadline {
            let message = client.read_message().await.unwrap();
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                editor_publish = Some(message["params"].clone());
            }
        }
        let publish = editor_publish.unwrap_or_else(|| panic!("no hints for {fixture}"));
        assert_eq!(publish["version"], 7, "{fixture}: {publish}");
        let diagnostics = publish["diagnostics"].as_array().unwrap();
        assert_eq!(diagnostics.len(), 1, "{fixture}: {publish}");
        let hint = &diagnostics[0];
        assert_eq!(hint["code"], id, "{fixture}");
        assert_eq!(hint["source"], "perforch");
        assert_eq!(hint["severity"], 4, "{fixture}: Hint severity");
        let message = hint["message"].as_str().unwrap();
        assert!(message.contains("O(n²)"), "{fixture}: {message}");
        assert!(!message.contains('\n'), "one line: {message}");
        let (line, character) = support::position_of(&text, loop_header);
        assert_eq!(
            hint["range"]["start"],
            json!({"line": line, "character": character}),
            "{fixture}: on the inner loop's header"
        );
    }
}

#[tokio::test]
async fn a_burst_of_edits_is_published_once_for_the_last_version() {
    let mut editor = Editor::start(json!({"hints": {"debounce_ms": 400}})).await;
    let first = editor.publish(PAIRS).await;
    assert_eq!(codes(&first), [HINT]);
    let line = first["diagnostics"][0]["range"]["start"]["line"]
        .as_u64()
        .unwrap();

    // Ten lines typed above the function, faster than the pause: every edit
    // moves the hint, but only the last version is analysed and published.
    for n in 0..10 {
        editor
            .replace("def count_pairs", &format!("# note {n}\ndef count_pairs"))
            .await;
    }
    let publish = editor.publish(PAIRS).await;
    assert_eq!(publish["version"], 11, "{publish}");
    assert_eq!(codes(&publish), [HINT]);
    assert_eq!(
        publish["diagnostics"][0]["range"]["start"]["line"],
        line + 10,
        "the hint moved with the text"
    );
    assert!(
        editor
            .next_publish(PAIRS, Duration::from_millis(1500))
            .await
            .is_none(),
        "one publish for the burst"
    );
}

#[tokio::test]
async fn a_fixed_function_loses_its_hint_and_the_action_follows_the_hint() {
    let mut editor = Editor::start(json!({"hints": {"debounce_ms": 50}})).await;
    assert_eq!(codes(&editor.publish(PAIRS).await), [HINT]);

    // On the hint's range: the quick fix that optimises the enclosing function.
    let actions = editor.actions_at("range(i + 1").await;
    let optimize = actions
        .iter()
        .find(|a| a["title"] == "Optimize `count_pairs` with perforch")
        .unwrap_or_else(|| panic!("no hint action: {:?}", titles(&actions)));
    assert_eq!(optimize["kind"], "quickfix");
    assert_eq!(optimize["diagnostics"][0]["code"], HINT);
    let args = &optimize["command"]["arguments"][0];
    assert_eq!(optimize["command"]["command"], "perforch.optimize");
    assert_eq!(args["function"], "count_pairs");
    assert_eq!(args["goal"], "speed");
    assert_eq!(args["version"], 1);
    // Elsewhere in the function: the usual actions only.
    let elsewhere = titles(&editor.actions_at("return count").await);
    assert_eq!(
        elsewhere,
        [
            "Optimize `count_pairs` for speed (perforch)",
            "Optimize `count_pairs` for memory (perforch)"
        ]
    );

    // The user rewrites the body in O(n): the hint goes.
    let start = editor.text.find("    count = 0\n").unwrap();
    let end = editor.text.find("    return count\n").unwrap() + "    return count\n".len();
    let body = editor.text[start..end].to_string();
    editor.replace(&body, FIXED).await;
    let publish = editor.publish(PAIRS).await;
    assert_eq!(publish["version"], 2);
    assert_eq!(codes(&publish), Vec::<String>::new(), "{publish}");
    assert!(
        titles(&editor.actions_at("seen.get(target").await)
            .iter()
            .all(|t| !t.ends_with("with perforch")),
    );
}

#[tokio::test]
async fn hints_of_an_older_version_are_never_offered() {
    // A long pause: the edit's pass has not run when the actions are asked.
    let mut editor = Editor::start(json!({"hints": {"debounce_ms": 3000}})).await;
    assert_eq!(codes(&editor.publish(PAIRS).await), [HINT]);
    editor.replace("count = 0", "count = 0  # so far").await;
    let titles_now = titles(&editor.actions_at("range(i + 1").await);
    assert!(
        titles_now.iter().all(|t| !t.ends_with("with perforch")),
        "hints of version 1 offered on version 2: {titles_now:?}"
    );
    // The pass for version 2 brings them back (same place: nothing published).
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let titles_later = titles(&editor.actions_at("range(i + 1").await);
    assert!(
        titles_later.contains(&"Optimize `count_pairs` with perforch".to_string()),
        "{titles_later:?}"
    );
}

#[tokio::test]
async fn the_setting_turns_hints_off_and_on_and_closing_clears_them() {
    let mut editor = Editor::start(json!({"hints": {"enabled": false}})).await;
    assert!(
        editor
            .next_publish(PAIRS, Duration::from_secs(1))
            .await
            .is_none(),
        "hints are off"
    );
    assert!(
        titles(&editor.actions_at("range(i + 1").await)
            .iter()
            .all(|t| !t.ends_with("with perforch"))
    );

    editor
        .client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"perforch": {"hints": {"enabled": true}}}}),
        )
        .await;
    assert_eq!(codes(&editor.publish(PAIRS).await), [HINT]);

    editor
        .client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"perforch": {"hints": {"enabled": false}}}}),
        )
        .await;
    assert_eq!(codes(&editor.publish(PAIRS).await), Vec::<String>::new());

    editor
        .client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"perforch": {"hints": {"enabled": true}}}}),
        )
        .await;
    assert_eq!(codes(&editor.publish(PAIRS).await), [HINT]);
    editor
        .client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": PAIRS}}),
        )
        .await;
    let cleared = editor.publish(PAIRS).await;
    assert_eq!(codes(&cleared), Vec::<String>::new(), "{cleared}");
}

#[tokio::test]
async fn a_bad_debounce_is_refused_naming_the_field() {
    let (mut client, _server) = LspClient::in_process();
    client
        .call(
            "initialize",
            json!({"processId": null, "capabilities": {},
                   "initializationOptions": {"hints": {"debounce_ms": 60000}}}),
        )
        .await;
    client.notify("initialized", json!({})).await;
    let shown = client.read_message().await.unwrap();
    assert_eq!(shown["method"], "window/showMessage", "{shown}");
    let text = shown["params"]["message"].as_str().unwrap();
    assert!(text.contains("hints.debounce_ms"), "{text}");
    assert!(text.contains("at most 10000"), "{text}");
}
