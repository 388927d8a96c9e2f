//! Inputs the function is judged on: calls found in its documentation and
//! inputs a model proposes (a few of them large, to expose complexity). The
//! ORIGINAL is the oracle: an input on which it raises, crashes, times out
//! or that does not even build is dropped, with the reason kept for the
//! report.

use serde::{Deserialize, Serialize};

mod calls;
mod inputs_reply;
mod lenient_json;

pub use calls::doc_example_inputs;
pub use inputs_reply::{Ending, InputsReplyError, ParsedInputs, parse_inputs_reply};

/// Where an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSource {
    DocExample,
    Generated,
    Stress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestInput {
    /// Argument expressions in the function's language.
    pub args: Vec<String>,
    pub source: InputSource,
}

impl TestInput {
    /// `name(a, b)` for messages and prompts, shortened when huge.
    pub fn call_text(&self, name: &str) -> String {
        shorten(&format!("{name}({})", self.args.join(", ")), 300)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedInput {
    pub input: TestInput,
    pub reason: String,
}

pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} bytes)", &text[..cut], text.len())
}
