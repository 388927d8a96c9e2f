//! A scripted HTTP server for tests, speaking the OpenAI, Anthropic and
//! search wire formats on 127.0.0.1 with a random port.
//!
//! It is a normal public module (not test-only) because the pipeline and
//! LSP end-to-end tests need the same server. It is a deliberately small
//! HTTP/1.1 implementation on raw tokio sockets: faults such as a body
//! shorter than its Content-Length, or a connection that never answers,
//! are impossible to produce through a well-behaved HTTP library.
//!
//! Each connection serves one request and closes, so every request is
//! independent and faults cannot leak into the next request.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Which API a request was for, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// `.../chat/completions`
    OpenAiChat,
    /// `.../v1/messages`
    AnthropicMessages,
    /// `.../search`
    Search,
}

impl Route {
    fn for_path(path: &str) -> Option<Route> {
        let path = path.split('?').next().unwrap_or(path);
        if path.ends_with("/chat/completions") {
            Some(Route::OpenAiChat)
        } else if path.ends_with("/v1/messages") {
            Some(Route::AnthropicMessages)
        } else if path.ends_with("/search") {
            Some(Route::Search)
        } else {
            None
        }
    }
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    pub method: String,
    pub path: String,
    pub route: Option<Route>,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl ReceivedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Debug, Clone)]
enum Behaviour {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Announce a longer body than is sent, then close.
    TruncatedBody { status: u16, body: String },
    /// Read the request, then never answer.
    Hang,
    /// Close the connection without a response.
    Disconnect,
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct ScriptedReply {
    delay: Duration,
    behaviour: Behaviour,
}

impl ScriptedReply {
    pub fn json(status: u16, body: Value) -> Self {
        ScriptedReply::raw(status, body.to_string())
    }

    pub fn raw(status: u16, body: impl Into<String>) -> Self {
        ScriptedReply {
            delay: Duration::ZERO,
            behaviour: Behaviour::Respond {
                status,
                headers: Vec::new(),
                body: body.into(),
            },
        }
    }

    /// A successful chat-completions reply.
    pub fn openai_text(text: &str, input_tokens: u64, output_tokens: u64) -> Self {
        ScriptedReply::json(200, openai_body(text, input_tokens, output_tokens))
    }

    /// A chat-completions reply the model stopped at its token limit
    /// (`finish_reason` "length"): `text` is all it wrote before the cut.
    pub fn openai_cut_off(text: &str, input_tokens: u64, output_tokens: u64) -> Self {
        let mut body = openai_body(text, input_tokens, output_tokens);
        body["choices"][0]["finish_reason"] = json!("length");
        ScriptedReply::json(200, body)
    }

    /// A successful Messages API reply.
    pub fn anthropic_text(text: &str, input_tokens: u64, output_tokens: u64) -> Self {
        ScriptedReply::json(
            200,
            json!({
                "id": "msg_fake",
                "type": "message",
                "role": "assistant",
                "model": "fake-claude",
                "content": [{ "type": "text", "text": text }],
                "stop_reason": "end_turn",
                "usage": { "input_tokens": input_tokens, "output_tokens": output_tokens }
            }),
        )
    }

    /// A successful search reply.
    pub fn search_results(answer: Option<&str>, hits: &[(&str, &str, &str, f64)]) -> Self {
        let results: Vec<Value> = hits
            .iter()
            .map(|(title, url, content, score)| json!({ "title": title, "url": url, "content": content, "score": score }))
            .collect();
        ScriptedReply::json(
            200,
            json!({ "query": "q", "answer": answer, "results": results }),
        )
    }

    /// An error in the shape both OpenAI and Anthropic use.
    pub fn error(status: u16, kind: &str, message: &str) -> Self {
        ScriptedReply::json(
            status,
            json!({ "error": { "type": kind, "code": kind, "message": message } }),
        )
    }

    /// HTTP 429, optionally with a `Retry-After` value.
    pub fn rate_limited(retry_after: Option<&str>) -> Self {
        let reply =
            ScriptedReply::error(429, "rate_limit_exceeded", "Rate limit reached, slow down");
        match retry_after {
            Some(value) => reply.with_header("Retry-After", value),
            None => reply,
        }
    }

    pub fn server_error(status: u16) -> Self {
        ScriptedReply::error(
            status,
            "server_error",
            "The server had an error while processing your request",
        )
    }

    /// HTTP 200 whose body is not JSON.
    pub fn malformed_json() -> Self {
        ScriptedReply::raw(200, "{\"choices\": [ {\"message\": oops")
    }

    /// HTTP 200 whose body stops short of its Content-Length.
    pub fn truncated_body() -> Self {
        let full = openai_body("never delivered in full", 1, 1).to_string();
        ScriptedReply {
            delay: Duration::ZERO,
            behaviour: Behaviour::TruncatedBody {
                status: 200,
                body: full[..full.len() / 2].to_string(),
            },
        }
    }

    /// Accept and read the request, then never answer.
    pub fn hang() -> Self {
        ScriptedReply {
            delay: Duration::ZERO,
            behaviour: Behaviour::Hang,
        }
    }

    /// Close the connection without answering.
    pub fn disconnect() -> Self {
        ScriptedReply {
            delay: Duration::ZERO,
            behaviour: Behaviour::Disconnect,
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Behaviour::Respond { headers, .. } = &mut self.behaviour {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    /// Wait this long after reading the request before answering.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

fn openai_body(text: &str, input_tokens: u64, output_tokens: u64) -> Value {
    json!({
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": "fake-gpt",
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": text },
            "finish_reason": "stop"
        }],
        "usage": {
            "prompt_tokens": input_tokens,
            "completion_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens
        }
    })
}

#[derive(Default)]
struct ServerState {
    scripts: HashMap<Route, VecDeque<ScriptedReply>>,
    requests: Vec<ReceivedRequest>,
    dropped_connections: usize,
}

/// The running server; stops when dropped.
pub struct FakeModelServer {
    addr: SocketAddr,
    state: Arc<Mutex<ServerState>>,
    shutdown: CancellationToken,
}

impl FakeModelServer {
    /// Bind 127.0.0.1 on a free port and start serving on the current
    /// tokio runtime.
    pub async fn start() -> std::io::Result<FakeModelServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(ServerState::default()));
        let shutdown = CancellationToken::new();
        tokio::spawn(accept_loop(listener, state.clone(), shutdown.clone()));
        Ok(FakeModelServer {
            addr,
            state,
            shutdown,
        })
    }

    /// `http://127.0.0.1:PORT` (use as Anthropic or search `base_url`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/v1` (use as OpenAI-format `base_url`).
    pub fn openai_base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Queue a reply for the next request on `route`. With the queue empty
    /// the server answers 500 "no scripted reply", which tests see as a
    /// server error rather than a hang.
    pub fn push(&self, route: Route, reply: ScriptedReply) {
        self.lock()
            .scripts
            .entry(route)
            .or_default()
            .push_back(reply);
    }

    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.lock().requests.clone()
    }

    pub fn requests_for(&self, route: Route) -> Vec<ReceivedRequest> {
        self.lock()
            .requests
            .iter()
            .filter(|request| request.route == Some(route))
            .cloned()
            .collect()
    }

    /// Scripted replies not yet used on `route`.
    pub fn remaining(&self, route: Route) -> usize {
        self.lock().scripts.get(&route).map_or(0, VecDeque::len)
    }

    /// Hanging connections that the client closed (e.g. on cancellation
    /// or timeout).
    pub fn dropped_connections(&self) -> usize {
        self.lock().dropped_connections
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ServerState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for FakeModelServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<Mutex<ServerState>>,
    shutdown: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        let state = state.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = shutdown.cancelled() => {}
                _ = serve_connection(stream, state) => {}
            }
        });
    }
}

async fn serve_connection(mut stream: TcpStream, state: Arc<Mutex<ServerState>>) {
    let Ok(Some(request)) =
        tokio::time::timeout(Duration::from_secs(10), read_request(&mut stream)).await
    else {
        return;
    };
    let reply = {
        let mut state = state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let reply = request
            .route
            .and_then(|route| state.scripts.get_mut(&route))
            .and_then(VecDeque::pop_front);
        state.requests.push(request.clone());
        reply
    };
    let reply = reply.unwrap_or_else(|| {
        ScriptedReply::error(
            500,
            "fake_server",
            &format!(
                "fake server: no scripted reply for {} {}",
                request.method, request.path
            ),
        )
    });
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    match reply.behaviour {
        Behaviour::Respond {
            status,
            headers,
            body,
        } => {
            let _ =
                write_response(&mut stream, status, &headers, body.as_bytes(), body.len()).await;
            let _ = stream.shutdown().await;
        }
        Behaviour::TruncatedBody { status, body } => {
            let _ =
                write_response(&mut stream, status, &[], body.as_bytes(), body.len() + 200).await;
            // Dropping the stream closes it mid-body.
        }
        Behaviour::Hang => {
            // Wait for the client to give up; count it so tests can check
            // that cancellation really closes the connection.
            let mut sink = [0u8; 1024];
            loop {
                match stream.read(&mut sink).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .dropped_connections += 1;
        }
        Behaviour::Disconnect => {}
    }
}

async fn write_response(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    announced_length: usize,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {announced_length}\r\nConnection: close\r\n",
        reason_phrase(status)
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.flush().await
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        529 => "Overloaded",
        _ => "Status",
    }
}

/// Read one request with a Content-Length body (what reqwest sends for
/// JSON). `None` when the client closed early.
async fn read_request(stream: &mut TcpStream) -> Option<ReceivedRequest> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(position) = find(&buffer, b"\r\n\r\n") {
            break position;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split_whitespace();
    let method = request_line.next()?.to_string();
    let path = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(ReceivedRequest {
        route: Route::for_path(&path),
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
