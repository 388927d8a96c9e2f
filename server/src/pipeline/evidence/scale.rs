//! Inputs made larger along their own shapes, so that the function is
//! timed on work rather than on fixed costs. A list argument is repeated
//! end to end, written as an expression of the language (a thousand
//! copies cost the driver's source no more than one). A text argument
//! written as a literal grows copy by copy, every other copy with its
//! words numbered, so that it keeps both repeats and ever more distinct
//! words, as a longer real text of that shape does; lines stay lines.
//! Scalars stay as they are (a count, a target, a window): growing them
//! could change what the call means or make an exponential function run
//! for ever.

use crate::builtin::inputs::{ArgType, Scalar, Value, expression};
use crate::language::Language;

use super::literals::literal_value;
use super::{InputSource, TestInput};

/// The longest text this writes out, in bytes.
const MAX_TEXT: usize = 1 << 20;
/// The longest string literal written in a Java driver (a class file
/// holds constants of at most 64 KiB).
const JAVA_CHUNK: usize = 30_000;

/// `input` with every list and text argument repeated `copies` times;
/// `None` when it has none, or an argument of a type this cannot repeat.
/// `types` are the function's parameters; a method's input starts with
/// its object (`on_object`), which stays as it is.
pub fn scaled(
    language: Language,
    types: &[ArgType],
    on_object: bool,
    input: &TestInput,
    copies: usize,
) -> Option<TestInput> {
    let skip = usize::from(on_object);
    if input.args.len() != types.len() + skip {
        return None;
    }
    let mut args = input.args.clone();
    let mut grew = false;
    for (arg, expression) in types.iter().zip(args.iter_mut().skip(skip)) {
        if !arg.list && arg.scalar != Scalar::Str {
            continue;
        }
        *expression = repeated(language, arg, expression, copies)?;
        grew = true;
    }
    grew.then_some(TestInput {
        args,
        source: InputSource::Scaled,
    })
}

/// `expression` (a list or a text of type `arg`) repeated `copies` times.
fn repeated(language: Language, arg: &ArgType, expression: &str, copies: usize) -> Option<String> {
    let text = !arg.list;
    if text && let Some(Value::Str(example)) = literal_value(expression) {
        // At most MAX_TEXT: asked for more, the text stops growing there.
        let copies = copies.min(MAX_TEXT / (example.len() + 1)).max(1);
        return Some(text_literal(language, arg, &grown_text(&example, copies)));
    }
    let type_text = arg.type_text.trim();
    Some(match language {
        Language::Python if text => format!("\" \".join([{expression}] * {copies})"),
        Language::Python => format!("({expression}) * {copies}"),
        Language::Java if text => format!("(({expression}) + \" \").repeat({copies})"),
        Language::Java => java_repeated(type_text, expression, copies)?,
        Language::Go if text => format!("strings.Repeat(({expression})+\" \", {copies})"),
        Language::Go => format!(
            "func() {type_text} {{ s := {expression}; out := make({type_text}, 0, len(s)*{copies}); for k := 0; k < {copies}; k++ {{ out = append(out, s...) }}; return out }}()"
        ),
        Language::Rust => {
            let (borrow, owned) = match expression.strip_prefix('&') {
                Some(rest) => ("&", rest.trim_start().trim_start_matches("mut ")),
                None => ("", expression),
            };
            if borrow.is_empty() != !type_text.starts_with('&') {
                return None;
            }
            let grown = if text {
                format!("vec![{owned}; {copies}].join(\" \")")
            } else {
                format!("std::iter::repeat({owned}).take({copies}).flatten().collect::<Vec<_>>()")
            };
            match type_text.starts_with("&mut") {
                true => format!("&mut {grown}"),
                false => format!("{borrow}{grown}"),
            }
        }
        Language::Cpp => {
            let owned = cpp_value_type(type_text)?;
            let separator = if text { " out += ' ';" } else { "" };
            format!(
                "[&]{{ {owned} s = {expression}; {owned} out; for (int k = 0; k < {copies}; ++k) {{ out.insert(out.end(), s.begin(), s.end());{separator} }} return out; }}()"
            )
        }
    })
}

/// `copies` copies of `example`, on lines of their own when it has lines,
/// every other copy with its words numbered (see the module).
pub fn grown_text(example: &str, copies: usize) -> String {
    let separator = if example.contains('\n') { "\n" } else { " " };
    (0..copies)
        .map(|copy| match copy % 2 {
            0 => example.to_string(),
            _ => number_words(example, copy),
        })
        .collect::<Vec<_>>()
        .join(separator)
}

/// `text` with `n` after each run of ASCII letters.
fn number_words(text: &str, n: usize) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c.is_ascii_alphabetic() && !chars.peek().is_some_and(char::is_ascii_alphabetic) {
            out.push_str(&n.to_string());
        }
    }
    out
}

/// `text` as a string expression of type `arg`; in Java, a long text is
/// appended piece by piece, since no single constant may hold it.
fn text_literal(language: Language, arg: &ArgType, text: &str) -> String {
    let literal = |piece: &str| expression(language, arg, &Value::Str(piece.to_string()));
    if language != Language::Java || text.len() <= JAVA_CHUNK {
        return literal(text);
    }
    let mut appends = String::from("new StringBuilder()");
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(JAVA_CHUNK);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        appends.push_str(&format!(".append({})", literal(&rest[..cut])));
        rest = &rest[cut..];
    }
    appends + ".toString()"
}

/// A Java list or array repeated: `List`s through a stream of copies,
/// arrays of `int`, `long`, `double` and of objects likewise; other
/// primitive arrays have no stream and are left alone.
fn java_repeated(type_text: &str, expression: &str, copies: usize) -> Option<String> {
    let copies_of = format!(
        "java.util.stream.IntStream.range(0, {copies}).mapToObj(perforchK -> {expression})"
    );
    let Some(element) = type_text.strip_suffix("[]") else {
        return Some(format!(
            "{copies_of}.flatMap(java.util.Collection::stream).collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new))"
        ));
    };
    Some(match element.trim() {
        "int" => format!("{copies_of}.flatMapToInt(java.util.Arrays::stream).toArray()"),
        "long" => format!("{copies_of}.flatMapToLong(java.util.Arrays::stream).toArray()"),
        "double" => format!("{copies_of}.flatMapToDouble(java.util.Arrays::stream).toArray()"),
        "char" | "short" | "byte" | "float" | "boolean" => return None,
        other => format!("{copies_of}.flatMap(java.util.Arrays::stream).toArray({other}[]::new)"),
    })
}

/// The owned container type of a C++ parameter (`const std::vector<int>&`
/// is `std::vector<int>`); `None` for views and pointers, which would
/// point into the temporary this builds.
fn cpp_value_type(type_text: &str) -> Option<String> {
    let bare = type_text
        .trim_end_matches(['&', ' '])
        .trim_start_matches("const ")
        .trim();
    let owned = bare.contains("vector") || bare.contains("deque") || bare.contains("string");
    (owned && !bare.contains("view") && !bare.contains('*')).then(|| bare.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(list: bool, scalar: Scalar, type_text: &str) -> ArgType {
        ArgType {
            list,
            scalar,
            scalar_text: String::new(),
            type_text: type_text.into(),
            inner: None,
        }
    }

    fn input(args: &[&str]) -> TestInput {
        TestInput {
            args: args.iter().map(|a| a.to_string()).collect(),
            source: InputSource::TestCall,
        }
    }

    #[test]
    fn lists_and_texts_grow_and_scalars_stay() {
        let types = [
            arg(true, Scalar::Int, "list"),
            arg(false, Scalar::Int, "int"),
        ];
        let grown = scaled(Language::Python, &types, false, &input(&["[3, 1]", "4"]), 8).unwrap();
        assert_eq!(grown.args, ["([3, 1]) * 8", "4"]);
        assert_eq!(grown.source, InputSource::Scaled);
        let text = [arg(false, Scalar::Str, "str")];
        let grown = scaled(
            Language::Python,
            &text,
            false,
            &input(&["'a = 1\\nb = 2'"]),
            3,
        )
        .unwrap();
        assert_eq!(
            grown.args,
            ["\"a = 1\\nb = 2\\na1 = 1\\nb1 = 2\\na = 1\\nb = 2\""]
        );
        // A text that is not a literal is repeated as it is.
        let grown = scaled(Language::Python, &text, false, &input(&["name * 2"]), 3).unwrap();
        assert_eq!(grown.args, ["\" \".join([name * 2] * 3)"]);
        // Nothing to grow: a function of numbers only.
        assert_eq!(
            scaled(Language::Python, &types[1..], false, &input(&["30"]), 8),
            None
        );
    }

    #[test]
    fn a_methods_object_stays_as_it_is() {
        let types = [arg(true, Scalar::Int, "list")];
        let grown = scaled(
            Language::Python,
            &types,
            true,
            &input(&["Cart()", "[1]"]),
            2,
        )
        .unwrap();
        assert_eq!(grown.args, ["Cart()", "([1]) * 2"]);
    }

    #[test]
    fn each_language_writes_the_repetition_for_its_types() {
        let rust = arg(true, Scalar::Int, "&[i64]");
        assert_eq!(
            repeated(Language::Rust, &rust, "&vec![1, 2]", 4).unwrap(),
            "&std::iter::repeat(vec![1, 2]).take(4).flatten().collect::<Vec<_>>()"
        );
        let rust_text = arg(false, Scalar::Str, "&str");
        assert_eq!(
            repeated(Language::Rust, &rust_text, "\"a b\"", 2).unwrap(),
            "\"a b a1 b1\""
        );
        assert_eq!(
            repeated(Language::Rust, &rust_text, "&name", 2).unwrap(),
            "&vec![name; 2].join(\" \")"
        );
        let cpp = arg(true, Scalar::Int, "const std::vector<int>&");
        assert!(
            repeated(Language::Cpp, &cpp, "{1, 2}", 2)
                .unwrap()
                .starts_with("[&]{ std::vector<int> s = {1, 2};")
        );
        let view = arg(false, Scalar::Str, "std::string_view");
        assert_eq!(repeated(Language::Cpp, &view, "text", 2), None);
        let java_text = arg(false, Scalar::Str, "String");
        let long = repeated(Language::Java, &java_text, "\"one two\"", 20_000).unwrap();
        assert!(
            long.starts_with("new StringBuilder().append(\"one two one1 two1"),
            "{}",
            &long[..60]
        );
        let java = arg(true, Scalar::Float, "double[]");
        assert!(
            repeated(Language::Java, &java, "new double[]{1.5}", 2)
                .unwrap()
                .ends_with("flatMapToDouble(java.util.Arrays::stream).toArray()")
        );
        let go = arg(true, Scalar::Int, "[][2]int");
        assert!(
            repeated(Language::Go, &go, "[][2]int{{1, 2}}", 2)
                .unwrap()
                .starts_with("func() [][2]int { s := [][2]int{{1, 2}};")
        );
    }
}
