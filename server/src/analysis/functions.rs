//! Functions and methods of a document, found with `queries/<lang>/functions.scm`.

use std::collections::HashMap;

use serde::Serialize;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Query, QueryCursor};

use super::source::SourceText;
use super::{doc_comment, queries, stub};
use crate::document::Document;
use crate::language::Language;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ByteRange {
    pub start: usize,
    pub end: usize,
}

impl ByteRange {
    fn of(node: Node) -> ByteRange {
        ByteRange {
            start: node.start_byte(),
            end: node.end_byte(),
        }
    }

    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }

    pub fn as_range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionKind {
    Function,
    Method,
    Constructor,
}

impl FunctionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FunctionKind::Function => "function",
            FunctionKind::Method => "method",
            FunctionKind::Constructor => "constructor",
        }
    }
}

/// The name of a parameter written name first, as in Python and Rust
/// (`xs: list[int] = []` → `xs`, `&mut self` → `&mut self`).
pub fn parameter_name(parameter: &str) -> &str {
    parameter.split([':', '=']).next().unwrap_or("").trim()
}

/// A function definition with a body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Function {
    pub name: String,
    pub kind: FunctionKind,
    /// The class, struct, impl or trait the function belongs to, if any.
    pub container: Option<String>,
    /// Each parameter as written, e.g. `xs: list[int]` or `const std::vector<int>& v`.
    pub parameters: Vec<String>,
    pub return_type: Option<String>,
    pub doc: Option<String>,
    pub is_stub: bool,
    /// The whole definition, from its first keyword or modifier to its closing brace.
    pub range: ByteRange,
    pub name_range: ByteRange,
    pub body_range: ByteRange,
    /// Zero-based rows of the first and last line of `range`.
    pub start_line: usize,
    pub end_line: usize,
}

/// Every function of the document, in source order.
pub fn functions(document: &Document) -> Vec<Function> {
    collect(document, None)
}

/// The innermost function whose definition contains byte `offset`.
pub fn function_at(document: &Document, offset: usize) -> Option<Function> {
    collect(document, Some(offset))
        .into_iter()
        .filter(|function| function.range.contains(offset))
        .min_by_key(|function| function.range.end - function.range.start)
}

fn collect(document: &Document, around: Option<usize>) -> Vec<Function> {
    let language = document.language();
    let queries = queries::for_language(language);
    let source = SourceText::new(document.text());
    let root = document.tree().root_node();

    let containers = container_names(&queries.containers, root, &source, around);
    let captures = FunctionCaptures::new(&queries.functions);

    let mut cursor = QueryCursor::new();
    if let Some(offset) = around {
        // Only definitions that contain the offset can be the answer: asking
        // for matches that touch it keeps a lookup cheap in a large file.
        cursor.set_byte_range(lookup_window(offset));
    }
    let mut found = Vec::new();
    let mut matches = cursor.matches(&queries.functions, root, &source);
    while let Some(query_match) = matches.next() {
        let node_for = |index: Option<u32>| {
            index.and_then(|index| {
                query_match
                    .captures
                    .iter()
                    .find(|c| c.index == index)
                    .map(|c| c.node)
            })
        };
        let (Some(around_node), Some(name_node), Some(body)) = (
            node_for(captures.around),
            node_for(captures.name),
            node_for(captures.body),
        ) else {
            continue;
        };
        let text = |node: Node| source.text(node);
        let (name, qualifier) = split_qualified_name(language, name_node, &source);
        let receiver = node_for(captures.receiver).and_then(|node| go_receiver_type(node, &source));
        let container = receiver
            .or(qualifier)
            .or_else(|| enclosing_container(around_node, &containers));
        let is_cpp_constructor =
            language == Language::Cpp && container.as_deref() == Some(name.as_str());
        let kind = match around_node.kind() {
            "constructor_declaration" | "compact_constructor_declaration" => {
                FunctionKind::Constructor
            }
            _ if is_cpp_constructor => FunctionKind::Constructor,
            _ if container.is_some() => FunctionKind::Method,
            _ => FunctionKind::Function,
        };
        found.push(Function {
            name,
            kind,
            container,
            parameters: node_for(captures.parameters)
                .map(|node| parameter_list(node, &source))
                .unwrap_or_default(),
            return_type: node_for(captures.return_type).map(text),
            doc: doc_comment::find(language, around_node, body, &source),
            is_stub: stub::is_stub(language, around_node, body, &source),
            range: ByteRange::of(around_node),
            name_range: ByteRange::of(name_node),
            body_range: ByteRange::of(body),
            start_line: around_node.start_position().row,
            end_line: around_node.end_position().row,
        });
    }
    found.sort_by_key(|function| function.range.start);
    // A query with alternatives can match one definition twice.
    found.dedup_by_key(|function| function.range);
    found
}

/// The bytes a definition must touch to possibly contain `offset`. A
/// definition's range is inclusive of its end (a cursor just after the
/// closing brace is still "in" it), hence the byte before.
fn lookup_window(offset: usize) -> std::ops::Range<usize> {
    offset.saturating_sub(1)..offset + 1
}

struct FunctionCaptures {
    around: Option<u32>,
    name: Option<u32>,
    parameters: Option<u32>,
    return_type: Option<u32>,
    body: Option<u32>,
    receiver: Option<u32>,
}

impl FunctionCaptures {
    fn new(query: &Query) -> FunctionCaptures {
        FunctionCaptures {
            around: query.capture_index_for_name("function.around"),
            name: query.capture_index_for_name("function.name"),
            parameters: query.capture_index_for_name("function.parameters"),
            return_type: query.capture_index_for_name("function.return_type"),
            body: query.capture_index_for_name("function.body"),
            receiver: query.capture_index_for_name("function.receiver"),
        }
    }
}

/// Container nodes (by id) and their names.
fn container_names(
    query: &Query,
    root: Node,
    source: &SourceText<'_>,
    around: Option<usize>,
) -> HashMap<usize, String> {
    let (Some(around_index), Some(name_index)) = (
        query.capture_index_for_name("container.around"),
        query.capture_index_for_name("container.name"),
    ) else {
        return HashMap::new();
    };
    let mut cursor = QueryCursor::new();
    if let Some(offset) = around {
        cursor.set_byte_range(lookup_window(offset));
    }
    let mut names = HashMap::new();
    let mut matches = cursor.matches(query, root, source);
    while let Some(query_match) = matches.next() {
        let node = |index| {
            query_match
                .captures
                .iter()
                .find(|c| c.index == index)
                .map(|c| c.node)
        };
        if let (Some(container), Some(name)) = (node(around_index), node(name_index)) {
            names.insert(container.id(), source.text(name));
        }
    }
    names
}

/// The nearest container above `definition`, unless another function comes
/// first: a function nested in a method is not itself a method.
fn enclosing_container(definition: Node, containers: &HashMap<usize, String>) -> Option<String> {
    let mut node = definition.parent();
    while let Some(current) = node {
        if let Some(name) = containers.get(&current.id()) {
            return Some(name.clone());
        }
        if is_function_node(current.kind()) {
            return None;
        }
        node = current.parent();
    }
    None
}

fn is_function_node(kind: &str) -> bool {
    matches!(
        kind,
        "function_definition"
            | "method_declaration"
            | "constructor_declaration"
            | "function_declaration"
            | "function_item"
            | "lambda"
            | "lambda_expression"
            | "closure_expression"
            | "func_literal"
    )
}

/// C++ lets a definition name its class: `Matrix::multiply` is `multiply` in `Matrix`.
fn split_qualified_name(
    language: Language,
    name: Node,
    source: &SourceText<'_>,
) -> (String, Option<String>) {
    if language == Language::Cpp && name.kind() == "qualified_identifier" {
        let full = source.str(name);
        // Split at the last `::` outside template arguments.
        let mut depth = 0i32;
        let bytes = full.as_bytes();
        for i in (1..bytes.len()).rev() {
            match bytes[i] {
                b'>' => depth += 1,
                b'<' => depth -= 1,
                b':' if depth == 0 && bytes[i - 1] == b':' => {
                    let scope = full[..i - 1].trim();
                    let scope = scope.rsplit("::").next().unwrap_or(scope);
                    return (
                        full[i + 1..].trim().to_string(),
                        Some(strip_template_args(scope)),
                    );
                }
                _ => {}
            }
        }
    }
    (source.text(name), None)
}

fn strip_template_args(name: &str) -> String {
    name.split('<').next().unwrap_or(name).trim().to_string()
}

/// The type a Go method's receiver names: `(s *Stack[T])` gives `Stack`.
fn go_receiver_type(receiver: Node, source: &SourceText<'_>) -> Option<String> {
    let mut cursor = receiver.walk();
    let declaration = receiver.named_children(&mut cursor).next()?;
    let ty = declaration.child_by_field_name("type")?;
    let written = source.str(ty);
    let text = written.trim_start_matches('*').trim();
    Some(strip_template_args(text.split('[').next().unwrap_or(text)))
}

fn parameter_list(parameters: Node, source: &SourceText<'_>) -> Vec<String> {
    let mut cursor = parameters.walk();
    parameters
        .named_children(&mut cursor)
        .filter(|node| !node.kind().contains("comment"))
        .map(|node| source.text(node))
        .collect()
}
