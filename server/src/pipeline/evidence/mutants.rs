//! Small mutants of a function: one change each, of the kinds that a wrong
//! rewrite tends to make (a bound off by one, `<` for `<=`, `and` for `or`,
//! a condition or an early return dropped). Evidence that tells the
//! original apart from its mutants would tell a wrong candidate apart too
//! (see `pipeline::mutation`).
//!
//! Found with tree-sitter in the function's body, strings and comments
//! skipped; deterministic (source order); every mutant parses as the
//! original does (a Python mutant has no build step to refuse it). A
//! compiled mutant can still fail to build (a `+` on strings made `-`):
//! the caller builds it and does not count it then.

use tree_sitter::Node;

use crate::analysis::Function;
use crate::document::Document;
use crate::language::Language;

/// The function with one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// Where and what, e.g. "line 7: `<` → `<=`".
    pub description: String,
    /// The whole function's text (its `range`) with the change.
    pub function_text: String,
}

/// One replacement of a byte range of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    start: usize,
    end: usize,
    replacement: String,
}

/// Up to `limit` mutants of `function` (read from `file_text`), in source
/// order; when there are more sites, an even spread over the body.
pub fn mutants(
    language: Language,
    file_text: &str,
    function: &Function,
    limit: usize,
) -> Vec<Mutant> {
    let document = Document::new(language, 0, file_text);
    let body = function.body_range.as_range();
    let range = function.range.as_range();
    if limit == 0 || body.end > file_text.len() || body.start < range.start || body.end > range.end
    {
        return Vec::new();
    }
    let root = document.tree().root_node();
    let Some(top) = root.descendant_for_byte_range(body.start, body.end) else {
        return Vec::new();
    };
    let finder = Finder {
        language,
        text: file_text,
    };
    let mut edits = Vec::new();
    let mut stack = vec![top];
    while let Some(node) = stack.pop() {
        if node.end_byte() <= body.start || node.start_byte() >= body.end {
            continue;
        }
        if finder.skipped(node) {
            continue;
        }
        if node.start_byte() >= body.start && node.end_byte() <= body.end {
            finder.edits_at(node, body.start, &mut edits);
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    // Source order; at one place, the order the kinds were found in.
    edits.sort_by_key(|edit| edit.start);
    let mut unique: Vec<Edit> = Vec::new();
    for edit in edits {
        if !unique.contains(&edit) {
            unique.push(edit);
        }
    }
    let parses_before = !root.has_error();
    let valid: Vec<Edit> = unique
        .into_iter()
        .filter(|edit| !parses_before || parses(language, file_text, edit))
        .collect();
    spread(valid, limit)
        .into_iter()
        .map(|edit| Mutant {
            description: describe(file_text, &edit),
            function_text: format!(
                "{}{}{}",
                &file_text[range.start..edit.start],
                edit.replacement,
                &file_text[edit.end..range.end]
            ),
        })
        .collect()
}

/// `limit` of `items`, evenly spread (all when there are no more).
fn spread<T>(items: Vec<T>, limit: usize) -> Vec<T> {
    let len = items.len();
    if len <= limit {
        return items;
    }
    let picks: Vec<usize> = (0..limit).map(|i| i * len / limit).collect();
    items
        .into_iter()
        .enumerate()
        .filter(|(index, _)| picks.binary_search(index).is_ok())
        .map(|(_, item)| item)
        .collect()
}

/// Whether the file with `edit` applied parses without errors.
fn parses(language: Language, file_text: &str, edit: &Edit) -> bool {
    let mut text = file_text.to_string();
    text.replace_range(edit.start..edit.end, &edit.replacement);
    !Document::new(language, 0, &text)
        .tree()
        .root_node()
        .has_error()
}

/// "line 7: `<` → `<=`", "line 9: `return i` → `pass`", "line 9: `return i;` removed".
fn describe(file_text: &str, edit: &Edit) -> String {
    let line = file_text[..edit.start].matches('\n').count() + 1;
    let original = short(&file_text[edit.start..edit.end]);
    if edit.replacement.trim().is_empty() || edit.replacement.trim() == ";" {
        format!("line {line}: `{original}` removed")
    } else {
        format!("line {line}: `{original}` → `{}`", short(&edit.replacement))
    }
}

/// The first line of `text`, at most 40 characters.
fn short(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    let mut out: String = first.chars().take(40).collect();
    if out.len() < first.len() || text.trim().lines().count() > 1 {
        out.push('…');
    }
    out
}

struct Finder<'a> {
    language: Language,
    text: &'a str,
}

impl Finder<'_> {
    fn text_of(&self, node: Node) -> &str {
        &self.text[node.byte_range()]
    }

    /// Strings and comments (and Rust attributes): nothing to mutate inside.
    fn skipped(&self, node: Node) -> bool {
        matches!(
            node.kind(),
            "string"
                | "concatenated_string"
                | "comment"
                | "line_comment"
                | "block_comment"
                | "string_literal"
                | "raw_string_literal"
                | "char_literal"
                | "character_literal"
                | "text_block"
                | "interpreted_string_literal"
                | "rune_literal"
                | "attribute_item"
        )
    }

    fn is_string_literal(&self, node: Node) -> bool {
        matches!(
            node.kind(),
            "string"
                | "concatenated_string"
                | "string_literal"
                | "raw_string_literal"
                | "text_block"
                | "interpreted_string_literal"
                | "char_literal"
                | "character_literal"
                | "rune_literal"
        )
    }

    fn edits_at(&self, node: Node, body_start: usize, edits: &mut Vec<Edit>) {
        let kind = node.kind();
        match kind {
            // Operators: the anonymous token children (Python's chained
            // comparisons have several).
            "binary_operator"
            | "comparison_operator"
            | "boolean_operator"
            | "binary_expression" => self.operator_swaps(node, edits),
            "augmented_assignment"
            | "assignment_expression"
            | "assignment_statement"
            | "compound_assignment_expr" => self.compound_swaps(node, edits),
            "integer"
            | "decimal_integer_literal"
            | "number_literal"
            | "int_literal"
            | "integer_literal" => self.off_by_one(node, edits),
            "if_statement" | "elif_clause" | "if_expression" => self.dropped_condition(node, edits),
            "return_statement" | "return_expression" => {
                self.removed_return(node, body_start, edits)
            }
            "not_operator" | "unary_expression" => self.removed_not(node, edits),
            _ => {}
        }
    }

    fn operator_swaps(&self, node: Node, edits: &mut Vec<Edit>) {
        let compiled = self.language != Language::Python;
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        let on_strings = children
            .iter()
            .any(|child| child.is_named() && self.is_string_literal(*child));
        for child in &children {
            if child.is_named() {
                continue;
            }
            let Some(replacement) = self.swapped(child.kind()) else {
                continue;
            };
            // `"a" + b` is a concatenation: `-` would not build.
            if compiled && on_strings && matches!(child.kind(), "+" | "-" | "*" | "/" | "%") {
                continue;
            }
            edits.push(Edit {
                start: child.start_byte(),
                end: child.end_byte(),
                replacement: replacement.to_string(),
            });
        }
    }

    fn swapped(&self, operator: &str) -> Option<&'static str> {
        let python = self.language == Language::Python;
        Some(match operator {
            "<" => "<=",
            "<=" => "<",
            ">" => ">=",
            ">=" => ">",
            "==" => "!=",
            "!=" => "==",
            "+" => "-",
            "-" => "+",
            "*" if python => "//",
            "*" => "/",
            "/" | "//" => "*",
            "%" if python => "//",
            "%" => "/",
            "&&" => "||",
            "||" => "&&",
            "and" => "or",
            "or" => "and",
            _ => return None,
        })
    }

    /// `+=` ↔ `-=`, unless the right side is a string.
    fn compound_swaps(&self, node: Node, edits: &mut Vec<Edit>) {
        if node
            .child_by_field_name("right")
            .is_some_and(|right| self.is_string_literal(right))
            && self.language != Language::Python
        {
            return;
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            let replacement = match child.kind() {
                "+=" => "-=",
                "-=" => "+=",
                _ => continue,
            };
            edits.push(Edit {
                start: child.start_byte(),
                end: child.end_byte(),
                replacement: replacement.into(),
            });
        }
    }

    /// A decimal integer `n` made `n+1` and `n-1` (its suffix kept).
    fn off_by_one(&self, node: Node, edits: &mut Vec<Edit>) {
        // Rust's `t.0` is a field, not a number.
        if node
            .parent()
            .is_some_and(|parent| parent.kind() == "field_expression")
        {
            return;
        }
        let text = self.text_of(node);
        let Some((value, suffix)) = decimal(text) else {
            return;
        };
        let before = self.text[..node.start_byte()]
            .trim_end()
            .chars()
            .next_back();
        let signed = matches!(before, Some('-' | '+'));
        let mut push = |n: i128| {
            edits.push(Edit {
                start: node.start_byte(),
                end: node.end_byte(),
                replacement: format!("{n}{suffix}"),
            })
        };
        push(value + 1);
        // `0` → `-1`: not after a sign (`x - -1`), not in Rust, where
        // counts and indices are unsigned.
        if value > 0 || (!signed && self.language != Language::Rust && suffix.is_empty()) {
            push(value - 1);
        }
    }

    /// An `if` condition replaced by true, then by false.
    fn dropped_condition(&self, node: Node, edits: &mut Vec<Edit>) {
        let Some(mut condition) = node.child_by_field_name("condition") else {
            return;
        };
        match condition.kind() {
            // Java: `(c)`; C++: `(init; c)`, only the value.
            "parenthesized_expression" => match condition.named_child(0) {
                Some(inner) => condition = inner,
                None => return,
            },
            "condition_clause" => match condition.child_by_field_name("value") {
                Some(value) if !value.kind().contains("declaration") => condition = value,
                _ => return,
            },
            // Rust's `if let`: a pattern, not a condition.
            "let_condition" | "let_chain" => return,
            _ => {}
        }
        let (yes, no) = match self.language {
            Language::Python => ("True", "False"),
            _ => ("true", "false"),
        };
        for replacement in [yes, no] {
            edits.push(Edit {
                start: condition.start_byte(),
                end: condition.end_byte(),
                replacement: replacement.into(),
            });
        }
    }

    /// A `return` inside an `if` or a loop dropped (Python: `pass`).
    fn removed_return(&self, node: Node, body_start: usize, edits: &mut Vec<Edit>) {
        if !self.nested(node, body_start) {
            return;
        }
        let (target, replacement) = match self.language {
            Language::Python => (node, "pass"),
            Language::Java | Language::Cpp => (node, ";"),
            Language::Go => (node, ""),
            Language::Rust => match node.parent() {
                Some(parent) if parent.kind() == "expression_statement" => (parent, ""),
                _ => (node, "{}"),
            },
        };
        edits.push(Edit {
            start: target.start_byte(),
            end: target.end_byte(),
            replacement: replacement.into(),
        });
    }

    /// Whether `node` is inside an `if` or a loop of the body (not inside
    /// a nested function).
    fn nested(&self, node: Node, body_start: usize) -> bool {
        let mut current = node.parent();
        while let Some(ancestor) = current {
            if ancestor.start_byte() < body_start {
                return false;
            }
            match ancestor.kind() {
                "if_statement"
                | "elif_clause"
                | "else_clause"
                | "if_expression"
                | "for_statement"
                | "while_statement"
                | "do_statement"
                | "enhanced_for_statement"
                | "for_range_loop"
                | "for_expression"
                | "while_expression"
                | "loop_expression" => return true,
                "function_definition"
                | "lambda"
                | "lambda_expression"
                | "func_literal"
                | "closure_expression"
                | "function_item"
                | "method_declaration" => return false,
                _ => {}
            }
            current = ancestor.parent();
        }
        false
    }

    /// `not c` / `!c` made `c`.
    fn removed_not(&self, node: Node, edits: &mut Vec<Edit>) {
        let operand = if node.kind() == "not_operator" {
            node.child_by_field_name("argument")
        } else {
            let is_not = node.child(0).is_some_and(|first| first.kind() == "!");
            if !is_not {
                return;
            }
            node.named_child(node.named_child_count().saturating_sub(1))
        };
        let Some(operand) = operand else { return };
        edits.push(Edit {
            start: node.start_byte(),
            end: node.end_byte(),
            replacement: self.text_of(operand).to_string(),
        });
    }
}

/// A decimal integer literal's value and suffix (`10`, `1_000`, `10L`,
/// `3u`, `0usize`, `1'000`); `None` for hex, octal, binary and floats.
fn decimal(text: &str) -> Option<(i128, &str)> {
    let digits_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '_' || c == '\''))
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    // A suffix of letters only (`L`, `u`, `ull`, `usize`, `i64`): not `.5`, `e3`, `x1f`.
    let is_suffix = suffix.is_empty()
        || (suffix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && suffix.starts_with(['u', 'U', 'l', 'L', 'i', '_'])
            && !suffix.starts_with("_f"));
    if !is_suffix {
        return None;
    }
    let value: i128 = digits.parse().ok()?;
    Some((value, suffix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::functions;

    fn of(language: Language, text: &str, limit: usize) -> Vec<(String, String)> {
        let document = Document::new(language, 0, text);
        let function = functions(&document)
            .into_iter()
            .find(|f| f.name == "f")
            .expect("f");
        mutants(language, text, &function, limit)
            .into_iter()
            .map(|m| (m.description, m.function_text))
            .collect()
    }

    fn descriptions(language: Language, text: &str) -> Vec<String> {
        of(language, text, 100)
            .into_iter()
            .map(|(d, _)| d)
            .collect()
    }

    #[test]
    fn python_mutants_are_the_expected_edits() {
        let text = "import math\n\ndef f(xs, t):\n    \"\"\"Count < t; 3 + 4.\"\"\"\n    c = 0  # not 1\n    for i in range(1, len(xs)):\n        if xs[i] < t and not xs[i] == 0:\n            c += 2\n        elif i >= 3:\n            return c\n    return c % 2 * 3\n";
        let found = descriptions(Language::Python, text);
        assert_eq!(
            found,
            vec![
                "line 5: `0` → `1`",
                "line 5: `0` → `-1`",
                "line 6: `1` → `2`",
                "line 6: `1` → `0`",
                "line 7: `xs[i] < t and not xs[i] == 0` → `True`",
                "line 7: `xs[i] < t and not xs[i] == 0` → `False`",
                "line 7: `<` → `<=`",
                "line 7: `and` → `or`",
                "line 7: `not xs[i] == 0` → `xs[i] == 0`",
                "line 7: `==` → `!=`",
                "line 7: `0` → `1`",
                "line 7: `0` → `-1`",
                "line 8: `+=` → `-=`",
                "line 8: `2` → `3`",
                "line 8: `2` → `1`",
                "line 9: `i >= 3` → `True`",
                "line 9: `i >= 3` → `False`",
                "line 9: `>=` → `>`",
                "line 9: `3` → `4`",
                "line 9: `3` → `2`",
                "line 10: `return c` → `pass`",
                "line 11: `%` → `//`",
                "line 11: `2` → `3`",
                "line 11: `2` → `1`",
                "line 11: `*` → `//`",
                "line 11: `3` → `4`",
                "line 11: `3` → `2`",
            ]
        );
        let all = of(Language::Python, text, 100);
        let pass = all
            .iter()
            .find(|(d, _)| d.contains("pass"))
            .map(|(_, t)| t.as_str())
            .unwrap();
        assert!(pass.starts_with("def f(xs, t):\n"));
        assert!(pass.contains("elif i >= 3:\n            pass\n    return c % 2 * 3"));
        assert!(pass.ends_with("return c % 2 * 3"));
    }

    #[test]
    fn the_limit_takes_an_even_spread_in_source_order() {
        let text =
            "def f(a):\n    x = 1\n    y = 2\n    z = 3\n    w = 4\n    return x + y + z + w + a\n";
        let all = descriptions(Language::Python, text);
        assert_eq!(all.len(), 12);
        let some = of(Language::Python, text, 4);
        let picked: Vec<&str> = some.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(picked, vec![&all[0], &all[3], &all[6], &all[9]]);
        assert_eq!(of(Language::Python, text, 4), some, "deterministic");
        assert!(of(Language::Python, text, 0).is_empty());
    }

    #[test]
    fn java_mutants_are_the_expected_edits() {
        let text = "class A {\n  static long f(int[] xs, int t) {\n    long c = 0L;\n    for (int i = 0; i < xs.length; i++) {\n      if (xs[i] <= t || !(xs[i] != 0)) c -= 1;\n      else return c;\n    }\n    String s = \"a\" + t;\n    return c / 2;\n  }\n}\n";
        assert_eq!(
            descriptions(Language::Java, text),
            vec![
                "line 3: `0L` → `1L`",
                "line 4: `0` → `1`",
                "line 4: `0` → `-1`",
                "line 4: `<` → `<=`",
                "line 5: `xs[i] <= t || !(xs[i] != 0)` → `true`",
                "line 5: `xs[i] <= t || !(xs[i] != 0)` → `false`",
                "line 5: `<=` → `<`",
                "line 5: `||` → `&&`",
                "line 5: `!(xs[i] != 0)` → `(xs[i] != 0)`",
                "line 5: `!=` → `==`",
                "line 5: `0` → `1`",
                "line 5: `0` → `-1`",
                "line 5: `-=` → `+=`",
                "line 5: `1` → `2`",
                "line 5: `1` → `0`",
                "line 6: `return c;` removed",
                "line 9: `/` → `*`",
                "line 9: `2` → `3`",
                "line 9: `2` → `1`",
            ]
        );
    }

    #[test]
    fn cpp_mutants_are_the_expected_edits() {
        let text = "#include <vector>\nint f(const std::vector<int>& xs, int t) {\n  int c = 0; // 1 < 2\n  for (size_t i = 0; i < xs.size(); ++i) {\n    if (xs[i] > t && !xs.empty()) { c += 1u; }\n    else if (int y = 3; y >= 2) return c * 2;\n  }\n  return c % 2 + 1.5;\n}\n";
        assert_eq!(
            descriptions(Language::Cpp, text),
            vec![
                "line 3: `0` → `1`",
                "line 3: `0` → `-1`",
                "line 4: `0` → `1`",
                "line 4: `0` → `-1`",
                "line 4: `<` → `<=`",
                "line 5: `xs[i] > t && !xs.empty()` → `true`",
                "line 5: `xs[i] > t && !xs.empty()` → `false`",
                "line 5: `>` → `>=`",
                "line 5: `&&` → `||`",
                "line 5: `!xs.empty()` → `xs.empty()`",
                "line 5: `+=` → `-=`",
                "line 5: `1u` → `2u`",
                "line 5: `1u` → `0u`",
                "line 6: `3` → `4`",
                "line 6: `3` → `2`",
                "line 6: `y >= 2` → `true`",
                "line 6: `y >= 2` → `false`",
                "line 6: `>=` → `>`",
                "line 6: `2` → `3`",
                "line 6: `2` → `1`",
                "line 6: `return c * 2;` removed",
                "line 6: `*` → `/`",
                "line 6: `2` → `3`",
                "line 6: `2` → `1`",
                "line 8: `%` → `/`",
                "line 8: `2` → `3`",
                "line 8: `2` → `1`",
                "line 8: `+` → `-`",
            ]
        );
    }

    #[test]
    fn go_mutants_are_the_expected_edits() {
        let text = "package m\n\nfunc f(xs []int, t int) int {\n\tc := 0\n\tfor i := 1; i < len(xs); i++ {\n\t\tif xs[i] == t || !ok(i) {\n\t\t\treturn c\n\t\t}\n\t\tc += xs[i] - 1\n\t}\n\ts := \"a\" + \"b\"\n\treturn c * len(s)\n}\n";
        assert_eq!(
            descriptions(Language::Go, text),
            vec![
                "line 4: `0` → `1`",
                "line 4: `0` → `-1`",
                "line 5: `1` → `2`",
                "line 5: `1` → `0`",
                "line 5: `<` → `<=`",
                "line 6: `xs[i] == t || !ok(i)` → `true`",
                "line 6: `xs[i] == t || !ok(i)` → `false`",
                "line 6: `==` → `!=`",
                "line 6: `||` → `&&`",
                "line 6: `!ok(i)` → `ok(i)`",
                "line 7: `return c` removed",
                "line 9: `+=` → `-=`",
                "line 9: `-` → `+`",
                "line 9: `1` → `2`",
                "line 9: `1` → `0`",
                "line 12: `*` → `/`",
            ]
        );
    }

    #[test]
    fn rust_mutants_are_the_expected_edits() {
        let text = "fn f(xs: &[i64], t: i64) -> i64 {\n    let mut c = 0;\n    for i in 0..xs.len() {\n        if xs[i] >= t && !(xs[i] == 0) {\n            c += 1;\n        } else {\n            return c;\n        }\n        if let Some(x) = xs.get(0usize) {\n            return *x;\n        }\n    }\n    let p = (1, 2).0;\n    println!(\"{}\", 1 < 2);\n    c % 2 + 10\n}\n";
        assert_eq!(
            descriptions(Language::Rust, text),
            vec![
                "line 2: `0` → `1`",
                "line 3: `0` → `1`",
                "line 4: `xs[i] >= t && !(xs[i] == 0)` → `true`",
                "line 4: `xs[i] >= t && !(xs[i] == 0)` → `false`",
                "line 4: `>=` → `>`",
                "line 4: `&&` → `||`",
                "line 4: `!(xs[i] == 0)` → `(xs[i] == 0)`",
                "line 4: `==` → `!=`",
                "line 4: `0` → `1`",
                "line 5: `+=` → `-=`",
                "line 5: `1` → `2`",
                "line 5: `1` → `0`",
                "line 7: `return c;` removed",
                "line 9: `0usize` → `1usize`",
                "line 10: `return *x;` removed",
                "line 13: `1` → `2`",
                "line 13: `1` → `0`",
                "line 13: `2` → `3`",
                "line 13: `2` → `1`",
                "line 14: `1` → `2`",
                "line 14: `1` → `0`",
                "line 14: `2` → `3`",
                "line 14: `2` → `1`",
                "line 15: `%` → `/`",
                "line 15: `2` → `3`",
                "line 15: `2` → `1`",
                "line 15: `+` → `-`",
                "line 15: `10` → `11`",
                "line 15: `10` → `9`",
            ]
        );
    }

    #[test]
    fn decimal_literals_keep_their_suffix_and_others_are_left_alone() {
        assert_eq!(decimal("10"), Some((10, "")));
        assert_eq!(decimal("1_000"), Some((1000, "")));
        assert_eq!(decimal("1'000"), Some((1000, "")));
        assert_eq!(decimal("10L"), Some((10, "L")));
        assert_eq!(decimal("0usize"), Some((0, "usize")));
        assert_eq!(decimal("3ull"), Some((3, "ull")));
        assert_eq!(decimal("0x1f"), None);
        assert_eq!(decimal("017"), None);
        assert_eq!(decimal("1.5"), None);
        assert_eq!(decimal("1e9"), None);
        assert_eq!(decimal("2_f64"), None);
    }
}
