//! Hints that exist in several languages with the same logic: sorting in a
//! loop, comparing all pairs of one collection, looking a key up twice.
//! The language modules find the nodes; these functions decide.

use tree_sitter::Node;

use super::context::{Cx, Effect};
use super::scan::Site;
use super::syntax;

/// `collection` is sorted at `site`, inside a loop. Reported when the
/// collection outlives the iteration (a collection declared in the loop, or
/// the loop variable itself, is a fresh one each time).
pub(super) fn sort_in_loop<'t>(
    cx: &mut Cx<'t>,
    site: &Site<'t>,
    collection: Node<'t>,
    keep_ordered: &str,
) -> Option<String> {
    let name = cx.text(collection);
    let repeating = cx.repeating_loop(site)?;
    if cx.bound_within(site, name, repeating.node) {
        return None;
    }
    let changes = cx
        .occurrences_within(site, name, repeating.node)
        .iter()
        .any(|occurrence| {
            !super::context::contains(site.node, occurrence.node)
                && match occurrence.effect {
                    Effect::Method(method) => syntax::is_mutating_method(cx.language, method),
                    Effect::Augment | Effect::ElementWrite => true,
                    _ => false,
                }
        });
    Some(if changes {
        format!(
            "sorts `{name}` again on every iteration as the loop changes it: O(n log n) each time; {keep_ordered}"
        )
    } else {
        format!(
            "sorts `{name}`, which this loop does not change, on every iteration: O(n log n) each time; sort it once before the loop"
        )
    })
}

/// What one loop iterates over, when it is a plain walk of a named collection.
#[derive(Clone, Debug)]
pub(super) struct Iteration<'t> {
    pub collection: &'t str,
    /// The loop variables: elements, indexes, or both.
    pub variables: Vec<&'t str>,
    /// The variables that hold positions in the collection, not elements.
    pub indexes: Vec<&'t str>,
}

/// `site` is a loop. Reported when an enclosing loop of the same function
/// walks the same collection and the inner body compares an element of one
/// with an element of the other (`a == b`, `xs[i] == xs[j]`, or
/// `xs[i] + xs[j] == target`): the classic O(n²) search for equal elements
/// or complements that a hash map does in O(n).
pub(super) fn nested_loop_same_collection<'t>(
    cx: &mut Cx<'t>,
    site: &Site<'t>,
    remedy: &str,
) -> Option<String> {
    let inner = syntax::loop_iteration(cx, site.node)?;
    let outer_loops = cx.loops(site);
    let (outer_frame, outer) = outer_loops.iter().find_map(|frame| {
        let iteration = syntax::loop_iteration(cx, frame.node)?;
        (iteration.collection == inner.collection).then_some((*frame, iteration))
    })?;
    // The same name must mean the same collection in both loops.
    if cx.bound_within(site, inner.collection, outer_frame.node) {
        return None;
    }
    let body = site.node.child_by_field_name("body")?;
    let pairs_compared = cx
        .find(body, |node| {
            syntax::equality_operands(cx, node)
                .is_some_and(|(left, right)| compares_pair(cx, left, right, &outer, &inner))
        })
        .is_some();
    if !pairs_compared {
        return None;
    }
    let name = inner.collection;
    Some(format!(
        "compares pairs of elements of `{name}` in a loop over `{name}` nested in another loop over `{name}`: O(n²); {remedy}"
    ))
}

fn compares_pair<'t>(
    cx: &Cx<'t>,
    left: Node<'t>,
    right: Node<'t>,
    outer: &Iteration<'t>,
    inner: &Iteration<'t>,
) -> bool {
    let mentions = |node: Node<'t>, iteration: &Iteration<'t>| {
        iteration
            .variables
            .iter()
            .any(|variable| cx.mentions(node, variable))
    };
    // `i == j` on two indexes compares positions, not elements (it usually
    // skips an element's pair with itself).
    let bare_index = |node: Node<'t>| {
        let text = cx.text(node);
        outer.indexes.contains(&text) || inner.indexes.contains(&text)
    };
    let one_side_each = |a: Node<'t>, b: Node<'t>| {
        mentions(a, outer) && !mentions(a, inner) && mentions(b, inner) && !mentions(b, outer)
    };
    if one_side_each(left, right) || one_side_each(right, left) {
        return !bare_index(left) && !bare_index(right);
    }
    // `a + b == target`: a complement search.
    let complement = |sum: Node<'t>, target: Node<'t>| {
        !mentions(target, outer)
            && !mentions(target, inner)
            && syntax::additive_operands(cx, sum)
                .is_some_and(|(a, b)| one_side_each(a, b) || one_side_each(b, a))
    };
    complement(left, right) || complement(right, left)
}

/// `site` tests whether `map` holds `key`, and `consequence` runs when the
/// test passes (or fails). Reported, inside a loop, when the consequence
/// looks the same key up again: `lookup` recognises such a lookup.
pub(super) fn repeated_key_lookup<'t>(
    cx: &mut Cx<'t>,
    site: &Site<'t>,
    consequence: Node<'t>,
    lookup: impl Fn(&Cx<'t>, Node<'t>) -> bool,
    message: impl FnOnce(&Cx<'t>, Node<'t>) -> String,
) -> Option<String> {
    cx.repeating_loop(site)?;
    let second = cx.find(consequence, |node| lookup(cx, node))?;
    Some(message(cx, second))
}

/// The same expression, ignoring spaces: `table[key]` matches `table[ key ]`.
pub(super) fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
        || a.chars()
            .filter(|c| !c.is_whitespace())
            .eq(b.chars().filter(|c| !c.is_whitespace()))
}
