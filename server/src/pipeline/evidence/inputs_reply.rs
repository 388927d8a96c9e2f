//! A model's proposed test inputs, read out of its reply.

use serde::Deserialize;

use super::{InputSource, TestInput, matching_paren};

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

#[cfg(test)]
mod tests {
    use super::*;

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
