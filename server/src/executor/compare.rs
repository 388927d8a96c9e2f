//! Parse differential driver output and compare original and candidate:
//! floats with a relative + absolute tolerance (NaN equals NaN), exceptions
//! by kind only (messages differ legitimately), arguments after the call
//! (mutation is behaviour), and for a method the object's fields after the
//! call and a second call on the same object (state is behaviour too).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::driver::LINE_PREFIX;
use super::error::ExecutorError;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Implementation {
    Original,
    Candidate,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CallResult {
    Value(Value),
    /// The kind (type name) of the exception / panic.
    Exception(String),
}

/// One call made by the driver.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub call: usize,
    pub implementation: Implementation,
    /// Thread CPU time of the call (mean over the repetitions).
    pub cpu_ns: u64,
    pub result: CallResult,
    /// The arguments after the call.
    pub args: Vec<Value>,
    /// A method's object after the call: `{"obj": Type, "fields": [[name, value]..]}`.
    #[serde(default)]
    pub receiver: Option<Value>,
    /// A method's second call on the same object (with the next input's
    /// arguments): a cache or a consumed field shows there.
    #[serde(default)]
    pub again: Option<CallResult>,
    /// Bytes of the driver's line for this call: what printing the result
    /// and the arguments costs of the run's capped output.
    #[serde(default)]
    pub printed_bytes: usize,
}

/// Parse every driver line of `stdout` (other output is ignored).
pub fn parse_records(stdout: &str) -> Result<Vec<CallRecord>, ExecutorError> {
    let mut records = Vec::new();
    for line in stdout.lines() {
        if let Some(record) = parse_line(line)? {
            records.push(record);
        }
    }
    Ok(records)
}

/// The records of a run that was stopped (output cap, timeout, crash): the
/// stop can fall in the middle of a line, so only lines that end in a
/// newline are records; the call whose line was cut has none, as if the
/// run had stopped before it.
pub fn parse_stopped_records(stdout: &str) -> Result<Vec<CallRecord>, ExecutorError> {
    let complete = stdout.rfind('\n').map_or("", |end| &stdout[..=end]);
    parse_records(complete)
}

fn parse_line(line: &str) -> Result<Option<CallRecord>, ExecutorError> {
    let Some(json) = line.strip_prefix(LINE_PREFIX) else {
        return Ok(None);
    };
    let value: Value = serde_json::from_str(json).map_err(|e| ExecutorError::HarnessOutput {
        detail: format!("{e} in line {json}"),
    })?;
    let bad = |what: &str| ExecutorError::HarnessOutput {
        detail: format!("missing {what} in line {json}"),
    };
    let call = value["call"].as_u64().ok_or_else(|| bad("call"))? as usize;
    let implementation = match value["impl"].as_str() {
        Some("o") => Implementation::Original,
        Some("c") => Implementation::Candidate,
        _ => return Err(bad("impl")),
    };
    let cpu_ns = value["ns"].as_i64().unwrap_or(0).max(0) as u64;
    let result = match value.get("exc").and_then(Value::as_str) {
        Some(kind) => CallResult::Exception(kind.to_string()),
        None => CallResult::Value(value.get("result").cloned().unwrap_or(Value::Null)),
    };
    let args = value["args"].as_array().cloned().unwrap_or_default();
    let receiver = value.get("self").cloned();
    let again = value.get("again").map(|again| match again.get("exc") {
        Some(kind) => CallResult::Exception(kind.as_str().unwrap_or("?").to_string()),
        None => CallResult::Value(again.get("result").cloned().unwrap_or(Value::Null)),
    });
    Ok(Some(CallRecord {
        call,
        implementation,
        cpu_ns,
        result,
        args,
        receiver,
        again,
        printed_bytes: line.len() + 1,
    }))
}

/// Float comparison tolerance: equal when `|a-b| <= absolute + relative * max(|a|,|b|)`.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tolerance {
    pub relative: f64,
    pub absolute: f64,
}

impl Default for Tolerance {
    /// Loose enough for single-precision rounding differences from a
    /// reordered computation, tight enough to catch wrong results.
    fn default() -> Self {
        Tolerance {
            relative: 1e-6,
            absolute: 1e-9,
        }
    }
}

fn parse_float(text: &str) -> Option<f64> {
    match text {
        "nan" => Some(f64::NAN),
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        other => other.parse().ok(),
    }
}

fn floats_equal(a: f64, b: f64, tolerance: Tolerance) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    (a - b).abs() <= tolerance.absolute + tolerance.relative * a.abs().max(b.abs())
}

/// Structural equality of two serialised values with float tolerance.
pub fn values_equal(a: &Value, b: &Value, tolerance: Tolerance) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            if let (Some(Value::String(fa)), Some(Value::String(fb))) = (x.get("f"), y.get("f"))
                && x.len() == 1
                && y.len() == 1
            {
                return match (parse_float(fa), parse_float(fb)) {
                    (Some(fa), Some(fb)) => floats_equal(fa, fb, tolerance),
                    _ => fa == fb,
                };
            }
            x.len() == y.len()
                && x.iter().all(|(key, value)| {
                    y.get(key)
                        .is_some_and(|other| values_equal(value, other, tolerance))
                })
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q, tolerance))
        }
        _ => a == b,
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MismatchKind {
    /// Different return values.
    Result,
    /// One raised (or raised a different kind), the other did not.
    Exception,
    /// Different argument values after the call (mutation differs).
    Arguments,
    /// A method leaves its object's fields different.
    Receiver,
    /// A second call on the same object answers differently.
    Again,
    /// The call has no record for one side (crash or timeout before it).
    Missing,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mismatch {
    pub call: usize,
    pub kind: MismatchKind,
    pub original: String,
    pub candidate: String,
}

fn describe(result: Option<&CallRecord>, args: bool) -> String {
    match result {
        None => "no result".to_string(),
        Some(record) if args => readable(&Value::Array(record.args.clone())),
        Some(record) => describe_result(&record.result),
    }
}

fn describe_result(result: &CallResult) -> String {
    match result {
        CallResult::Value(v) => readable(v),
        CallResult::Exception(kind) => format!("raises {kind}"),
    }
}

fn results_equal(a: &CallResult, b: &CallResult, tolerance: Tolerance) -> bool {
    match (a, b) {
        (CallResult::Value(a), CallResult::Value(b)) => values_equal(a, b, tolerance),
        (CallResult::Exception(a), CallResult::Exception(b)) => a == b,
        _ => false,
    }
}

/// The fields of a serialised object, by name.
fn fields(object: &Value) -> Vec<(String, Value)> {
    object["fields"]
        .as_array()
        .map(|pairs| {
            pairs
                .iter()
                .filter_map(|pair| Some((pair[0].as_str()?.to_string(), pair[1].clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// The first field of the object that differs: `self.items = [1, 2]` for
/// each side (`self.cache missing` when one side has no such field).
fn field_difference(original: &Value, candidate: &Value, tolerance: Tolerance) -> (String, String) {
    let (o, c) = (fields(original), fields(candidate));
    let value_of = |side: &[(String, Value)], name: &str| {
        side.iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.clone())
    };
    let mut names: Vec<&String> = Vec::new();
    for (name, _) in o.iter().chain(&c) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    for name in names {
        let (a, b) = (value_of(&o, name), value_of(&c, name));
        let same = match (&a, &b) {
            (Some(a), Some(b)) => values_equal(a, b, tolerance),
            (None, None) => true,
            _ => false,
        };
        if !same {
            let show = |value: Option<Value>| match value {
                Some(value) => format!("self.{name} = {} after the call", readable(&value)),
                None => format!("no field self.{name}"),
            };
            return (show(a), show(b));
        }
    }
    (readable(original), readable(candidate))
}

/// A serialised value as people write values: `3`, `1.5`, `"a"`,
/// `[1, 2]`, `(1, "a")`, `{"a": 1}`, `{1, 2}`, `<Point>`.
pub fn readable(value: &Value) -> String {
    let list = |items: &[Value]| items.iter().map(readable).collect::<Vec<_>>().join(", ");
    match value {
        Value::Array(items) => format!("[{}]", list(items)),
        Value::Object(map) if map.len() == 1 => {
            let (tag, inner) = map.iter().next().expect("one entry");
            match (tag.as_str(), inner) {
                ("i" | "f", Value::String(number)) => number.clone(),
                ("t", Value::Array(items)) => format!("({})", list(items)),
                ("s", Value::Array(items)) => format!("{{{}}}", list(items)),
                ("m", Value::Array(pairs)) => {
                    let entries: Vec<String> = pairs
                        .iter()
                        .map(|pair| match pair.as_array().map(Vec::as_slice) {
                            Some([key, value]) => format!("{}: {}", readable(key), readable(value)),
                            _ => readable(pair),
                        })
                        .collect();
                    format!("{{{}}}", entries.join(", "))
                }
                ("o", Value::String(type_name)) => format!("<{type_name}>"),
                ("obj", Value::String(type_name)) => format!("<{type_name}>"),
                ("b", Value::String(hex)) => format!("bytes {hex}"),
                _ => value.to_string(),
            }
        }
        Value::Object(map) if map.contains_key("obj") => {
            let fields: Vec<String> = fields(value)
                .iter()
                .map(|(name, value)| format!("{name}={}", readable(value)))
                .collect();
            format!(
                "{}({})",
                map["obj"].as_str().unwrap_or("object"),
                fields.join(", ")
            )
        }
        other => other.to_string(),
    }
}

/// Compare the calls of both implementations; `calls` is the number of
/// inputs (so a call missing on both sides is reported too).
pub fn compare_records(
    records: &[CallRecord],
    calls: usize,
    tolerance: Tolerance,
) -> Vec<Mismatch> {
    let find = |call: usize, implementation: Implementation| {
        records
            .iter()
            .find(|r| r.call == call && r.implementation == implementation)
    };
    let mut mismatches = Vec::new();
    for call in 0..calls {
        let original = find(call, Implementation::Original);
        let candidate = find(call, Implementation::Candidate);
        let mismatch = |kind, args| Mismatch {
            call,
            kind,
            original: describe(original, args),
            candidate: describe(candidate, args),
        };
        let (Some(o), Some(c)) = (original, candidate) else {
            mismatches.push(mismatch(MismatchKind::Missing, false));
            continue;
        };
        if !results_equal(&o.result, &c.result, tolerance) {
            let kind = match (&o.result, &c.result) {
                (CallResult::Value(_), CallResult::Value(_)) => MismatchKind::Result,
                _ => MismatchKind::Exception,
            };
            mismatches.push(mismatch(kind, false));
            continue;
        }
        if !values_equal(
            &Value::Array(o.args.clone()),
            &Value::Array(c.args.clone()),
            tolerance,
        ) {
            mismatches.push(mismatch(MismatchKind::Arguments, true));
            continue;
        }
        let no_object = Value::Null;
        let (o_self, c_self) = (
            o.receiver.as_ref().unwrap_or(&no_object),
            c.receiver.as_ref().unwrap_or(&no_object),
        );
        if !values_equal(o_self, c_self, tolerance) {
            let (original, candidate) = field_difference(o_self, c_self, tolerance);
            mismatches.push(Mismatch {
                call,
                kind: MismatchKind::Receiver,
                original,
                candidate,
            });
            continue;
        }
        match (&o.again, &c.again) {
            (Some(a), Some(b)) if results_equal(a, b, tolerance) => {}
            (None, None) => {}
            (a, b) => {
                let show = |again: &Option<CallResult>| {
                    again
                        .as_ref()
                        .map_or("no second call".to_string(), describe_result)
                };
                mismatches.push(Mismatch {
                    call,
                    kind: MismatchKind::Again,
                    original: show(a),
                    candidate: show(b),
                });
            }
        }
    }
    mismatches
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_use_tolerance_and_nan_equals_nan() {
        let t = Tolerance::default();
        assert!(values_equal(
            &json!({"f": "0.1"}),
            &json!({"f": "0.10000000000000002"}),
            t
        ));
        assert!(values_equal(&json!({"f": "nan"}), &json!({"f": "nan"}), t));
        assert!(!values_equal(&json!({"f": "nan"}), &json!({"f": "1.0"}), t));
        assert!(!values_equal(&json!({"f": "1.0"}), &json!({"f": "1.1"}), t));
        assert!(values_equal(
            &json!([{"f": "inf"}]),
            &json!([{"f": "inf"}]),
            t
        ));
        assert!(!values_equal(&json!({"i": "1"}), &json!({"f": "1.0"}), t));
    }

    #[test]
    fn a_stopped_run_ends_at_its_last_whole_line() {
        let whole = format!(
            "{p}{{\"call\":0,\"impl\":\"o\",\"ns\":5,\"result\":\"ab\",\"args\":[]}}\n",
            p = LINE_PREFIX
        );
        // The output cap fell inside the second call's result.
        let cut = format!(
            "{whole}{p}{{\"call\":1,\"impl\":\"o\",\"ns\":5,\"result\":\"aaaa",
            p = LINE_PREFIX
        );
        assert!(parse_records(&cut).is_err());
        let records = parse_stopped_records(&cut).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].call, 0);
        assert_eq!(records[0].printed_bytes, whole.len());
        let mismatches = compare_records(&records, 2, Tolerance::default());
        assert_eq!(mismatches[0].kind, MismatchKind::Missing);
        assert!(
            parse_stopped_records("no newline at all")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn values_read_as_people_write_them() {
        let value = json!([{"i": "3"}, {"f": "-0.5"}, "a\"b", {"t": [{"i": "1"}, null]},
            {"m": [["k", {"s": [{"i": "2"}]}]]}, {"o": "Point"}, true]);
        assert_eq!(
            readable(&value),
            r#"[3, -0.5, "a\"b", (1, null), {"k": {2}}, <Point>, true]"#
        );
    }

    #[test]
    fn exceptions_compare_by_kind() {
        let text = format!(
            "noise\n{p}{{\"call\":0,\"impl\":\"o\",\"ns\":5,\"exc\":\"ValueError\",\"args\":[]}}\n{p}{{\"call\":0,\"impl\":\"c\",\"ns\":3,\"exc\":\"ValueError\",\"args\":[]}}\n{p}{{\"call\":1,\"impl\":\"o\",\"ns\":5,\"result\":{{\"i\":\"1\"}},\"args\":[[1]]}}\n{p}{{\"call\":1,\"impl\":\"c\",\"ns\":3,\"result\":{{\"i\":\"1\"}},\"args\":[[2]]}}\n",
            p = LINE_PREFIX
        );
        let records = parse_records(&text).unwrap();
        assert_eq!(records.len(), 4);
        let mismatches = compare_records(&records, 3, Tolerance::default());
        assert_eq!(mismatches.len(), 2);
        assert_eq!(mismatches[0].kind, MismatchKind::Arguments);
        assert_eq!(mismatches[1].kind, MismatchKind::Missing);
    }
}
