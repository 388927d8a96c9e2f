//! Calls captured while the function's own tests run. Reading calls out
//! of test files finds only those written with literal arguments; tests
//! build many of their calls in loops, from tables and in helpers (a Go
//! table-driven test, a pytest parametrisation, a 20,000-element list made
//! by a fixture). So the tests run once on a copy of the workspace in
//! which the function records each call's arguments, as source text of
//! the language, in a file beside it; those calls join the evidence.
//!
//! What can be captured, per language:
//! - Python, a module-level function: it is wrapped after the module is
//!   loaded, and each call's positional arguments (defaults applied) are
//!   kept when their `repr` reads back with `ast.literal_eval` (numbers,
//!   strings, bytes, lists, tuples, dicts, sets, None). Not captured:
//!   methods, functions with `*args`, `**kwargs` or keyword-only
//!   parameters, and arguments of other types (objects, NaN).
//! - Go, a function without a receiver: its first statement hands the
//!   arguments to a recorder in a test file of its package, which writes
//!   each with `%#v` (Go syntax), the package's own qualifier removed.
//!   Not captured: methods, variadic or unnamed parameters; values whose
//!   `%#v` is no expression (NaN, pointers, functions) fail to build in the
//!   driver and are dropped there, each alone.
//! - Java, C++ and Rust: not captured; their tests' calls are read from
//!   the test files only (`calls.rs`).
//!
//! Recording never changes what the function does: arguments are written
//! before the call, errors of the recorder are swallowed, and at most
//! [`MAX_CALLS`] distinct calls are kept.

use crate::analysis::Function;
use crate::executor::driver::signature::split_top_level;
use crate::language::Language;

use super::{InputSource, TestInput};

/// The file the recorder writes, beside the function's file.
pub const CAPTURE_FILE: &str = ".perforch-calls.jsonl";
/// Distinct calls recorded at most, and the longest argument list kept.
const MAX_CALLS: usize = 200;
const MAX_LINE: usize = 1 << 20;
/// The Go recorder's file, in the function's package.
const GO_RECORDER: &str = "perforch_capture_test.go";

/// The function's file with the recorder in it, and any file to add
/// beside it (name, text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrumented {
    pub file_text: String,
    pub extra_file: Option<(String, String)>,
}

/// `file_text` with `function` recording its calls; `None` when this
/// language or this function cannot be captured (see the module).
pub fn instrument(
    language: Language,
    file_text: &str,
    function: &Function,
) -> Option<Instrumented> {
    if function.container.is_some() {
        return None;
    }
    match language {
        Language::Python => python(file_text, function),
        Language::Go => go(file_text, function),
        Language::Java | Language::Cpp | Language::Rust => None,
    }
}

fn python(file_text: &str, function: &Function) -> Option<Instrumented> {
    // Only a module-level function (its `def` or first decorator at the
    // start of a line) can be rebound by its module's name.
    let top_level = function.range.start == 0
        || file_text.as_bytes().get(function.range.start - 1) == Some(&b'\n');
    let plain = function
        .parameters
        .iter()
        .all(|parameter| !parameter.trim_start().starts_with('*'));
    if !top_level || !plain {
        return None;
    }
    let recorder = PYTHON_RECORDER
        .replace("CAPTURE_FILE", CAPTURE_FILE)
        .replace("MAX_CALLS", &MAX_CALLS.to_string())
        .replace("MAX_LINE", &MAX_LINE.to_string())
        .replace("NAME", &function.name);
    Some(Instrumented {
        file_text: format!("{}\n{recorder}", file_text.trim_end()),
        extra_file: None,
    })
}

/// Appended to the module: the function is replaced by a wrapper that
/// records, then calls it. `functools.wraps` keeps its docstring, so its
/// doctests still run.
const PYTHON_RECORDER: &str = r#"

def __perforch_record_calls(function):
    import ast, functools, inspect, json, os
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "CAPTURE_FILE")
    seen = set()

    @functools.wraps(function)
    def recording(*args, **kwargs):
        try:
            if len(seen) < MAX_CALLS:
                bound = inspect.signature(function).bind(*args, **kwargs)
                bound.apply_defaults()
                if not bound.kwargs:
                    texts = [repr(value) for value in bound.args]
                    for text in texts:
                        ast.literal_eval(text)
                    line = json.dumps(texts)
                    if line not in seen and len(line) < MAX_LINE:
                        seen.add(line)
                        with open(path, "a", encoding="utf-8") as out:
                            out.write(line + "\n")
        except Exception:
            pass
        return function(*args, **kwargs)

    return recording


NAME = __perforch_record_calls(NAME)
"#;

fn go(file_text: &str, function: &Function) -> Option<Instrumented> {
    let names = go_parameter_names(&function.parameters)?;
    let package = go_package(file_text)?;
    let open = function.body_range.start;
    if file_text.as_bytes().get(open) != Some(&b'{') {
        return None;
    }
    let mut text = file_text.to_string();
    text.insert_str(
        open + 1,
        &format!("\n\tperforchRecordCall({})", names.join(", ")),
    );
    let recorder = GO_RECORDER_SOURCE
        .replace("PACKAGE", &package)
        .replace("CAPTURE_FILE", CAPTURE_FILE)
        .replace("MAX_CALLS", &MAX_CALLS.to_string())
        .replace("MAX_LINE", &MAX_LINE.to_string());
    Some(Instrumented {
        file_text: text,
        extra_file: Some((GO_RECORDER.to_string(), recorder)),
    })
}

/// The names of Go parameters written `a, b int` or `s string`; `None`
/// when one is unnamed, blank or variadic.
fn go_parameter_names(parameters: &[String]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for parameter in parameters {
        let pieces = split_top_level(parameter, ',');
        // A lone type (`func(int)`) has no name to record.
        let typed = pieces.last()?.split_whitespace().count() >= 2;
        if parameter.contains("...") || !typed {
            return None;
        }
        for piece in pieces {
            let name = piece.split_whitespace().next()?;
            if name == "_" || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return None;
            }
            names.push(name.to_string());
        }
    }
    Some(names)
}

/// The Go recorder, a test file of the function's package: it exists only
/// in the copy the tests run in, and only test builds compile it.
const GO_RECORDER_SOURCE: &str = r#"package PACKAGE

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
)

var perforchRecorded = struct {
	sync.Mutex
	seen map[string]bool
}{seen: map[string]bool{}}

func perforchRecordCall(args ...any) {
	defer func() { _ = recover() }()
	texts := make([]string, len(args))
	for i, arg := range args {
		texts[i] = fmt.Sprintf("%#v", arg)
	}
	line, err := json.Marshal(texts)
	if err != nil || len(line) >= MAX_LINE {
		return
	}
	perforchRecorded.Lock()
	defer perforchRecorded.Unlock()
	if len(perforchRecorded.seen) >= MAX_CALLS || perforchRecorded.seen[string(line)] {
		return
	}
	perforchRecorded.seen[string(line)] = true
	out, err := os.OpenFile("CAPTURE_FILE", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer out.Close()
	_, _ = out.Write(append(line, '\n'))
}
"#;

/// The calls of `function` (in `file_text`) in a capture file: one JSON
/// list of argument texts per line, kept when it has one per parameter.
pub fn captured_inputs(
    language: Language,
    capture: &str,
    function: &Function,
    file_text: &str,
) -> Vec<TestInput> {
    let arity = match language {
        // `a, b int` is one parameter declaration with two names.
        Language::Go => go_parameter_names(&function.parameters).map_or(0, |names| names.len()),
        _ => function.parameters.len(),
    };
    // `%#v` qualifies the package's own types; the driver holds them unqualified.
    let package = (language == Language::Go)
        .then(|| go_package(file_text))
        .flatten();
    let mut inputs: Vec<TestInput> = Vec::new();
    for line in capture.lines() {
        let Ok(args) = serde_json::from_str::<Vec<String>>(line) else {
            continue;
        };
        if args.len() != arity {
            continue;
        }
        let args: Vec<String> = match (language, package) {
            (Language::Go, Some(package)) => args
                .iter()
                .map(|arg| without_qualifier(arg, package))
                .collect(),
            _ => args,
        };
        if !inputs.iter().any(|known| known.args == args) {
            inputs.push(TestInput {
                args,
                source: InputSource::TestCall,
            });
        }
    }
    inputs
}

/// `text` without `package.` before its names.
fn without_qualifier(text: &str, package: &str) -> String {
    let qualifier = format!("{package}.");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find(&qualifier) {
        let starts_name = out
            .chars()
            .chain(rest[..found].chars())
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
        out.push_str(&rest[..found]);
        if !starts_name {
            out.push_str(&qualifier);
        }
        rest = &rest[found + qualifier.len()..];
    }
    out.push_str(rest);
    out
}

/// The package a Go file declares.
pub fn go_package(file_text: &str) -> Option<&str> {
    file_text
        .lines()
        .find_map(|line| line.trim().strip_prefix("package "))
        .and_then(|rest| rest.split_whitespace().next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::functions;
    use crate::document::Document;

    fn function(language: Language, text: &str, name: &str) -> Function {
        functions(&Document::new(language, 0, text))
            .into_iter()
            .find(|f| f.name == name)
            .unwrap()
    }

    #[test]
    fn a_python_function_is_wrapped_after_its_module_and_a_method_is_not() {
        let text = "class Box:\n    def size(self):\n        return 1\n\ndef dedupe(items, keep=None):\n    return list(dict.fromkeys(items))\n";
        let wrapped = instrument(
            Language::Python,
            text,
            &function(Language::Python, text, "dedupe"),
        )
        .unwrap();
        assert!(wrapped.file_text.starts_with(text.trim_end()));
        assert!(
            wrapped
                .file_text
                .ends_with("dedupe = __perforch_record_calls(dedupe)\n")
        );
        assert_eq!(
            instrument(
                Language::Python,
                text,
                &function(Language::Python, text, "size")
            ),
            None
        );
        let variadic = "def total(*parts):\n    return sum(parts)\n";
        assert_eq!(
            instrument(
                Language::Python,
                variadic,
                &function(Language::Python, variadic, "total")
            ),
            None
        );
    }

    #[test]
    fn a_go_function_hands_its_arguments_to_a_recorder_in_its_package() {
        let text = "package wordstats\n\nfunc TopWords(text string, k int) []string {\n\treturn nil\n}\n\nfunc Pair(a, b int) int {\n\treturn a + b\n}\n";
        let top = instrument(
            Language::Go,
            text,
            &function(Language::Go, text, "TopWords"),
        )
        .unwrap();
        assert!(
            top.file_text
                .contains("[]string {\n\tperforchRecordCall(text, k)\n\treturn nil"),
            "{}",
            top.file_text
        );
        let (name, recorder) = top.extra_file.unwrap();
        assert_eq!(name, "perforch_capture_test.go");
        assert!(recorder.starts_with("package wordstats\n"));
        let pair = instrument(Language::Go, text, &function(Language::Go, text, "Pair")).unwrap();
        assert!(pair.file_text.contains("perforchRecordCall(a, b)"));
        let unnamed = "package p\n\nfunc F(int) int {\n\treturn 0\n}\n";
        assert_eq!(
            instrument(Language::Go, unnamed, &function(Language::Go, unnamed, "F")),
            None
        );
    }

    #[test]
    fn captured_lines_become_inputs_of_the_functions_arity() {
        let capture = "[\"[1, 2]\", \"3\"]\n[\"[1, 2]\", \"3\"]\n[\"[]\"]\nnot json\n[\"[]wordstats.wordCount{wordstats.wordCount{word:\\\"a\\\", count:1}}\", \"2\"]\n";
        let file =
            "package wordstats\n\nfunc TopWords(text string, k int) []string {\n\treturn nil\n}\n";
        let top_words = function(Language::Go, file, "TopWords");
        let inputs = captured_inputs(Language::Go, capture, &top_words, file);
        let args: Vec<&Vec<String>> = inputs.iter().map(|input| &input.args).collect();
        assert_eq!(
            args,
            [
                &vec!["[1, 2]".to_string(), "3".to_string()],
                &vec![
                    "[]wordCount{wordCount{word:\"a\", count:1}}".to_string(),
                    "2".to_string()
                ],
            ]
        );
        assert!(
            inputs
                .iter()
                .all(|input| input.source == InputSource::TestCall)
        );
    }
}
