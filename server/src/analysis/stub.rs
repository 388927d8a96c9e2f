//! Is a function body only a placeholder, waiting to be written?
//!
//! A stub goes to the generate stage instead of being optimised, so the test
//! is strict: the body holds nothing but comments, a docstring and the one
//! placeholder statement each language uses by convention.

use tree_sitter::Node;

use super::source::SourceText;
use crate::language::Language;

pub(super) fn is_stub(
    language: Language,
    definition: Node,
    body: Node,
    source: &SourceText<'_>,
) -> bool {
    // A C++ constructor whose work is all in its member initialisers is not a stub.
    if definition.child_by_field_name("declarator").is_some()
        && has_child_of_kind(definition, "field_initializer_list")
    {
        return false;
    }
    let statements = statements(body);
    statements
        .iter()
        .enumerate()
        .all(|(index, &statement)| is_placeholder(language, statement, index, source))
}

/// The statements of a body, without comments. Go's grammar wraps them in a
/// `statement_list` node.
fn statements(body: Node) -> Vec<Node> {
    let mut cursor = body.walk();
    let mut statements = Vec::new();
    for node in body.named_children(&mut cursor) {
        if node.kind() == "statement_list" {
            statements.extend(self::statements(node));
        } else if !node.kind().contains("comment") {
            statements.push(node);
        }
    }
    statements
}

fn has_child_of_kind(node: Node, kind: &str) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|child| child.kind() == kind)
}

fn is_placeholder(
    language: Language,
    statement: Node,
    index: usize,
    source: &SourceText<'_>,
) -> bool {
    let text = source.str(statement);
    match language {
        Language::Python => match statement.kind() {
            "pass_statement" => true,
            "expression_statement" => {
                let only = (statement.named_child_count() == 1)
                    .then(|| statement.named_child(0))
                    .flatten();
                match only.map(|node| node.kind()) {
                    Some("ellipsis") => true,
                    // A docstring, only as the first statement.
                    Some("string") => index == 0,
                    _ => false,
                }
            }
            "raise_statement" => text.contains("NotImplementedError"),
            _ => false,
        },
        Language::Rust => {
            let macro_call = match statement.kind() {
                "expression_statement" => statement.named_child(0),
                _ => Some(statement),
            };
            macro_call.is_some_and(|node| {
                node.kind() == "macro_invocation"
                    && node
                        .child_by_field_name("macro")
                        .is_some_and(|name| matches!(&*source.str(name), "todo" | "unimplemented"))
            })
        }
        Language::Go => {
            let call = match statement.kind() {
                "expression_statement" => statement.named_child(0),
                _ => Some(statement),
            };
            call.is_some_and(|node| {
                node.kind() == "call_expression"
                    && node
                        .child_by_field_name("function")
                        .is_some_and(|f| source.str(f) == "panic")
                    && mentions_placeholder(&source.str(node))
            })
        }
        Language::Java => {
            statement.kind() == "throw_statement" && text.contains("UnsupportedOperationException")
        }
        Language::Cpp => statement.kind() == "throw_statement" && mentions_placeholder(&text),
    }
}

fn mentions_placeholder(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "todo",
        "not implemented",
        "unimplemented",
        "not yet implemented",
    ]
    .iter()
    .any(|marker| lower.contains(marker))
}
