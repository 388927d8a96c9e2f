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
        .map(|input| TestInput {
            args: input
                .args
                .iter()
                .map(|arg| with_definitions(arg, test_text))
                .collect(),
            ..input
        })
        .filter(|input| input.args.iter().all(|arg| is_closed(arg)))
        .collect()
}

/// `arg` with each name that `text` assigns a closed value to (a test's
/// `values = [3, 1, 2]`, a class's `static final double[] LATENCIES =
/// {120, 85}`, a Rust `const`, a Go `var`) replaced by that value, so a
/// call on a named value is an input too. The first closed definition of a
/// name is taken: whatever value a test really passed, this one is a value
/// of the right type, and the original is the oracle on it either way.
fn with_definitions(arg: &str, text: &str) -> String {
    let mut out = arg.to_string();
    for name in free_names(arg) {
        let Some(value) = definition(text, &name) else {
            continue;
        };
        // An operator between parts (`10 * 2`) needs brackets in the call.
        let simple = value.starts_with("new ") || split_top_level(&value, ' ').len() == 1;
        let value = if simple { value } else { format!("({value})") };
        out = crate::executor::driver::rename_identifier(&out, &name, &value);
    }
    out
}

/// Names in `arg` that could be variables: not after a `.`, not called,
/// not a path's first part, not a word of the languages.
fn free_names(arg: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for word in words(arg) {
        if !word.after_dot
            && !matches!(word.after, Some('(' | '!' | ':' | '.' | '<' | '{'))
            && !KNOWN_WORDS.contains(&word.text.as_str())
            && !names.contains(&word.text)
        {
            names.push(word.text);
        }
    }
    names
}

/// The value `text` first assigns to `name` in a declaration or an
/// assignment statement (`name = v`, `T name = v;`, `let name: T = v;`,
/// `var name = v`, `const NAME: T = v;`), when it is closed. A Java or C++
/// brace initialiser gets its declared type (`new double[] {..}`,
/// `std::vector<int>{..}`), which an argument needs.
fn definition(text: &str, name: &str) -> Option<String> {
    let mut search = 0;
    while let Some(found) = text[search..].find(name) {
        let start = search + found;
        let end = start + name.len();
        search = end;
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !boundary(text[..start].chars().next_back()) || !boundary(text[end..].chars().next()) {
            continue;
        }
        let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
        let before = &text[line_start..start];
        // Only modifiers and a type may stand before the name.
        if !before
            .chars()
            .all(|c| c.is_alphanumeric() || " \t_<>[],:&*".contains(c))
        {
            continue;
        }
        let mut rest = text[end..].trim_start();
        let mut annotation = None;
        if let Some(typed) = rest.strip_prefix(':')
            && !typed.starts_with(':')
        {
            // `name: [i64; 3] = ..`: the type ends at the `=`.
            let equals = typed.find('=')?;
            annotation = Some(typed[..equals].trim());
            rest = &typed[equals..];
        }
        let Some(value_start) = rest.strip_prefix('=').filter(|r| !r.starts_with('=')) else {
            continue;
        };
        let Some(value) = statement_value(value_start.trim_start()) else {
            continue;
        };
        let value = match (value.starts_with('{'), annotation) {
            (true, _) => format!("{}{value}", brace_type(before)?),
            // A Rust `let` whose type the value needs (`collect()`).
            (false, Some(annotation)) if before.trim_start().starts_with("let") => {
                format!("std::convert::identity::<{annotation}>({value})")
            }
            (false, _) => value,
        };
        if is_closed(&value) {
            return Some(value);
        }
    }
    None
}

/// The expression that starts `text` and ends its statement: at a `;`,
/// or at the end of a line, outside brackets and strings.
fn statement_value(text: &str) -> Option<String> {
    let mut depth = 0i32;
    for (offset, c) in code_chars(text) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ';' | '\n' if depth <= 0 => {
                let value = text[..offset].trim().trim_end_matches(',').trim();
                return (!value.is_empty()).then(|| value.to_string());
            }
            _ => {}
        }
        if depth < 0 {
            return None;
        }
    }
    None
}

/// The characters of `text` outside string and character literals (the
/// quotes left out too), with their byte offsets.
fn code_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    text.char_indices().filter(move |(_, c)| {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if *c == '\\' {
                escaped = true;
            } else if *c == q {
                quote = None;
            }
            return false;
        }
        if *c == '"' || *c == '\'' {
            quote = Some(*c);
            return false;
        }
        true
    })
}

/// The type a brace initialiser is written with, from the declaration's
/// words before the name: `new double[]` (Java array), or the C++ type.
fn brace_type(declaration: &str) -> Option<String> {
    const MODIFIERS: &[&str] = &[
        "private",
        "public",
        "protected",
        "static",
        "final",
        "const",
        "constexpr",
        "inline",
    ];
    let words: Vec<&str> = declaration
        .split_whitespace()
        .filter(|word| !MODIFIERS.contains(word))
        .collect();
    let type_text = words.join(" ");
    if type_text.is_empty() {
        return None;
    }
    Some(match type_text.ends_with("[]") {
        true => format!("new {type_text} "),
        false => type_text,
    })
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
    words(arg).into_iter().all(|word| {
        // `x.y` is a path when x is a type or a package; a local otherwise.
        let used_as_callee_or_path = matches!(word.after, Some('(' | '!' | ':' | '<' | '{'))
            || (word.after == Some('.') && PACKAGES.contains(&word.text.as_str()));
        word.after_dot
            || word.text.starts_with(char::is_uppercase)
            || used_as_callee_or_path
            || KNOWN_WORDS.contains(&word.text.as_str())
    })
}

/// An identifier of an expression, outside its string literals.
struct Word {
    text: String,
    /// It follows a `.` (a field or method of something).
    after_dot: bool,
    /// The first character after it that is not a space.
    after: Option<char>,
}

/// The identifiers of `arg` in order; numbers, with their suffixes
/// (`10L`, `1e5`, `3u64`), are not identifiers.
fn words(arg: &str) -> Vec<Word> {
    let chars: Vec<char> = arg.chars().collect();
    let mut out = Vec::new();
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
        } else if c.is_ascii_digit() {
            while i + 1 < chars.len()
                && (chars[i + 1].is_alphanumeric() || chars[i + 1] == '.' || chars[i + 1] == '_')
            {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Word {
                text: chars[start..i].iter().collect(),
                after_dot: start > 0 && chars[start - 1] == '.',
                after: chars[i..].iter().find(|c| !c.is_whitespace()).copied(),
            });
            continue;
        }
        i += 1;
    }
    out
}

fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, c) in code_chars(&text[open..]) {
        match c {
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

    /// The argument lists of the test calls of `name` in `text`.
    fn args_of(text: &str, name: &str, qualifiers: &[&str]) -> Vec<Vec<String>> {
        test_call_inputs(text, name, qualifiers)
            .into_iter()
            .map(|input| input.args)
            .collect()
    }

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
    fn closed_calls_in_tests_become_inputs_and_unknown_names_do_not() {
        let java = r#"
    public static String idLine(String id, int width) { return id; }
    @Test void pads() {
        assertEquals("a  ", Receipt.idLine("a", 3));
        String id = make();
        assertEquals("x", Receipt.idLine(id, 3));
        assertEquals("b", Other.idLine("b", 1));
        assertEquals("c", idLine(new String("c"), Integer.MAX_VALUE));
    }"#;
        let args = args_of(java, "idLine", &["Receipt"]);
        assert_eq!(
            args,
            vec![
                vec!["\"a\"".to_string(), "3".into()],
                // A local the test computes: its computation, as any call.
                vec!["make()".into(), "3".into()],
                vec!["new String(\"c\")".into(), "Integer.MAX_VALUE".into()],
            ]
        );
        let rust = "fn count_pairs(xs: &[i64], target: i64) -> usize { 0 }\n#[test]\nfn t() {\n    assert_eq!(count_pairs(&[1, 2, 3], 4), 1);\n    let v: Vec<i64> = (0..20_000).collect();\n    assert_eq!(count_pairs(&v, 5), 3);\n    assert_eq!(count_pairs(&(0..10).collect::<Vec<i64>>(), -1), 0);\n}";
        let args = args_of(rust, "count_pairs", &[]);
        assert_eq!(
            args,
            vec![
                vec!["&[1, 2, 3]".to_string(), "4".into()],
                vec![
                    "&std::convert::identity::<Vec<i64>>((0..20_000).collect())".into(),
                    "5".into()
                ],
                vec!["&(0..10).collect::<Vec<i64>>()".into(), "-1".into()],
            ]
        );
        let python = "def test_dedupe():\n    assert dedupe([1, 1, 2]) == [1, 2]\n    items = list(range(5))\n    assert dedupe(items) == items\n    assert dedupe([x for x in 'aab']) == ['a', 'b']\n    assert dedupe(fetch()) == []\n    assert dedupe(rows) == []\n";
        let args = args_of(python, "dedupe", &[]);
        assert_eq!(
            args,
            vec![
                vec!["[1, 1, 2]".to_string()],
                vec!["list(range(5))".to_string()],
                vec!["[x for x in 'aab']".to_string()],
                vec!["fetch()".to_string()],
            ]
        );
    }

    #[test]
    fn names_the_tests_define_are_replaced_by_their_values() {
        let java = "class StatsTest {\n    private static final double[] LATENCIES = {120, 85, 300};\n\n    @Test\n    void median() {\n        assertEquals(110, Stats.percentile(LATENCIES, 50), 1e-9);\n        double[] values = {3, 1, 2};\n        Stats.percentile(values, 50);\n        Stats.percentile(load(), 50);\n    }\n}\n";
        let args = args_of(java, "percentile", &["Stats"]);
        assert_eq!(
            args,
            vec![
                vec!["new double[] {120, 85, 300}".to_string(), "50".into()],
                vec!["new double[] {3, 1, 2}".to_string(), "50".into()],
                vec!["load()".to_string(), "50".into()],
            ]
        );
        let rust = "const READINGS: [i64; 3] = [4, -1, 7];\n#[test]\nfn t() {\n    let window = 2;\n    assert_eq!(smooth(&READINGS, window), vec![1]);\n}\n";
        assert_eq!(
            test_call_inputs(rust, "smooth", &[])[0].args,
            vec!["&[4, -1, 7]".to_string(), "2".into()]
        );
        let go = "var cases = []struct{ in string }{{\"a\"}}\nfunc TestF(t *testing.T) {\n\tfor _, c := range cases {\n\t\tF(c.in)\n\t}\n\tlimit := 10 * 2\n\tF2(limit)\n}\n";
        assert_eq!(
            test_call_inputs(go, "F2", &[])[0].args,
            vec!["(10 * 2)".to_string()]
        );
        assert!(test_call_inputs(go, "F", &[]).is_empty());
    }
}
