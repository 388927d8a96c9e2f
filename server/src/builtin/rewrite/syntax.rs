//! Tree helpers the rewrites share: loops around a site, the identifiers of
//! a variable inside a loop, line indentation and fresh names.

use tree_sitter::Node;

use super::{Edit, Site};

/// Loop node kinds of the five grammars.
const LOOPS: &[&str] = &[
    "for_statement",
    "while_statement",
    "do_statement",
    "enhanced_for_statement",
    "for_range_loop",
    "for_expression",
    "while_expression",
    "loop_expression",
];

/// The whitespace that starts the line holding `offset`.
pub fn line_indent(source: &str, offset: usize) -> &str {
    let start = line_start(source, offset);
    let line = &source[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

pub fn line_start(source: &str, offset: usize) -> usize {
    source[..offset]
        .rfind('\n')
        .map_or(0, |newline| newline + 1)
}

/// Does `node` begin its line (only indentation before it)?
pub fn starts_line(source: &str, node: Node<'_>) -> bool {
    source[line_start(source, node.start_byte())..node.start_byte()]
        .chars()
        .all(|c| c == ' ' || c == '\t')
}

/// The loops around `node` inside the function, innermost first. A labeled
/// loop is left out: code inserted before it would take its label.
pub fn loops_around<'a>(site: &Site<'a>, node: Node<'a>) -> Vec<Node<'a>> {
    let mut loops = Vec::new();
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if ancestor.start_byte() < site.function.range.start {
            break;
        }
        if LOOPS.contains(&ancestor.kind()) {
            let labeled = ancestor
                .parent()
                .is_some_and(|parent| parent.kind().starts_with("labeled"));
            if labeled || !starts_line(site.source, ancestor) {
                break;
            }
            loops.push(ancestor);
        }
        current = ancestor.parent();
    }
    loops
}

/// The outermost loop around `node` in which every use of `name` passes
/// `allowed` (so work on `name` can move in front of that loop).
pub fn outermost_loop_where<'a>(
    site: &Site<'a>,
    node: Node<'a>,
    name: &str,
    allowed: impl Fn(Node<'a>) -> bool,
) -> Option<Node<'a>> {
    let mut chosen = None;
    for candidate in loops_around(site, node) {
        if identifiers(site.source, candidate, name)
            .into_iter()
            .all(&allowed)
        {
            chosen = Some(candidate);
        } else {
            break;
        }
    }
    chosen
}

/// Every identifier spelled `name` inside `node` (the node itself included).
pub fn identifiers<'a>(source: &str, node: Node<'a>, name: &str) -> Vec<Node<'a>> {
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        if current.child_count() == 0 {
            if current.kind().ends_with("identifier") && &source[current.byte_range()] == name {
                found.push(current);
            }
            continue;
        }
        let mut cursor = current.walk();
        stack.extend(current.children(&mut cursor));
    }
    found.sort_by_key(|node| node.start_byte());
    found
}

/// `base`, or `base2`, `base3`... whichever does not occur in `text`.
pub fn fresh_name(text: &str, base: &str) -> String {
    let taken = |name: &str| {
        text.match_indices(name).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !ident(before) && !ident(after)
        })
    };
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|name| !taken(name))
        .expect("some numbered name is free")
}

/// The named child of `node` in field `field`.
pub fn field<'a>(node: Node<'a>, field: &str) -> Option<Node<'a>> {
    node.child_by_field_name(field)
}

/// The nearest ancestor (or `node` itself) of kind `kind`, within `limit`
/// steps.
pub fn ancestor_of_kind<'a>(node: Node<'a>, kind: &str, limit: usize) -> Option<Node<'a>> {
    let mut current = Some(node);
    for _ in 0..=limit {
        let candidate = current?;
        if candidate.kind() == kind {
            return Some(candidate);
        }
        current = candidate.parent();
    }
    None
}

/// The source text between two sibling nodes (an operator, usually).
pub fn between<'s>(source: &'s str, left: Node<'_>, right: Node<'_>) -> &'s str {
    source[left.end_byte()..right.start_byte()].trim()
}

/// Node kinds whose bodies run at another time than the code around them:
/// work moved out of a loop must not cross one of them.
const BOUNDARIES: &[&str] = &[
    "lambda",
    "lambda_expression",
    "func_literal",
    "closure_expression",
    "function_definition",
    "function_declaration",
    "method_declaration",
    "function_item",
];

/// Parents under which a node is one statement of a list of statements, so
/// a new statement can go on the line before it.
const STATEMENT_LISTS: &[&str] = &[
    "block",
    "statement_list",
    "compound_statement",
    "constructor_body",
    "switch_block_statement_group",
    "case_statement",
];

/// The statement a loop is (Rust wraps loops in an expression statement).
pub fn statement_of_loop(the_loop: Node<'_>) -> Node<'_> {
    match the_loop.parent() {
        Some(parent) if parent.kind() == "expression_statement" => parent,
        _ => the_loop,
    }
}

/// Can a statement be inserted on the line before `the_loop`? Not when the
/// loop is the lone body of an `if` or another loop without braces (the new
/// line would take its place there), nor when it shares its line.
pub fn can_insert_before(source: &str, the_loop: Node<'_>) -> bool {
    let statement = statement_of_loop(the_loop);
    statement
        .parent()
        .is_some_and(|parent| STATEMENT_LISTS.contains(&parent.kind()))
        && starts_line(source, statement)
}

/// The outermost loop around `node` inside the function that work with no
/// dependency on the loop (a constant) can move in front of: not past a
/// closure or nested function, and only in front of a loop that starts a
/// statement of its own.
pub fn outermost_hoisting_loop<'a>(site: &Site<'a>, node: Node<'a>) -> Option<Node<'a>> {
    let mut chosen = None;
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if ancestor.start_byte() <= site.function.range.start
            || BOUNDARIES.contains(&ancestor.kind())
        {
            break;
        }
        if LOOPS.contains(&ancestor.kind()) && can_insert_before(site.source, ancestor) {
            chosen = Some(ancestor);
        }
        current = ancestor.parent();
    }
    chosen
}

/// The innermost loop around `node` inside the function.
pub fn innermost_loop<'a>(site: &Site<'a>, node: Node<'a>) -> Option<Node<'a>> {
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if ancestor.start_byte() < site.function.range.start
            || BOUNDARIES.contains(&ancestor.kind())
        {
            return None;
        }
        if LOOPS.contains(&ancestor.kind()) {
            return Some(ancestor);
        }
        current = ancestor.parent();
    }
    None
}

/// Does any of `nodes` mention one of `names`?
pub fn mentions_any(source: &str, nodes: &[Node<'_>], names: &[&str]) -> bool {
    nodes.iter().any(|node| {
        names
            .iter()
            .any(|name| !identifiers(source, *node, name).is_empty())
    })
}

/// Every node of kind `kind` inside `node`, in source order.
pub fn descendants_of_kind<'a>(node: Node<'a>, kind: &str) -> Vec<Node<'a>> {
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        if current.kind() == kind {
            found.push(current);
        }
        let mut cursor = current.walk();
        stack.extend(current.children(&mut cursor));
    }
    found.sort_by_key(|node| node.start_byte());
    found
}

/// How a language spells a string builder: its declaration before the loop
/// (from the string's value), one appended part, and the string taken back
/// after the loop.
pub struct BuilderSyntax {
    pub declare: fn(indent: &str, builder: &str, name: &str) -> String,
    pub append: fn(builder: &str, part: &str) -> String,
    pub finish: fn(indent: &str, name: &str, builder: &str) -> String,
}

/// The edits that make string `name`, appended to at `statement` inside a
/// loop, go through a builder: declared before the outermost loop in which
/// `name` is only appended to (`append_statement_of` finds, for a use of
/// `name`, its append statement and the appended part), every append
/// written to the builder, the string taken back after the loop. Also the
/// builder's name.
pub fn through_builder<'a>(
    site: &Site<'a>,
    statement: Node<'a>,
    name: &str,
    append_statement_of: impl Fn(Node<'a>) -> Option<(Node<'a>, Node<'a>)>,
    syntax: &BuilderSyntax,
) -> Option<(Vec<Edit>, String)> {
    // Precondition: in the loop the string is only appended to, never read.
    let the_loop = outermost_loop_where(site, statement, name, |use_| {
        append_statement_of(use_).is_some()
    })?;
    let builder = fresh_name(site.function_text(), &format!("{name}Builder"));
    let indent = line_indent(site.source, the_loop.start_byte());
    let mut edits = vec![Edit::insert(
        line_start(site.source, the_loop.start_byte()),
        (syntax.declare)(indent, &builder, name),
    )];
    let mut seen = Vec::new();
    for use_ in identifiers(site.source, the_loop, name) {
        let (statement, part) = append_statement_of(use_)?;
        if !seen.contains(&statement.id()) {
            seen.push(statement.id());
            edits.push(Edit::replace(
                statement,
                (syntax.append)(&builder, site.text(part)),
            ));
        }
    }
    edits.push(Edit::insert(
        the_loop.end_byte(),
        (syntax.finish)(indent, name, &builder),
    ));
    Some((edits, builder))
}
