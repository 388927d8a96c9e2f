//! C++: `s = s + x` on a std::string becomes `s += x`; a container
//! parameter taken by value and only read is taken by `const&`.

use super::syntax::{ancestor_of_kind, field};
use super::{Edit, Rewrite, Site};

pub fn rewrite(site: &Site<'_>) -> Option<Rewrite> {
    match site.hint.id {
        "cpp-string-concat-in-loop" => concat_in_place(site),
        "cpp-container-by-value" => by_const_reference(site),
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
