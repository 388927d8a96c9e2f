//! Go: a string grown with `+=` in a loop is built in a strings.Builder; a
//! slice appended to once per element of a `range` loop is made with that
//! capacity; `regexp.MustCompile(CONST)` in a loop is compiled once before it.

use tree_sitter::Node;

use super::syntax::{
    BuilderSyntax, ancestor_of_kind, can_insert_before, descendants_of_kind, field, fresh_name,
    innermost_loop, line_indent, line_start, mentions_any, outermost_hoisting_loop,
    through_builder,
};
use super::{Edit, Rewrite, Site};

pub fn rewrite(site: &Site<'_>) -> Option<Rewrite> {
    match site.hint.id {
        "go-string-concat-in-loop" => concat_to_builder(site),
        "go-append-without-prealloc" => preallocate(site),
        "go-regexp-compile-in-loop" => hoist_regexp(site),
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
    let (edits, builder) = through_builder(
        site,
        statement,
        name,
        |use_| append_statement_of(site, use_, name),
        &BuilderSyntax {
            declare: |indent, builder, name| {
                format!(
                    "{indent}var {builder} strings.Builder\n{indent}{builder}.WriteString({name})\n"
                )
            },
            append: |builder, part| format!("{builder}.WriteString({part})"),
            finish: |indent, name, builder| format!("\n{indent}{name} = {builder}.String()"),
        },
    )?;
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}` is copied on every `+=`: write the parts to a strings.Builder `{builder}` in the loop and take the string once after it (O(n) instead of O(n²))"
        ),
        edits,
        imports: vec!["import \"strings\"".to_string()],
    })
}

/// `s = append(s, x)` with one element: the slice's name.
fn single_append<'a>(site: &Site<'a>, statement: Node<'a>) -> Option<&'a str> {
    if statement.kind() != "assignment_statement" || site.text(field(statement, "operator")?) != "="
    {
        return None;
    }
    let target = single(field(statement, "left")?)?;
    let call = single(field(statement, "right")?)?;
    if target.kind() != "identifier"
        || call.kind() != "call_expression"
        || site.text(field(call, "function")?) != "append"
    {
        return None;
    }
    let arguments = field(call, "arguments")?;
    let first = arguments.named_child(0)?;
    let spread = site
        .text(arguments)
        .trim_end_matches(')')
        .trim_end()
        .ends_with("...");
    (arguments.named_child_count() == 2 && !spread && site.text(first) == site.text(target))
        .then(|| site.text(target))
}

/// How an empty slice is declared before the loop.
enum EmptySlice<'a> {
    /// `s := []T{}` or `s := make([]T, 0)`: the value to replace, and `[]T`.
    Made(Node<'a>, &'a str),
    /// `var s []T`: nil, so it must stay nil when the loop does not run.
    Nil(&'a str),
}

/// The declaration of `name` as an empty slice, if `statement` is one.
fn empty_slice<'a>(site: &Site<'a>, statement: Node<'a>, name: &str) -> Option<EmptySlice<'a>> {
    match statement.kind() {
        "short_var_declaration" => {
            let left = single(field(statement, "left")?)?;
            let value = single(field(statement, "right")?)?;
            if site.text(left) != name {
                return None;
            }
            let slice_type = match value.kind() {
                "composite_literal" => {
                    let body = field(value, "body")?;
                    (body.named_child_count() == 0).then_some(field(value, "type")?)?
                }
                "call_expression" if site.text(field(value, "function")?) == "make" => {
                    let arguments = field(value, "arguments")?;
                    (arguments.named_child_count() == 2
                        && site.text(arguments.named_child(1)?) == "0")
                        .then_some(arguments.named_child(0)?)?
                }
                _ => return None,
            };
            (slice_type.kind() == "slice_type")
                .then(|| EmptySlice::Made(value, site.text(slice_type)))
        }
        "var_declaration" => {
            let spec = statement.named_child(0)?;
            let named = field(spec, "name")?;
            let slice_type = field(spec, "type")?;
            let only_one = statement.named_child_count() == 1
                && spec.kind() == "var_spec"
                && field(spec, "value").is_none()
                && spec.named_child_count() == 2;
            (only_one && site.text(named) == name && slice_type.kind() == "slice_type")
                .then(|| EmptySlice::Nil(site.text(slice_type)))
        }
        _ => None,
    }
}

fn preallocate(site: &Site<'_>) -> Option<Rewrite> {
    let statement = ancestor_of_kind(site.node()?, "assignment_statement", 3)?;
    let name = single_append(site, statement)?;
    // Only a `range` over a named slice, map or string: it runs `len(xs)` times.
    let the_loop = innermost_loop(site, statement)?;
    let mut cursor = the_loop.walk();
    let clause = the_loop
        .named_children(&mut cursor)
        .find(|child| child.kind() == "range_clause")?;
    let ranged = field(clause, "right")?;
    let xs = site.text(ranged);
    if ranged.kind() != "identifier" || xs == name || !can_insert_before(site.source, the_loop) {
        return None;
    }
    let body = field(the_loop, "body")?;
    let per_iteration = descendants_of_kind(body, "assignment_statement")
        .into_iter()
        .filter(|statement| single_append(site, *statement) == Some(name))
        .count();
    let capacity = match per_iteration {
        0 => return None,
        1 => format!("len({xs})"),
        n => format!("{n}*len({xs})"),
    };
    // The declaration: an earlier statement of the same list, and nothing
    // between it and the loop touches the slice (or the ranged collection,
    // whose length is now taken at the declaration).
    let mut between = Vec::new();
    let mut previous = the_loop.prev_named_sibling();
    let declaration = loop {
        let statement = previous?;
        if let Some(declaration) = empty_slice(site, statement, name) {
            break declaration;
        }
        between.push(statement);
        previous = statement.prev_named_sibling();
    };
    if mentions_any(site.source, &between, &[name]) {
        return None;
    }
    let (edit, shown) = match declaration {
        EmptySlice::Made(value, slice_type) => {
            if mentions_any(site.source, &between, &[xs]) {
                return None;
            }
            let made = format!("make({slice_type}, 0, {capacity})");
            (
                Edit::replace(value, made.clone()),
                format!("{name} := {made}"),
            )
        }
        EmptySlice::Nil(slice_type) => {
            let indent = line_indent(site.source, the_loop.start_byte());
            let made = format!("make({slice_type}, 0, {capacity})");
            (
                Edit::insert(
                    line_start(site.source, the_loop.start_byte()),
                    format!("{indent}if len({xs}) > 0 {{\n{indent}\t{name} = {made}\n{indent}}}\n"),
                ),
                format!("{name} = {made} (when `{xs}` is not empty, so an empty result stays nil)"),
            )
        }
    };
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}` is reallocated and copied about log2 n times as the loop appends to it: allocate it once, `{shown}`"
        ),
        edits: vec![edit],
        imports: Vec::new(),
    })
}

fn hoist_regexp(site: &Site<'_>) -> Option<Rewrite> {
    let call = ancestor_of_kind(site.node()?, "call_expression", 2)?;
    let callee = field(call, "function")?;
    // MustCompile only: `Compile` and `MatchString` also return an error,
    // which moving the call would move too.
    if !matches!(
        site.text(callee),
        "regexp.MustCompile" | "regexp.MustCompilePOSIX"
    ) {
        return None;
    }
    let arguments = field(call, "arguments")?;
    let pattern = arguments.named_child(0)?;
    if arguments.named_child_count() != 1
        || !matches!(
            pattern.kind(),
            "interpreted_string_literal" | "raw_string_literal"
        )
    {
        return None;
    }
    let the_loop = outermost_hoisting_loop(site, call)?;
    let compiled = site.text(call);
    let name = fresh_name(site.function_text(), "re");
    let indent = line_indent(site.source, the_loop.start_byte());
    let mut edits = vec![Edit::insert(
        line_start(site.source, the_loop.start_byte()),
        format!("{indent}{name} := {compiled}\n"),
    )];
    // Every compilation of the same pattern in the loop shares the one.
    for other in descendants_of_kind(the_loop, "call_expression") {
        if site.text(other) == compiled {
            edits.push(Edit::replace(other, name.clone()));
        }
    }
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{compiled}` compiles the same pattern on every iteration: compile it once before the loop, `{name} := {compiled}`"
        ),
        edits,
        imports: Vec::new(),
    })
}
