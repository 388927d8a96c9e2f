//! What a hint's predicate may ask about a site: the loops around it, the
//! function it is in, and how each use of a variable in that function reads,
//! binds or changes it.
//!
//! Variable facts come from one walk of the enclosing function per variable
//! name, done only when a candidate asks and cached for the rest of the pass.

use std::collections::HashMap;
use std::rc::Rc;

use tree_sitter::Node;

use super::scan::{Frame, FrameKind, Site};
use super::syntax;
use crate::language::Language;

/// What a variable holds, as far as its declarations and assignments tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Says nothing about the kind (Python's `None` default, a plain rebinding).
    Neutral,
    /// A growable sequence with O(n) search: a Python list, a Java List, a
    /// C++ vector, a Go slice, a Rust Vec or slice.
    List(ListShape),
    ArrayList,
    LinkedList,
    Deque,
    Set,
    Map,
    Str,
    /// A Java wrapper type (`Integer`, `Long`...).
    Boxed,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ListShape {
    Any,
    /// Created empty with no capacity: `std::vector<T> v;`, `var s []T`, `Vec::new()`.
    EmptyGrowable,
    /// Written out in full with at most 8 elements (or the characters of a
    /// short string literal): unless something grows it, scanning or sorting
    /// it costs next to nothing.
    SmallLiteral,
    /// A borrowed slice (`&[T]`): cloning the reference copies no elements.
    Slice,
}

impl Kind {
    pub fn is_list(self) -> bool {
        matches!(self, Kind::List(_) | Kind::ArrayList | Kind::LinkedList)
    }
}

/// Combines the kinds of every binding of one variable: they must agree.
fn merge(known: Option<Kind>, next: Kind) -> Option<Kind> {
    match (known, next) {
        (known, Kind::Neutral) => known,
        (None, next) => Some(next),
        (Some(known), next) if known == next => Some(known),
        (Some(Kind::List(_) | Kind::ArrayList), Kind::List(_) | Kind::ArrayList) => {
            Some(Kind::List(ListShape::Any))
        }
        _ => Some(Kind::Other),
    }
}

/// How one occurrence of a variable uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Effect<'t> {
    Read,
    /// A declaration, parameter, loop variable or assignment giving the
    /// variable a new value of this kind.
    Bind(Kind),
    /// An assignment of a new value whose kind the declaration fixes.
    Assign,
    /// A new value computed from the old: `s += x`, `s = s + x`, `s = append(s, x)`.
    Augment,
    /// The receiver of a method call: `items.append(x)`.
    Method(&'t str),
    /// An element or field written: `items[i] = x`.
    ElementWrite,
    /// Handed somewhere that may keep or change it: an argument, a mutable
    /// borrow, a return value.
    Escape,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Occurrence<'t> {
    pub node: Node<'t>,
    pub effect: Effect<'t>,
}

pub(super) struct Cx<'t> {
    pub language: Language,
    pub source: &'t str,
    pub root: Node<'t>,
    pub frames: Vec<Frame<'t>>,
    occurrences: HashMap<(usize, &'t str), Rc<[Occurrence<'t>]>>,
    /// The identifiers of each scope asked about so far, by scope node id.
    scopes: HashMap<usize, Rc<ScopeIndex<'t>>>,
}

/// Marks the scope itself in [`ScopeIndex::interior`]: it has no parent there.
const NO_PARENT: u32 = u32::MAX;

/// The identifiers of one scope by spelling, each with the entry of its
/// parent in `interior`: every node the walk descended into, with the entry
/// of its own parent. An occurrence's ancestors are rebuilt from these links
/// only when its name is asked about, so the walk stores no path per node.
struct ScopeIndex<'t> {
    interior: Vec<(Node<'t>, u32)>,
    identifiers: HashMap<&'t str, Vec<(Node<'t>, u32)>>,
}

impl<'t> ScopeIndex<'t> {
    /// The nodes from the scope down to the entry `parent`, nearest last.
    fn ancestors(&self, mut parent: u32, into: &mut Vec<Node<'t>>) {
        into.clear();
        while parent != NO_PARENT {
            let (node, next) = self.interior[parent as usize];
            into.push(node);
            parent = next;
        }
        into.reverse();
    }
}

impl<'t> Cx<'t> {
    pub fn new(
        language: Language,
        source: &'t str,
        root: Node<'t>,
        frames: Vec<Frame<'t>>,
    ) -> Cx<'t> {
        Cx {
            language,
            source,
            root,
            frames,
            occurrences: HashMap::new(),
            scopes: HashMap::new(),
        }
    }

    pub fn text(&self, node: Node<'_>) -> &'t str {
        &self.source[node.byte_range()]
    }

    /// The text of every `identifier` node in `node`, in source order.
    pub fn identifiers_in(&self, node: Node<'t>) -> Vec<&'t str> {
        if node.kind() == "identifier" {
            return vec![self.text(node)];
        }
        let mut cursor = node.walk();
        node.named_children(&mut cursor)
            .flat_map(|child| self.identifiers_in(child))
            .collect()
    }

    pub fn capture_text(&self, site: &Site<'t>, name: &str) -> Option<&'t str> {
        site.capture(name).map(|node| self.text(node))
    }

    /// The loops whose every iteration evaluates the site, innermost first,
    /// up to the nearest function or closure.
    pub fn loops(&self, site: &Site<'t>) -> Vec<Frame<'t>> {
        site.enclosing
            .iter()
            .map(|&index| self.frames[index])
            .take_while(|frame| frame.kind == FrameKind::Loop)
            .filter(|frame| !frame.once.is_some_and(|once| contains(once, site.node)))
            .collect()
    }

    /// The innermost loop that runs the site on each of its iterations,
    /// unless the site is followed by a `break`/`return` that leaves it:
    /// then the site runs once per loop, not once per iteration.
    ///
    /// A loop over a short literal (`for sep in (",", ";")`) runs a handful
    /// of times: it is looked through, to the loop around it.
    pub fn repeating_loop(&mut self, site: &Site<'t>) -> Option<Frame<'t>> {
        let innermost = self
            .loops(site)
            .into_iter()
            .find(|frame| !self.runs_few_times(site, *frame))?;
        (!self.exits_after(innermost.node, site.node)).then_some(innermost)
    }

    /// A loop over a literal of at most 8 elements (or a variable holding
    /// one that nothing grows), or over `range(k)` for a literal k <= 8.
    fn runs_few_times(&mut self, site: &Site<'t>, frame: Frame<'t>) -> bool {
        let Some(walked) = frame.once else {
            return false;
        };
        let few = |count: usize| (1..=8).contains(&count);
        match walked.kind() {
            "list" | "tuple" | "set" | "array_expression" | "initializer_list" => {
                few(walked.named_child_count())
            }
            "composite_literal" => walked
                .child_by_field_name("body")
                .is_some_and(|body| few(body.named_child_count())),
            "call" => {
                let is_range = walked
                    .child_by_field_name("function")
                    .is_some_and(|f| self.text(f) == "range");
                let bound = walked
                    .child_by_field_name("arguments")
                    .filter(|arguments| arguments.named_child_count() == 1);
                is_range
                    && bound
                        .and_then(|arguments| arguments.named_child(0))
                        .and_then(|bound| self.text(bound).parse::<usize>().ok())
                        .is_some_and(few)
            }
            "identifier" => {
                let name = self.text(walked);
                self.is_small_and_fixed(site, name)
            }
            _ => false,
        }
    }

    /// Whether a statement after `node`, in any block between `node` and
    /// `ancestor`, leaves the loop (`break`, `return`, `raise`/`throw`).
    pub fn exits_after(&self, ancestor: Node<'t>, node: Node<'t>) -> bool {
        let mut current = ancestor;
        while current.id() != node.id() {
            let Some(child) = current.child_with_descendant(node) else {
                return false;
            };
            // Siblings through the parent's cursor: `next_named_sibling`
            // would look the parent up from the root every time.
            let mut cursor = current.walk();
            let exits = current
                .named_children(&mut cursor)
                .skip_while(|sibling| sibling.id() != child.id())
                .skip(1)
                .any(|sibling| syntax::is_exit(self.language, sibling));
            if exits {
                return true;
            }
            current = child;
        }
        false
    }

    /// The named function the site is in (closures are looked through).
    pub fn function(&self, site: &Site<'t>) -> Option<Frame<'t>> {
        site.enclosing
            .iter()
            .map(|&index| self.frames[index])
            .find(|frame| frame.kind == FrameKind::Function)
    }

    pub fn function_name(&self, site: &Site<'t>) -> Option<String> {
        let frame = self.function(site)?;
        let name = frame
            .name
            .map(|node| syntax::function_name(self.language, node, self.source))?;
        Some(name.to_string())
    }

    /// Where the site's variables live: its function, or the whole file for
    /// top-level code.
    pub fn scope(&self, site: &Site<'t>) -> Node<'t> {
        self.function(site).map_or(self.root, |frame| frame.node)
    }

    /// Every occurrence of `name` in `scope`, in document order.
    pub fn occurrences(&mut self, scope: Node<'t>, name: &'t str) -> Rc<[Occurrence<'t>]> {
        if let Some(found) = self.occurrences.get(&(scope.id(), name)) {
            return found.clone();
        }
        let index = match self.scopes.get(&scope.id()) {
            Some(index) => index.clone(),
            None => {
                let index = Rc::new(self.index_scope(scope));
                self.scopes.insert(scope.id(), index.clone());
                index
            }
        };
        let mut ancestors = Vec::new();
        let found: Rc<[Occurrence<'t>]> = index
            .identifiers
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&(node, parent)| {
                index.ancestors(parent, &mut ancestors);
                let effect = syntax::classify(self, node, &ancestors);
                Occurrence { node, effect }
            })
            .collect();
        self.occurrences.insert((scope.id(), name), found.clone());
        found
    }

    /// One depth-first walk of `scope` that files every identifier under its
    /// spelling. Predicates ask about several variables of one function;
    /// walking it once per variable cost a third of a first pass.
    fn index_scope(&self, scope: Node<'t>) -> ScopeIndex<'t> {
        let identifier_kinds = syntax::identifier_kinds(self.language);
        let mut index = ScopeIndex {
            interior: Vec::new(),
            identifiers: HashMap::new(),
        };
        // The entry in `interior` of the current node's parent.
        let mut parent = NO_PARENT;
        let mut cursor = scope.walk();
        loop {
            let node = cursor.node();
            if identifier_kinds.contains(&node.kind()) {
                index
                    .identifiers
                    .entry(self.text(node))
                    .or_default()
                    .push((node, parent));
            }
            // Module-level variables live outside the functions and classes
            // defined next to them: skip those when the scope is the file.
            let prune = scope.id() == self.root.id()
                && node.id() != scope.id()
                && matches!(
                    node.kind(),
                    "function_definition"
                        | "decorated_definition"
                        | "class_definition"
                        | "function_declaration"
                        | "method_declaration"
                        | "function_item"
                        | "impl_item"
                );
            if !prune && cursor.goto_first_child() {
                index.interior.push((node, parent));
                parent = index.interior.len() as u32 - 1;
                continue;
            }
            loop {
                if cursor.node().id() == scope.id() {
                    return index;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                cursor.goto_parent();
                parent = index.interior[parent as usize].1;
                if cursor.node().id() == scope.id() {
                    return index;
                }
            }
        }
    }

    /// The kind every binding of `name` in the site's scope agrees on.
    ///
    /// Only bindings that can reach the site count: those before it, and
    /// those in a loop around it (which the next iteration sees). A parameter
    /// rebound to a list after the loop is not a list inside it.
    pub fn kind_of(&mut self, site: &Site<'t>, name: &'t str) -> Option<Kind> {
        let scope = self.scope(site);
        let loops = self.loops(site);
        let reaches = |node: Node<'t>| {
            node.start_byte() < site.node.start_byte()
                || loops.iter().any(|frame| contains(frame.node, node))
        };
        let mut kind = self
            .occurrences(scope, name)
            .iter()
            .filter_map(|occurrence| match occurrence.effect {
                Effect::Bind(kind) if reaches(occurrence.node) => Some(kind),
                _ => None,
            })
            .fold(None, merge);
        if kind.is_none() {
            kind = syntax::member_kind(self, site, name);
        }
        kind.filter(|kind| *kind != Kind::Neutral)
    }

    /// A small literal list that nothing in the site's scope grows.
    pub fn is_small_and_fixed(&mut self, site: &Site<'t>, name: &'t str) -> bool {
        if self.kind_of(site, name) != Some(Kind::List(ListShape::SmallLiteral)) {
            return false;
        }
        let scope = self.scope(site);
        !self
            .occurrences(scope, name)
            .iter()
            .any(|occurrence| match occurrence.effect {
                Effect::Augment => true,
                Effect::Method(method) => is_growing_method(method),
                _ => false,
            })
    }

    /// Whether `name` gets a fresh value inside `region` (a declaration,
    /// loop variable or plain assignment there): then each iteration works on
    /// its own value, not one that outlives the iteration.
    pub fn bound_within(&mut self, site: &Site<'t>, name: &'t str, region: Node<'t>) -> bool {
        let scope = self.scope(site);
        self.occurrences(scope, name).iter().any(|occurrence| {
            matches!(occurrence.effect, Effect::Bind(_) | Effect::Assign)
                && contains(region, occurrence.node)
        })
    }

    /// The occurrences of `name` inside `region`.
    pub fn occurrences_within(
        &mut self,
        site: &Site<'t>,
        name: &'t str,
        region: Node<'t>,
    ) -> Vec<Occurrence<'t>> {
        let scope = self.scope(site);
        self.occurrences(scope, name)
            .iter()
            .copied()
            .filter(|occurrence| contains(region, occurrence.node))
            .collect()
    }

    /// Whether the subtree of `node` contains an identifier spelled `name`.
    pub fn mentions(&self, node: Node<'t>, name: &str) -> bool {
        let identifier_kinds = syntax::identifier_kinds(self.language);
        let mut cursor = node.walk();
        loop {
            let current = cursor.node();
            if identifier_kinds.contains(&current.kind()) && self.text(current) == name {
                return true;
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.node().id() == node.id() {
                    return false;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                cursor.goto_parent();
                if cursor.node().id() == node.id() {
                    return false;
                }
            }
        }
    }

    /// The text of every identifier in the subtree of `node`.
    pub fn identifiers(&self, node: Node<'t>) -> Vec<&'t str> {
        let identifier_kinds = syntax::identifier_kinds(self.language);
        let mut found = Vec::new();
        self.find(node, |current| {
            if identifier_kinds.contains(&current.kind()) {
                found.push(self.text(current));
            }
            false
        });
        found
    }

    /// The first node in the subtree of `node` (itself included) for which
    /// `matches` holds, in document order.
    pub fn find(
        &self,
        node: Node<'t>,
        mut matches: impl FnMut(Node<'t>) -> bool,
    ) -> Option<Node<'t>> {
        let mut cursor = node.walk();
        loop {
            let current = cursor.node();
            if matches(current) {
                return Some(current);
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.node().id() == node.id() {
                    return None;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                cursor.goto_parent();
                if cursor.node().id() == node.id() {
                    return None;
                }
            }
        }
    }
}

/// Methods that add elements, in any of the five languages.
pub(super) fn is_growing_method(method: &str) -> bool {
    matches!(
        method,
        "append"
            | "extend"
            | "insert"
            | "add"
            | "addAll"
            | "push"
            | "push_back"
            | "emplace_back"
            | "emplace"
            | "push_front"
            | "emplace_front"
            | "appendleft"
            | "extend_from_slice"
            | "resize"
            | "offer"
            | "addFirst"
            | "addLast"
    )
}

/// Whether `inner` lies within `outer` (or is it).
pub(super) fn contains(outer: Node<'_>, inner: Node<'_>) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}

/// A field of `parent` is exactly `child`.
pub(super) fn is_field(parent: Node<'_>, field: &str, child: Node<'_>) -> bool {
    parent
        .child_by_field_name(field)
        .is_some_and(|node| node.id() == child.id())
}
