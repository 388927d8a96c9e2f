//! Inputs the function is judged on: calls found in its documentation and
//! in its tests, inputs a model proposes (a few of them large, to expose
//! complexity), and many small-scope inputs checked for correctness only.
//! The ORIGINAL is the oracle: an input on which it raises is a case whose
//! expected result is that error; one on which it crashes, times out or
//! that does not even build is dropped, with the reason kept for the
//! report.

use serde::{Deserialize, Serialize};

use crate::builtin::inputs::Value;

mod calls;
pub mod capture;
mod inputs_reply;
mod lenient_json;
mod literals;
pub mod mutants;
pub mod objects;
pub mod scale;
pub mod small_scope;

pub use calls::{doc_example_inputs, test_call_inputs};
pub use inputs_reply::{Ending, InputsReplyError, ParsedInputs, parse_inputs_reply};

/// Where an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSource {
    DocExample,
    /// A call of the function written in one of its tests.
    TestCall,
    Generated,
    Stress,
    /// One of the many small inputs checked for correctness only.
    SmallScope,
    /// An input of the evidence repeated along its shape until the
    /// original spends milliseconds on it (`scale.rs`), for timing.
    Scaled,
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

/// Whether two inputs are the same call however they are spelled: the
/// same text, or the same literal values (`["a"]` written in a doc and
/// `['a']` as Python's `repr` records it).
pub fn same_call(a: &TestInput, b: &TestInput) -> bool {
    a.args == b.args
        || a.args.len() == b.args.len()
            && a.args.iter().zip(&b.args).all(|(x, y)| {
                x == y
                    || literals::literal_value(x)
                        .map(as_text)
                        .is_some_and(|value| Some(value) == literals::literal_value(y).map(as_text))
            })
}

/// `value` with its one-letter quotes read as strings: `'a'` is a Python
/// string, whatever the literal reader took it for.
fn as_text(value: Value) -> Value {
    match value {
        Value::Char(c) => Value::Str(c.to_string()),
        Value::List(items) => Value::List(items.into_iter().map(as_text).collect()),
        other => other,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedInput {
    pub input: TestInput,
    pub reason: String,
}

/// Most calls taken from test files: enough to cover what they show,
/// few enough that a compiled driver stays quick to build.
const MAX_TEST_CALLS: usize = 40;

/// The calls of `function` written in test files (`sources`: path and
/// text). In the function's own file its definition is skipped, so its
/// own recursive calls are not read as tests'.
/// A method called on an object (`on_object`) is found in calls on
/// objects the tests build ([`objects::method_calls`]).
pub fn calls_in_tests(
    sources: &[(std::path::PathBuf, String)],
    language: crate::language::Language,
    function: &crate::analysis::Function,
    on_object: bool,
    own_file: impl Fn(&std::path::Path) -> bool,
) -> Vec<TestInput> {
    let qualifiers: Vec<&str> = function.container.as_deref().into_iter().collect();
    let calls = |text: &str| match (on_object, function.container.as_deref()) {
        (true, Some(class)) => {
            objects::method_calls(language, text, class, &function.name, InputSource::TestCall)
        }
        _ => test_call_inputs(text, &function.name, &qualifiers),
    };
    let mut found: Vec<TestInput> = Vec::new();
    for (path, text) in sources {
        // The caller gives the own file's text as the function was read
        // from it (an editor's buffer may differ from the disk).
        let text = if own_file(path) && function.range.as_range().end <= text.len() {
            let mut blanked = text.clone();
            blanked.replace_range(
                function.range.as_range(),
                &" ".repeat(function.range.as_range().len()),
            );
            blanked
        } else {
            text.clone()
        };
        for input in calls(&text) {
            if !found.iter().any(|known| known.args == input.args) {
                found.push(input);
            }
        }
    }
    found.truncate(MAX_TEST_CALLS);
    found
}

/// Inputs built from the parameter types (`builtin::inputs`): the small
/// edge cases, and `with_stress` two large ones; none when a type is not
/// one it can fill.
pub fn type_directed_inputs(
    language: crate::language::Language,
    function: &crate::analysis::Function,
    with_stress: bool,
) -> Vec<TestInput> {
    let Ok(built) = crate::builtin::inputs::type_directed_for(language, function, with_stress)
    else {
        return Vec::new();
    };
    let as_inputs = |lists: Vec<Vec<String>>, source| {
        lists
            .into_iter()
            .map(move |args| TestInput { args, source })
    };
    as_inputs(built.small, InputSource::Generated)
        .chain(as_inputs(built.stress, InputSource::Stress))
        .collect()
}

/// Objects given to the inputs that have none (besides the examples'):
/// few, so the model's and the typed inputs stay about the function.
const OBJECTS_FOR_INPUTS: usize = 4;
/// Objects from constructor arguments the small-scope inputs are called on.
const OBJECTS_FOR_SMALL_SCOPE: usize = 40;

/// For a method called on an object: give every input in `inputs` an
/// object (the examples' own, a no-argument construction, objects from
/// small-scope constructor arguments) and return all the objects for the
/// small-scope inputs. `Err` is the note saying no object can be built.
fn give_objects(
    language: crate::language::Language,
    function: &crate::analysis::Function,
    file_text: &str,
    inputs: &mut Vec<TestInput>,
) -> Result<Vec<String>, String> {
    let class = function.container.as_deref().unwrap_or_default();
    let arity = function
        .parameters
        .len()
        .saturating_sub(usize::from(language == crate::language::Language::Python));
    let functions =
        crate::analysis::functions(&crate::document::Document::new(language, 0, file_text));
    let mut shown: Vec<String> = Vec::new();
    for input in inputs.iter().filter(|input| input.args.len() == arity + 1) {
        if !shown.contains(&input.args[0]) {
            shown.push(input.args[0].clone());
        }
    }
    let no_arguments = objects::no_argument_construction(language, class, &functions);
    let mut built =
        objects::generated(language, class, &functions, &shown, OBJECTS_FOR_SMALL_SCOPE);
    let mut for_inputs: Vec<String> = shown.clone();
    for_inputs.extend(no_arguments.clone());
    if for_inputs.is_empty() {
        // Middle-sized objects: the smallest are often empty.
        for_inputs.extend(built.iter().rev().take(OBJECTS_FOR_INPUTS).cloned());
    }
    let given = std::mem::take(inputs);
    *inputs = objects::with_objects(given, &for_inputs, arity);
    let mut all = shown;
    all.extend(no_arguments);
    all.append(&mut built);
    if all.is_empty() {
        return Err(format!(
            "perforch cannot build a `{class}` to call `{}` on: no test or doc example builds one, and its constructor takes values perforch cannot make; add a doc example such as `{}`",
            function.name,
            example_call(language, class, &function.name)
        ));
    }
    Ok(all)
}

fn example_call(language: crate::language::Language, class: &str, method: &str) -> String {
    match language {
        crate::language::Language::Java => format!("new {class}(...).{method}(...)"),
        crate::language::Language::Go => format!("New{class}(...).{method}(...)"),
        _ => format!(">>> {class}(...).{method}(...)"),
    }
}

/// The small-scope generator for `function`, its examples being the calls
/// among `inputs` written in its docs and tests; with its large inputs
/// added to `inputs` when none of them is large or when they can be text
/// shaped like the examples. A method called on an object (`on_object`)
/// first has objects given to its inputs ([`give_objects`]; those left
/// without one are dropped), and its small-scope inputs are called on them
/// too. `Err` is the note that says why there is none.
pub fn small_scope_for(
    language: crate::language::Language,
    function: &crate::analysis::Function,
    file_text: &str,
    on_object: bool,
    inputs: &mut Vec<TestInput>,
) -> Result<small_scope::SmallScope, String> {
    let objects = match on_object {
        true => Some(give_objects(language, function, file_text, inputs)?),
        false => None,
    };
    let large_object = objects
        .as_ref()
        .and_then(|all| objects::large_object(language, all));
    let examples: Vec<TestInput> = inputs
        .iter()
        .filter(|input| {
            matches!(
                input.source,
                InputSource::DocExample | InputSource::TestCall
            )
        })
        .map(|input| match &objects {
            // The examples' arguments without their object.
            Some(_) => TestInput {
                args: input.args.iter().skip(1).cloned().collect(),
                source: input.source,
            },
            None => input.clone(),
        })
        .collect();
    let mut scope = small_scope::SmallScope::new(language, function, &examples)
        .map_err(|parameter| no_small_scope(&parameter))?;
    let has_large_object = large_object.is_some();
    if let Some(objects) = objects {
        scope = scope.with_objects(objects, large_object);
    }
    let no_stress = !inputs
        .iter()
        .any(|input| input.source == InputSource::Stress);
    // A large object times a method better than large arguments do.
    if no_stress || scope.has_example_text() || has_large_object {
        for stress in scope.stress() {
            if !inputs.iter().any(|known| known.args == stress.args) {
                inputs.push(stress);
            }
        }
    }
    Ok(scope)
}

/// The first argument of `input` that is not an expression of `language`
/// (a model writing `[1, 2]` for a Go slice), found by parsing each one
/// alone: in a compiled driver one such argument breaks the whole build,
/// so it is dropped before, with this reason, instead of taking the good
/// inputs of its batch with it. Python inputs are checked when they run.
pub fn syntax_problem(language: crate::language::Language, input: &TestInput) -> Option<String> {
    use crate::language::Language;
    for arg in &input.args {
        let wrapped = match language {
            Language::Python => return None,
            Language::Go => format!("package p\nvar _ = {arg}\n"),
            Language::Java => format!("class P {{ Object x = {arg}; }}\n"),
            Language::Cpp => format!("void f() {{ auto x = {arg}; }}\n"),
            Language::Rust => format!("fn f() {{ let _x = {arg}; }}\n"),
        };
        let document = crate::document::Document::new(language, 0, &wrapped);
        if document.tree().root_node().has_error() {
            return Some(format!(
                "`{}` is not a {language} expression",
                shorten(arg, 80)
            ));
        }
    }
    None
}

/// Why a job or a comparison has no small-scope inputs.
fn no_small_scope(parameter: &str) -> String {
    format!(
        "no small-scope inputs: perforch cannot build values of parameter `{parameter}` (it knows numbers, booleans, characters, strings and lists of them; a parameter without a type needs a call in the tests or the docs that shows it)"
    )
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
    use crate::language::Language;

    #[test]
    fn a_call_recorded_by_repr_is_the_call_written_in_the_docs() {
        let input = |args: &[&str]| TestInput {
            args: args.iter().map(|a| a.to_string()).collect(),
            source: InputSource::TestCall,
        };
        let written = input(&["[\"a\", \"b\"]", "[]"]);
        assert!(same_call(&written, &input(&["['a', 'b']", "[]"])));
        assert!(!same_call(&written, &input(&["['a', 'c']", "[]"])));
        assert!(!same_call(&written, &input(&["['a', 'b']"])));
    }

    #[test]
    fn arguments_of_another_language_are_told_apart_before_a_build() {
        let input = |args: &[&str]| TestInput {
            args: args.iter().map(|a| a.to_string()).collect(),
            source: InputSource::Generated,
        };
        assert!(syntax_problem(Language::Go, &input(&["[1, 2]", "3"])).is_some());
        assert_eq!(
            syntax_problem(
                Language::Go,
                &input(&["func() []int { v := make([]int, 10); return v }()", "3"])
            ),
            None
        );
        assert_eq!(
            syntax_problem(Language::Go, &input(&["[]int{1, 2}", "-3"])),
            None
        );
        assert_eq!(
            syntax_problem(
                Language::Java,
                &input(&["new int[]{1, 2}", "List.of(\"a\")"])
            ),
            None
        );
        assert!(syntax_problem(Language::Java, &input(&["[1, 2]"])).is_some());
        assert_eq!(
            syntax_problem(
                Language::Rust,
                &input(&["&vec![1, 2]", "(0..10).collect::<Vec<_>>()"])
            ),
            None
        );
        assert!(syntax_problem(Language::Rust, &input(&["[1, 2,, 3]"])).is_some());
        assert_eq!(
            syntax_problem(Language::Cpp, &input(&["std::vector<int>{1, 2}", "\"a\""])),
            None
        );
        assert!(syntax_problem(Language::Cpp, &input(&["{1, 2", "3"])).is_some());
    }
}
