//! Argument expressions read back as values, when they are plain literals
//! (`[1, -2, 3]`, `"a=b"`, `vec![1, 2]`, `new int[]{1, 2}`,
//! `std::vector<int>{1, 2}`, `[]int{1, 2}`, `List.of("a")`...). The
//! small-scope generator grows its inputs from these: an untyped Python
//! parameter gets the type its examples show, and the pieces of example
//! strings join the alphabet strings are drawn from.

use crate::builtin::inputs::{ArgType, Scalar, Value};
use crate::executor::driver::signature::split_top_level;

/// The value `expression` spells, if it is a literal of a scalar, a string
/// or a flat list of them.
pub fn literal_value(expression: &str) -> Option<Value> {
    let text = strip_wrappers(expression.trim());
    if let Some(inner) = list_body(text) {
        let inner = inner.trim();
        if inner.is_empty() {
            return Some(Value::List(Vec::new()));
        }
        let items: Option<Vec<Value>> = split_top_level(inner, ',')
            .into_iter()
            .filter(|item| !item.trim().is_empty())
            .map(|item| scalar_literal(strip_wrappers(item.trim())))
            .collect();
        return items.map(Value::List);
    }
    scalar_literal(text)
}

/// The type an untyped parameter's examples show, Python spelling (only
/// Python leaves parameter types unwritten): the one most examples agree
/// on (ints and floats together are floats), `None` when none shows one.
pub fn python_type_of(values: &[&Value]) -> Option<ArgType> {
    let mut counts: Vec<((bool, Scalar), usize)> = Vec::new();
    for value in values {
        let shape = match value {
            Value::List(items) => match items.first() {
                Some(first) => (true, scalar_of(first)?),
                // An empty list says nothing about its elements.
                None => continue,
            },
            other => (false, scalar_of(other)?),
        };
        let shape = (
            shape.0,
            if shape.1 == Scalar::Char {
                Scalar::Str
            } else {
                shape.1
            },
        );
        match counts.iter_mut().find(|(known, _)| *known == shape) {
            Some((_, count)) => *count += 1,
            None => counts.push((shape, 1)),
        }
    }
    let numbers = [Scalar::Int, Scalar::Float];
    let floats_too = counts
        .iter()
        .any(|((_, scalar), _)| *scalar == Scalar::Float);
    let ((list, mut scalar), _) = counts.iter().max_by_key(|(_, count)| *count).copied()?;
    if floats_too && numbers.contains(&scalar) {
        scalar = Scalar::Float;
    }
    let scalar_text = match scalar {
        Scalar::Int => "int",
        Scalar::Float => "float",
        Scalar::Bool => "bool",
        Scalar::Str | Scalar::Char => "str",
    };
    Some(ArgType {
        inner: None,
        list,
        scalar,
        scalar_text: scalar_text.to_string(),
        type_text: if list {
            format!("list[{scalar_text}]")
        } else {
            scalar_text.to_string()
        },
    })
}

fn scalar_of(value: &Value) -> Option<Scalar> {
    match value {
        Value::Int(_) => Some(Scalar::Int),
        Value::Float(_) => Some(Scalar::Float),
        Value::Bool(_) => Some(Scalar::Bool),
        Value::Str(_) => Some(Scalar::Str),
        Value::Char(_) => Some(Scalar::Char),
        _ => None,
    }
}

/// What does not change the value: borrows, `.to_string()`, `String::from`,
/// `std::string(...)`, Java's `(long)` casts.
fn strip_wrappers(text: &str) -> &str {
    let mut text = text.trim();
    loop {
        let before = text;
        text = text
            .strip_prefix("&mut ")
            .or_else(|| text.strip_prefix('&'))
            .unwrap_or(text)
            .trim();
        for suffix in [
            ".to_string()",
            ".to_owned()",
            ".into()",
            "L",
            "LL",
            "f64",
            "i64",
            "i32",
            "u64",
            "u32",
            "usize",
        ] {
            if let Some(stripped) = text.strip_suffix(suffix)
                && !stripped.is_empty()
                && (suffix.len() > 3 || stripped.ends_with(|c: char| c.is_ascii_digit()))
            {
                text = stripped;
            }
        }
        for (open, close) in [
            ("String::from(", ")"),
            ("std::string(", ")"),
            ("string(", ")"),
        ] {
            if let Some(inner) = text.strip_prefix(open).and_then(|t| t.strip_suffix(close)) {
                text = inner.trim();
            }
        }
        if text == before {
            return text;
        }
    }
}

/// The element text of a list literal in any of the five languages.
fn list_body(text: &str) -> Option<&str> {
    fn inside(open: char, close: char, text: &str) -> Option<&str> {
        let start = text.find(open)?;
        let prefix = text[..start].trim();
        let body = text[start + 1..].strip_suffix(close)?;
        let known_prefix = prefix.is_empty()
            || prefix == "vec!"
            || prefix.starts_with("new ") && prefix.ends_with("[]")
            || prefix.starts_with("[]")
            || prefix.starts_with("std::vector<")
            || prefix.starts_with("vector<")
            || [
                "List.of",
                "Arrays.asList",
                "Set.of",
                "java.util.List.of",
                "java.util.Arrays.asList",
            ]
            .contains(&prefix);
        known_prefix.then_some(body)
    }
    inside('[', ']', text)
        .or_else(|| inside('{', '}', text))
        .or_else(|| inside('(', ')', text).filter(|_| !text.starts_with('(')))
}

fn scalar_literal(text: &str) -> Option<Value> {
    let text = strip_wrappers(text);
    match text {
        "True" | "true" => return Some(Value::Bool(true)),
        "False" | "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(string) = string_literal(text) {
        return Some(string);
    }
    let digits = text.replace('_', "");
    if let Ok(n) = digits.parse::<i64>() {
        return Some(Value::Int(n));
    }
    if digits.contains(['.', 'e', 'E'])
        && let Ok(x) = digits.parse::<f64>()
        && x.is_finite()
    {
        return Some(Value::Float(x));
    }
    None
}

fn string_literal(text: &str) -> Option<Value> {
    let quote = text.chars().next()?;
    if !matches!(quote, '"' | '\'') || text.len() < 2 || !text.ends_with(quote) {
        return None;
    }
    let body = &text[1..text.len() - 1];
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == quote {
            return None; // two literals, or a quote we cannot read
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            escaped @ ('\\' | '"' | '\'') => out.push(escaped),
            _ => return None,
        }
    }
    // 'x' is a char in Java, C++ and Rust, a string in Python.
    if quote == '\'' && out.chars().count() == 1 {
        return Some(Value::Char(out.chars().next()?));
    }
    Some(Value::Str(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_of_every_language_read_back() {
        let ints = Value::List(vec![Value::Int(1), Value::Int(-2), Value::Int(3)]);
        for text in [
            "[1, -2, 3]",
            "vec![1, -2, 3]",
            "&vec![1, -2, 3]",
            "&[1, -2, 3]",
            "new int[]{1, -2, 3}",
            "new long[]{1L, -2L, 3L}",
            "std::vector<int>{1, -2, 3}",
            "[]int{1, -2, 3}",
            "List.of(1, -2, 3)",
        ] {
            assert_eq!(literal_value(text), Some(ints.clone()), "{text}");
        }
        assert_eq!(
            literal_value(r#"["a=b", "x"]"#),
            Some(Value::List(vec![
                Value::Str("a=b".into()),
                Value::Str("x".into())
            ]))
        );
        assert_eq!(
            literal_value(r#""k = v\n".to_string()"#),
            Some(Value::Str("k = v\n".into()))
        );
        assert_eq!(literal_value("'('"), Some(Value::Char('(')));
        assert_eq!(literal_value("2.5"), Some(Value::Float(2.5)));
        assert_eq!(literal_value("xs"), None);
        assert_eq!(literal_value("[[1, 2], [3]]"), None);
        assert_eq!(literal_value("make_items(3)"), None);
    }

    #[test]
    fn untyped_parameters_take_the_type_their_examples_show() {
        let a = literal_value("[3, 1, 3]").unwrap();
        let empty = literal_value("[]").unwrap();
        let words = literal_value("['a', 'bb']").unwrap();
        let typed = python_type_of(&[&empty, &a]).unwrap();
        assert!(typed.list && typed.scalar == Scalar::Int);
        // Disagreeing examples: the type most of them show.
        let more = literal_value("[2]").unwrap();
        assert_eq!(
            python_type_of(&[&a, &words, &more]).unwrap().scalar,
            Scalar::Int
        );
        let two = literal_value("2").unwrap();
        let half = literal_value("0.5").unwrap();
        assert_eq!(
            python_type_of(&[&two, &half]).unwrap().scalar,
            Scalar::Float
        );
        assert_eq!(python_type_of(&[&empty]), None);
    }
}
