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
    // Sorting `[a, b, c]` again and again is cheap whatever the loop.
    if cx.bound_within(site, name, repeating.node) || cx.is_small_and_fixed(site, name) {
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
    let mut comparisons = Vec::new();
    cx.find(body, |node| {
        comparisons.extend(syntax::equality_operands(cx, node));
        false
    });
    let outer_loop = outer_frame.node;
    let pairs_compared = comparisons.into_iter().any(|(left, right)| {
        let pair = Pair {
            site,
            outer_loop,
            outer: &outer,
            inner: &inner,
        };
        pair.compared_by(cx, left, right)
    });
    if !pairs_compared {
        return None;
    }
    let name = inner.collection;
    Some(format!(
        "compares every pair of elements of `{name}` (a loop over `{name}` inside another): O(n²); {remedy}"
    ))
}

/// Two loops over one collection, and what a comparison in the inner one
/// must look like to be a search for equal elements.
struct Pair<'a, 't> {
    site: &'a Site<'t>,
    outer_loop: Node<'t>,
    outer: &'a Iteration<'t>,
    inner: &'a Iteration<'t>,
}

impl<'t> Pair<'_, 't> {
    /// `a == b`, `xs[i].key == xs[j].key`, or `xs[i] + xs[j] == target`.
    fn compared_by(&self, cx: &mut Cx<'t>, left: Node<'t>, right: Node<'t>) -> bool {
        // `i == j` on two indexes compares positions, not elements (it usually
        // skips an element's pair with itself).
        let bare_index = |node: Node<'t>| {
            let text = cx.text(node);
            self.outer.indexes.contains(&text) || self.inner.indexes.contains(&text)
        };
        if bare_index(left) || bare_index(right) {
            return false;
        }
        if self.one_side_each(cx, left, right) || self.one_side_each(cx, right, left) {
            return true;
        }
        // `a + b == target` with a loop-invariant target: a complement search.
        for (sum, target) in [(left, right), (right, left)] {
            if self.invariant(cx, target)
                && syntax::additive_operands(cx, sum).is_some_and(|(a, b)| {
                    self.one_side_each(cx, a, b) || self.one_side_each(cx, b, a)
                })
            {
                return true;
            }
        }
        false
    }

    fn one_side_each(&self, cx: &mut Cx<'t>, outer_side: Node<'t>, inner_side: Node<'t>) -> bool {
        self.keyed_by(cx, outer_side, self.outer) && self.keyed_by(cx, inner_side, self.inner)
    }

    /// Whether `node` is computed from one loop's element alone: it uses that
    /// loop's variables and nothing else that changes within the outer loop
    /// (`a[-k:] == b[:k]` also depends on `k`, so it is no key).
    fn keyed_by(&self, cx: &mut Cx<'t>, node: Node<'t>, own: &Iteration<'t>) -> bool {
        let names = cx.identifiers(node);
        names.iter().any(|name| own.variables.contains(name))
            && names.into_iter().all(|name| {
                own.variables.contains(&name)
                    || name == own.collection
                    || !cx.bound_within(self.site, name, self.outer_loop)
            })
    }

    /// Nothing in `node` changes within the outer loop.
    fn invariant(&self, cx: &mut Cx<'t>, node: Node<'t>) -> bool {
        cx.identifiers(node)
            .into_iter()
            .all(|name| !cx.bound_within(self.site, name, self.outer_loop))
    }
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

/// How many elements each iteration of `repeating` appends to `name`, when
/// reserving room for them up front is safe and exact enough to suggest:
/// - `site` is the first append, and every append to `name` in the function
///   is a statement of this loop's body (not under an `if`, not elsewhere);
/// - the loop cannot skip an iteration (`continue`, `break`);
/// - `name` was created outside this loop, and inside any loop around it
///   (else it grows across those loops too).
pub(super) fn appends_per_iteration<'t>(
    cx: &mut Cx<'t>,
    site: &Site<'t>,
    name: &'t str,
    repeating: Node<'t>,
    appends: impl Fn(&Effect<'t>) -> bool,
) -> Option<usize> {
    let body = repeating.child_by_field_name("body")?;
    if statement_of(body, site.node)?.id() != site.node.id() {
        return None;
    }
    let scope = cx.scope(site);
    let occurrences = cx.occurrences(scope, name);
    let mut count = 0;
    for occurrence in occurrences
        .iter()
        .filter(|occurrence| appends(&occurrence.effect))
    {
        let statement = statement_of(body, occurrence.node)?;
        if statement.kind() != site.node.kind() || (count == 0 && statement.id() != site.node.id())
        {
            return None;
        }
        count += 1;
    }
    let declaration = occurrences
        .iter()
        .find(|occurrence| matches!(occurrence.effect, Effect::Bind(_)))?;
    let outer_loops = cx.loops(site);
    if outer_loops
        .iter()
        .skip(1)
        .any(|outer| !super::context::contains(outer.node, declaration.node))
    {
        return None;
    }
    if may_skip_iteration(body) {
        return None;
    }
    (count > 0).then_some(count)
}

/// The statement of `body` (a loop body) that holds `node`, looking through
/// statement lists and expression statements; `None` if `node` is not in it.
pub(super) fn statement_of<'t>(body: Node<'t>, node: Node<'t>) -> Option<Node<'t>> {
    let mut current = body;
    loop {
        let child = current.child_with_descendant(node)?;
        if child.id() == node.id()
            || !matches!(child.kind(), "statement_list" | "expression_statement")
        {
            return Some(child);
        }
        current = child;
    }
}

/// A `continue`, or a `break` out of this loop, anywhere in its body (not in
/// a nested loop, function or closure).
fn may_skip_iteration(body: Node<'_>) -> bool {
    fn visit(node: Node<'_>, in_switch: bool) -> bool {
        match node.kind() {
            "continue_statement" | "continue_expression" => return true,
            "break_statement" | "break_expression" if !in_switch => return true,
            kind if is_loop_or_function(kind) => return false,
            _ => {}
        }
        let in_switch = in_switch
            || matches!(
                node.kind(),
                "switch_statement"
                    | "expression_switch_statement"
                    | "type_switch_statement"
                    | "select_statement"
            );
        let mut cursor = node.walk();
        node.named_children(&mut cursor)
            .any(|child| visit(child, in_switch))
    }
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .any(|child| visit(child, false))
}

fn is_loop_or_function(kind: &str) -> bool {
    matches!(
        kind,
        "for_statement"
            | "enhanced_for_statement"
            | "for_range_loop"
            | "while_statement"
            | "do_statement"
            | "for_expression"
            | "while_expression"
            | "loop_expression"
            | "function_definition"
            | "function_item"
            | "func_literal"
            | "lambda"
            | "lambda_expression"
            | "closure_expression"
    )
}

/// The number of iterations of a loop from `start` to `end`, as code.
pub(super) fn iteration_count(start: &str, end: &str, inclusive: bool) -> String {
    match (start.trim(), inclusive) {
        ("0", false) | ("1", true) => end.to_string(),
        ("0", true) => format!("{end} + 1"),
        ("1", false) => format!("{end} - 1"),
        (start, false) => format!("{end} - {start}"),
        (start, true) => format!("{end} - {start} + 1"),
    }
}

/// `count` scaled by the appends per iteration: `n`, or `2 * n`.
pub(super) fn scaled(count: &str, per_iteration: usize) -> String {
    match per_iteration {
        1 => count.to_string(),
        _ if count
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '(' | ')')) =>
        {
            format!("{per_iteration} * {count}")
        }
        _ => format!("{per_iteration} * ({count})"),
    }
}
