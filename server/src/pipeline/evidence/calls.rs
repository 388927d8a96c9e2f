//! Calls of the function written in text: doc comments and test bodies.

use super::{InputSource, TestInput};
use crate::executor::driver::signature::split_top_level;

/// Calls of `name` written in a doc comment (doctests, `assert f(x) == y`,
/// `{@code f(1)}`...): the argument text of each call becomes an input.
pub fn doc_example_inputs(doc: &str, name: &str) -> Vec<TestInput> {
    let mut inputs: Vec<TestInput> = Vec::new();
    let mut search = 0;
    let needle = format!("{name}(");
    while let Some(found) = doc[search..].find(&needle) {
        let start = search + found;
        search = start + needle.len();
        let before = doc[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let Some(close) = matching_paren(doc, search - 1) else {
            continue;
        };
        let inner = doc[search..close].trim();
        let args: Vec<String> = if inner.is_empty() {
            Vec::new()
        } else {
            split_top_level(inner, ',')
                .into_iter()
                .map(|arg| arg.trim().to_string())
                .collect()
        };
        // A signature line (`def f(xs: list)`) is not a call.
        let line_start = doc[..start].rfind('\n').map_or(0, |n| n + 1);
        let line_prefix = doc[line_start..start].trim();
        if ["def", "fn", "func", "pub fn"]
            .iter()
            .any(|k| line_prefix.ends_with(k))
        {
            continue;
        }
        let input = TestInput {
            args,
            source: InputSource::DocExample,
        };
        if !inputs.contains(&input) {
            inputs.push(input);
        }
        search = close + 1;
    }
    inputs
}

pub(crate) fn matching_paren(text: &str, open: usize) -> Option<usize> {
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
}
