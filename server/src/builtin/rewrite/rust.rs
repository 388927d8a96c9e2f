//! Rust: a Vec or slice searched with `contains` in a loop is collected
//! into a HashSet once; `.collect::<Vec<_>>().len()` becomes `.count()`; a
//! `Vec::new()` pushed to once per element of a `for` over a collection is
//! created `with_capacity`; `Regex::new(CONST).unwrap()` in a loop is built
//! once before it.

use tree_sitter::Node;

use super::syntax::{
    ancestor_of_kind, can_insert_before, descendants_of_kind, field, fresh_name, identifiers,
    innermost_loop, line_indent, line_start, mentions_any, outermost_hoisting_loop,
    outermost_loop_where, statement_of_loop,
};
use super::{Edit, Rewrite, Site};

pub fn rewrite(site: &Site<'_>) -> Option<Rewrite> {
    match site.hint.id {
        "rust-vec-contains-in-loop" => contains_to_set(site),
        "rust-collect-then-len" => collect_to_count(site),
        "rust-push-without-capacity" => with_capacity(site),
        "rust-regex-in-loop" => hoist_regex(site),
        _ => None,
    }
}

/// `v.contains(x)` with `v` a plain name: the receiver.
fn searched_vec<'a>(site: &Site<'a>, call: Node<'a>) -> Option<Node<'a>> {
    if call.kind() != "call_expression" {
        return None;
    }
    let method = field(call, "function")?;
    if method.kind() != "field_expression" || site.text(field(method, "field")?) != "contains" {
        return None;
    }
    let receiver = field(method, "value")?;
    let arguments = field(call, "arguments")?;
    (receiver.kind() == "identifier" && arguments.named_child_count() == 1).then_some(receiver)
}

fn contains_to_set(site: &Site<'_>) -> Option<Rewrite> {
    let call = ancestor_of_kind(site.node()?, "call_expression", 3)?;
    let vec = searched_vec(site, call)?;
    let name = site.text(vec);
    let only_searched = |use_: Node<'_>| {
        use_.parent()
            .and_then(|method| method.parent())
            .and_then(|call| searched_vec(site, call))
            .is_some_and(|receiver| receiver.id() == use_.id())
    };
    let the_loop = outermost_loop_where(site, call, name, only_searched)?;
    let set_name = fresh_name(site.function_text(), &format!("{name}_set"));
    let indent = line_indent(site.source, the_loop.start_byte());
    // A set of references: no element is cloned, and `contains(&x)` keeps
    // working because `&T: Borrow<T>`.
    let mut edits = vec![Edit::insert(
        line_start(site.source, the_loop.start_byte()),
        format!(
            "{indent}let {set_name}: std::collections::HashSet<_> = {name}.iter().collect();\n"
        ),
    )];
    for use_ in identifiers(site.source, the_loop, name) {
        edits.push(Edit::replace(use_, set_name.clone()));
    }
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}.contains` scans the whole vector on every iteration: collect it into a HashSet `{set_name}` once before the loop (O(1) per test)"
        ),
        edits,
        imports: Vec::new(),
    })
}

fn collect_to_count(site: &Site<'_>) -> Option<Rewrite> {
    let mut node = site.node()?;
    // The hint underlines the end of the chain; climb to `….len()`.
    let outer = loop {
        if node.kind() == "call_expression" && counted(site, node).is_some() {
            break node;
        }
        node = node.parent()?;
        if node.start_byte() < site.function.range.start {
            return None;
        }
    };
    let (iterator, emptiness) = counted(site, outer)?;
    let replacement = if emptiness {
        format!("{}.next().is_none()", site.text(iterator))
    } else {
        format!("{}.count()", site.text(iterator))
    };
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "collecting into a Vec only to {} it allocates for nothing: `{replacement}`",
            if emptiness {
                "test it for emptiness"
            } else {
                "count"
            }
        ),
        edits: vec![Edit::replace(outer, replacement)],
        imports: Vec::new(),
    })
}

/// For `it.collect::<Vec<_>>().len()` (or `.is_empty()`): `it`, and
/// whether emptiness is asked.
fn counted<'a>(site: &Site<'a>, call: Node<'a>) -> Option<(Node<'a>, bool)> {
    let method = field(call, "function")?;
    if method.kind() != "field_expression" || field(call, "arguments")?.named_child_count() != 0 {
        return None;
    }
    let emptiness = match site.text(field(method, "field")?) {
        "len" => false,
        "is_empty" => true,
        _ => return None,
    };
    let collect_call = field(method, "value")?;
    if collect_call.kind() != "call_expression"
        || field(collect_call, "arguments")?.named_child_count() != 0
    {
        return None;
    }
    let generic = field(collect_call, "function")?;
    if generic.kind() != "generic_function" {
        return None;
    }
    let type_arguments = site
        .text(field(generic, "type_arguments")?)
        .replace(' ', "");
    if !type_arguments.starts_with("<Vec<") {
        return None;
    }
    let collect = field(generic, "function")?;
    if collect.kind() != "field_expression" || site.text(field(collect, "field")?) != "collect" {
        return None;
    }
    Some((field(collect, "value")?, emptiness))
}

/// `v.push(x)` with `v` a plain name: the call's receiver.
fn pushed_vec<'a>(site: &Site<'a>, identifier: Node<'a>) -> Option<Node<'a>> {
    let method = identifier.parent()?;
    let call = method.parent()?;
    let is_push = method.kind() == "field_expression"
        && field(method, "value")?.id() == identifier.id()
        && site.text(field(method, "field")?) == "push"
        && call.kind() == "call_expression"
        && field(call, "function")?.id() == method.id();
    is_push.then_some(call)
}

/// The collection a `for` iterates over when it yields one item per element:
/// `xs`, `&xs`, `&mut xs`, `xs.iter()`, `xs.iter_mut()`, `xs.into_iter()`.
fn iterated_collection<'a>(site: &Site<'a>, value: Node<'a>) -> Option<&'a str> {
    let collection = match value.kind() {
        "identifier" => value,
        "reference_expression" => field(value, "value")?,
        "call_expression" => {
            let method = field(value, "function")?;
            let iterates = method.kind() == "field_expression"
                && matches!(
                    site.text(field(method, "field")?),
                    "iter" | "iter_mut" | "into_iter"
                )
                && field(value, "arguments")?.named_child_count() == 0;
            iterates.then_some(field(method, "value")?)?
        }
        _ => return None,
    };
    (collection.kind() == "identifier").then(|| site.text(collection))
}

/// For `let mut v = Vec::new();` (typed or not, `Vec::<T>::new()`, or
/// `vec![]`): the value and the path in front of `::new`.
fn new_vec<'a>(site: &Site<'a>, statement: Node<'a>, name: &str) -> Option<(Node<'a>, &'a str)> {
    if statement.kind() != "let_declaration" || site.text(field(statement, "pattern")?) != name {
        return None;
    }
    let value = field(statement, "value")?;
    match value.kind() {
        "macro_invocation" => {
            let empty = site.text(value).replace(' ', "");
            matches!(empty.as_str(), "vec![]" | "vec!()").then_some((value, "Vec"))
        }
        "call_expression" => {
            let path = site.text(field(value, "function")?).strip_suffix("::new")?;
            let is_vec = path == "Vec"
                || path.ends_with("::Vec")
                || path.starts_with("Vec::<")
                || path.contains("::Vec::<");
            (is_vec && field(value, "arguments")?.named_child_count() == 0).then_some((value, path))
        }
        _ => None,
    }
}

fn with_capacity(site: &Site<'_>) -> Option<Rewrite> {
    let call = ancestor_of_kind(site.node()?, "call_expression", 2)?;
    let receiver = field(field(call, "function")?, "value")?;
    let name = site.text(receiver);
    pushed_vec(site, receiver)?;
    let the_loop = innermost_loop(site, call)?;
    if the_loop.kind() != "for_expression" || !can_insert_before(site.source, the_loop) {
        return None;
    }
    let xs = iterated_collection(site, field(the_loop, "value")?)?;
    if xs == name {
        return None;
    }
    // In the loop the vector is only pushed to (the hint has checked that
    // every push is a statement of the body, run on every iteration).
    let uses = identifiers(site.source, field(the_loop, "body")?, name);
    if uses.iter().any(|use_| pushed_vec(site, *use_).is_none()) {
        return None;
    }
    let capacity = match uses.len() {
        0 => return None,
        1 => format!("{xs}.len()"),
        n => format!("{n} * {xs}.len()"),
    };
    // The declaration is an earlier statement of the same block, and
    // nothing between touches the vector or the collection (whose length
    // is now taken at the declaration).
    let loop_statement = statement_of_loop(the_loop);
    let mut between = Vec::new();
    let mut previous = loop_statement.prev_named_sibling();
    let (value, path) = loop {
        let statement = previous?;
        if let Some(found) = new_vec(site, statement, name) {
            break found;
        }
        between.push(statement);
        previous = statement.prev_named_sibling();
    };
    if mentions_any(site.source, &between, &[name, xs]) {
        return None;
    }
    let created = format!("{path}::with_capacity({capacity})");
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}` reallocates about log2 n times as the loop pushes to it: create it with `{created}`"
        ),
        edits: vec![Edit::replace(value, created)],
        imports: Vec::new(),
    })
}

/// `Regex::new(CONST).unwrap()` or `.expect("...")` around the hint's call.
fn unwrapped<'a>(site: &Site<'a>, new_call: Node<'a>) -> Option<Node<'a>> {
    let method = new_call.parent()?;
    let call = method.parent()?;
    if method.kind() != "field_expression" || call.kind() != "call_expression" {
        return None;
    }
    let arguments = field(call, "arguments")?;
    let fine = match site.text(field(method, "field")?) {
        "unwrap" => arguments.named_child_count() == 0,
        "expect" => {
            arguments.named_child_count() == 1
                && arguments.named_child(0)?.kind() == "string_literal"
        }
        _ => false,
    };
    fine.then_some(call)
}

fn hoist_regex(site: &Site<'_>) -> Option<Rewrite> {
    let new_call = ancestor_of_kind(site.node()?, "call_expression", 2)?;
    let path = site.text(field(new_call, "function")?);
    if !(path == "Regex::new" || path.ends_with("::Regex::new")) {
        return None;
    }
    let arguments = field(new_call, "arguments")?;
    if arguments.named_child_count() != 1
        || !matches!(
            arguments.named_child(0)?.kind(),
            "string_literal" | "raw_string_literal"
        )
    {
        return None;
    }
    // A `?` would return the error from another place; only a panic on a
    // bad pattern moves with the call.
    let compiled = unwrapped(site, new_call)?;
    let the_loop = outermost_hoisting_loop(site, compiled)?;
    let compiled_text = site.text(compiled);
    let name = fresh_name(site.function_text(), "re");
    let indent = line_indent(site.source, statement_of_loop(the_loop).start_byte());
    let mut edits = vec![Edit::insert(
        line_start(site.source, statement_of_loop(the_loop).start_byte()),
        format!("{indent}let {name} = {compiled_text};\n"),
    )];
    for other in descendants_of_kind(the_loop, "call_expression") {
        if site.text(other) != compiled_text {
            continue;
        }
        // A method call borrows the regex by itself; elsewhere the value
        // was a `Regex`, and a borrow keeps every method working.
        let receiver = other
            .parent()
            .is_some_and(|parent| parent.kind() == "field_expression");
        let text = if receiver {
            name.clone()
        } else {
            format!("&{name}")
        };
        edits.push(Edit::replace(other, text));
    }
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{compiled_text}` compiles the same pattern on every iteration: build it once before the loop, `let {name} = {compiled_text};`"
        ),
        edits,
        imports: Vec::new(),
    })
}
