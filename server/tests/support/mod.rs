//! A small LSP client for tests: speaks Content-Length framed JSON-RPC over
//! any byte streams, so the same tests drive the server in-process (over
//! in-memory pipes) or as the real `perforch` binary (over its stdio).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct LspClient {
    writer: Box<dyn AsyncWrite + Unpin + Send>,
    reader: Box<dyn AsyncRead + Unpin + Send>,
    buffer: Vec<u8>,
    next_id: i64,
    /// Notifications and server requests seen while waiting for replies.
    pub received: Vec<Value>,
}

impl LspClient {
    pub fn new(
        writer: impl AsyncWrite + Unpin + Send + 'static,
        reader: impl AsyncRead + Unpin + Send + 'static,
    ) -> LspClient {
        LspClient {
            writer: Box::new(writer),
            reader: Box::new(reader),
            buffer: Vec::new(),
            next_id: 1,
            received: Vec::new(),
        }
    }

    /// A client talking to `perforch::lsp::serve` in this process.
    pub fn in_process() -> (
        LspClient,
        tokio::task::JoinHandle<perforch::lsp::SessionEnd>,
    ) {
        let (client_side, server_side) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_side);
        let (client_read, client_write) = tokio::io::split(client_side);
        let server = tokio::spawn(perforch::lsp::serve(server_read, server_write));
        (LspClient::new(client_write, client_read), server)
    }

    /// Like `in_process`, with server options (e.g. the sandbox launcher).
    pub fn in_process_with(
        options: perforch::lsp::ServerOptions,
    ) -> (
        LspClient,
        tokio::task::JoinHandle<perforch::lsp::SessionEnd>,
    ) {
        let (client_side, server_side) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_side);
        let (client_read, client_write) = tokio::io::split(client_side);
        let server = tokio::spawn(perforch::lsp::serve_with(
            server_read,
            server_write,
            options,
        ));
        (LspClient::new(client_write, client_read), server)
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer
            .write_all(bytes)
            .await
            .expect("server input open");
        self.writer.flush().await.unwrap();
    }

    pub async fn send(&mut self, message: &Value) {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
            .await;
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Sends a request and returns the whole reply (with `result` or `error`).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.reply_to(json!(id)).await
    }

    /// The `result` of a request that must succeed.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        let reply = self.request(method, params).await;
        assert!(reply.get("error").is_none(), "{method} failed: {reply}");
        reply["result"].clone()
    }

    pub async fn reply_to(&mut self, id: Value) -> Value {
        loop {
            let message = self.read_message().await.expect("server closed its output");
            if message.get("id") == Some(&id) && message.get("method").is_none() {
                return message;
            }
            self.received.push(message);
        }
    }

    /// The next message, or `None` at end of stream.
    pub async fn read_message(&mut self) -> Option<Value> {
        tokio::time::timeout(TIMEOUT, self.read_message_inner())
            .await
            .expect("no message from the server within the timeout")
    }

    /// The next message, `Ok(None)` at end of stream, `Err` if none came
    /// within `timeout` (nothing is lost: reading resumes where it stopped).
    pub async fn read_message_within(
        &mut self,
        timeout: Duration,
    ) -> Result<Option<Value>, tokio::time::error::Elapsed> {
        tokio::time::timeout(timeout, self.read_message_inner()).await
    }

    async fn read_message_inner(&mut self) -> Option<Value> {
        loop {
            if let Some(end) = find(&self.buffer, b"\r\n\r\n") {
                let header = String::from_utf8_lossy(&self.buffer[..end]).to_string();
                let length: usize = header
                    .lines()
                    .find_map(|line| line.strip_prefix("Content-Length: "))
                    .expect("Content-Length header")
                    .trim()
                    .parse()
                    .unwrap();
                if self.buffer.len() >= end + 4 + length {
                    let body: Vec<u8> = self
                        .buffer
                        .drain(..end + 4 + length)
                        .skip(end + 4)
                        .collect();
                    return Some(serde_json::from_slice(&body).expect("server sends JSON"));
                }
            }
            let mut chunk = [0u8; 65536];
            let read = self.reader.read(&mut chunk).await.ok()?;
            if read == 0 {
                return None;
            }
            self.buffer.extend_from_slice(&chunk[..read]);
        }
    }

    pub async fn initialize(&mut self, capabilities: Value) -> Value {
        let result = self
            .call(
                "initialize",
                json!({"processId": null, "rootUri": null, "capabilities": capabilities,
                       "clientInfo": {"name": "perforch-tests"}}),
            )
            .await;
        self.notify("initialized", json!({})).await;
        result
    }

    pub async fn open(&mut self, uri: &str, language_id: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}}),
        )
        .await;
    }

    pub async fn code_actions(&mut self, uri: &str, line: u32, character: u32) -> Value {
        self.call(
            "textDocument/codeAction",
            code_action_params(uri, line, character),
        )
        .await
    }

    pub async fn shutdown_and_exit(&mut self) {
        let result = self.call("shutdown", Value::Null).await;
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null).await;
    }
}

pub fn code_action_params(uri: &str, line: u32, character: u32) -> Value {
    let position = json!({"line": line, "character": character});
    json!({
        "textDocument": {"uri": uri},
        "range": {"start": position, "end": position},
        "context": {"diagnostics": []},
    })
}

/// The titles of the actions in a `textDocument/codeAction` result.
pub fn titles(actions: &Value) -> Vec<String> {
    actions
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| a["title"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn fixture(relative: &str) -> String {
    std::fs::read_to_string(repo_root().join("fixtures").join(relative)).unwrap()
}

/// Line and UTF-16 column of the first occurrence of `needle` in `text`.
pub fn position_of(text: &str, needle: &str) -> (u32, u32) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].encode_utf16().count() as u32;
    (line, column)
}

/// One fixture per language, with the language id an editor sends.
pub const FIXTURES: [(&str, &str); 5] = [
    ("python/inventory.py", "python"),
    ("java/Inventory.java", "java"),
    ("cpp/matrix.cpp", "cpp"),
    ("go/inventory.go", "go"),
    ("rust/inventory.rs", "rust"),
];

/// For each fixture: text inside a function body and the function's name,
/// and text outside any function.
pub const CURSORS: [(&str, &str, &str); 5] = [
    (
        "total = total + item.quantity",
        "total_value",
        "class Item:",
    ),
    (
        "sums[i + 1] = sums[i] + values[i]",
        "prefixSums",
        "private final Map<String, Integer> stock",
    ),
    (
        "if (v[i] + v[j] == target) ++count;",
        "count_pairs",
        "#include <vector>",
    ),
    (
        "duplicates = append(duplicates, items[i].SKU)",
        "DuplicateSKUs",
        "type Item struct",
    ),
    (
        "running = running + v;",
        "prefix_sums",
        "pub struct Warehouse {",
    ),
];
