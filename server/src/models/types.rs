//! Provider-neutral request and reply types.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// Which pipeline step made a call; the ledger reports cost per stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Write a faster version of a function.
    Generate,
    /// Repair a candidate that failed to compile or to pass tests.
    Fix,
    /// Improve a working candidate using measurements.
    Refine,
    /// Classify the function (e.g. its bottleneck) before optimizing.
    Classify,
    /// Produce benchmark inputs.
    Inputs,
    Other,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Generate => "generate",
            Stage::Fix => "fix",
            Stage::Refine => "refine",
            Stage::Classify => "classify",
            Stage::Inputs => "inputs",
            Stage::Other => "other",
        }
    }
}

/// One chat call. `max_tokens` / `temperature` left `None` use the model's
/// configured values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    pub messages: Vec<Message>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
    pub stage: Stage,
    /// The function the request is about, as structured data, for offline
    /// providers that work on code rather than prose (the builtin
    /// optimizer). Network providers ignore it; it is never sent and never
    /// recorded (the messages already carry the same text), so it changes
    /// neither wire formats nor recordings nor replay fingerprints.
    #[serde(skip)]
    pub subject: Option<Subject>,
}

/// What a request is about: one function of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub language: crate::language::Language,
    /// The function, as `perforch functions` spells it (`f`, `Class.f`).
    pub function: String,
    /// A line inside it (zero-based), among several of one name.
    pub line: Option<usize>,
    /// The whole current file, the function included (the version the
    /// request asks to improve, which may already hold accepted changes).
    pub file_text: String,
    /// Versions of the function already offered for this version in this
    /// stage, so a deterministic provider can offer something else.
    pub tried: Vec<String>,
}

impl ChatRequest {
    pub fn new(stage: Stage, messages: Vec<Message>) -> Self {
        ChatRequest {
            messages,
            max_tokens: None,
            temperature: None,
            stage,
            subject: None,
        }
    }

    pub fn with_subject(mut self, subject: Subject) -> Self {
        self.subject = Some(subject);
        self
    }

    pub fn with_max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }

    pub fn with_temperature(mut self, temperature: f32) -> Self {
        self.temperature = Some(temperature);
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// The reply's text (all text blocks joined).
    pub text: String,
    pub usage: Usage,
    /// Model id the provider says answered (may differ from the one asked
    /// for, e.g. a dated snapshot).
    pub model: String,
    /// Wall time of the call including retries. Serialized exactly
    /// (`{secs, nanos}`) so a replayed response equals the recorded one.
    pub latency: Duration,
    /// True when the provider stopped because of `max_tokens`, so the text
    /// (and any code in it) is probably cut off.
    #[serde(default)]
    pub truncated: bool,
}
