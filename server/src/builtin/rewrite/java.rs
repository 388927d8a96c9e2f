//! Java: a String grown with `+=` in a loop is built in a StringBuilder; a
//! List searched with `contains` in a loop is copied into a HashSet once;
//! `Pattern.compile(CONST)` in a loop is compiled once before it.

use tree_sitter::Node;

use super::syntax::{
    BuilderSyntax, ancestor_of_kind, descendants_of_kind, field, fresh_name, identifiers,
    line_indent, line_start, outermost_hoisting_loop, outermost_loop_where, through_builder,
};
use super::{Edit, Rewrite, Site};

pub fn rewrite(site: &Site<'_>) -> Option<Rewrite> {
    match site.hint.id {
        "java-string-concat-in-loop" => concat_to_builder(site),
        "java-list-contains-in-loop" => contains_to_set(site),
        "java-regex-in-loop" => hoist_pattern(site),
        _ => None,
    }
}

/// For `s += x;` or `s = s + x;` (a whole statement): the statement and `x`.
fn appended<'a>(site: &Site<'a>, assignment: Node<'a>, name: &str) -> Option<(Node<'a>, Node<'a>)> {
    if assignment.kind() != "assignment_expression" {
        return None;
    }
    let statement = assignment
        .parent()
        .filter(|p| p.kind() == "expression_statement")?;
    let left = field(assignment, "left")?;
    let right = field(assignment, "right")?;
    if left.kind() != "identifier" || site.text(left) != name {
        return None;
    }
    match site.text(field(assignment, "operator")?) {
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
    let assignment = if parent.kind() == "binary_expression" {
        let assignment = parent.parent()?;
        let is_self_sum = field(parent, "left")?.id() == use_.id()
            && field(assignment, "right")?.id() == parent.id()
            && site.text(field(assignment, "operator")?) == "=";
        is_self_sum.then_some(assignment)?
    } else {
        (field(parent, "left")?.id() == use_.id()).then_some(parent)?
    };
    appended(site, assignment, name)
}

fn concat_to_builder(site: &Site<'_>) -> Option<Rewrite> {
    let assignment = ancestor_of_kind(site.node()?, "assignment_expression", 3)?;
    let name = site.text(field(assignment, "left")?);
    appended(site, assignment, name)?;
    let (edits, builder) = through_builder(
        site,
        assignment,
        name,
        |use_| append_statement_of(site, use_, name),
        &BuilderSyntax {
            declare: |indent, builder, name| {
                format!("{indent}StringBuilder {builder} = new StringBuilder({name});\n")
            },
            append: |builder, part| format!("{builder}.append({part});"),
            finish: |indent, name, builder| format!("\n{indent}{name} = {builder}.toString();"),
        },
    )?;
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}` is rebuilt on every iteration: append to a StringBuilder `{builder}` in the loop and convert once after it (O(n) instead of O(n²))"
        ),
        edits,
        imports: Vec::new(),
    })
}

/// `list.contains(x)` with `list` a plain name: the receiver.
fn searched_list<'a>(site: &Site<'a>, invocation: Node<'a>) -> Option<Node<'a>> {
    if invocation.kind() != "method_invocation"
        || site.text(field(invocation, "name")?) != "contains"
    {
        return None;
    }
    let object = field(invocation, "object")?;
    let arguments = field(invocation, "arguments")?;
    (object.kind() == "identifier" && arguments.named_child_count() == 1).then_some(object)
}

fn contains_to_set(site: &Site<'_>) -> Option<Rewrite> {
    let invocation = ancestor_of_kind(site.node()?, "method_invocation", 3)?;
    let list = searched_list(site, invocation)?;
    let name = site.text(list);
    let only_searched = |use_: Node<'_>| {
        use_.parent()
            .and_then(|parent| searched_list(site, parent))
            .is_some_and(|object| object.id() == use_.id())
    };
    let the_loop = outermost_loop_where(site, invocation, name, only_searched)?;
    let set_name = fresh_name(site.function_text(), &format!("{name}Set"));
    let indent = line_indent(site.source, the_loop.start_byte());
    let mut edits = vec![Edit::insert(
        line_start(site.source, the_loop.start_byte()),
        format!(
            "{indent}java.util.Set<Object> {set_name} = new java.util.HashSet<Object>({name});\n"
        ),
    )];
    for use_ in identifiers(site.source, the_loop, name) {
        edits.push(Edit::replace(use_, set_name.clone()));
    }
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}.contains` scans the list on every iteration: copy it into a HashSet `{set_name}` once before the loop (O(1) per test)"
        ),
        edits,
        imports: Vec::new(),
    })
}

/// Is `argument` a constant a pattern may be compiled with: a string
/// literal, a `Pattern.FLAG`, or flags joined with `|`?
fn constant_flag(site: &Site<'_>, argument: Node<'_>) -> bool {
    match argument.kind() {
        "decimal_integer_literal" => true,
        "field_access" => field(argument, "object").is_some_and(|o| site.text(o) == "Pattern"),
        "binary_expression" => {
            field(argument, "operator").is_some_and(|o| site.text(o) == "|")
                && field(argument, "left").is_some_and(|l| constant_flag(site, l))
                && field(argument, "right").is_some_and(|r| constant_flag(site, r))
        }
        _ => false,
    }
}

fn hoist_pattern(site: &Site<'_>) -> Option<Rewrite> {
    let invocation = ancestor_of_kind(site.node()?, "method_invocation", 2)?;
    let is_pattern = field(invocation, "object").is_some_and(|o| site.text(o) == "Pattern");
    let arguments = field(invocation, "arguments")?;
    let pattern = arguments.named_child(0)?;
    // A string literal with no `+`: the pattern cannot depend on the loop.
    if !is_pattern || pattern.kind() != "string_literal" {
        return None;
    }
    let method = site.text(field(invocation, "name")?);
    let rest: Vec<Node<'_>> = {
        let mut cursor = arguments.walk();
        arguments.named_children(&mut cursor).skip(1).collect()
    };
    // `compile(p)` / `compile(p, flags)` becomes the compiled pattern;
    // `matches(p, input)` becomes `pattern.matcher(input).matches()`.
    let (compile, use_of) = match (method, rest.as_slice()) {
        ("compile", []) => (site.text(invocation).to_string(), None),
        ("compile", [flags]) if constant_flag(site, *flags) => {
            (site.text(invocation).to_string(), None)
        }
        ("matches", [input]) => (
            format!("Pattern.compile({})", site.text(pattern)),
            Some(*input),
        ),
        _ => return None,
    };
    let the_loop = outermost_hoisting_loop(site, invocation)?;
    let name = fresh_name(site.function_text(), "pattern");
    let indent = line_indent(site.source, the_loop.start_byte());
    let mut edits = vec![Edit::insert(
        line_start(site.source, the_loop.start_byte()),
        format!("{indent}Pattern {name} = {compile};\n"),
    )];
    match use_of {
        None => {
            for other in descendants_of_kind(the_loop, "method_invocation") {
                if site.text(other) == compile {
                    edits.push(Edit::replace(other, name.clone()));
                }
            }
        }
        Some(input) => edits.push(Edit::replace(
            invocation,
            format!("{name}.matcher({}).matches()", site.text(input)),
        )),
    }
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`Pattern.{method}` compiles the same regular expression on every iteration: compile it once before the loop, `Pattern {name} = {compile};`"
        ),
        edits,
        imports: Vec::new(),
    })
}
