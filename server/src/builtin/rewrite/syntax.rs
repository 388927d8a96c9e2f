//! Tree helpers the rewrites share: loops around a site, the identifiers of
//! a variable inside a loop, line indentation and fresh names.

use tree_sitter::Node;

use super::Site;

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
