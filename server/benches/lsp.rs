//! The language server as an editor sees it: code-action listing latency on
//! a 10,000-line file per language, how soon its static hints are published
//! after open and after an edit, and the server's memory with 50 open
//! documents (hint caches included). The server runs in process over in-memory pipes and speaks
//! real JSON-RPC frames.
//!
//! cargo bench --bench lsp   (targets, printed not asserted: median < 10 ms)

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

const LINES: usize = 10_000;
const SAMPLES: usize = 200;
const DOCUMENTS: usize = 50;
const EDITS: usize = 20;

const FIXTURES: [(&str, &str); 5] = [
    ("python", "optimize/python/pairs.py"),
    ("java", "optimize/java/Pairs.java"),
    ("cpp", "optimize/cpp/pairs.cpp"),
    ("go", "optimize/go/pairs.go"),
    ("rust", "optimize/rust/pairs.rs"),
];

struct Client {
    writer: DuplexStream,
    reader: BufReader<DuplexStream>,
    next_id: i64,
}

impl Client {
    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer.write_all(frame.as_bytes()).await.unwrap();
    }

    async fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let message = self.receive().await;
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }

    /// Waits for the diagnostics of `uri` (the server publishes hints after
    /// open and edits); returns how many there are.
    async fn diagnostics_of(&mut self, uri: &str) -> usize {
        loop {
            let message = self.receive().await;
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                return message["params"]["diagnostics"]
                    .as_array()
                    .map_or(0, Vec::len);
            }
        }
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }
}

fn large_source(fixture: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(fixture);
    let unit = std::fs::read_to_string(path).unwrap();
    let mut text = String::new();
    while text.lines().count() < LINES {
        text.push_str(&unit);
        text.push('\n');
    }
    text
}

/// Line and column of the first function body in the last quarter of the file.
fn cursor_in_function(text: &str, marker: &str) -> (usize, usize) {
    let offset = text[text.len() * 3 / 4..]
        .find(marker)
        .map(|o| o + text.len() * 3 / 4)
        .unwrap();
    let line = text[..offset].matches('\n').count();
    (line, 4)
}

fn resident_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client_out, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, client_in) = tokio::io::duplex(1 << 20);
        tokio::spawn(perforch::lsp::serve(server_in, server_out));
        let mut client = Client { writer: client_out, reader: BufReader::new(client_in), next_id: 0 };
        client
            // No pause after edits: the hint figures below are the pass and the publish.
            .request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": ["utf-8"]}},
                                          "initializationOptions": {"hints": {"debounce_ms": 0}}}))
            .await;
        client.notify("initialized", json!({})).await;

        println!("code-action listing on a {LINES}-line file, {SAMPLES} requests each:");
        for (index, (language, fixture)) in FIXTURES.iter().enumerate() {
            let text = large_source(fixture);
            let uri = format!("file:///bench/{index}/big.{}", Path::new(fixture).extension().unwrap().to_str().unwrap());
            let opened = Instant::now();
            client
                .notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}))
                .await;
            let hints = client.diagnostics_of(&uri).await;
            let first_pass = opened.elapsed();
            // A line added at the top moves every hint, so each edit is published.
            let mut edits = Vec::with_capacity(EDITS);
            for version in 2..2 + EDITS as i32 {
                let edited = Instant::now();
                let change = json!({"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "\n"});
                client
                    .notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}))
                    .await;
                client.diagnostics_of(&uri).await;
                edits.push(edited.elapsed());
            }
            edits.sort();
            println!(
                "  {language:<6} hints: {hints} published {:.1} ms after open; after an edit, median {:.1} ms, max {:.1} ms (pass + publish)",
                first_pass.as_secs_f64() * 1e3,
                edits[EDITS / 2].as_secs_f64() * 1e3,
                edits[EDITS - 1].as_secs_f64() * 1e3
            );
            let marker = match *language {
                "python" => "count = 0",
                "java" => "long count = 0",
                "cpp" => "long long count = 0",
                "go" => "count := 0",
                _ => "let mut count = 0",
            };
            let (line, character) = cursor_in_function(&text, marker);
            let params = json!({
                "textDocument": {"uri": uri},
                "range": {"start": {"line": line + EDITS, "character": character}, "end": {"line": line + EDITS, "character": character}},
                "context": {"diagnostics": []}
            });
            let mut samples = Vec::with_capacity(SAMPLES);
            for _ in 0..SAMPLES {
                let started = Instant::now();
                let reply = client.request("textDocument/codeAction", params.clone()).await;
                samples.push(started.elapsed());
                assert!(reply["result"].as_array().is_some_and(|actions| !actions.is_empty()), "{reply}");
            }
            samples.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            println!(
                "  {language:<6} median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
                ms(samples[SAMPLES / 2]),
                ms(samples[SAMPLES * 95 / 100]),
                ms(samples[SAMPLES - 1])
            );
            client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}})).await;
        }

        // 50 documents of a realistic size (the fixtures, ~1,000 lines each).
        let before = resident_kb();
        let mut opened_bytes = 0;
        for index in 0..DOCUMENTS {
            let (language, fixture) = FIXTURES[index % FIXTURES.len()];
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures").join(fixture);
            let text = std::fs::read_to_string(path).unwrap().repeat(30);
            opened_bytes += text.len();
            let uri = format!("file:///bench/open/{index}.{}", Path::new(fixture).extension().unwrap().to_str().unwrap());
            client
                .notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}))
                .await;
        }
        // Every document's hints are in (each has some), so their caches count.
        let mut published = std::collections::HashSet::new();
        while published.len() < DOCUMENTS {
            let message = client.receive().await;
            if message["method"] == "textDocument/publishDiagnostics" {
                published.insert(message["params"]["uri"].as_str().unwrap().to_string());
            }
        }
        client.request("shutdown", json!(null)).await;
        let after = resident_kb();
        println!(
            "{DOCUMENTS} open documents ({:.1} MB of text): server resident memory +{:.1} MB (process now {:.1} MB)",
            opened_bytes as f64 / 1e6,
            after.saturating_sub(before) as f64 / 1024.0,
            after as f64 / 1024.0
        );
    });
}
