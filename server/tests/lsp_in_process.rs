//! The language server driven in-process over in-memory pipes.

mod support;

use serde_json::{Value, json};
use support::{CURSORS, FIXTURES, LspClient, code_action_params, fixture, position_of, titles};

fn uri_for(relative: &str) -> String {
    format!("file:///workspace/{relative}")
}

#[tokio::test]
async fn initialize_advertises_the_capabilities_editors_need() {
    let (mut client, _server) = LspClient::in_process();
    let result = client
        .initialize(json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}}))
        .await;
    let caps = &result["capabilities"];
    assert_eq!(
        caps["positionEncoding"], "utf-8",
        "UTF-8 preferred when offered"
    );
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["codeActionProvider"]["resolveProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "refactor.rewrite.perforch"])
    );
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!([
            "perforch.optimize",
            "perforch.cancel",
            "perforch.showReport"
        ])
    );
    assert_eq!(result["serverInfo"]["name"], "perforch");
}

#[tokio::test]
async fn utf16_is_used_when_the_client_offers_nothing_else() {
    let (mut client, _server) = LspClient::in_process();
    let result = client.initialize(json!({})).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
}

#[tokio::test]
async fn offers_optimize_inside_functions_and_nothing_outside_in_every_language() {
    let (mut client, _server) = LspClient::in_process();
    client.initialize(json!({})).await;
    for ((path, language_id), (inside, name, outside)) in FIXTURES.iter().zip(CURSORS) {
        let text = fixture(path);
        let uri = uri_for(path);
        client.open(&uri, language_id, 1, &text).await;

        let (line, column) = position_of(&text, inside);
        let actions = client.code_actions(&uri, line, column).await;
        assert_eq!(
            titles(&actions),
            vec![
                format!("Optimize `{name}` for speed (perforch)"),
                format!("Optimize `{name}` for memory (perforch)")
            ],
            "{path}"
        );
        assert_eq!(actions[0]["kind"], "refactor.rewrite.perforch");

        let (line, column) = position_of(&text, outside);
        let actions = client.code_actions(&uri, line, column).await;
        assert!(
            titles(&actions).is_empty(),
            "{path}: no action outside a function, got {actions}"
        );
    }
}

#[tokio::test]
async fn incremental_edits_are_seen_by_the_next_request() {
    let (mut client, _server) = LspClient::in_process();
    client.initialize(json!({})).await;
    let uri = "file:///w/a.py";
    // An emoji before the edit: UTF-16 columns differ from bytes and chars.
    let text = "s = '😀'; def total(xs):\n    return sum(xs)\n";
    client.open(uri, "python", 1, text).await;
    let (line, column) = position_of(text, "total");
    let end = column + "total".len() as u32;
    client
        .notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{
                    "range": {"start": {"line": line, "character": column}, "end": {"line": line, "character": end}},
                    "text": "grand_total"
                }]
            }),
        )
        .await;
    let actions = client.code_actions(uri, 1, 4).await;
    assert_eq!(
        titles(&actions),
        vec![
            "Optimize `grand_total` for speed (perforch)",
            "Optimize `grand_total` for memory (perforch)"
        ]
    );
    assert_eq!(actions[0]["command"]["arguments"][0]["version"], 2);
}

#[tokio::test]
async fn resolve_fills_the_command_and_stale_versions_are_refused() {
    let (mut client, _server) = LspClient::in_process();
    client
        .initialize(json!({"textDocument": {"codeAction": {"resolveSupport": {"properties": ["command"]}}}}))
        .await;
    let uri = "file:///w/lib.rs";
    let text = "fn square(x: u64) -> u64 {\n    x * x\n}\n";
    client.open(uri, "rust", 7, text).await;
    let actions = client.code_actions(uri, 1, 4).await;
    let action = actions[0].clone();
    assert!(
        action.get("command").is_none(),
        "command left for resolve: {action}"
    );

    let resolved = client.call("codeAction/resolve", action).await;
    let command = &resolved["command"];
    assert_eq!(command["command"], "perforch.optimize");
    let args = command["arguments"][0].clone();
    assert_eq!(args["function"], "square");
    assert_eq!(args["version"], 7);

    // The user types; the action computed for version 7 must not run on version 8.
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 8},
                   "contentChanges": [{"range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 9}}, "text": "x.pow(2)"}]}),
        )
        .await;
    let reply = client
        .request(
            "workspace/executeCommand",
            json!({"command": "perforch.optimize", "arguments": [args]}),
        )
        .await;
    assert_eq!(reply["error"]["code"], -32801, "ContentModified: {reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("changed")
    );
}

#[tokio::test]
async fn survives_malformed_and_unexpected_messages() {
    let (mut client, _server) = LspClient::in_process();
    client.initialize(json!({})).await;

    // Not JSON at all: a parse error with a null id.
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json").await;
    let reply = client.read_message().await.unwrap();
    assert_eq!(reply["error"]["code"], -32700, "{reply}");
    assert_eq!(reply["id"], Value::Null);

    // Invalid UTF-8 in the body.
    client
        .send_raw(b"Content-Length: 4\r\n\r\n\"\xff\xfe\"")
        .await;
    assert_eq!(
        client.read_message().await.unwrap()["error"]["code"],
        -32700
    );

    // JSON, but not JSON-RPC 2.0: invalid request, with the id kept.
    client
        .send(&json!({"jsonrpc": "1.0", "id": 41, "method": "initialize"}))
        .await;
    let reply = client.reply_to(json!(41)).await;
    assert_eq!(reply["error"]["code"], -32600);

    // Garbage between frames, and a header without a length.
    client
        .send_raw(b"\x00\x01garbage\r\n\r\nX-Nonsense: 1\r\n\r\n")
        .await;

    // An unknown request gets "method not found"; an unknown notification is ignored.
    let reply = client.request("perforch/doesNotExist", json!({})).await;
    assert_eq!(reply["error"]["code"], -32601);
    client.notify("$/unknownNotification", json!({})).await;

    // A request with parameters of the wrong shape.
    let reply = client
        .request("textDocument/codeAction", json!({"textDocument": 5}))
        .await;
    assert_eq!(reply["error"]["code"], -32602, "{reply}");

    // A document that was never opened, and a change to one.
    let actions = client.code_actions("file:///never/opened.py", 0, 0).await;
    assert_eq!(actions, Value::Null);
    client
        .notify("textDocument/didChange", json!({"textDocument": {"uri": "file:///never/opened.py", "version": 2}, "contentChanges": [{"text": "x"}]}))
        .await;

    // Still serving: a real request works.
    let uri = "file:///w/m.go";
    client
        .open(
            uri,
            "go",
            1,
            "package m\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n",
        )
        .await;
    let actions = client.code_actions(uri, 3, 2).await;
    assert_eq!(
        titles(&actions),
        vec![
            "Optimize `Add` for speed (perforch)",
            "Optimize `Add` for memory (perforch)"
        ]
    );
    // Every error reply above was answered: nothing else is pending.
    let errors: Vec<&Value> = client
        .received
        .iter()
        .filter(|m| m.get("error").is_some())
        .collect();
    assert!(
        !errors.is_empty(),
        "the garbage was answered with an error: {:?}",
        client.received
    );
}

#[tokio::test]
async fn positions_past_the_end_are_clamped() {
    let (mut client, _server) = LspClient::in_process();
    client.initialize(json!({})).await;
    let uri = "file:///w/tail.py";
    client
        .open(uri, "python", 1, "def f():\n    return 1")
        .await;
    // Column past the end of the last line: clamped into `f`.
    let actions = client.code_actions(uri, 1, 500).await;
    assert_eq!(
        titles(&actions),
        vec![
            "Optimize `f` for speed (perforch)",
            "Optimize `f` for memory (perforch)"
        ]
    );
    // Line past the end of the document: clamped to its end, still inside `f`.
    let actions = client.code_actions(uri, 10_000, 3).await;
    assert_eq!(
        titles(&actions),
        vec![
            "Optimize `f` for speed (perforch)",
            "Optimize `f` for memory (perforch)"
        ]
    );
}

#[tokio::test]
async fn huge_documents_are_served() {
    let (mut client, _server) = LspClient::in_process();
    client.initialize(json!({})).await;
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&format!("def f{i}(x):\n    return x + {i}\n\n"));
    }
    assert!(text.len() > 2_500_000);
    let uri = "file:///w/huge.py";
    client.open(uri, "python", 1, &text).await;
    let actions = client.code_actions(uri, 3 * 99_999 + 1, 4).await;
    assert_eq!(
        titles(&actions),
        vec![
            "Optimize `f99999` for speed (perforch)",
            "Optimize `f99999` for memory (perforch)"
        ]
    );
}

#[tokio::test]
async fn requests_before_initialize_are_refused() {
    let (mut client, _server) = LspClient::in_process();
    let reply = client
        .request(
            "textDocument/codeAction",
            code_action_params("file:///a.py", 0, 0),
        )
        .await;
    assert_eq!(reply["error"]["code"], -32002);
}

#[tokio::test]
async fn exit_code_reflects_whether_shutdown_came_first() {
    let (mut client, server) = LspClient::in_process();
    client.initialize(json!({})).await;
    client.shutdown_and_exit().await;
    assert_eq!(server.await.unwrap(), perforch::lsp::SessionEnd::Clean);

    let (mut client, server) = LspClient::in_process();
    client.initialize(json!({})).await;
    client.notify("exit", Value::Null).await;
    assert_eq!(server.await.unwrap(), perforch::lsp::SessionEnd::Abrupt);
}

#[tokio::test]
async fn unknown_commands_are_refused_with_the_list_of_known_ones() {
    let (mut client, _server) = LspClient::in_process();
    client.initialize(json!({})).await;
    let reply = client
        .request(
            "workspace/executeCommand",
            json!({"command": "perforch.nope", "arguments": []}),
        )
        .await;
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("perforch.optimize"),
        "{reply}"
    );
}
