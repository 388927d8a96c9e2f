//! Just enough signature parsing for the drivers: find a function's
//! parameter list and return type in C-family / Go / Rust source text.

use crate::executor::source_scan::blank_comments_and_literals;

/// Split at `separator` where no bracket of any kind is open, outside
/// string and character literals (`f({"a", "b"}, ',')` has two arguments).
pub fn split_top_level(text: &str, separator: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        let literal_end = match c {
            '"' => closing_quote(&chars, index, '"'),
            // A Rust lifetime (`'a`) is no character literal: only `'x'`
            // and escapes such as `'\n'` are.
            '\'' => closing_quote(&chars, index, '\'')
                .filter(|end| *end == index + 2 || chars[index + 1] == '\\'),
            _ => None,
        };
        if let Some(end) = literal_end {
            current.extend(&chars[index..=end]);
            index = end + 1;
            continue;
        }
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth -= 1,
            _ => {}
        }
        if c == separator && depth == 0 {
            parts.push(current.trim().to_string());
            current.clear();
        } else {
            current.push(c);
        }
        index += 1;
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_string());
    }
    parts
}

/// Index of the quote closing the literal opened at `open`, if any.
fn closing_quote(chars: &[char], open: usize, quote: char) -> Option<usize> {
    let mut index = open + 1;
    while index < chars.len() {
        match chars[index] {
            '\\' => index += 2,
            c if c == quote => return Some(index),
            _ => index += 1,
        }
    }
    None
}

/// A function definition located in source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Text on the definition line before the name (C++/Java return type,
    /// modifiers; Go `func`, Rust `pub fn`).
    pub before: String,
    /// Text between the parentheses.
    pub params: String,
    /// Text between `)` and `{` (Go/Rust return type, C++ qualifiers).
    pub after: String,
}

/// Find the definition of `name`: an occurrence followed by a balanced
/// parameter list and then `{` before any `;`.
pub fn find(source: &str, name: &str) -> Option<Signature> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let code = blank_comments_and_literals(source);
    let mut search_from = 0;
    while let Some(pos) = source[search_from..].find(name) {
        let start = search_from + pos;
        search_from = start + name.len();
        if source[..start].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        // A problem statement in a block comment above the code often
        // shows calls ("f({1.0, 2.0}, 0.5) is false") on lines of their own;
        // a definition is never in a comment or a string.
        if !code[start..].starts_with(name) {
            continue;
        }
        // Nor in a preprocessor line (`#define f(x) ...`).
        let line_start = source[..start].rfind('\n').map_or(0, |p| p + 1);
        if source[line_start..start].trim_start().starts_with('#') {
            continue;
        }
        let rest = &source[start + name.len()..];
        let trimmed = rest.trim_start();
        // Rust generics / Java type parameters are not supported: skip.
        if !trimmed.starts_with('(') {
            continue;
        }
        let open = start + name.len() + (rest.len() - trimmed.len());
        let mut depth = 0;
        let mut close = None;
        for (offset, c) in source[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + offset);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close?;
        let tail = &source[close + 1..];
        let brace = tail.find('{');
        let semicolon = tail.find(';');
        let Some(brace) = brace else { continue };
        if semicolon.is_some_and(|s| s < brace) {
            continue;
        }
        return Some(Signature {
            before: source[line_start..start].trim().to_string(),
            params: source[open + 1..close].to_string(),
            after: tail[..brace].trim().to_string(),
        });
    }
    None
}

/// C++/Java parameter types: drop the parameter name (last identifier),
/// keep the type text.
pub fn c_style_param_types(params: &str) -> Vec<String> {
    split_top_level(params, ',')
        .into_iter()
        .filter(|p| !p.is_empty() && p != "void")
        .map(|p| {
            let p = p.split('=').next().unwrap_or("").trim().to_string();
            let cut = p
                .char_indices()
                .rev()
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                .map_or(0, |(i, _)| i + 1);
            p[..cut].trim().to_string()
        })
        .collect()
}

/// Go parameter types, expanding grouped names (`a, b int`).
pub fn go_param_types(params: &str) -> Vec<String> {
    let parts = split_top_level(params, ',');
    let mut types: Vec<String> = vec![String::new(); parts.len()];
    let mut pending_type = String::new();
    for (i, part) in parts.iter().enumerate().rev() {
        let part = part.trim();
        match part.split_once(char::is_whitespace) {
            Some((_, ty)) => {
                pending_type = ty.trim().to_string();
                types[i] = pending_type.clone();
            }
            None => types[i] = pending_type.clone(),
        }
    }
    types
}

/// Rust parameter types (`name: Type`).
pub fn rust_param_types(params: &str) -> Vec<String> {
    split_top_level(params, ',')
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.split_once(':')
                .map_or(p.clone(), |(_, ty)| ty.trim().to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_inside_literals_do_not_split() {
        assert_eq!(
            split_top_level(r#"{"a", "b"}, ',', "x,y""#, ','),
            [r#"{"a", "b"}"#, "','", r#""x,y""#]
        );
        assert_eq!(split_top_level(r"'\'', 'a'", ','), [r"'\''", "'a'"]);
        assert_eq!(
            split_top_level("x: &'a str, y: i32", ','),
            ["x: &'a str", "y: i32"]
        );
    }

    #[test]
    fn mentions_in_comments_are_not_definitions() {
        let source = "// Example: Count([]int{1, 2}, 5) is 2.\n/// assert_eq!(count(&[1], 2), 0);\nfunc Count(values []int, target int) int {\n\treturn 0\n}\n";
        let signature = find(source, "Count").unwrap();
        assert_eq!(signature.params, "values []int, target int");
        assert_eq!(signature.before, "func");
    }

    #[test]
    fn calls_on_their_own_lines_in_a_block_comment_are_not_definitions() {
        // HumanEval's C++ prompts: the statement above the includes.
        let source = "/*\nAre two numbers closer than the threshold?\n>>> close({1.0, 2.0}, 0.5)\nfalse\n*/\n#include<vector>\nconst char* s = \"/* not a comment\";\nbool close(std::vector<float> numbers, float threshold){\n    return false;\n}\n";
        let signature = find(source, "close").unwrap();
        assert_eq!(
            signature.params,
            "std::vector<float> numbers, float threshold"
        );
        assert_eq!(signature.before, "bool");
    }

    #[test]
    fn finds_cpp_definition_not_declaration() {
        let src = "bool f(vector<int> a, int b);\nint main(){ f({1}, 2); }\nbool f(vector<int> a, int b){ return true; }\n";
        let sig = find(src, "f").unwrap();
        assert_eq!(sig.before, "bool");
        assert_eq!(c_style_param_types(&sig.params), vec!["vector<int>", "int"]);
    }

    #[test]
    fn go_grouped_parameters() {
        assert_eq!(
            go_param_types("a, b int, s []string"),
            vec!["int", "int", "[]string"]
        );
        let sig = find("func Add(x int, y int) (int, error) {\n", "Add").unwrap();
        assert_eq!(sig.after, "(int, error)");
    }

    #[test]
    fn rust_parameters() {
        let sig = find(
            "fn f(v: &mut Vec<i32>, m: HashMap<String, i32>) -> Option<(i32, i32)> {",
            "f",
        )
        .unwrap();
        assert_eq!(
            rust_param_types(&sig.params),
            vec!["&mut Vec<i32>", "HashMap<String, i32>"]
        );
        assert_eq!(sig.after, "-> Option<(i32, i32)>");
    }
}
