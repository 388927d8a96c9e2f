//! Documentation attached to a function: a Python docstring, or the block of
//! comments directly above the definition in the other languages.

use tree_sitter::Node;

use super::source::SourceText;
use crate::language::Language;

pub(super) fn find(
    language: Language,
    definition: Node,
    body: Node,
    source: &SourceText<'_>,
) -> Option<String> {
    let raw = match language {
        Language::Python => python_docstring(body, source),
        _ => comments_above(language, definition, source),
    }?;
    let cleaned = clean(&raw);
    (!cleaned.is_empty()).then_some(cleaned)
}

/// A docstring is a string literal as the first statement of the body.
fn python_docstring(body: Node, source: &SourceText<'_>) -> Option<String> {
    let first = body.named_child(0)?;
    if first.kind() != "expression_statement" || first.named_child_count() != 1 {
        return None;
    }
    let string = first.named_child(0)?;
    if string.kind() != "string" {
        return None;
    }
    let text = source.str(string);
    let unprefixed = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let raw = text[..text.len() - unprefixed.len()].contains(['r', 'R']);
    let body = unprefixed
        .trim_start_matches(['"', '\''])
        .trim_end_matches(['"', '\'']);
    // The docstring's value, as doctest reads it: in a literal that is not
    // raw, `\\n` in the source is `\n` in the examples (a newline escape of
    // the example's own string), not a backslash and an `n`.
    Some(match raw {
        true => body.to_string(),
        false => body.replace("\\\\", "\\"),
    })
}

/// The contiguous comments ending on the line just above the definition (or
/// above its decorators, template header or attributes).
fn comments_above(language: Language, definition: Node, source: &SourceText<'_>) -> Option<String> {
    let mut anchor = definition;
    // A C++ template header is part of the definition as the user sees it.
    if let Some(parent) = definition.parent()
        && parent.kind() == "template_declaration"
    {
        anchor = parent;
    }
    let mut comments = Vec::new();
    let mut next_row = anchor.start_position().row;
    let mut sibling = anchor.prev_sibling();
    while let Some(node) = sibling {
        let adjacent = node.end_position().row + 1 >= next_row;
        if !adjacent {
            break;
        }
        if node.kind().contains("comment") {
            // Rust line comments include their newline; joining adds it back.
            comments.push(source.str(node).trim_end().to_string());
        } else if !(language == Language::Rust && node.kind() == "attribute_item") {
            break;
        }
        next_row = node.start_position().row;
        sibling = node.prev_sibling();
    }
    if comments.is_empty() {
        return None;
    }
    comments.reverse();
    Some(comments.join("\n"))
}

/// Strips comment markers and common indentation, keeping the words.
fn clean(raw: &str) -> String {
    let lines: Vec<&str> = raw
        .lines()
        .map(|line| {
            let line = line.trim();
            let line = ["///", "//!", "//", "/**", "/*!", "/*"]
                .iter()
                .find_map(|marker| line.strip_prefix(marker))
                .unwrap_or(line);
            let line = line.strip_suffix("*/").unwrap_or(line);
            let line = line
                .strip_prefix('*')
                .filter(|_| !line.starts_with("**"))
                .unwrap_or(line);
            line.trim_end()
        })
        .collect();
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use crate::analysis::functions;
    use crate::document::Document;
    use crate::language::Language;

    fn doc(source: &str) -> String {
        functions(&Document::new(Language::Python, 0, source))[0]
            .doc
            .clone()
            .unwrap()
    }

    #[test]
    fn a_docstring_is_read_as_its_value() {
        // In the source `\\n`; in the docstring (and to doctest) `\n`.
        let plain =
            "def parse(text):\n    \"\"\"\n    >>> parse(\"a = 1\\\\nb = 2\")\n    \"\"\"\n";
        assert!(
            doc(plain).contains(r#"parse("a = 1\nb = 2")"#),
            "{}",
            doc(plain)
        );
        let raw = "def parse(text):\n    r\"\"\"\n    >>> parse(\"a\\\\d\")\n    \"\"\"\n";
        assert!(doc(raw).contains(r#"parse("a\\d")"#), "{}", doc(raw));
    }
}
