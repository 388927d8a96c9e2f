//! Record every exchange to a JSON-lines file, and answer later runs from
//! it without a network. A recording holds entry names, messages, sampling
//! parameters and replies: never headers, URLs or keys.

use std::collections::{HashMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::error::ModelError;
use super::provider::{BoxFuture, ModelProvider};
use super::types::{ChatRequest, ChatResponse, Message};

/// Bumped if the line format changes incompatibly.
pub const RECORDING_FORMAT_VERSION: u32 = 1;

/// One line of a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedExchange {
    pub version: u32,
    /// Model entry name (what replay matches on, not the provider's id).
    pub model: String,
    pub fingerprint: String,
    pub request: ChatRequest,
    pub response: ChatResponse,
}

/// What identifies "the same request": entry name, messages and sampling
/// parameters. The stage is left out: it labels the call for accounting
/// but does not change what the model is asked.
pub fn request_fingerprint(model_name: &str, request: &ChatRequest) -> String {
    #[derive(Serialize)]
    struct Canonical<'a> {
        model: &'a str,
        messages: &'a [Message],
        max_tokens: Option<u32>,
        temperature: Option<f32>,
    }
    let canonical = Canonical {
        model: model_name,
        messages: &request.messages,
        max_tokens: request.max_tokens,
        temperature: request.temperature,
    };
    // Struct fields serialize in declaration order, so this text is stable.
    let text = serde_json::to_string(&canonical).expect("plain data always serializes");
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Appends exchanges to a recording file; shared by all recording models.
#[derive(Debug)]
pub struct Recorder {
    path: PathBuf,
    file: Mutex<File>,
}

impl Recorder {
    /// Create (or truncate) the recording file.
    pub fn create(path: &Path) -> Result<Arc<Recorder>, ModelError> {
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(path)
            .map_err(|error| {
                recording_error("recorder", path, format!("cannot create it: {error}"))
            })?;
        Ok(Arc::new(Recorder {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn append(&self, exchange: &RecordedExchange) -> Result<(), ModelError> {
        let mut line = serde_json::to_string(exchange).expect("plain data always serializes");
        line.push('\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // One write per line keeps lines whole when models record at once.
        file.write_all(line.as_bytes())
            .and_then(|()| file.flush())
            .map_err(|error| {
                recording_error(
                    &exchange.model,
                    &self.path,
                    format!("cannot write: {error}"),
                )
            })
    }
}

/// Wraps a provider and records each successful exchange.
pub struct RecordingProvider {
    inner: Arc<dyn ModelProvider>,
    recorder: Arc<Recorder>,
}

impl RecordingProvider {
    pub fn new(inner: Arc<dyn ModelProvider>, recorder: Arc<Recorder>) -> Self {
        RecordingProvider { inner, recorder }
    }
}

impl ModelProvider for RecordingProvider {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn complete(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> BoxFuture<'_, Result<ChatResponse, ModelError>> {
        Box::pin(async move {
            let response = self.inner.complete(request.clone(), cancel).await?;
            let exchange = RecordedExchange {
                version: RECORDING_FORMAT_VERSION,
                model: self.name().to_string(),
                fingerprint: request_fingerprint(self.name(), &request),
                request,
                response: response.clone(),
            };
            self.recorder.append(&exchange)?;
            Ok(response)
        })
    }
}

/// Answers from a recording. Identical requests get the recorded answers
/// in recorded order.
#[derive(Debug)]
pub struct ReplayProvider {
    name: String,
    file: PathBuf,
    answers: Mutex<HashMap<String, ReplayQueue>>,
}

#[derive(Debug, Default)]
struct ReplayQueue {
    remaining: VecDeque<ChatResponse>,
    used: usize,
}

impl ReplayProvider {
    /// Load the answers recorded for entry `name` from `file`.
    pub fn open(name: &str, file: &Path) -> Result<ReplayProvider, ModelError> {
        let text = std::fs::read_to_string(file)
            .map_err(|error| recording_error(name, file, format!("cannot read it: {error}")))?;
        let mut answers: HashMap<String, ReplayQueue> = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let exchange: RecordedExchange = serde_json::from_str(line).map_err(|error| {
                recording_error(
                    name,
                    file,
                    format!(
                        "line {} is not a recorded exchange ({error}); was it written by --record?",
                        index + 1
                    ),
                )
            })?;
            if exchange.version != RECORDING_FORMAT_VERSION {
                return Err(recording_error(
                    name,
                    file,
                    format!(
                        "line {} has format version {}, this perforch reads {RECORDING_FORMAT_VERSION}; record again",
                        index + 1,
                        exchange.version
                    ),
                ));
            }
            if exchange.model == name {
                // Recompute rather than trust the stored hash, so a file
                // edited by hand still matches what is asked now.
                let fingerprint = request_fingerprint(name, &exchange.request);
                answers
                    .entry(fingerprint)
                    .or_default()
                    .remaining
                    .push_back(exchange.response);
            }
        }
        Ok(ReplayProvider {
            name: name.to_string(),
            file: file.to_path_buf(),
            answers: Mutex::new(answers),
        })
    }

    fn answer(&self, request: &ChatRequest) -> Result<ChatResponse, ModelError> {
        let fingerprint = request_fingerprint(&self.name, request);
        let mut answers = self
            .answers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(queue) = answers.get_mut(&fingerprint) else {
            return Err(ModelError::ReplayMiss {
                service: self.name.clone(),
                file: self.file.clone(),
            });
        };
        match queue.remaining.pop_front() {
            Some(response) => {
                queue.used += 1;
                Ok(response)
            }
            None => Err(ModelError::ReplayExhausted {
                service: self.name.clone(),
                file: self.file.clone(),
                used: queue.used,
            }),
        }
    }
}

impl ModelProvider for ReplayProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn complete(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> BoxFuture<'_, Result<ChatResponse, ModelError>> {
        Box::pin(async move {
            if cancel.is_cancelled() {
                return Err(ModelError::Cancelled {
                    service: self.name.clone(),
                });
            }
            self.answer(&request)
        })
    }
}

fn recording_error(service: &str, file: &Path, detail: String) -> ModelError {
    ModelError::Recording {
        service: service.to_string(),
        file: file.to_path_buf(),
        detail,
    }
}
