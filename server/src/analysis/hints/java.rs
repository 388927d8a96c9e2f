//! Not written yet.

use tree_sitter::Node;

use super::context::{Cx, Effect};
use super::families::Iteration;
use super::scan::Site;

pub(super) const IDENTIFIERS: &[&str] = &["identifier"];

pub(super) fn is_exit(_node: Node<'_>) -> bool {
    false
}

pub(super) fn is_mutating_method(_method: &str) -> bool {
    false
}

pub(super) fn classify<'t>(_cx: &Cx<'t>, _ident: Node<'t>, _ancestors: &[Node<'t>]) -> Effect<'t> {
    Effect::Read
}

pub(super) fn loop_iteration<'t>(_cx: &Cx<'t>, _node: Node<'t>) -> Option<Iteration<'t>> {
    None
}

pub(super) fn check<'t>(_cx: &mut Cx<'t>, _site: &Site<'t>) -> Option<String> {
    None
}

pub(super) fn field_kind<'t>(
    _cx: &mut Cx<'t>,
    _site: &Site<'t>,
    _name: &'t str,
) -> Option<super::context::Kind> {
    None
}

pub(super) fn equality_operands<'t>(_cx: &Cx<'t>, _node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    None
}
