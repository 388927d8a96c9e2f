//! Calls of the function written in text: doc comments and test bodies.

use super::{InputSource, TestInput};
use crate::executor::driver::signature::split_top_level;

/// Calls of `name` written in a doc comment (doctests, `assert f(x) == y`,
/// `{@code f(1)}`...): the argument text of each call becomes an input.
pub fn doc_example_inputs(doc: &str, name: &str) -> Vec<TestInput> {
    calls_in_text(doc, name, &[], InputSource::DocExample)
}

/// Calls of `name` written in test code (`assert_eq!(f(..), ..)`,
/// `assert f(..) == ..`, `assertEquals(.., C.f(..))`, `EXPECT_EQ(f(..), ..)`,
/// a Go table's call): inputs, when every argument is closed (literals and
/// constructors; a test's local variables mean nothing outside it).
/// `qualifiers` may stand before the name (`Receipt.idLine(`, `csv::f(`).
pub fn test_call_inputs(test_text: &str, name: &str, qualifiers: &[&str]) -> Vec<TestInput> {
    calls_in_text(test_text, name, qualifiers, InputSource::TestCall)
        .into_iter()
        .filter(|input| input.args.iter().all(|arg| is_closed(arg)))
        .collect()
}

fn calls_in_text(
    text: &str,
    name: &str,
    qualifiers: &[&str],
    source: InputSource,
) -> Vec<TestInput> {
    let mut inputs: Vec<TestInput> = Vec::new();
    let mut search = 0;
    let needle = format!("{name}(");
    while let Some(found) = text[search..].find(&needle) {
        let start = search + found;
        search = start + needle.len();
        let is_call = match source {
            // Docs hold calls and signatures, rarely other definitions.
            InputSource::DocExample => {
                !is_signature(text, start) && {
                    let before = text[..start].chars().next_back();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                }
            }
            _ => call_may_start_here(text, start, qualifiers),
        };
        if !is_call {
            continue;
        }
        let Some(close) = matching_paren(text, search - 1) else {
            continue;
        };
        let inner = text[search..close].trim();
        let args: Vec<String> = if inner.is_empty() {
            Vec::new()
        } else {
            split_top_level(inner, ',')
                .into_iter()
                .map(|arg| arg.trim().to_string())
                .collect()
        };
        let input = TestInput { args, source };
        if !inputs.contains(&input) {
            inputs.push(input);
        }
        search = close + 1;
    }
    inputs
}

/// A signature line (`def f(xs: list)`) is not a call.
fn is_signature(text: &str, start: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let line_prefix = text[line_start..start].trim();
    ["def", "fn", "func", "pub fn"]
        .iter()
        .any(|k| line_prefix.ends_with(k))
}

/// Is `text[start..]` (the name) a call, not a longer name, a method of
/// something else, or a definition (`def f(`, `int f(`, `fn f(`)?
fn call_may_start_here(text: &str, start: usize, qualifiers: &[&str]) -> bool {
    let before = &text[..start];
    let qualified = |separator: &str| {
        before
            .strip_suffix(separator)
            .is_some_and(|rest| qualifiers.iter().any(|q| ends_with_word(rest, q)))
    };
    if before.ends_with('.') || before.ends_with("::") {
        return qualified(".") || qualified("::");
    }
    if before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
    {
        return false;
    }
    // The word before, on the same line: a keyword that leads a
    // definition, or a type (`int f(`, `String f(`), makes it one.
    let line = &before[before.rfind('\n').map_or(0, |n| n + 1)..];
    let trimmed = line.trim_end();
    if trimmed.len() == line.len() {
        return true; // `(f(`, `=f(`, `,f(`...
    }
    let word: String = trimmed
        .chars()
        .rev()
        .take_while(|c| {
            c.is_alphanumeric() || *c == '_' || *c == '>' || *c == ']' || *c == '&' || *c == '*'
        })
        .collect();
    // `>>> f(` (a doctest prompt) has no word before the call.
    !word.chars().any(char::is_alphanumeric)
        || matches!(
            word.chars().rev().collect::<String>().as_str(),
            "return"
                | "await"
                | "yield"
                | "assert"
                | "in"
                | "not"
                | "and"
                | "or"
                | "else"
                | "print"
                | "go"
                | "defer"
        )
}

fn ends_with_word(text: &str, word: &str) -> bool {
    text.strip_suffix(word).is_some_and(|rest| {
        !rest
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Words an argument expression may use that are not variables.
const KNOWN_WORDS: &[&str] = &[
    "true",
    "false",
    "True",
    "False",
    "None",
    "null",
    "nil",
    "nullptr",
    "new",
    "int",
    "long",
    "double",
    "float",
    "char",
    "bool",
    "boolean",
    "byte",
    "short",
    "string",
    "str",
    "usize",
    "isize",
    "i8",
    "i16",
    "i32",
    "i64",
    "u8",
    "u16",
    "u32",
    "u64",
    "f32",
    "f64",
    "auto",
    "const",
    "std",
    "vec",
    "mut",
    "as",
    "range",
    "len",
    "list",
    "dict",
    "set",
    "tuple",
    "map",
    "make",
    "unsigned",
    "size_t",
    "uint",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "rune",
    "for",
    "if",
    "in",
    "k",
    "x",
    "i",
    "lambda",
    "func",
    "return",
    "struct",
    "interface",
    "any",
    "var",
    "let",
    "fn",
    "move",
    "chr",
    "ord",
    "sorted",
    "reversed",
    "is",
    "not",
    "and",
    "or",
    "e",
];

/// Lower-case names before a `.` that are packages, not variables.
const PACKAGES: &[&str] = &[
    "strings",
    "strconv",
    "math",
    "sort",
    "bytes",
    "unicode",
    "java",
    "std",
    "itertools",
    "string",
    "collections",
    "slices",
];

/// No free variable: every identifier is a literal word, a call, a path,
/// a macro, a type, or a name the expression binds itself.
pub(super) fn is_closed(arg: &str) -> bool {
    let chars: Vec<char> = arg.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            if c == '\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == '"' || c == '\'' || c == '`' {
            quote = Some(c);
            i += 1;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let after = chars[i..].iter().find(|c| !c.is_whitespace()).copied();
            let after_dot = start > 0 && chars[start - 1] == '.';
            let starts_upper = word.chars().next().is_some_and(char::is_uppercase);
            // `x.y` is a path when x is a type or a package; a local otherwise.
            let used_as_callee_or_path = matches!(after, Some('(' | '!' | ':' | '<' | '{'))
                || (after == Some('.') && PACKAGES.contains(&word.as_str()));
            if !(after_dot
                || starts_upper
                || used_as_callee_or_path
                || KNOWN_WORDS.contains(&word.as_str()))
            {
                return false;
            }
            continue;
        }
        // A number's suffix (`10L`, `1e5`, `3u64`) is part of the number.
        if c.is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '.' || chars[i] == '_')
            {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    true
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
    fn closed_calls_in_tests_become_inputs_and_locals_do_not() {
        let java = r#"
    public static String idLine(String id, int width) { return id; }
    @Test void pads() {
        assertEquals("a  ", Receipt.idLine("a", 3));
        String id = make();
        assertEquals("x", Receipt.idLine(id, 3));
        assertEquals("b", Other.idLine("b", 1));
        assertEquals("c", idLine(new String("c"), Integer.MAX_VALUE));
    }"#;
        let args: Vec<Vec<String>> = test_call_inputs(java, "idLine", &["Receipt"])
            .into_iter()
            .map(|input| input.args)
            .collect();
        assert_eq!(
            args,
            vec![
                vec!["\"a\"".to_string(), "3".into()],
                vec!["new String(\"c\")".into(), "Integer.MAX_VALUE".into()],
            ]
        );
        let rust = "fn count_pairs(xs: &[i64], target: i64) -> usize { 0 }\n#[test]\nfn t() {\n    assert_eq!(count_pairs(&[1, 2, 3], 4), 1);\n    let v: Vec<i64> = (0..20_000).collect();\n    assert_eq!(count_pairs(&v, 5), 3);\n    assert_eq!(count_pairs(&(0..10).collect::<Vec<i64>>(), -1), 0);\n}";
        let args: Vec<Vec<String>> = test_call_inputs(rust, "count_pairs", &[])
            .into_iter()
            .map(|input| input.args)
            .collect();
        assert_eq!(
            args,
            vec![
                vec!["&[1, 2, 3]".to_string(), "4".into()],
                vec!["&(0..10).collect::<Vec<i64>>()".into(), "-1".into()],
            ]
        );
        let python = "def test_dedupe():\n    assert dedupe([1, 1, 2]) == [1, 2]\n    items = list(range(5))\n    assert dedupe(items) == items\n    assert dedupe([x for x in 'aab']) == ['a', 'b']\n";
        assert_eq!(test_call_inputs(python, "dedupe", &[]).len(), 2);
    }
}
