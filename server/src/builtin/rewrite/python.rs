//! Python: a list searched with `in` inside a loop becomes a set built once
//! before the loop; `sorted(xs)[0]` / `sorted(xs)[-1]` become `min` / `max`.

use tree_sitter::Node;

use super::syntax::{
    ancestor_of_kind, between, field, fresh_name, line_indent, line_start, outermost_loop_where,
};
use super::{Edit, Rewrite, Site};

pub fn rewrite(site: &Site<'_>) -> Option<Rewrite> {
    match site.hint.id {
        "py-list-membership-in-loop" => membership_to_set(site),
        "py-sorted-for-min-max" => sorted_to_min_max(site),
        _ => None,
    }
}

/// `x in items` with `items` a plain name, as the right operand.
fn searched_name<'a>(site: &Site<'a>, comparison: Node<'a>) -> Option<Node<'a>> {
    if comparison.kind() != "comparison_operator" || comparison.named_child_count() != 2 {
        return None;
    }
    let left = comparison.named_child(0)?;
    let right = comparison.named_child(1)?;
    let operator = between(site.source, left, right);
    (right.kind() == "identifier" && (operator == "in" || operator == "not in")).then_some(right)
}

fn membership_to_set(site: &Site<'_>) -> Option<Rewrite> {
    let comparison = ancestor_of_kind(site.node()?, "comparison_operator", 3)?;
    let list = searched_name(site, comparison)?;
    let name = site.text(list);
    // Precondition: inside the loop the list is only ever searched, so a
    // set built before the loop answers every test the same way.
    let only_searched = |use_: Node<'_>| {
        use_.parent()
            .and_then(|parent| searched_name(site, parent))
            .is_some_and(|right| right.id() == use_.id())
    };
    let the_loop = outermost_loop_where(site, comparison, name, only_searched)?;
    let set_name = fresh_name(site.function_text(), &format!("{name}_set"));
    let indent = line_indent(site.source, the_loop.start_byte());
    let mut edits = vec![Edit::insert(
        line_start(site.source, the_loop.start_byte()),
        format!("{indent}{set_name} = set({name})\n"),
    )];
    for use_ in super::syntax::identifiers(site.source, the_loop, name) {
        edits.push(Edit::replace(use_, set_name.clone()));
    }
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}` is searched with `in` inside a loop: build `{set_name} = set({name})` once before the loop and search the set (O(1) per test)"
        ),
        edits,
        imports: Vec::new(),
    })
}

fn sorted_to_min_max(site: &Site<'_>) -> Option<Rewrite> {
    let subscript = ancestor_of_kind(site.node()?, "subscript", 3)?;
    let call = field(subscript, "value")?;
    let index = field(subscript, "subscript")?;
    if call.kind() != "call" || site.text(field(call, "function")?) != "sorted" {
        return None;
    }
    let arguments = field(call, "arguments")?;
    // Only `sorted(xs)`: a key or reverse= changes which element is first.
    if arguments.named_child_count() != 1 {
        return None;
    }
    let argument = arguments.named_child(0)?;
    if matches!(
        argument.kind(),
        "keyword_argument" | "list_splat" | "dictionary_splat" | "generator_expression"
    ) {
        return None;
    }
    let pick = match site.text(index).replace(' ', "").as_str() {
        "0" => "min",
        "-1" => "max",
        _ => return None,
    };
    let argument_text = site.text(argument);
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`sorted({argument_text})[{}]` sorts everything to take one element: `{pick}({argument_text})` is O(n)",
            site.text(index)
        ),
        edits: vec![Edit::replace(subscript, format!("{pick}({argument_text})"))],
        imports: Vec::new(),
    })
}
