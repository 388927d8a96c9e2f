//! Everything perforch needs to talk to language models: request and reply
//! types, the provider trait, HTTP providers with retries and timeouts,
//! record/replay, cost accounting, code extraction and web search.

pub mod accounting;
pub mod anthropic;
pub mod error;
pub mod extract;
pub mod fake_server;
mod http;
pub mod openai;
pub mod provider;
pub mod registry;
pub mod replay;
pub mod retry;
pub mod search;
pub mod secret;
pub mod types;

pub use accounting::{CostLedger, LedgerRow, LedgerSummary, Prices};
pub use error::ModelError;
pub use extract::{ExtractError, extract_code};
pub use provider::{BoxFuture, ModelProvider};
pub use registry::{ModelRegistry, RegistryOptions};
pub use replay::{Recorder, RecordingProvider, ReplayProvider};
pub use search::{SearchHit, SearchResults, WebSearch, condense_for_prompt};
pub use types::{ChatRequest, ChatResponse, Message, Role, Stage, Subject, Usage};
