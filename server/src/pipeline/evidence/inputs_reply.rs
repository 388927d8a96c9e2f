//! A model's proposed test inputs, read out of its reply.
//!
//! Small models rarely write clean JSON: they comment it, leave trailing
//! commas, and spell large inputs out until the token limit cuts the reply
//! off. Every argument list that closed before such a defect is kept, and
//! the result says what was lost so the job can report it.

use serde_json::Value;

use super::lenient_json::{Reader, Stop};
use super::{InputSource, TestInput};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputsReplyError {
    #[error("the reply holds no JSON object with an \"inputs\" list")]
    NoJson,
    #[error("the reply ended before its first complete input")]
    CutOff,
    #[error("the reply's JSON is not in the requested shape: {0}")]
    Shape(String),
}

impl InputsReplyError {
    /// The error as a reason, naming the token limit when the provider
    /// said the reply hit it: that, not the JSON, is then the cause.
    pub fn reason(&self, hit_token_limit: bool) -> String {
        match self {
            InputsReplyError::NoJson | InputsReplyError::CutOff if hit_token_limit => {
                "the reply was cut off at the model's token limit before its first complete input"
                    .into()
            }
            other => other.to_string(),
        }
    }
}

/// How the model's JSON ended, when not cleanly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The reply stopped inside the JSON.
    CutOff,
    /// The JSON broke (e.g. an unquoted expression); the reason says where.
    Malformed(String),
}

/// The inputs read from a reply and what could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedInputs {
    /// Every argument list that closed before the reply ended or broke.
    pub inputs: Vec<TestInput>,
    /// `None` when the JSON closed cleanly.
    pub ended_early: Option<Ending>,
    /// Argument lists left out because an argument was not a source
    /// expression (an object, a null, a nested list).
    pub skipped: usize,
}

impl ParsedInputs {
    /// A line for the job's notes when part of the reply was lost, else
    /// `None`. `hit_token_limit`: the provider said the reply hit it.
    pub fn note(&self, model: &str, hit_token_limit: bool) -> Option<String> {
        let ending = match &self.ended_early {
            None => None,
            Some(Ending::CutOff) if hit_token_limit => {
                Some("the reply was cut off at the model's token limit after them".to_string())
            }
            Some(Ending::CutOff) => Some("the JSON stops short after them".to_string()),
            Some(Ending::Malformed(reason)) => Some(format!("the JSON broke after them: {reason}")),
        };
        let skipped = (self.skipped > 0).then(|| {
            format!(
                "{} left out whose arguments were not expressions in strings",
                self.skipped
            )
        });
        let reasons: Vec<String> = ending.into_iter().chain(skipped).collect();
        (!reasons.is_empty()).then(|| {
            format!(
                "kept {} of {model}'s inputs ({})",
                self.inputs.len(),
                reasons.join("; ")
            )
        })
    }
}

/// Parse a model's proposed inputs. Expected shape:
/// `{"inputs": [["arg", ...], ...], "stress": [["arg", ...], ...]}` where
/// each arg is a source expression as a JSON string. Numbers and booleans
/// are accepted as their JSON text, a lone expression as a list of one;
/// prose, fences and comments around and inside the JSON are ignored.
pub fn parse_inputs_reply(reply: &str) -> Result<ParsedInputs, InputsReplyError> {
    let mut failure = InputsReplyError::NoJson;
    // The JSON object is the first `{` from which an object with an
    // "inputs" or "stress" list can be read; braces in prose come to nothing.
    for (start, _) in reply.match_indices('{') {
        match read_object(reply, start) {
            Attempt::Read(parsed) if !parsed.inputs.is_empty() => return Ok(parsed),
            Attempt::Read(parsed) => {
                // Lists that closed but were all left out say more than
                // where the reply ended: the model wrote data, not code.
                failure = match parsed.ended_early {
                    _ if parsed.skipped > 0 => InputsReplyError::Shape(format!(
                        "its {} argument lists hold JSON lists or objects where source expressions in strings belong",
                        parsed.skipped
                    )),
                    Some(Ending::CutOff) => InputsReplyError::CutOff,
                    Some(Ending::Malformed(reason)) => InputsReplyError::Shape(reason),
                    None => InputsReplyError::Shape("no inputs in the lists".into()),
                };
                break;
            }
            Attempt::CutBeforeLists => failure = InputsReplyError::CutOff,
            Attempt::NotOurs => {}
        }
    }
    Err(failure)
}

enum Attempt {
    /// An object with an "inputs" or "stress" key, read as far as it goes.
    Read(ParsedInputs),
    /// The text ended inside the object before either key.
    CutBeforeLists,
    /// Not the object asked for.
    NotOurs,
}

fn read_object(reply: &str, start: usize) -> Attempt {
    let mut parsed = ParsedInputs {
        inputs: Vec::new(),
        ended_early: None,
        skipped: 0,
    };
    let mut found_lists = false;
    let mut reader = Reader::at(reply, start);
    let outcome = reader.object(|key, reader| {
        let source = match key.as_str() {
            "inputs" => InputSource::Generated,
            "stress" => InputSource::Stress,
            _ => return reader.value().map(drop),
        };
        found_lists = true;
        reader.list(|item| match arguments(item) {
            Some(args) => parsed.inputs.push(TestInput { args, source }),
            None => parsed.skipped += 1,
        })
    });
    match outcome {
        _ if found_lists => {
            parsed.ended_early = match outcome {
                Ok(()) => None,
                Err(Stop::End) => Some(Ending::CutOff),
                Err(Stop::Invalid(reason)) => Some(Ending::Malformed(reason)),
            };
            Attempt::Read(parsed)
        }
        Err(Stop::End) => Attempt::CutBeforeLists,
        _ => Attempt::NotOurs,
    }
}

/// One argument list as source expressions; `None` when an argument is
/// something no language's source could be read from.
fn arguments(item: Value) -> Option<Vec<String>> {
    let expression = |value: Value| match value {
        Value::String(text) => Some(text),
        Value::Number(_) | Value::Bool(_) => Some(value.to_string()),
        _ => None,
    };
    match item {
        Value::Array(args) => args.into_iter().map(expression).collect(),
        lone => expression(lone).map(|arg| vec![arg]),
    }
}

#[cfg(test)]
mod tests;
