//! Inputs the function is judged on: calls found in its documentation and
//! inputs a model proposes (a few of them large, to expose complexity). The
//! ORIGINAL is the oracle: an input on which it raises, crashes, times out
//! or that does not even build is dropped, with the reason kept for the
//! report.

use serde::{Deserialize, Serialize};

use crate::executor::driver::signature::split_top_level;

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

/// Calls of `name` written in a doc comment (doctests, `assert f(x) == y`,
/// `{@code f(1)}`...): the argument text of each call becomes an input.
pub fn doc_example_inputs(doc: &str, name: &str) -> Vec<TestInput> {
    let mut inputs: Vec<TestInput> = Vec::new();
    let mut search = 0;
    let needle = format!("{name}(");
    while let Some(found) = doc[search..].find(&needle) {
        let start = search + found;
        search = start + needle.len();
        let before = doc[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let Some(close) = matching_paren(doc, search - 1) else {
            continue;
        };
        let inner = doc[search..close].trim();
        let args: Vec<String> = if inner.is_empty() {
            Vec::new()
        } else {
            split_top_level(inner, ',')
                .into_iter()
                .map(|arg| arg.trim().to_string())
                .collect()
        };
        // A signature line (`def f(xs: list)`) is not a call.
        let line_start = doc[..start].rfind('\n').map_or(0, |n| n + 1);
        let line_prefix = doc[line_start..start].trim();
        if ["def", "fn", "func", "pub fn"]
            .iter()
            .any(|k| line_prefix.ends_with(k))
        {
            continue;
        }
        let input = TestInput {
            args,
            source: InputSource::DocExample,
        };
        if !inputs.contains(&input) {
            inputs.push(input);
        }
        search = close + 1;
    }
    inputs
}

fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (offset, c) in text[open..].char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(open + offset);
                }
            }
            _ => {}
        }
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputsReplyError {
    #[error("the reply holds no JSON object with an \"inputs\" list")]
    NoJson,
    #[error("the reply's JSON is not in the requested shape: {0}")]
    Shape(String),
}

#[derive(Deserialize)]
struct InputsReply {
    #[serde(default)]
    inputs: Vec<Vec<serde_json::Value>>,
    #[serde(default)]
    stress: Vec<Vec<serde_json::Value>>,
}

/// Parse a model's proposed inputs. Expected shape:
/// `{"inputs": [["arg", ...], ...], "stress": [["arg", ...], ...]}` where
/// each arg is a source expression as a JSON string. Numbers and booleans
/// are accepted as their JSON text; prose around the JSON is ignored.
pub fn parse_inputs_reply(reply: &str) -> Result<Vec<TestInput>, InputsReplyError> {
    let json = json_object_in(reply).ok_or(InputsReplyError::NoJson)?;
    let parsed: InputsReply =
        serde_json::from_str(json).map_err(|error| InputsReplyError::Shape(error.to_string()))?;
    let convert = |args: Vec<serde_json::Value>, source| -> Result<TestInput, InputsReplyError> {
        let args = args
            .into_iter()
            .map(|arg| match arg {
                serde_json::Value::String(text) => Ok(text),
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => Ok(arg.to_string()),
                other => Err(InputsReplyError::Shape(format!(
                    "arguments must be strings holding source expressions, got {other}"
                ))),
            })
            .collect::<Result<_, _>>()?;
        Ok(TestInput { args, source })
    };
    let mut inputs = Vec::new();
    for args in parsed.inputs {
        inputs.push(convert(args, InputSource::Generated)?);
    }
    for args in parsed.stress {
        inputs.push(convert(args, InputSource::Stress)?);
    }
    if inputs.is_empty() {
        return Err(InputsReplyError::Shape("no inputs in the lists".into()));
    }
    Ok(inputs)
}

/// The first balanced `{...}` that parses as JSON, preferring a fenced one.
fn json_object_in(reply: &str) -> Option<&str> {
    let mut search = 0;
    while let Some(found) = reply[search..].find('{') {
        let start = search + found;
        if let Some(end) = matching_paren(reply, start) {
            let candidate = &reply[start..=end];
            if serde_json::from_str::<serde_json::Value>(candidate).is_ok() {
                return Some(candidate);
            }
        }
        search = start + 1;
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctest_calls_become_inputs_and_signatures_do_not() {
        let doc = "Return the value.\n\n>>> total_value([Item(\"a\", 2, 150), Item(\"b\", 1, 99)])\n399\n>>> total_value([])\n0\nSee also: my_total_value(x).\n";
        let inputs = doc_example_inputs(doc, "total_value");
        assert_eq!(
            inputs.iter().map(|i| i.args.clone()).collect::<Vec<_>>(),
            vec![
                vec!["[Item(\"a\", 2, 150), Item(\"b\", 1, 99)]".to_string()],
                vec!["[]".to_string()]
            ]
        );
        assert!(doc_example_inputs("fn gcd(a: u64, b: u64)", "gcd").is_empty());
        assert_eq!(
            doc_example_inputs("assert gcd(12, \"(\") == 4", "gcd")[0].args,
            vec!["12", "\"(\""]
        );
    }

    #[test]
    fn inputs_reply_in_prose_and_fence() {
        let reply = "Sure! Here are inputs:\n```json\n{\"inputs\": [[\"[3, 1, 2]\"], [5]], \"stress\": [[\"list(range(100000))\"]]}\n```\nEnjoy {not json}.";
        let inputs = parse_inputs_reply(reply).unwrap();
        assert_eq!(inputs.len(), 3);
        assert_eq!(inputs[1].args, vec!["5"]);
        assert_eq!(inputs[2].source, InputSource::Stress);
        assert_eq!(
            parse_inputs_reply("no json here"),
            Err(InputsReplyError::NoJson)
        );
        assert!(matches!(
            parse_inputs_reply("{\"inputs\": [[{\"a\": 1}]]}"),
            Err(InputsReplyError::Shape(_))
        ));
    }
}
