//! The framing guard between the editor and tower-lsp-server.
//!
//! tower-lsp-server stops reading its input after the first message it
//! cannot decode (tokio-util's `FramedRead` ends the stream after an error),
//! so one malformed message would silently kill the server. This guard owns
//! the real input and output: it frames the input itself, answers anything
//! that is not a well-formed JSON-RPC message with the error reply the
//! JSON-RPC spec asks for, and forwards only well-formed messages. Outgoing
//! frames from the server and from the guard share one writer, so they never
//! interleave.

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Largest message accepted. Larger ones are skipped and answered with an error.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;
/// Header blocks are a few dozen bytes; anything this long is garbage.
const MAX_HEADER_BYTES: usize = 8 * 1024;
const HEADER_END: &[u8] = b"\r\n\r\n";

pub(crate) type Frame = Vec<u8>;

pub(crate) fn frame(body: &[u8]) -> Frame {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body);
    frame
}

/// Reads framed messages from `input`; forwards the well-formed ones to
/// `server`, and sends an error reply for the others to `replies`.
pub(crate) async fn guard_input<R: AsyncRead + Unpin>(
    mut input: R,
    mut server: DuplexStream,
    replies: mpsc::UnboundedSender<Frame>,
) {
    let mut reader = FrameReader::default();
    loop {
        let event = match reader.next(&mut input).await {
            Ok(Some(event)) => event,
            Ok(None) => break,
            Err(error) => {
                tracing::info!("editor input closed: {error}");
                break;
            }
        };
        match event {
            Incoming::Message(body) => match check_message(&body) {
                Ok(()) => {
                    if server.write_all(&frame(&body)).await.is_err() {
                        break;
                    }
                }
                Err(reply) => {
                    let _ = replies.send(reply);
                }
            },
            Incoming::Garbage(reason) => {
                tracing::warn!("dropped malformed input: {reason}");
                let _ = replies.send(error_reply(Value::Null, -32700, &reason));
            }
        }
    }
    // Dropping `server` tells tower-lsp-server the editor has gone.
}

/// Splits the server's output into frames and queues them for the writer.
pub(crate) async fn collect_output(mut server: DuplexStream, frames: mpsc::UnboundedSender<Frame>) {
    let mut reader = FrameReader::default();
    while let Ok(Some(event)) = reader.next(&mut server).await {
        if let Incoming::Message(body) = event
            && frames.send(frame(&body)).is_err()
        {
            break;
        }
    }
}

/// Writes whole frames, in order, to the editor.
pub(crate) async fn write_output<W: AsyncWrite + Unpin>(
    mut output: W,
    mut frames: mpsc::UnboundedReceiver<Frame>,
) {
    while let Some(frame) = frames.recv().await {
        if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
            tracing::info!("editor output closed");
            break;
        }
    }
}

/// `Ok` for a message tower-lsp-server can route; otherwise the error reply to send.
fn check_message(body: &[u8]) -> Result<(), Frame> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Err(error_reply(
                Value::Null,
                -32700,
                &format!("invalid JSON: {error}"),
            ));
        }
    };
    let is_request = value.get("method").is_some();
    let routable = if is_request {
        serde_json::from_value::<Request>(value.clone()).is_ok()
    } else {
        serde_json::from_value::<Response>(value.clone()).is_ok()
    };
    if routable {
        return Ok(());
    }
    let id = value
        .get("id")
        .filter(|id| id.is_number() || id.is_string())
        .cloned()
        .unwrap_or(Value::Null);
    Err(error_reply(
        id,
        -32600,
        "not a valid JSON-RPC 2.0 message: expected \"jsonrpc\": \"2.0\" and a method, or a reply with an id",
    ))
}

fn error_reply(id: Value, code: i64, message: &str) -> Frame {
    let reply = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    });
    frame(reply.to_string().as_bytes())
}

enum Incoming {
    Message(Vec<u8>),
    /// Input that could not be framed; the reader has resynchronised past it.
    Garbage(String),
}

/// A resynchronising reader of `Content-Length` framed messages.
#[derive(Default)]
struct FrameReader {
    buffer: Vec<u8>,
    at_eof: bool,
}

impl FrameReader {
    async fn fill<R: AsyncRead + Unpin>(&mut self, input: &mut R) -> std::io::Result<bool> {
        let mut chunk = [0u8; 64 * 1024];
        let read = input.read(&mut chunk).await?;
        if read == 0 {
            self.at_eof = true;
            return Ok(false);
        }
        self.buffer.extend_from_slice(&chunk[..read]);
        Ok(true)
    }

    async fn next<R: AsyncRead + Unpin>(
        &mut self,
        input: &mut R,
    ) -> std::io::Result<Option<Incoming>> {
        // Find a complete header block.
        let header_end = loop {
            if let Some(position) = find(&self.buffer, HEADER_END) {
                break position;
            }
            if self.buffer.len() > MAX_HEADER_BYTES {
                let skipped = self.resync(1);
                return Ok(Some(Incoming::Garbage(format!(
                    "{skipped} bytes without a message header"
                ))));
            }
            if self.at_eof || !self.fill(input).await? {
                if self.buffer.iter().all(u8::is_ascii_whitespace) {
                    return Ok(None);
                }
                let skipped = std::mem::take(&mut self.buffer).len();
                return Ok(Some(Incoming::Garbage(format!(
                    "{skipped} bytes of incomplete message at end of input"
                ))));
            }
        };
        let header = String::from_utf8_lossy(&self.buffer[..header_end]).into_owned();
        let length = match content_length(&header) {
            Ok(length) => length,
            Err(reason) => {
                // The block may hold garbage followed by a good header (a
                // miscounted earlier message leaves its tail in front of the
                // next header): restart at the next `Content-Length`, even
                // one inside this block.
                self.resync(1);
                return Ok(Some(Incoming::Garbage(reason)));
            }
        };
        self.buffer.drain(..header_end + HEADER_END.len());
        if length > MAX_MESSAGE_BYTES {
            self.skip(input, length).await?;
            return Ok(Some(Incoming::Garbage(format!(
                "message of {length} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit"
            ))));
        }
        while self.buffer.len() < length {
            if !self.fill(input).await? {
                let got = std::mem::take(&mut self.buffer).len();
                return Ok(Some(Incoming::Garbage(format!(
                    "input ended after {got} of {length} announced bytes"
                ))));
            }
        }
        let body: Vec<u8> = self.buffer.drain(..length).collect();
        Ok(Some(Incoming::Message(body)))
    }

    /// Drops bytes up to the next `Content-Length` at or after `from`; returns how many.
    fn resync(&mut self, from: usize) -> usize {
        let skip = self
            .buffer
            .get(from..)
            .and_then(|rest| find_ignore_case(rest, b"content-length"))
            .map(|position| position + from)
            .unwrap_or(self.buffer.len());
        self.buffer.drain(..skip);
        skip
    }

    async fn skip<R: AsyncRead + Unpin>(
        &mut self,
        input: &mut R,
        mut count: usize,
    ) -> std::io::Result<()> {
        loop {
            let available = self.buffer.len().min(count);
            self.buffer.drain(..available);
            count -= available;
            if count == 0 || !self.fill(input).await? {
                return Ok(());
            }
        }
    }
}

fn content_length(header: &str) -> Result<usize, String> {
    let mut length = None;
    for line in header.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("malformed header line {line:?}"));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let parsed = value
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("invalid Content-Length {:?}", value.trim()))?;
            length = Some(parsed);
        }
    }
    length.ok_or_else(|| "message header without Content-Length".to_string())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(input: &[u8]) -> Vec<Result<Vec<u8>, String>> {
        let mut reader = FrameReader::default();
        let mut input = input;
        let mut out = Vec::new();
        while let Some(event) = reader.next(&mut input).await.unwrap() {
            out.push(match event {
                Incoming::Message(body) => Ok(body),
                Incoming::Garbage(reason) => Err(reason),
            });
        }
        out
    }

    #[tokio::test]
    async fn resynchronises_after_garbage_and_bad_headers() {
        let mut input = b"hello there\r\n\r\n".to_vec();
        input.extend(frame(b"{\"a\":1}"));
        input.extend(b"Content-Length: x\r\n\r\n");
        input.extend(frame(b"{}"));
        // A body one byte shorter than announced glues its tail to the next header.
        input.extend(b"Content-Length: 2\r\n\r\n{}}");
        input.extend(frame(b"[1]"));
        let events = read_all(&input).await;
        assert_eq!(events.len(), 7, "{events:?}");
        assert_eq!(events[4].as_deref(), Ok(&b"{}"[..]));
        assert!(events[5].is_err());
        assert_eq!(events[6].as_deref(), Ok(&b"[1]"[..]));
        assert!(events[0].is_err());
        assert_eq!(events[1].as_deref(), Ok(&b"{\"a\":1}"[..]));
        assert!(
            events[2]
                .as_ref()
                .unwrap_err()
                .contains("invalid Content-Length")
        );
        assert_eq!(events[3].as_deref(), Ok(&b"{}"[..]));
    }

    #[tokio::test]
    async fn oversized_messages_are_skipped_without_buffering() {
        let mut input = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE_BYTES + 1).into_bytes();
        input.extend(frame(b"{}"));
        let events = read_all(&input).await;
        assert!(events[0].as_ref().unwrap_err().contains("exceeds"));
    }

    #[test]
    fn error_replies_keep_the_request_id() {
        let reply = check_message(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).unwrap_err();
        let text = String::from_utf8(reply).unwrap();
        assert!(
            text.contains("\"id\":7") && text.contains("-32600"),
            "{text}"
        );
        assert!(
            check_message(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#).is_ok()
        );
        assert!(check_message(b"{not json").is_err());
    }
}
