//! Python: how variables are bound and used, and the Python hints.

use tree_sitter::Node;

use super::context::{Cx, Effect, Kind, ListShape, is_field};
use super::families::{self, Iteration, same_text};
use super::scan::Site;

pub(super) const IDENTIFIERS: &[&str] = &["identifier"];

pub(super) fn is_exit(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "break_statement" | "return_statement" | "raise_statement"
    )
}

pub(super) fn is_mutating_method(method: &str) -> bool {
    matches!(
        method,
        "append"
            | "extend"
            | "insert"
            | "remove"
            | "pop"
            | "clear"
            | "sort"
            | "reverse"
            | "add"
            | "update"
            | "discard"
            | "setdefault"
            | "popitem"
            | "appendleft"
            | "popleft"
    )
}

/// Builtins that only read their arguments: passing a list to them does not
/// let it change.
fn reads_only(function: &str) -> bool {
    matches!(
        function,
        "len"
            | "print"
            | "sorted"
            | "min"
            | "max"
            | "sum"
            | "any"
            | "all"
            | "set"
            | "frozenset"
            | "list"
            | "tuple"
            | "str"
            | "repr"
            | "enumerate"
            | "zip"
            | "reversed"
            | "iter"
            | "isinstance"
            | "dict"
            | "bool"
            | "hash"
            | "id"
            | "type"
            | "Counter"
    )
}

pub(super) fn classify<'t>(cx: &Cx<'t>, ident: Node<'t>, ancestors: &[Node<'t>]) -> Effect<'t> {
    let Some(&parent) = ancestors.last() else {
        return Effect::Read;
    };
    let grandparent = ancestors.len().checked_sub(2).map(|index| ancestors[index]);
    match parent.kind() {
        "assignment" if is_field(parent, "left", ident) => {
            let annotated = parent
                .child_by_field_name("type")
                .map(|annotation| annotation_kind(cx, annotation));
            match parent.child_by_field_name("right") {
                Some(right) if is_self_concatenation(cx, right, cx.text(ident)) => Effect::Augment,
                Some(right) => Effect::Bind(annotated.unwrap_or_else(|| value_kind(cx, right))),
                None => Effect::Bind(annotated.unwrap_or(Kind::Other)),
            }
        }
        "augmented_assignment" if is_field(parent, "left", ident) => Effect::Augment,
        "named_expression" if is_field(parent, "name", ident) => Effect::Bind(
            parent
                .child_by_field_name("value")
                .map_or(Kind::Other, |value| value_kind(cx, value)),
        ),
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "list_splat_pattern"
        | "as_pattern_target"
        | "dictionary_splat_pattern"
        | "lambda_parameters"
        | "delete_statement"
        | "function_definition"
        | "class_definition"
        | "aliased_import"
        | "dotted_name" => Effect::Bind(Kind::Other),
        "for_statement" | "for_in_clause" if is_field(parent, "left", ident) => {
            Effect::Bind(Kind::Other)
        }
        // An unannotated parameter says nothing: `items = list(items)` may follow.
        "parameters" => Effect::Bind(Kind::Neutral),
        "typed_parameter" => Effect::Bind(
            parent
                .child_by_field_name("type")
                .map_or(Kind::Other, |annotation| annotation_kind(cx, annotation)),
        ),
        "typed_default_parameter" | "default_parameter" if is_field(parent, "name", ident) => {
            match parent.child_by_field_name("type") {
                Some(annotation) => Effect::Bind(annotation_kind(cx, annotation)),
                None => Effect::Bind(
                    parent
                        .child_by_field_name("value")
                        .map_or(Kind::Other, |value| value_kind(cx, value)),
                ),
            }
        }
        "global_statement" | "nonlocal_statement" => Effect::Escape,
        "attribute" if is_field(parent, "object", ident) => match grandparent {
            Some(call) if call.kind() == "call" && is_field(call, "function", parent) => {
                Effect::Method(
                    parent
                        .child_by_field_name("attribute")
                        .map_or("", |name| cx.text(name)),
                )
            }
            Some(assignment) if is_assignment_target(assignment, parent) => Effect::ElementWrite,
            _ => Effect::Read,
        },
        "subscript" if is_field(parent, "value", ident) => match grandparent {
            Some(target)
                if is_assignment_target(target, parent) || target.kind() == "delete_statement" =>
            {
                Effect::ElementWrite
            }
            _ => Effect::Read,
        },
        "argument_list" => {
            let function = grandparent
                .and_then(|call| call.child_by_field_name("function"))
                .map(|function| cx.text(function));
            if function.is_some_and(reads_only) {
                Effect::Read
            } else {
                Effect::Escape
            }
        }
        "keyword_argument" if is_field(parent, "value", ident) => Effect::Escape,
        _ => Effect::Read,
    }
}

fn is_assignment_target(statement: Node<'_>, target: Node<'_>) -> bool {
    matches!(statement.kind(), "assignment" | "augmented_assignment")
        && is_field(statement, "left", target)
}

/// `name + x` or `x + name` (possibly in a longer chain of `+`).
fn is_self_concatenation(cx: &Cx<'_>, value: Node<'_>, name: &str) -> bool {
    if value.kind() != "binary_operator"
        || value
            .child_by_field_name("operator")
            .is_none_or(|op| op.kind() != "+")
    {
        return false;
    }
    let mut leftmost = value;
    while leftmost.kind() == "binary_operator" {
        match leftmost.child_by_field_name("left") {
            Some(left) => leftmost = left,
            None => break,
        }
    }
    cx.text(leftmost) == name
        || value
            .child_by_field_name("right")
            .is_some_and(|right| cx.text(right) == name)
}

fn value_kind(cx: &Cx<'_>, value: Node<'_>) -> Kind {
    match value.kind() {
        "list" => Kind::List(literal_shape(value)),
        "list_comprehension" => Kind::List(ListShape::Any),
        "set" | "set_comprehension" => Kind::Set,
        "dictionary" | "dictionary_comprehension" => Kind::Map,
        "string" | "concatenated_string" => Kind::Str,
        "none" => Kind::Neutral,
        "parenthesized_expression" => value
            .named_child(0)
            .map_or(Kind::Other, |inner| value_kind(cx, inner)),
        "binary_operator" => {
            let operands = [
                value.child_by_field_name("left"),
                value.child_by_field_name("right"),
            ];
            if operands
                .iter()
                .flatten()
                .any(|operand| matches!(operand.kind(), "string" | "concatenated_string"))
            {
                Kind::Str
            } else if operands
                .iter()
                .flatten()
                .any(|operand| matches!(operand.kind(), "list" | "list_comprehension"))
            {
                Kind::List(ListShape::Any)
            } else {
                Kind::Other
            }
        }
        "call" => {
            let Some(function) = value.child_by_field_name("function") else {
                return Kind::Other;
            };
            let called = match function.kind() {
                "attribute" => function
                    .child_by_field_name("attribute")
                    .map_or("", |name| cx.text(name)),
                _ => cx.text(function),
            };
            // `"a b c".split()`: as many elements as a short literal has words.
            let splits_literal = matches!(called, "split" | "rsplit" | "splitlines")
                && function
                    .child_by_field_name("object")
                    .is_some_and(|object| object.kind() == "string" && cx.text(object).len() <= 66);
            if splits_literal {
                return Kind::List(ListShape::SmallLiteral);
            }
            let literal_argument = value
                .child_by_field_name("arguments")
                .and_then(|arguments| arguments.named_child(0))
                .filter(|argument| matches!(argument.kind(), "list" | "tuple"));
            match called {
                "list" | "sorted" if literal_argument.is_some() => {
                    Kind::List(literal_argument.map_or(ListShape::Any, literal_shape))
                }
                "list" | "sorted" | "split" | "rsplit" | "splitlines" | "readlines" => {
                    Kind::List(ListShape::Any)
                }
                "set" | "frozenset" => Kind::Set,
                "dict" | "defaultdict" | "Counter" | "OrderedDict" => Kind::Map,
                "deque" => Kind::Deque,
                "str" | "join" | "format" | "strip" | "lower" | "upper" | "replace" => Kind::Str,
                _ => Kind::Other,
            }
        }
        _ => Kind::Other,
    }
}

/// A list or tuple literal: small if it spells out at most 8 elements.
fn literal_shape(literal: Node<'_>) -> ListShape {
    match literal.named_child_count() {
        1..=8 => ListShape::SmallLiteral,
        _ => ListShape::Any,
    }
}

fn annotation_kind(cx: &Cx<'_>, annotation: Node<'_>) -> Kind {
    let text = cx.text(annotation).trim();
    let text = text.strip_prefix("typing.").unwrap_or(text);
    let text = text.strip_prefix("Optional[").unwrap_or(text);
    let head: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    match head.rsplit('.').next().unwrap_or("") {
        "list" | "List" => Kind::List(ListShape::Any),
        "str" => Kind::Str,
        "set" | "Set" | "frozenset" | "FrozenSet" => Kind::Set,
        "dict" | "Dict" | "defaultdict" | "DefaultDict" | "Counter" | "OrderedDict" => Kind::Map,
        "deque" | "Deque" => Kind::Deque,
        _ => Kind::Other,
    }
}

/// `for x in items`, `for i in range(len(items))`, `for i, x in enumerate(items)`.
pub(super) fn loop_iteration<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Iteration<'t>> {
    if node.kind() != "for_statement" {
        return None;
    }
    let target = node.child_by_field_name("left")?;
    let iterable = node.child_by_field_name("right")?;
    let variables = cx.identifiers_in(target);
    if iterable.kind() == "identifier" {
        return Some(Iteration {
            collection: cx.text(iterable),
            variables,
            indexes: Vec::new(),
        });
    }
    if iterable.kind() != "call" {
        return None;
    }
    let function = cx.text(iterable.child_by_field_name("function")?);
    let arguments = iterable.child_by_field_name("arguments")?;
    let mut cursor = arguments.walk();
    let arguments: Vec<Node> = arguments.named_children(&mut cursor).collect();
    match function {
        "enumerate" => {
            let collection = arguments
                .first()
                .filter(|argument| argument.kind() == "identifier")?;
            // `for i, item in enumerate(items)`: `i` is a position.
            let indexes = if variables.len() == 2 {
                vec![variables[0]]
            } else {
                Vec::new()
            };
            Some(Iteration {
                collection: cx.text(*collection),
                variables,
                indexes,
            })
        }
        "range" => {
            // range(len(items)) or range(start, len(items)): indexes of items.
            let end = *arguments.get(if arguments.len() == 1 { 0 } else { 1 })?;
            let collection = length_of(cx, end)?;
            Some(Iteration {
                collection,
                indexes: variables.clone(),
                variables,
            })
        }
        _ => None,
    }
}

/// `len(items)` → `items`.
fn length_of<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<&'t str> {
    if node.kind() != "call" || cx.text(node.child_by_field_name("function")?) != "len" {
        return None;
    }
    let argument = node.child_by_field_name("arguments")?.named_child(0)?;
    (argument.kind() == "identifier").then(|| cx.text(argument))
}

pub(super) fn equality_operands<'t>(node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    if node.kind() != "comparison_operator" || node.named_child_count() != 2 {
        return None;
    }
    let operator = node.child_by_field_name("operators")?;
    (operator.kind() == "==")
        .then(|| (node.named_child(0), node.named_child(1)))
        .and_then(|(a, b)| Some((a?, b?)))
}

pub(super) fn additive_operands<'t>(node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    if node.kind() != "binary_operator" {
        return None;
    }
    let operator = node.child_by_field_name("operator")?;
    matches!(operator.kind(), "+" | "-")
        .then(|| {
            Some((
                node.child_by_field_name("left")?,
                node.child_by_field_name("right")?,
            ))
        })
        .flatten()
}

pub(super) fn check<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    match site.id {
        "py-list-membership-in-loop" => list_membership(cx, site),
        "py-list-scan-in-loop" => list_scan(cx, site),
        "py-str-concat-in-loop" => str_concat(cx, site),
        "py-list-concat-in-loop" => list_concat(cx, site),
        "py-sort-in-loop" => sort_in_loop(cx, site),
        "py-sorted-for-min-max" => sorted_for_min_max(cx, site),
        "py-nested-loop-same-collection" => families::nested_loop_same_collection(
            cx,
            site,
            "index the elements by the compared value in a dict or set to find matches in O(n)",
        ),
        "py-repeated-key-lookup" => repeated_key_lookup(cx, site),
        "py-list-pop-front" => list_pop_front(cx, site),
        "py-sum-list-concat" => sum_list_concat(cx, site),
        _ => None,
    }
}

/// A list that outlives the loop around `site`, and that loop.
fn invariant_list<'t>(cx: &mut Cx<'t>, site: &Site<'t>, name: &'t str) -> Option<Node<'t>> {
    let repeating = cx.repeating_loop(site)?;
    if !cx.kind_of(site, name)?.is_list()
        || cx.is_small_and_fixed(site, name)
        || cx.bound_within(site, name, repeating.node)
    {
        return None;
    }
    Some(repeating.node)
}

fn list_membership<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let repeating = invariant_list(cx, site, name)?;
    // A loop that removes from the list (`while x in items: items.remove(x)`)
    // needs another remedy than a set; leave it.
    let shrinks = cx
        .occurrences_within(site, name, repeating)
        .iter()
        .any(|occurrence| {
            matches!(
                occurrence.effect,
                Effect::Method("remove" | "pop" | "clear") | Effect::ElementWrite
            )
        });
    if shrinks {
        return None;
    }
    let grows = cx
        .occurrences_within(site, name, repeating)
        .iter()
        .any(|occurrence| {
            matches!(
                occurrence.effect,
                Effect::Method("append" | "extend" | "insert") | Effect::Augment
            )
        });
    Some(if grows {
        format!(
            "`{name}` is a list that grows in this loop: each `in` test scans it, O(n) per test and O(n²) in all; keep a set of its elements beside it, or make it a set if order does not matter"
        )
    } else {
        format!(
            "`{name}` is a list: each `in` test scans it, O(n) per test and O(n·m) over the loop; build a set once before the loop (`set({name})`)"
        )
    })
}

fn list_scan<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let method = cx.capture_text(site, "method")?;
    invariant_list(cx, site, name)?;
    let remedy = if method == "count" {
        format!("count everything once before the loop with `collections.Counter({name})`")
    } else {
        "map each value to its position once before the loop in a dict".to_string()
    };
    Some(format!(
        "`{name}.{method}()` scans the whole list on every iteration: O(n·m) over the loop; {remedy}"
    ))
}

fn str_concat<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "target")?;
    let prepends = match site.capture("sum") {
        Some(sum) => {
            if !is_self_concatenation(cx, sum, name) {
                return None;
            }
            sum.child_by_field_name("right")
                .is_some_and(|right| cx.text(right) == name)
        }
        None => false,
    };
    let repeating = cx.repeating_loop(site)?;
    if cx.kind_of(site, name)? != Kind::Str || cx.bound_within(site, name, repeating.node) {
        return None;
    }
    Some(if prepends {
        format!(
            "prepending to the string `{name}` copies all of it on every iteration: O(n²) in all; collect the parts in a list and `''.join(reversed(parts))` once"
        )
    } else {
        format!(
            "appending to the string `{name}` in a loop may copy all of it on every iteration: O(n²) in all (CPython avoids the copy only in some cases); collect the parts in a list and `''.join()` them once"
        )
    })
}

fn list_concat<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "target")?;
    let sum = site.capture("sum")?;
    if !is_self_concatenation(cx, sum, name) {
        return None;
    }
    let list_literal = [
        sum.child_by_field_name("left"),
        sum.child_by_field_name("right"),
    ]
    .into_iter()
    .flatten()
    .any(|operand| matches!(operand.kind(), "list" | "list_comprehension"));
    let repeating = cx.repeating_loop(site)?;
    let is_list = list_literal || cx.kind_of(site, name).is_some_and(Kind::is_list);
    if !is_list || cx.bound_within(site, name, repeating.node) {
        return None;
    }
    Some(format!(
        "`{name} = {name} + …` builds a new list and copies all of `{name}` on every iteration: O(n²) in all; `{name}.append(x)` or `{name} += […]` extends it in place"
    ))
}

fn sort_in_loop<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    // `sorted(items)[0]` is the min/max hint's business.
    if site
        .node
        .parent()
        .is_some_and(|parent| parent.kind() == "subscript")
    {
        return None;
    }
    let collection = site.capture("collection")?;
    families::sort_in_loop(
        cx,
        site,
        collection,
        "keep it ordered as you insert with `bisect.insort`, or use `heapq` if you only need the smallest",
    )
}

fn sorted_for_min_max<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let index = cx.capture_text(site, "index")?;
    let arguments = site.capture("arguments")?;
    let first = match index {
        "0" => true,
        "-1" => false,
        _ => return None,
    };
    let mut cursor = arguments.walk();
    let mut has_key = false;
    let mut reversed = false;
    for argument in arguments.named_children(&mut cursor) {
        if argument.kind() == "keyword_argument" {
            let keyword = argument
                .child_by_field_name("name")
                .map(|name| cx.text(name));
            let value = argument
                .child_by_field_name("value")
                .map(|value| cx.text(value));
            match keyword {
                Some("key") => has_key = true,
                Some("reverse") if value == Some("True") => reversed = true,
                Some("reverse") => return None,
                _ => {}
            }
        }
    }
    let smallest = first != reversed;
    let function = if smallest { "min" } else { "max" };
    let key = if has_key { ", key=…" } else { "" };
    Some(format!(
        "sorts every element (O(n log n) and a full copy) to take the {}; `{function}(…{key})` finds it in O(n)",
        if smallest { "smallest" } else { "largest" }
    ))
}

/// `if key in table:` then `table[key] += 1` / `table[key] = ...` /
/// `table[key].append(x)`: the counting and grouping idioms. A plain read
/// after the test is left alone: in CPython `in` then `[]` costs about the
/// same as `get`.
fn repeated_key_lookup<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let map = cx.capture_text(site, "map")?;
    let key = cx.capture_text(site, "key")?;
    let consequence = site.capture("consequence")?;
    if cx
        .kind_of(site, map)
        .is_some_and(|kind| kind.is_list() || matches!(kind, Kind::Set | Kind::Str | Kind::Deque))
    {
        return None;
    }
    let negated = cx.text(site.node).contains("not in");
    let is_entry = |cx: &Cx<'t>, node: Node<'t>| {
        node.kind() == "subscript"
            && node
                .child_by_field_name("value")
                .is_some_and(|value| cx.text(value) == map)
            && node
                .child_by_field_name("subscript")
                .is_some_and(|subscript| same_text(cx.text(subscript), key))
    };
    // `if key not in table: table[key] = v` alone inserts when absent, one
    // lookup in the common case; it costs only when `table[key]` is used
    // again after it (`table[key].append(x)`: the grouping idiom).
    if negated {
        let mut after = site
            .node
            .parent()
            .and_then(|statement| statement.next_named_sibling());
        let mut used_after = false;
        while let Some(statement) = after {
            used_after |= cx.find(statement, |node| is_entry(cx, node)).is_some();
            after = statement.next_named_sibling();
        }
        if !used_after {
            return None;
        }
    }
    families::repeated_key_lookup(
        cx,
        site,
        consequence,
        |cx, node| {
            node.kind() == "subscript"
                && node
                    .child_by_field_name("value")
                    .is_some_and(|value| cx.text(value) == map)
                && node
                    .child_by_field_name("subscript")
                    .is_some_and(|subscript| same_text(cx.text(subscript), key))
                && is_updated(node)
        },
        |_, _| {
            let remedy = if negated {
                format!("`{map}.setdefault({key}, …)` or a collections.defaultdict")
            } else {
                "a collections.Counter or defaultdict".to_string()
            };
            format!(
                "tests `{key} in {map}`, then updates `{map}[{key}]`: two or three hash lookups on every iteration; {remedy} does it in one"
            )
        },
    )
}

/// `table[key] = v`, `table[key] += 1`, `table[key].append(x)`.
fn is_updated(subscript: Node<'_>) -> bool {
    let Some(parent) = subscript.parent() else {
        return false;
    };
    match parent.kind() {
        "assignment" | "augmented_assignment" => is_field(parent, "left", subscript),
        "attribute" => parent
            .parent()
            .is_some_and(|call| call.kind() == "call" && is_field(call, "function", parent)),
        _ => false,
    }
}

fn list_pop_front<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let method = cx.capture_text(site, "method")?;
    let arguments = site
        .node
        .child_by_field_name("arguments")?
        .named_child_count();
    let expected_arguments = if method == "pop" { 1 } else { 2 };
    if arguments != expected_arguments {
        return None;
    }
    cx.repeating_loop(site)?;
    if !cx.kind_of(site, name)?.is_list() {
        return None;
    }
    Some(if method == "pop" {
        format!(
            "`{name}.pop(0)` shifts every remaining element: O(n) per call, O(n²) to drain the list; use a collections.deque and `popleft()`"
        )
    } else {
        format!(
            "`{name}.insert(0, …)` shifts every element: O(n) per call, O(n²) over the loop; use a collections.deque and `appendleft()`"
        )
    })
}

fn sum_list_concat<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let start = site.capture("start")?;
    if start.named_child_count() != 0 {
        return None;
    }
    let _ = cx;
    Some(
        "`sum(…, [])` concatenates the lists pairwise, copying the growing result at every step: O(n²); use `list(itertools.chain.from_iterable(…))` or a comprehension"
            .to_string(),
    )
}
