//! Parameter types read from each language's parameter text, and values
//! written as that language's source expressions.

use super::{ArgType, Scalar, Value};
use crate::executor::driver::signature::{c_style_param_types, go_param_types, rust_param_types};
use crate::language::Language;

/// One entry per parameter; `None` where the type is not one the generator
/// can fill (or is not written, as in unannotated Python).
pub fn parameter_types(language: Language, parameters: &[String]) -> Vec<Option<ArgType>> {
    let joined = parameters.join(", ");
    let texts: Vec<String> = match language {
        Language::Python => parameters
            .iter()
            .map(|parameter| {
                let without_default = parameter.split('=').next().unwrap_or("");
                without_default
                    .split_once(':')
                    .map_or(String::new(), |(_, ty)| ty.trim().to_string())
            })
            .collect(),
        Language::Java | Language::Cpp => c_style_param_types(&joined),
        Language::Go => go_param_types(&joined),
        Language::Rust => rust_param_types(&joined),
    };
    texts.iter().map(|text| arg_type(language, text)).collect()
}

fn arg_type(language: Language, text: &str) -> Option<ArgType> {
    let text = text.trim();
    let cleaned = clean(language, text);
    let (list, scalar_text) = match list_element(language, &cleaned) {
        Some(element) => (true, element),
        None => (false, cleaned.clone()),
    };
    if list && scalar(language, &scalar_text).is_none() {
        return nested(language, &cleaned, &scalar_text);
    }
    Some(ArgType {
        list,
        scalar: scalar(language, &scalar_text)?,
        scalar_text,
        type_text: cleaned,
        inner: None,
    })
}

/// A list of small containers of one scalar type: `element` is a tuple or
/// pair of one type, a fixed-size array, or a list.
fn nested(language: Language, type_text: &str, element: &str) -> Option<ArgType> {
    let element = element.trim();
    let tuple_parts = |inside: &str| -> Option<(usize, String)> {
        let parts: Vec<String> = crate::executor::driver::signature::split_top_level(inside, ',')
            .into_iter()
            .map(|part| part.trim().to_string())
            .filter(|part| !part.is_empty())
            .collect();
        let first = parts.first()?.clone();
        (parts.len() >= 2 && parts.iter().all(|part| *part == first))
            .then_some((parts.len(), first))
    };
    let strip = |prefix: &str, suffix: &str| {
        element
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .map(str::to_string)
    };
    let (len, tuple, scalar_text) = match language {
        Language::Python => {
            if let Some(inside) = strip("tuple[", "]") {
                let (len, scalar) = tuple_parts(&inside)?;
                (Some(len), true, scalar)
            } else {
                (None, false, list_element(language, element)?)
            }
        }
        Language::Go => match element.strip_prefix('[')?.split_once(']')? {
            ("", scalar) => (None, false, scalar.to_string()),
            (len, scalar) => (Some(len.parse().ok()?), false, scalar.to_string()),
        },
        Language::Java => (None, false, element.strip_suffix("[]")?.trim().to_string()),
        Language::Cpp => {
            if let Some(inside) = strip("std::pair<", ">").or_else(|| strip("pair<", ">")) {
                let (len, scalar) = tuple_parts(&inside)?;
                (Some(len), true, scalar)
            } else {
                (None, false, list_element(language, element)?)
            }
        }
        Language::Rust => {
            if let Some(inside) = strip("(", ")") {
                let (len, scalar) = tuple_parts(&inside)?;
                (Some(len), true, scalar)
            } else if let Some(inside) = strip("[", "]") {
                let (scalar, len) = inside.split_once(';')?;
                (
                    Some(len.trim().parse().ok()?),
                    false,
                    scalar.trim().to_string(),
                )
            } else {
                (None, false, list_element(language, element)?)
            }
        }
    };
    // Java's inner arrays must be arrays of a primitive or String, whose
    // literal is the same nested brace list.
    if language == Language::Java && !type_text.ends_with("[][]") {
        return None;
    }
    Some(ArgType {
        list: true,
        scalar: scalar(language, &scalar_text)?,
        scalar_text,
        type_text: type_text.to_string(),
        inner: Some(super::Inner {
            len,
            type_text: element.to_string(),
            tuple,
        }),
    })
}

/// The type without what does not change the values it holds.
fn clean(language: Language, text: &str) -> String {
    let mut text = text.replace("java.util.", "");
    if language == Language::Cpp {
        text = text
            .replace("const ", "")
            .replace('&', "")
            .trim()
            .to_string();
    }
    if language == Language::Java {
        text = text.replace("final ", "");
    }
    text.trim().to_string()
}

fn list_element(language: Language, text: &str) -> Option<String> {
    let inside = |prefix: &str, suffix: &str| {
        text.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .map(|element| element.trim().to_string())
    };
    match language {
        Language::Python => ["list[", "List[", "Sequence[", "Iterable[", "Collection["]
            .iter()
            .find_map(|prefix| inside(prefix, "]")),
        Language::Java => inside("", "[]").or_else(|| {
            ["List<", "ArrayList<", "Collection<", "Iterable<"]
                .iter()
                .find_map(|prefix| inside(prefix, ">"))
        }),
        Language::Cpp => inside("std::vector<", ">").or_else(|| inside("vector<", ">")),
        Language::Go => inside("[]", ""),
        Language::Rust => inside("&[", "]")
            .or_else(|| inside("&mut [", "]"))
            .or_else(|| inside("Vec<", ">"))
            .or_else(|| inside("&Vec<", ">")),
    }
}

fn scalar(language: Language, text: &str) -> Option<Scalar> {
    let kind = match language {
        Language::Python => match text {
            "int" => Scalar::Int,
            "float" => Scalar::Float,
            "bool" => Scalar::Bool,
            "str" => Scalar::Str,
            _ => return None,
        },
        Language::Java => match text {
            "int" | "long" | "short" | "Integer" | "Long" | "Short" => Scalar::Int,
            "double" | "Double" => Scalar::Float,
            "boolean" | "Boolean" => Scalar::Bool,
            "char" | "Character" => Scalar::Char,
            "String" => Scalar::Str,
            _ => return None,
        },
        Language::Cpp => match text {
            "int" | "long" | "long long" | "short" | "unsigned" | "unsigned int" | "size_t"
            | "std::size_t" | "int64_t" | "std::int64_t" | "int32_t" | "std::int32_t"
            | "uint64_t" | "std::uint64_t" => Scalar::Int,
            "double" => Scalar::Float,
            "bool" => Scalar::Bool,
            "char" => Scalar::Char,
            "std::string" | "string" => Scalar::Str,
            _ => return None,
        },
        Language::Go => match text {
            "int" | "int64" | "int32" | "uint" | "uint64" | "uint32" => Scalar::Int,
            "float64" => Scalar::Float,
            "bool" => Scalar::Bool,
            "string" => Scalar::Str,
            _ => return None,
        },
        Language::Rust => match text {
            "i32" | "i64" | "u32" | "u64" | "usize" | "isize" => Scalar::Int,
            "f64" => Scalar::Float,
            "bool" => Scalar::Bool,
            "char" => Scalar::Char,
            "String" | "&str" => Scalar::Str,
            _ => return None,
        },
    };
    Some(kind)
}

/// `value` of type `arg` as a source expression of `language`.
pub fn expression(language: Language, arg: &ArgType, value: &Value) -> String {
    match value {
        Value::List(items) if arg.inner.is_some() => {
            let items: Vec<String> = items
                .iter()
                .map(|item| inner_literal(language, arg, item))
                .collect();
            list_literal(language, arg, &items)
        }
        Value::List(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| scalar_text(language, arg, item))
                .collect();
            list_literal(language, arg, &items)
        }
        Value::Series {
            element,
            len,
            start,
            step,
        } => series(language, arg, *element, *len, *start, *step),
        Value::LongStr(len) => long_string(language, arg, *len),
        Value::Raw(text) => text.clone(),
        scalar => scalar_text(language, arg, scalar),
    }
}

fn scalar_text(language: Language, arg: &ArgType, value: &Value) -> String {
    match value {
        Value::Int(n) => {
            let n = if arg.unsigned() {
                n.saturating_abs()
            } else {
                *n
            };
            if n == i64::MIN {
                return min_i64(language);
            }
            match language {
                Language::Java if matches!(arg.scalar_text.as_str(), "long" | "Long") => {
                    format!("{n}L")
                }
                Language::Java if matches!(arg.scalar_text.as_str(), "short" | "Short") => {
                    format!("(short) {n}")
                }
                _ => n.to_string(),
            }
        }
        Value::Float(x) => float_text(language, *x),
        Value::Bool(b) => match (language, b) {
            (Language::Python, true) => "True".into(),
            (Language::Python, false) => "False".into(),
            (_, b) => b.to_string(),
        },
        Value::Char(c) => match language {
            Language::Python | Language::Go => format!("{:?}", c.to_string()),
            Language::Java => format!("'{}'", java_escaped(&c.to_string(), '\'')),
            _ => format!("{c:?}"),
        },
        Value::Str(s) => {
            let quoted = match language {
                Language::Java => format!("\"{}\"", java_escaped(s, '"')),
                _ => serde_json::to_string(s).expect("a string always serializes"),
            };
            match language {
                Language::Rust if arg.scalar_text == "String" => format!("{quoted}.to_string()"),
                Language::Cpp => format!("std::string({quoted})"),
                _ => quoted,
            }
        }
        other => expression(language, arg, other),
    }
}

fn list_literal(language: Language, arg: &ArgType, items: &[String]) -> String {
    let joined = items.join(", ");
    let element = &arg.scalar_text;
    match language {
        Language::Python => format!("[{joined}]"),
        Language::Java if arg.inner.is_some() => format!("new {element}[][]{{{joined}}}"),
        Language::Java if arg.type_text.ends_with("[]") => format!("new {element}[]{{{joined}}}"),
        Language::Java => {
            format!("new java.util.ArrayList<{element}>(java.util.Arrays.asList({joined}))")
        }
        Language::Cpp => match &arg.inner {
            Some(inner) => format!("std::vector<{}>{{{joined}}}", inner.type_text),
            None => format!("std::vector<{element}>{{{joined}}}"),
        },
        Language::Go => match &arg.inner {
            Some(inner) => format!("[]{}{{{joined}}}", inner.type_text),
            None => format!("[]{element}{{{joined}}}"),
        },
        // The driver declares each argument with its type, which types
        // the literal (an empty one included).
        Language::Rust => format!("{}vec![{joined}]", rust_borrow(&arg.type_text)),
    }
}

/// One element of a nested list: `(1, 2)`, `{1, 2}`, `[1, 2]`, `vec![1, 2]`.
fn inner_literal(language: Language, arg: &ArgType, value: &Value) -> String {
    let (Value::List(items) | Value::Tuple(items)) = value else {
        return scalar_text(language, arg, value);
    };
    let inner = arg.inner.as_ref().expect("a nested type");
    let joined = items
        .iter()
        .map(|item| scalar_text(language, arg, item))
        .collect::<Vec<_>>()
        .join(", ");
    match language {
        Language::Python if inner.tuple => {
            format!("({joined}{})", if items.len() == 1 { "," } else { "" })
        }
        Language::Python => format!("[{joined}]"),
        Language::Rust if inner.tuple => format!("({joined})"),
        Language::Rust if inner.len.is_some() => format!("[{joined}]"),
        Language::Rust => format!("vec![{joined}]"),
        // The outer literal's type gives the braces their meaning.
        Language::Go | Language::Java | Language::Cpp => format!("{{{joined}}}"),
    }
}

/// Element k of a series, in terms of the language's loop variable `k`.
fn series(
    language: Language,
    arg: &ArgType,
    element: Scalar,
    len: usize,
    start: i64,
    step: i64,
) -> String {
    let element_type = &arg.scalar_text;
    match language {
        Language::Python => {
            let range = format!("range({start}, {}, {step})", start + len as i64 * step);
            match element {
                Scalar::Int => format!("list({range})"),
                Scalar::Float => format!("[k + 0.5 for k in {range}]"),
                Scalar::Bool => format!("[k % 2 == 1 for k in {range}]"),
                Scalar::Str => format!("[f\"w{{k}}\" for k in {range}]"),
                Scalar::Char => format!("[chr(97 + k % 26) for k in {range}]"),
            }
        }
        Language::Java => {
            let value = format!("({start} + perforchK * {step})");
            let range = format!("java.util.stream.IntStream.range(0, {len})");
            let mapped = match element {
                Scalar::Int if matches!(element_type.as_str(), "long" | "Long") => {
                    format!("(long) {value}")
                }
                Scalar::Int if matches!(element_type.as_str(), "short" | "Short") => {
                    format!("(short) {value}")
                }
                Scalar::Int => value,
                Scalar::Float => format!("{value} + 0.5"),
                Scalar::Bool => format!("{value} % 2 == 1"),
                Scalar::Str => format!("\"w\" + {value}"),
                Scalar::Char => format!("(char) ('a' + {value} % 26)"),
            };
            if !arg.type_text.ends_with("[]") {
                return format!(
                    "{range}.mapToObj(perforchK -> {mapped}).collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new))"
                );
            }
            match element_type.as_str() {
                "int" => format!("{range}.map(perforchK -> {mapped}).toArray()"),
                "long" => format!("{range}.mapToLong(perforchK -> {mapped}).toArray()"),
                "double" => format!("{range}.mapToDouble(perforchK -> {mapped}).toArray()"),
                // Arrays of other primitives have no stream: written out.
                "short" | "boolean" => {
                    let items: Vec<String> = (0..len as i64)
                        .map(|k| match element {
                            Scalar::Bool => ((start + k * step) % 2 == 1).to_string(),
                            _ => format!("(short) {}", (start + k * step) % 32_768),
                        })
                        .collect();
                    format!("new {element_type}[]{{{}}}", items.join(", "))
                }
                _ => format!(
                    "{range}.mapToObj(perforchK -> {mapped}).toArray({element_type}[]::new)"
                ),
            }
        }
        Language::Cpp => {
            let value = format!("({start} + k * {step})");
            let item = match element {
                Scalar::Int => format!("static_cast<{element_type}>{value}"),
                Scalar::Float => format!("{value} + 0.5"),
                Scalar::Bool => format!("{value} % 2 == 1"),
                Scalar::Str => format!("\"w\" + std::to_string{value}"),
                Scalar::Char => format!("static_cast<char>('a' + {value} % 26)"),
            };
            format!(
                "[] {{ std::vector<{element_type}> v; v.reserve({len}); for (long long k = 0; k < {len}; ++k) v.push_back({item}); return v; }}()"
            )
        }
        Language::Go => {
            let value = format!("({start} + k*{step})");
            let item = match element {
                Scalar::Int => format!("{element_type}{value}"),
                Scalar::Float => format!("float64{value} + 0.5"),
                Scalar::Bool => format!("{value}%2 == 1"),
                Scalar::Char => format!("{element_type}('a' + {value}%26)"),
                // No imports in an argument: the digits are written by hand.
                Scalar::Str => format!(
                    "func(n int) string {{ s := \"\"; for {{ s = string(rune('0'+n%10)) + s; n /= 10; if n == 0 {{ break }} }}; return \"w\" + s }}{value}"
                ),
            };
            format!(
                "func() []{element_type} {{ v := make([]{element_type}, {len}); for k := range v {{ v[k] = {item} }}; return v }}()"
            )
        }
        Language::Rust => {
            let value = format!("({start} + k * {step})");
            let item = match element {
                Scalar::Int => format!("{value} as {element_type}"),
                Scalar::Float => format!("{value} as f64 + 0.5"),
                Scalar::Bool => format!("{value} % 2 == 1"),
                Scalar::Char => format!("(b'a' + ({value} % 26) as u8) as char"),
                Scalar::Str if element_type == "String" => format!("format!(\"w{{}}\", {value})"),
                // `&str` elements must outlive the call: leak them (a test driver's input).
                Scalar::Str => format!("&*Box::leak(format!(\"w{{}}\", {value}).into_boxed_str())"),
            };
            let collected =
                format!("(0..{len}i64).map(|k| {item}).collect::<Vec<{element_type}>>()");
            format!("{}{collected}", rust_borrow(&arg.type_text))
        }
    }
}

fn long_string(language: Language, arg: &ArgType, len: usize) -> String {
    let half = len / 2;
    match language {
        Language::Python => format!("\"ab\" * {half}"),
        Language::Java => format!("\"ab\".repeat({half})"),
        Language::Cpp => format!("std::string({len}, 'a')"),
        Language::Go => format!(
            "func() string {{ b := make([]byte, {len}); for k := range b {{ b[k] = 'a' + byte(k%26) }}; return string(b) }}()"
        ),
        Language::Rust if arg.scalar_text == "String" => format!("\"ab\".repeat({half})"),
        Language::Rust => format!("&*Box::leak(\"ab\".repeat({half}).into_boxed_str())"),
    }
}

/// A float literal; NaN, the infinities and -0.0 as each language spells
/// them (Go's driver imports `math`; C++'s includes `<cmath>`).
fn float_text(language: Language, x: f64) -> String {
    let special = |nan: &str, inf: &str| {
        if x.is_nan() {
            nan.to_string()
        } else if x > 0.0 {
            inf.to_string()
        } else {
            format!("-{inf}")
        }
    };
    if !x.is_finite() {
        return match language {
            Language::Python => special("float('nan')", "float('inf')"),
            Language::Java => special("Double.NaN", "Double.POSITIVE_INFINITY"),
            Language::Cpp => special("NAN", "INFINITY"),
            Language::Go => special("math.NaN()", "math.Inf(1)"),
            Language::Rust => special("f64::NAN", "f64::INFINITY"),
        };
    }
    if x == 0.0 && x.is_sign_negative() && language == Language::Go {
        // Go folds the constant -0.0 to +0.
        return "math.Copysign(0, -1)".into();
    }
    format!("{x:?}")
}

/// The smallest 64-bit integer, whose literal overflows before negation.
fn min_i64(language: Language) -> String {
    match language {
        Language::Python | Language::Go => i64::MIN.to_string(),
        Language::Java => "Long.MIN_VALUE".into(),
        Language::Cpp => "(-9223372036854775807LL - 1)".into(),
        Language::Rust => "i64::MIN".into(),
    }
}

/// Java source text of `text` inside `quote`s: non-ASCII as `\uXXXX`, so
/// the driver compiles whatever javac takes the source encoding to be.
fn java_escaped(text: &str, quote: char) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// `&`, `&mut ` or nothing, as the Rust parameter type borrows.
fn rust_borrow(type_text: &str) -> &'static str {
    if type_text.starts_with("&mut") {
        "&mut "
    } else if type_text.starts_with('&') {
        "&"
    } else {
        ""
    }
}
