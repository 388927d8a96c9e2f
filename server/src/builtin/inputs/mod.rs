//! Type-directed test inputs: from a function's parameter types (Python
//! hints, Java/C++/Go/Rust static types), argument lists of small values
//! (empty, single, duplicates, negatives) and of large ones (about 10^4
//! elements; fewer in Python, whose slow original must still finish) as
//! source expressions, in the JSON shape the inputs prompt asks for.
//!
//! Nothing here knows what the function means: the original is the oracle,
//! and inputs it rejects are dropped by the pipeline.

mod languages;

pub use languages::{expression, parameter_types};

use crate::analysis::{Function, functions};
use crate::document::Document;
use crate::language::Language;

/// The parameter types the generator can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    Int,
    Float,
    Bool,
    Str,
    /// A single character (Java, C++, Rust `char`).
    Char,
}

/// A parameter's type: a scalar or a list of scalars, with the scalar's
/// type as the language writes it (`long`, `int64`, `u32`...), which the
/// expressions need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgType {
    pub list: bool,
    pub scalar: Scalar,
    pub scalar_text: String,
    /// The whole type as written (a Java array or List, a Rust slice or Vec).
    pub type_text: String,
    /// A list whose elements are themselves small containers of the
    /// scalar (`[][2]int`, `list[tuple[int, int]]`, `int[][]`,
    /// `std::vector<std::pair<int, int>>`, `&[(i64, i64)]`).
    pub inner: Option<Inner>,
}

impl ArgType {
    /// Whether the scalar is an unsigned integer type (`u32`, `usize`,
    /// `unsigned int`, `size_t`, Go's `uint`).
    pub fn unsigned(&self) -> bool {
        let text = self.scalar_text.as_str();
        text.starts_with('u') || text.contains("unsigned") || text.contains("size_t")
    }
}

/// The element of a nested list: a tuple or fixed-size array of `len`
/// scalars, or a list of them (`len` None).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inner {
    pub len: Option<usize>,
    /// The element type as written (`[2]int`, `tuple[int, int]`, `int[]`).
    pub type_text: String,
    /// Written as a tuple (`(1, 2)` in Python and Rust, a pair in C++).
    pub tuple: bool,
}

/// One argument's value, before it is written in a language.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Char(char),
    /// Written out element by element.
    List(Vec<Value>),
    /// `len` elements: element k is `start + k * step` (as a number, or as
    /// the string `w<number>`), built by a short loop in the language.
    Series {
        element: Scalar,
        len: usize,
        start: i64,
        step: i64,
    },
    /// A string of `len` lowercase letters, built by a short expression.
    LongStr(usize),
    /// A value written out as this source text (Python values of other
    /// types in an untyped parameter: `None`, `1.0`, `[1]`).
    Raw(String),
    /// A fixed number of values (a tuple, a pair, a `[2]int`): shrinking
    /// keeps its length.
    Tuple(Vec<Value>),
}

/// Large inputs have this many elements...
const STRESS_LEN: usize = 10_000;
/// ...except in Python, where an O(n²) original on 10^4 elements takes
/// seconds per call and measuring it would take minutes.
const PYTHON_STRESS_LEN: usize = 3_000;

/// Why no inputs could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputsError {
    #[error("no function named `{0}` in the file")]
    NoFunction(String),
    #[error(
        "the builtin optimizer cannot build values of parameter `{0}` (it knows numbers, booleans, characters, strings and lists of them)"
    )]
    UnknownType(String),
}

/// Argument lists built from a function's parameter types, as source
/// expressions of its language.
pub struct TypeDirected {
    /// Small edge cases: empty, one element, repeats, negatives.
    pub small: Vec<Vec<String>>,
    /// Two large cases (none unless asked for).
    pub stress: Vec<Vec<String>>,
}

/// The inputs for `function` in `file_text`; the large ones only `with_stress`
/// (rendering them is most of the work).
pub fn type_directed(
    language: Language,
    file_text: &str,
    function: &str,
    with_stress: bool,
) -> Result<TypeDirected, InputsError> {
    let document = Document::new(language, 0, file_text);
    let all = functions(&document);
    // `Class.f` spellings too; a bare name means the first of that name.
    let wanted = crate::analysis::FunctionRef::parse(function, None);
    let target = wanted
        .find(&all)
        .ok()
        .or_else(|| all.iter().find(|candidate| candidate.name == wanted.name))
        .filter(|candidate| !candidate.is_stub)
        .cloned()
        .ok_or_else(|| InputsError::NoFunction(function.to_string()))?;
    type_directed_for(language, &target, with_stress)
}

/// [`type_directed`] for a function already found.
pub fn type_directed_for(
    language: Language,
    target: &Function,
    with_stress: bool,
) -> Result<TypeDirected, InputsError> {
    let types = function_parameter_types(language, target)?;
    let render = |values: Vec<Value>| -> Vec<String> {
        values
            .iter()
            .zip(&types)
            .map(|(value, arg)| languages::expression(language, arg, value))
            .collect()
    };
    let small = small_cases(&types).into_iter().map(render).collect();
    let stress = if with_stress {
        let len = if language == Language::Python {
            PYTHON_STRESS_LEN
        } else {
            STRESS_LEN
        };
        stress_cases(&types, len).into_iter().map(render).collect()
    } else {
        Vec::new()
    };
    Ok(TypeDirected { small, stress })
}

/// Two large argument lists for parameters of `types` (see
/// [`stress_cases`]), as source expressions.
pub fn stress_inputs(language: Language, types: &[ArgType]) -> Vec<Vec<String>> {
    let len = if language == Language::Python {
        PYTHON_STRESS_LEN
    } else {
        STRESS_LEN
    };
    stress_cases(types, len)
        .into_iter()
        .map(|values| {
            values
                .iter()
                .zip(types)
                .map(|(value, arg)| languages::expression(language, arg, value))
                .collect()
        })
        .collect()
}

/// The reply to an inputs request: `{"inputs": [...], "stress": [...]}`.
pub fn inputs_reply(
    language: Language,
    file_text: &str,
    function: &str,
) -> Result<String, InputsError> {
    let TypeDirected { small, stress } = type_directed(language, file_text, function, true)?;
    let body = serde_json::json!({ "inputs": small, "stress": stress });
    Ok(format!(
        "Inputs built from the parameter types of `{function}`.\n```json\n{body}\n```"
    ))
}

fn function_parameter_types(
    language: Language,
    function: &Function,
) -> Result<Vec<ArgType>, InputsError> {
    languages::parameter_types(language, &function.parameters)
        .into_iter()
        .zip(&function.parameters)
        .map(|(parsed, parameter)| {
            // Nested lists are the small-scope generator's; the builtin's
            // own cases and series are flat.
            parsed
                .filter(|arg| arg.inner.is_none())
                .ok_or_else(|| InputsError::UnknownType(parameter.clone()))
        })
        .collect()
}

fn scalar_value(scalar: Scalar, n: i64) -> Value {
    match scalar {
        Scalar::Int => Value::Int(n),
        Scalar::Float => Value::Float(n as f64 + 0.5),
        Scalar::Bool => Value::Bool(n % 2 != 0),
        Scalar::Char => Value::Char([',', ';', 'a', ' ', 'z', '-', 'q'][n.rem_euclid(7) as usize]),
        Scalar::Str => Value::Str(if n < 0 {
            format!("z{}", -n)
        } else {
            format!("w{n}")
        }),
    }
}

fn list(scalar: Scalar, items: &[i64]) -> Value {
    Value::List(items.iter().map(|&n| scalar_value(scalar, n)).collect())
}

/// Small argument lists. List arguments get different contents per
/// position (so two lists overlap partly), scalars small values.
fn small_cases(types: &[ArgType]) -> Vec<Vec<Value>> {
    let shapes: [(&[i64], i64); 5] = [
        (&[], 0),
        (&[1], 1),
        (&[3, -1, 3, 0, 7, -1], 3),
        (&[1, 2, 3, 4, 5, 6], 5),
        (&[9, 8, 7, 2, 2, 5, 1], 7),
    ];
    shapes
        .iter()
        .map(|(items, scalar)| {
            types
                .iter()
                .enumerate()
                .map(|(position, arg)| {
                    let shift = position as i64;
                    if arg.list {
                        let shifted: Vec<i64> = items.iter().map(|n| n + shift).collect();
                        list(arg.scalar, &shifted)
                    } else if arg.scalar == Scalar::Str {
                        Value::Str("ab".repeat(*scalar as usize))
                    } else {
                        scalar_value(arg.scalar, *scalar + shift)
                    }
                })
                .collect()
        })
        .collect()
}

/// Two large argument lists: every list of `len` elements, the first with
/// list k stepping by k + 1 (lists overlap on some elements), the second
/// with all lists equal. Numbers are `len`, strings `len` letters long.
fn stress_cases(types: &[ArgType], len: usize) -> Vec<Vec<Value>> {
    (0..2)
        .map(|case| {
            types
                .iter()
                .enumerate()
                .map(|(position, arg)| {
                    if arg.list {
                        Value::Series {
                            element: arg.scalar,
                            len,
                            start: 0,
                            step: if case == 0 { position as i64 + 1 } else { 1 },
                        }
                    } else if arg.scalar == Scalar::Str {
                        Value::LongStr(len)
                    } else {
                        scalar_value(arg.scalar, len as i64)
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests;
