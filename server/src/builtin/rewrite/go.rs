//! Go: a string grown with `+=` in a loop is built in a strings.Builder.

use tree_sitter::Node;

use super::syntax::{
    ancestor_of_kind, field, fresh_name, identifiers, line_indent, line_start, outermost_loop_where,
};
use super::{Edit, Rewrite, Site};

pub fn rewrite(site: &Site<'_>) -> Option<Rewrite> {
    match site.hint.id {
        "go-string-concat-in-loop" => concat_to_builder(site),
        _ => None,
    }
}

/// The single expression of an `expression_list` (Go's assignment sides).
fn single<'a>(list: Node<'a>) -> Option<Node<'a>> {
    if list.kind() != "expression_list" {
        return Some(list);
    }
    (list.named_child_count() == 1).then(|| list.named_child(0))?
}

/// For `s += x` or `s = s + x`: the statement and `x`.
fn appended<'a>(site: &Site<'a>, statement: Node<'a>, name: &str) -> Option<(Node<'a>, Node<'a>)> {
    if statement.kind() != "assignment_statement" {
        return None;
    }
    let left = single(field(statement, "left")?)?;
    let right = single(field(statement, "right")?)?;
    if left.kind() != "identifier" || site.text(left) != name {
        return None;
    }
    match site.text(field(statement, "operator")?) {
        "+=" => Some((statement, right)),
        "=" if right.kind() == "binary_expression"
            && site.text(field(right, "operator")?) == "+"
            && field(right, "left")
                .is_some_and(|l| l.kind() == "identifier" && site.text(l) == name) =>
        {
            Some((statement, field(right, "right")?))
        }
        _ => None,
    }
}

/// The append statement `use_` is part of: as the assigned variable, or as
/// the left operand of `s = s + x`. Any other use reads the string.
fn append_statement_of<'a>(
    site: &Site<'a>,
    use_: Node<'a>,
    name: &str,
) -> Option<(Node<'a>, Node<'a>)> {
    let parent = use_.parent()?;
    if parent.kind() == "binary_expression" {
        let list = parent.parent()?;
        let statement = list.parent()?;
        let right = single(field(statement, "right")?)?;
        let is_self_sum = field(parent, "left")?.id() == use_.id()
            && right.id() == parent.id()
            && site.text(field(statement, "operator")?) == "=";
        return if is_self_sum {
            appended(site, statement, name)
        } else {
            None
        };
    }
    let statement = parent.parent()?;
    let left = single(field(statement, "left")?)?;
    if left.id() != use_.id() {
        return None;
    }
    appended(site, statement, name)
}

fn concat_to_builder(site: &Site<'_>) -> Option<Rewrite> {
    let statement = ancestor_of_kind(site.node()?, "assignment_statement", 3)?;
    let name = site.text(single(field(statement, "left")?)?);
    appended(site, statement, name)?;
    // Precondition: in the loop the string is only appended to, never read.
    let only_appended = |use_: Node<'_>| append_statement_of(site, use_, name).is_some();
    let the_loop = outermost_loop_where(site, statement, name, only_appended)?;
    let builder = fresh_name(site.function_text(), &format!("{name}Builder"));
    let indent = line_indent(site.source, the_loop.start_byte());
    let mut edits = vec![Edit::insert(
        line_start(site.source, the_loop.start_byte()),
        format!("{indent}var {builder} strings.Builder\n{indent}{builder}.WriteString({name})\n"),
    )];
    let mut seen = Vec::new();
    for use_ in identifiers(site.source, the_loop, name) {
        let (statement, part) = append_statement_of(site, use_, name)?;
        if !seen.contains(&statement.id()) {
            seen.push(statement.id());
            edits.push(Edit::replace(
                statement,
                format!("{builder}.WriteString({})", site.text(part)),
            ));
        }
    }
    edits.push(Edit::insert(
        the_loop.end_byte(),
        format!("\n{indent}{name} = {builder}.String()"),
    ));
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}` is copied on every `+=`: write the parts to a strings.Builder `{builder}` in the loop and take the string once after it (O(n) instead of O(n²))"
        ),
        edits,
        imports: vec!["import \"strings\"".to_string()],
    })
}
