//! The real `perforch` binary, started the way an editor starts it.

mod support;

use std::process::Stdio;

use serde_json::{Value, json};
use support::{CURSORS, FIXTURES, LspClient, fixture, position_of, titles};
use tokio::process::{Child, Command};

fn spawn_server() -> (LspClient, Child) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_perforch"))
        .args(["lsp", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("perforch binary starts");
    let client = LspClient::new(child.stdin.take().unwrap(), child.stdout.take().unwrap());
    (client, child)
}

async fn exit_code(child: &mut Child) -> i32 {
    let status = tokio::time::timeout(support::TIMEOUT, child.wait())
        .await
        .expect("the server exits after `exit`")
        .unwrap();
    status.code().expect("exited, not killed")
}

#[tokio::test]
async fn initialize_open_code_action_shutdown_exit() {
    let (mut client, mut child) = spawn_server();
    let result = client
        .initialize(json!({"general": {"positionEncodings": ["utf-8"]}}))
        .await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2);

    for ((path, language_id), (inside, name, outside)) in FIXTURES.iter().zip(CURSORS) {
        let text = fixture(path);
        let uri = format!("file:///workspace/{path}");
        client.open(&uri, language_id, 1, &text).await;
        let offset = text.find(inside).unwrap();
        let line = text[..offset].matches('\n').count() as u32;
        let column = (offset - text[..offset].rfind('\n').map_or(0, |i| i + 1)) as u32; // UTF-8 columns
        let actions = client.code_actions(&uri, line, column).await;
        assert_eq!(
            titles(&actions),
            vec![
                format!("Optimize `{name}` for speed (perforch)"),
                format!("Optimize `{name}` for memory (perforch)")
            ]
        );
        let (line, column) = position_of(&text, outside);
        assert!(titles(&client.code_actions(&uri, line, column).await).is_empty());
    }

    client.shutdown_and_exit().await;
    assert_eq!(exit_code(&mut child).await, 0);
}

#[tokio::test]
async fn survives_a_stream_of_malformed_messages() {
    let (mut client, mut child) = spawn_server();
    client.initialize(json!({})).await;
    let junk: [&[u8]; 7] = [
        b"Content-Length: 3\r\n\r\n{{{",
        b"Content-Length: 2\r\n\r\n[]",
        b"Content-Length: 27\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":true}",
        b"random bytes with no header at all\r\n\r\n",
        b"Content-Length: -5\r\n\r\n",
        b"Content-Length: 13\r\n\r\n\"\xc3\x28 bad utf8\"",
        // Announces one byte less than it sends: the tail lands before the next header.
        b"Content-Length: 12\r\n\r\n\"\xc3\x28 bad utf8\"",
    ];
    for _ in 0..20 {
        for message in junk {
            client.send_raw(message).await;
        }
    }
    client
        .open("file:///w/x.rs", "rust", 1, "fn one() -> i32 { 1 }\n")
        .await;
    let actions = client.code_actions("file:///w/x.rs", 0, 15).await;
    assert_eq!(
        titles(&actions),
        vec![
            "Optimize `one` for speed (perforch)",
            "Optimize `one` for memory (perforch)"
        ]
    );
    let errors = client
        .received
        .iter()
        .filter(|m| m.get("error").is_some())
        .count();
    assert!(
        errors >= 100,
        "every malformed message is answered ({errors})"
    );
    client.shutdown_and_exit().await;
    assert_eq!(exit_code(&mut child).await, 0);
}

#[tokio::test]
async fn exit_without_shutdown_exits_with_code_1() {
    let (mut client, mut child) = spawn_server();
    client.initialize(json!({})).await;
    client.notify("exit", Value::Null).await;
    assert_eq!(exit_code(&mut child).await, 1);
}

#[tokio::test]
async fn closing_stdin_ends_the_server() {
    let (client, mut child) = spawn_server();
    drop(client);
    assert_eq!(exit_code(&mut child).await, 1);
}
