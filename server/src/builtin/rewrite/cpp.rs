//! C++: `s = s + x` on a std::string becomes `s += x`; a container
//! parameter taken by value and only read is taken by `const&`; a vector
//! pushed to once per element of a range-for is reserved before the loop.

use tree_sitter::Node;

use super::syntax::{
    ancestor_of_kind, can_insert_before, descendants_of_kind, field, innermost_loop, line_indent,
    line_start,
};
use super::{Edit, Rewrite, Site};

pub fn rewrite(site: &Site<'_>) -> Option<Rewrite> {
    match site.hint.id {
        "cpp-string-concat-in-loop" => concat_in_place(site),
        "cpp-container-by-value" => by_const_reference(site),
        "cpp-push-back-without-reserve" => reserve_before_loop(site),
        _ => None,
    }
}

fn concat_in_place(site: &Site<'_>) -> Option<Rewrite> {
    let assignment = ancestor_of_kind(site.node()?, "assignment_expression", 3)?;
    let left = field(assignment, "left")?;
    let right = field(assignment, "right")?;
    let name = site.text(left);
    // Exactly `s = s + x`: in `s = s + a + b` the sum is `(s + a) + b`, and
    // `s += a + b` would add `a` and `b` first (numbers, or two pointers).
    let is_self_sum = left.kind() == "identifier"
        && site.text(field(assignment, "operator")?) == "="
        && right.kind() == "binary_expression"
        && site.text(field(right, "operator")?) == "+"
        && field(right, "left").is_some_and(|l| l.kind() == "identifier" && site.text(l) == name);
    if !is_self_sum {
        return None;
    }
    let part = site.text(field(right, "right")?);
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name} = {name} + {part}` copies `{name}` on every iteration: `{name} += {part}` appends in place"
        ),
        edits: vec![Edit::replace(assignment, format!("{name} += {part}"))],
        imports: Vec::new(),
    })
}

fn by_const_reference(site: &Site<'_>) -> Option<Rewrite> {
    let parameter = ancestor_of_kind(site.node()?, "parameter_declaration", 2)?;
    let declarator = field(parameter, "declarator")?;
    // A plain name only: `T* p`, `T& r`, arrays and defaults are left alone.
    if declarator.kind() != "identifier" || parameter.named_child_count() > 3 {
        return None;
    }
    let type_node = field(parameter, "type")?;
    let type_text = site.text(type_node);
    let name = site.text(declarator);
    let already_const = site.text(parameter).starts_with("const ");
    let mut edits = Vec::new();
    if !already_const {
        edits.push(Edit::insert(parameter.start_byte(), "const "));
    }
    edits.push(Edit {
        start: type_node.end_byte(),
        end: declarator.start_byte(),
        text: "& ".to_string(),
    });
    let new_text = format!("const {type_text}& {name}");
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}` is copied on every call and only read: take it as `{new_text}`"
        ),
        edits,
        imports: Vec::new(),
    })
}

/// `v.push_back(x)` or `v.emplace_back(...)` with `v` a plain name: `v`.
fn pushed_vector<'a>(site: &Site<'a>, call: Node<'a>) -> Option<&'a str> {
    let method = field(call, "function")?;
    if call.kind() != "call_expression" || method.kind() != "field_expression" {
        return None;
    }
    let receiver = field(method, "argument")?;
    let is_push = matches!(
        site.text(field(method, "field")?),
        "push_back" | "emplace_back"
    ) && site.text(method).contains('.');
    (is_push && receiver.kind() == "identifier").then(|| site.text(receiver))
}

fn reserve_before_loop(site: &Site<'_>) -> Option<Rewrite> {
    let call = ancestor_of_kind(site.node()?, "call_expression", 2)?;
    let name = pushed_vector(site, call)?;
    // The hint has checked that the vector is a local one created empty,
    // that every push is a statement of this loop's body and that no
    // iteration is skipped. Here: the loop is a range-for over a named
    // container, whose size is the number of iterations.
    let the_loop = innermost_loop(site, call)?;
    if the_loop.kind() != "for_range_loop" {
        return None;
    }
    let container = field(the_loop, "right")?;
    let range = site.text(container);
    if container.kind() != "identifier"
        || range == name
        || !can_insert_before(site.source, the_loop)
    {
        return None;
    }
    let per_iteration = descendants_of_kind(field(the_loop, "body")?, "call_expression")
        .into_iter()
        .filter(|call| pushed_vector(site, *call) == Some(name))
        .count();
    let capacity = match per_iteration {
        0 => return None,
        1 => format!("{range}.size()"),
        n => format!("{n} * {range}.size()"),
    };
    let indent = line_indent(site.source, the_loop.start_byte());
    let reserve = format!("{name}.reserve({capacity});");
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}` reallocates about log2 n times as the loop pushes to it: `{reserve}` before the loop allocates once"
        ),
        edits: vec![Edit::insert(
            line_start(site.source, the_loop.start_byte()),
            format!("{indent}{reserve}\n"),
        )],
        imports: Vec::new(),
    })
}
