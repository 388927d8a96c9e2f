//! Rust: a Vec or slice searched with `contains` in a loop is collected
//! into a HashSet once; `.collect::<Vec<_>>().len()` becomes `.count()`.

use tree_sitter::Node;

use super::syntax::{
    ancestor_of_kind, field, fresh_name, identifiers, line_indent, line_start, outermost_loop_where,
};
use super::{Edit, Rewrite, Site};

pub fn rewrite(site: &Site<'_>) -> Option<Rewrite> {
    match site.hint.id {
        "rust-vec-contains-in-loop" => contains_to_set(site),
        "rust-collect-then-len" => collect_to_count(site),
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
