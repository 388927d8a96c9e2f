//! A document cut into independent pieces for analysis: each function or
//! method (at top level, or in a class, impl, namespace...) and each other
//! top-level statement. A function's hints depend only on its own text (and,
//! in Java, on the fields of its class), so they can be cached by that text
//! and reused while the user edits some other function.

use std::hash::{DefaultHasher, Hash, Hasher};

use tree_sitter::Node;

use crate::language::Language;

#[derive(Clone, Copy, Debug)]
pub(super) struct Chunk<'t> {
    pub node: Node<'t>,
    /// A function or method: its results may be cached by `key`.
    pub function: bool,
    /// Everything the analysis of a function reads: its text, and the
    /// declarations around it that it may look up.
    pub key: u64,
}

pub(super) fn chunks<'t>(language: Language, root: Node<'t>, source: &str) -> Vec<Chunk<'t>> {
    let mut found = Vec::new();
    collect(language, root, source, 0, &mut found);
    found
}

fn collect<'t>(
    language: Language,
    container: Node<'t>,
    source: &str,
    context: u64,
    found: &mut Vec<Chunk<'t>>,
) {
    let mut cursor = container.walk();
    let members: Vec<Node<'t>> = container.named_children(&mut cursor).collect();
    for member in members {
        if is_function(language, member) {
            let mut hasher = DefaultHasher::new();
            language.hash(&mut hasher);
            context.hash(&mut hasher);
            source[member.byte_range()].hash(&mut hasher);
            found.push(Chunk {
                node: member,
                function: true,
                key: hasher.finish(),
            });
        } else if let Some(body) = body_of(language, member) {
            let context = match language {
                // A method may read the kinds of its class's fields.
                Language::Java => fields_hash(body, source),
                _ => context,
            };
            collect(language, body, source, context, found);
        } else if !member.kind().contains("comment") {
            found.push(Chunk {
                node: member,
                function: false,
                key: 0,
            });
        }
    }
}

fn is_function(language: Language, node: Node<'_>) -> bool {
    match (language, node.kind()) {
        (Language::Python, "function_definition") => true,
        (Language::Python, "decorated_definition") => node
            .child_by_field_name("definition")
            .is_some_and(|definition| definition.kind() == "function_definition"),
        (
            Language::Java,
            "method_declaration" | "constructor_declaration" | "compact_constructor_declaration",
        ) => true,
        (Language::Cpp, "function_definition") => true,
        (Language::Cpp, "template_declaration") => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .any(|child| child.kind() == "function_definition")
        }
        (Language::Go, "function_declaration" | "method_declaration") => true,
        (Language::Rust, "function_item") => true,
        _ => false,
    }
}

/// The member list of a class, namespace, impl... that holds functions.
fn body_of<'t>(language: Language, node: Node<'t>) -> Option<Node<'t>> {
    match (language, node.kind()) {
        (Language::Python, "class_definition") => node.child_by_field_name("body"),
        (Language::Python, "decorated_definition") => node
            .child_by_field_name("definition")
            .and_then(|definition| body_of(language, definition)),
        (
            Language::Java,
            "class_declaration"
            | "interface_declaration"
            | "enum_declaration"
            | "record_declaration"
            | "annotation_type_declaration",
        ) => node.child_by_field_name("body"),
        (Language::Java, "enum_body_declarations") => Some(node),
        (Language::Java, "enum_body") => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .find(|child| child.kind() == "enum_body_declarations")
        }
        (Language::Cpp, "namespace_definition" | "linkage_specification") => {
            node.child_by_field_name("body")
        }
        (Language::Cpp, "class_specifier" | "struct_specifier" | "union_specifier") => {
            node.child_by_field_name("body")
        }
        (
            Language::Cpp,
            "template_declaration"
            | "preproc_if"
            | "preproc_ifdef"
            | "preproc_else"
            | "preproc_elif",
        ) => Some(node),
        (Language::Rust, "impl_item" | "trait_item" | "mod_item") => {
            node.child_by_field_name("body")
        }
        _ => None,
    }
}

/// The field declarations of a Java class body, hashed.
fn fields_hash(body: Node<'_>, source: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    let mut cursor = body.walk();
    for member in body
        .named_children(&mut cursor)
        .filter(|member| member.kind() == "field_declaration")
    {
        source[member.byte_range()].hash(&mut hasher);
    }
    hasher.finish()
}
