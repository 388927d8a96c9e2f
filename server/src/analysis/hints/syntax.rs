//! The language-specific half of every question the hints ask, dispatched
//! on the document's language.

use tree_sitter::Node;

use super::context::{Cx, Effect, Kind};
use super::families::Iteration;
use super::scan::Site;
use super::{cpp, go, java, python, rust};
use crate::language::Language;

pub(super) fn identifier_kinds(language: Language) -> &'static [&'static str] {
    match language {
        Language::Python => python::IDENTIFIERS,
        Language::Java => java::IDENTIFIERS,
        Language::Cpp => cpp::IDENTIFIERS,
        Language::Go => go::IDENTIFIERS,
        Language::Rust => rust::IDENTIFIERS,
    }
}

/// How the identifier `ident` (whose ancestors, nearest last, are given)
/// uses its variable.
pub(super) fn classify<'t>(cx: &Cx<'t>, ident: Node<'t>, ancestors: &[Node<'t>]) -> Effect<'t> {
    match cx.language {
        Language::Python => python::classify(cx, ident, ancestors),
        Language::Java => java::classify(cx, ident, ancestors),
        Language::Cpp => cpp::classify(cx, ident, ancestors),
        Language::Go => go::classify(cx, ident, ancestors),
        Language::Rust => rust::classify(cx, ident, ancestors),
    }
}

/// A statement that leaves the enclosing loop: `break`, `return`, `raise`/`throw`.
pub(super) fn is_exit(language: Language, node: Node<'_>) -> bool {
    match language {
        Language::Python => python::is_exit(node),
        Language::Java => java::is_exit(node),
        Language::Cpp => cpp::is_exit(node),
        Language::Go => go::is_exit(node),
        Language::Rust => rust::is_exit(node),
    }
}

pub(super) fn is_mutating_method(language: Language, method: &str) -> bool {
    match language {
        Language::Python => python::is_mutating_method(method),
        Language::Java => java::is_mutating_method(method),
        Language::Cpp => cpp::is_mutating_method(method),
        Language::Go => go::is_mutating_method(method),
        Language::Rust => rust::is_mutating_method(method),
    }
}

/// The plain name of a function from the node its query captured.
pub(super) fn function_name<'t>(language: Language, name: Node<'t>, source: &'t str) -> &'t str {
    match language {
        Language::Cpp => cpp::function_name(name, source),
        _ => &source[name.byte_range()],
    }
}

/// The kind of a variable the function does not declare: a Java field.
pub(super) fn member_kind<'t>(cx: &mut Cx<'t>, site: &Site<'t>, name: &'t str) -> Option<Kind> {
    match cx.language {
        Language::Java => java::field_kind(cx, site, name),
        _ => None,
    }
}

pub(super) fn loop_iteration<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Iteration<'t>> {
    match cx.language {
        Language::Python => python::loop_iteration(cx, node),
        Language::Java => java::loop_iteration(cx, node),
        Language::Cpp => cpp::loop_iteration(cx, node),
        Language::Go => go::loop_iteration(cx, node),
        Language::Rust => rust::loop_iteration(cx, node),
    }
}

/// The two sides of an `==` comparison (or `a.equals(b)` in Java).
pub(super) fn equality_operands<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    match cx.language {
        Language::Python => python::equality_operands(node),
        Language::Java => java::equality_operands(cx, node),
        _ => binary_operands(cx, node, &["=="]),
    }
}

/// The two sides of `a + b` or `a - b`.
pub(super) fn additive_operands<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    match cx.language {
        Language::Python => python::additive_operands(node),
        _ => binary_operands(cx, node, &["+", "-"]),
    }
}

/// `binary_expression` with one of `operators`, in the C-family grammars.
fn binary_operands<'t>(
    cx: &Cx<'t>,
    node: Node<'t>,
    operators: &[&str],
) -> Option<(Node<'t>, Node<'t>)> {
    if node.kind() != "binary_expression" {
        return None;
    }
    let operator = node.child_by_field_name("operator")?;
    if !operators.contains(&cx.text(operator)) {
        return None;
    }
    Some((
        node.child_by_field_name("left")?,
        node.child_by_field_name("right")?,
    ))
}

/// Decides whether a candidate is reported, and with which message.
pub(super) fn check<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    match cx.language {
        Language::Python => python::check(cx, site),
        Language::Java => java::check(cx, site),
        Language::Cpp => cpp::check(cx, site),
        Language::Go => go::check(cx, site),
        Language::Rust => rust::check(cx, site),
    }
}
