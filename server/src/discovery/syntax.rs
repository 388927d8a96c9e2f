//! Tree-sitter helpers shared by the language rules: parse a test file,
//! decide whether a body refers to the target function, and follow local
//! helpers (a test that calls `check(...)`, which calls the function, is a
//! test of the function too).

use std::collections::HashSet;

use tree_sitter::{Node, Parser, Tree};

use crate::language::Language;

pub(crate) struct ParsedFile {
    pub text: String,
    pub tree: Tree,
}

impl ParsedFile {
    pub fn parse(language: Language, text: String) -> Option<ParsedFile> {
        let mut parser = Parser::new();
        parser.set_language(&language.tree_sitter()).ok()?;
        let tree = parser.parse(&text, None)?;
        Some(ParsedFile { text, tree })
    }

    pub fn root(&self) -> Node<'_> {
        self.tree.root_node()
    }

    pub fn text_of(&self, node: Node) -> &str {
        &self.text[node.byte_range()]
    }
}

/// Does any identifier-like leaf under `node` (identifiers, field and
/// property names; not comments or strings) spell one of `names`?
pub(crate) fn refers_to(file: &ParsedFile, node: Node, names: &HashSet<String>) -> bool {
    let mut cursor = node.walk();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        if current.child_count() == 0 {
            if current.kind().ends_with("identifier") && names.contains(file.text_of(current)) {
                return true;
            }
            continue;
        }
        stack.extend(current.children(&mut cursor));
    }
    false
}

/// A function-like definition found in a test file.
pub(crate) struct Definition<'t> {
    /// Plain name, used to follow calls to helpers.
    pub name: String,
    /// The part searched for references (usually the body).
    pub body: Node<'t>,
    /// Set when the runner treats this definition as a test: its id.
    pub test: Option<TestId>,
    /// The whole definition.
    pub node: Node<'t>,
}

/// How a runner names one test, plus a kind tag the language uses to split
/// suites (e.g. pytest functions vs. unittest methods).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TestId {
    pub id: String,
    pub kind: &'static str,
}

/// The tests among `definitions` that refer to the target, directly or
/// through helpers defined in the same file (followed to a fixpoint).
pub(crate) fn tests_referring<'d>(
    file: &ParsedFile,
    definitions: &'d [Definition<'_>],
    target: &str,
) -> Vec<&'d TestId> {
    tests_referring_any(file, definitions, HashSet::from([target.to_string()]))
}

/// Like [`tests_referring`], starting from several names (the target plus
/// helpers found elsewhere, e.g. pytest fixtures in a conftest.py).
pub(crate) fn tests_referring_any<'d>(
    file: &ParsedFile,
    definitions: &'d [Definition<'_>],
    names: HashSet<String>,
) -> Vec<&'d TestId> {
    let referring = referring(file, definitions, names).1;
    definitions
        .iter()
        .zip(referring)
        .filter(|(_, referring)| *referring)
        .filter_map(|(definition, _)| definition.test.as_ref())
        .collect()
}

/// The names that lead to the target (it and every helper that refers to
/// it, to a fixpoint), and which definitions refer to any of them.
pub(crate) fn referring(
    file: &ParsedFile,
    definitions: &[Definition<'_>],
    mut names: HashSet<String>,
) -> (HashSet<String>, Vec<bool>) {
    let mut referring = vec![false; definitions.len()];
    loop {
        let mut grew = false;
        for (index, definition) in definitions.iter().enumerate() {
            if !referring[index] && refers_to(file, definition.body, &names) {
                referring[index] = true;
                // Tests are not helpers; a helper's name now counts as the target.
                if definition.test.is_none() && names.insert(definition.name.clone()) {
                    grew = true;
                }
            }
        }
        if !grew {
            break;
        }
    }
    (names, referring)
}

/// Named children of `node`, collected (tree-sitter cursors borrow mutably).
pub(crate) fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// Every node under `node` (depth first, pre-order) of one of `kinds`.
pub(crate) fn descendants_of_kind<'t>(node: Node<'t>, kinds: &[&str]) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    let mut cursor = node.walk();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        if kinds.contains(&current.kind()) {
            found.push(current);
        }
        let mut children: Vec<Node> = current.children(&mut cursor).collect();
        children.reverse();
        stack.extend(children);
    }
    found
}
