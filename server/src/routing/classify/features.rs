//! Structural features of one function, read from its tree-sitter tree: loops and how they
//! nest, calls by name, operators, containers, string handling, counters and state updates.

use std::collections::HashSet;

use tree_sitter::Node;

use super::vocabulary::{self as vocab, kinds};
use crate::language::Language;

/// Deeper trees are not walked: features come from ordinary code, and a pathological
/// expression (thousands of chained `+`) must not exhaust the stack of an editor's thread.
const MAX_DEPTH: usize = 400;

#[derive(Debug, Default, Clone)]
pub struct Features {
    pub loops: usize,
    pub max_loop_depth: usize,
    /// A while/do/loop whose body branches and updates a variable its condition reads.
    pub stepwise_condition_loop: bool,
    /// In a loop, a branch on a literal (`if c == 'U'`, `match cmd { .. }`) that updates state:
    /// commands or events being played out one by one.
    pub dispatch_in_loop: bool,
    /// A call or name containing "sort".
    pub sorting: bool,
    /// Two elements exchanged (`a[i], a[j] = a[j], a[i]`, `swap`, `a[i] = a[j]`).
    pub element_swap: bool,
    pub hash_container: bool,
    /// `m[k] += 1`, `m.get(k, 0) + 1`, `getOrDefault`, `*entry().or_insert(0) += 1`, ...
    pub keyed_counter: bool,
    /// A counting call or a counter's name (`count`, `Counter`, `count_if`, `freq`).
    pub counting_name: bool,
    /// `x += 1` or `x++` in a loop body, on a variable the loop header does not read.
    pub increment_in_loop: bool,
    pub modulo: bool,
    pub number_theory_name: bool,
    pub math_name: bool,
    pub power: bool,
    /// Arithmetic operators outside index expressions.
    pub arithmetic_ops: usize,
    /// Weighted evidence of string handling (a string API or type counts 2, a literal 1).
    pub string_evidence: usize,
    /// Weighted evidence of arrays and lists (a container type, literal or call counts 2,
    /// indexing 1 at most, since strings are indexed too).
    pub array_evidence: usize,
    indexed: bool,
    /// `max`/`min` in a loop, or `if x > best { best = x }`: a running extreme.
    pub running_extreme: bool,
    pub enumeration_name: bool,
    /// Calls of the function to itself.
    pub self_calls: usize,
    /// Every parameter and the return type are numeric scalars (set by the caller).
    pub numeric_signature: bool,
}

pub struct Walker<'a> {
    language: Language,
    source: &'a [u8],
    function_name: Option<String>,
    features: Features,
    itertools: bool,
}

/// Where the walk is: how many loops enclose the node, and what their headers read.
#[derive(Clone, Default)]
struct Scope {
    loop_depth: usize,
    in_loop_body: bool,
    in_index: bool,
    header_names: Vec<String>,
}

impl<'a> Walker<'a> {
    pub fn new(language: Language, source: &'a str, function_name: Option<String>) -> Self {
        Walker {
            language,
            source: source.as_bytes(),
            function_name,
            features: Features::default(),
            itertools: false,
        }
    }

    pub fn run(mut self, root: Node) -> Features {
        self.visit(root, &Scope::default(), 0);
        if self.itertools {
            self.features.enumeration_name = true;
        }
        if self.features.indexed {
            self.features.array_evidence += 1;
        }
        self.features
    }

    fn text(&self, node: Node) -> &'a str {
        node.utf8_text(self.source).unwrap_or_default()
    }

    fn visit(&mut self, node: Node, scope: &Scope, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let kind = node.kind();
        if kind.contains("comment") || self.is_docstring(node) {
            return;
        }
        if kinds::NAMES.contains(&kind) {
            self.name(node);
            return;
        }
        if kinds::STRING_LITERALS.contains(&kind) {
            self.features.string_evidence += 1;
            // A literal's contents are text, except for f-string interpolations, which hold
            // expressions worth walking.
            if kind == "string" {
                self.visit_children(node, scope, depth);
            }
            return;
        }
        if kinds::ARRAY_NODES.contains(&kind) {
            self.features.array_evidence += 2;
        }
        if kinds::HASH_NODES.contains(&kind) {
            self.features.hash_container = true;
        }
        if kinds::INDEXING.contains(&kind) {
            self.features.indexed = true;
            let inner = Scope {
                in_index: true,
                ..scope.clone()
            };
            self.visit_children(node, &inner, depth);
            return;
        }
        if kinds::FOR_LOOPS.contains(&kind) || kinds::CONDITION_LOOPS.contains(&kind) {
            self.visit_loop(node, scope, depth);
            return;
        }
        if kinds::COMPREHENSIONS.contains(&kind) {
            let mut cursor = node.walk();
            let levels = node
                .named_children(&mut cursor)
                .filter(|child| child.kind() == "for_in_clause")
                .count()
                .max(1);
            let inner = self.enter_loops(scope, levels, Vec::new());
            self.visit_children(node, &inner, depth);
            return;
        }
        if kinds::CALLS.contains(&kind) {
            self.call(node, scope, depth);
            return;
        }
        if kinds::BINARY.contains(&kind) {
            self.binary(node, scope);
        }
        if kinds::ASSIGNMENTS.contains(&kind) {
            self.assignment(node, scope);
        }
        if kinds::INCREMENTS.contains(&kind) && self.text(node).contains("++") {
            let target = node.named_child(0);
            self.increment(target, scope);
        }
        if kinds::IFS.contains(&kind) && scope.in_loop_body {
            self.check_running_extreme(node);
        }
        if kinds::BRANCHES.contains(&kind) && scope.in_loop_body && !self.features.dispatch_in_loop
        {
            self.features.dispatch_in_loop = self.is_dispatch(node);
        }
        self.visit_children(node, scope, depth);
    }

    fn visit_children(&mut self, node: Node, scope: &Scope, depth: usize) {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            self.visit(child, scope, depth + 1);
        }
    }

    fn enter_loops(&mut self, scope: &Scope, levels: usize, header_names: Vec<String>) -> Scope {
        self.features.loops += levels;
        let loop_depth = scope.loop_depth + levels;
        self.features.max_loop_depth = self.features.max_loop_depth.max(loop_depth);
        let mut names = scope.header_names.clone();
        names.extend(header_names);
        Scope {
            loop_depth,
            in_loop_body: true,
            in_index: false,
            header_names: names,
        }
    }

    fn visit_loop(&mut self, node: Node, scope: &Scope, depth: usize) {
        let body = node.child_by_field_name("body");
        // Names the header reads (condition, update, loop variable): increments of these are
        // loop bookkeeping, not counting.
        let mut header_names = Vec::new();
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if Some(child) != body {
                collect_identifiers(child, self.source, &mut header_names);
            }
        }
        let is_condition_loop = kinds::CONDITION_LOOPS.contains(&node.kind())
            || (self.language == Language::Go && go_loop_has_only_condition(node));
        if is_condition_loop && let Some(body) = body {
            let assigned = assigned_names(body, self.source, LOCAL_DEPTH);
            let condition_is_empty = header_names.is_empty();
            let updates_condition = assigned.iter().any(|name| header_names.contains(name));
            if contains_kind(body, kinds::BRANCHES, LOCAL_DEPTH)
                && (updates_condition || (condition_is_empty && !assigned.is_empty()))
            {
                self.features.stepwise_condition_loop = true;
            }
        }
        // The header runs at the enclosing depth, but its own `i++` is bookkeeping too.
        let mut header = scope.clone();
        header.header_names.extend(header_names.iter().cloned());
        let inner = self.enter_loops(scope, 1, header_names);
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if Some(child) == body || body.is_none() {
                self.visit(child, &inner, depth + 1);
            } else {
                self.visit(child, &header, depth + 1);
            }
        }
    }

    fn is_docstring(&self, node: Node) -> bool {
        self.language == Language::Python
            && node.kind() == "expression_statement"
            && node.named_child_count() == 1
            && node
                .named_child(0)
                .is_some_and(|child| child.kind() == "string")
    }

    fn name(&mut self, node: Node) {
        let text = self.text(node);
        let lower = text.to_ascii_lowercase();
        let word = lower.as_str();
        if word.contains("sort") {
            self.features.sorting = true;
        }
        if word == "swap" || word == "iter_swap" {
            self.features.element_swap = true;
        }
        if vocab::STRING_WORDS.contains(&word) {
            self.features.string_evidence += 2;
        }
        if vocab::ARRAY_WORDS.contains(&word) {
            self.features.array_evidence += 2;
        }
        if vocab::MATH_WORDS.contains(&word) {
            self.features.math_name = true;
        }
        if word == "pow" || word == "powi" || word == "powf" {
            self.features.power = true;
        }
        if vocab::NUMBER_THEORY_PARTS
            .iter()
            .any(|part| word.contains(part))
        {
            self.features.number_theory_name = true;
        }
        if vocab::COUNT_WORDS.contains(&word) {
            self.features.counting_name = true;
        }
        if vocab::ENUMERATION_WORDS.contains(&word) {
            self.features.enumeration_name = true;
        }
        if word == "itertools" {
            self.itertools = self.itertools || text.contains("itertools");
        }
        if word == "product" && self.itertools {
            self.features.enumeration_name = true;
        }
        let in_type = node.kind() == "type_identifier";
        if (in_type || !vocab::hash_words_in_types_only(self.language))
            && vocab::hash_words(self.language).contains(&text)
        {
            self.features.hash_container = true;
        }
        if text == "Counter" && self.language == Language::Python {
            self.features.counting_name = true;
        }
    }

    fn call(&mut self, node: Node, scope: &Scope, depth: usize) {
        let callee = node
            .child_by_field_name("function")
            .or_else(|| node.child_by_field_name("name"))
            .or_else(|| node.child_by_field_name("macro"));
        let name = callee
            .map(|callee| last_segment(self.text(callee)))
            .unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        if self.function_name.as_deref() == Some(name.as_str()) {
            self.features.self_calls += 1;
        }
        if scope.in_loop_body
            && (lower == "max" || lower == "min" || lower == "fmax" || lower == "fmin")
        {
            self.features.running_extreme = true;
        }
        if self.is_keyed_counter_call(node, &lower) {
            self.features.keyed_counter = true;
        }
        // `xs.iter().map(|x| ...)`, `list.stream().filter(x -> ...)`: the closure is a loop body.
        let arguments = node.child_by_field_name("arguments");
        let closure_is_loop = vocab::ITERATING_CALLS.contains(&lower.as_str())
            && arguments.is_some_and(|arguments| contains_kind(arguments, kinds::CLOSURES, 3));
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if closure_is_loop && Some(child) == arguments {
                let inner = self.enter_loops(scope, 1, Vec::new());
                self.visit(child, &inner, depth + 1);
            } else {
                self.visit(child, scope, depth + 1);
            }
        }
    }

    /// `d.get(k, 0)`, `m.getOrDefault(k, 0)`, `m.merge(k, 1, Integer::sum)`,
    /// `.entry(k).or_insert(0)`: reading a count with a zero default.
    fn is_keyed_counter_call(&self, node: Node, name: &str) -> bool {
        let arguments = node
            .child_by_field_name("arguments")
            .map(|arguments| self.text(arguments).replace(' ', ""))
            .unwrap_or_default();
        match name {
            "getordefault" => arguments.ends_with(",0)") || arguments.ends_with(",0L)"),
            "get" => self.language == Language::Python && arguments.ends_with(",0)"),
            "merge" => arguments.contains(",1,"),
            "or_insert" => arguments == "(0)",
            "or_default" => true,
            _ => false,
        }
    }

    fn binary(&mut self, node: Node, scope: &Scope) {
        let operator = operator_text(node, self.source);
        match operator.as_str() {
            "%" => {
                let left_is_text = node
                    .child_by_field_name("left")
                    .is_some_and(|left| kinds::STRING_LITERALS.contains(&left.kind()));
                if !left_is_text {
                    self.features.modulo = true;
                }
            }
            "**" => self.features.power = true,
            _ => {}
        }
        if ["+", "-", "*", "/", "//", "%", "**"].contains(&operator.as_str()) && !scope.in_index {
            self.features.arithmetic_ops += 1;
        }
    }

    fn assignment(&mut self, node: Node, scope: &Scope) {
        let operator = operator_text(node, self.source);
        let left = node.child_by_field_name("left");
        let right = node.child_by_field_name("right");
        let right_text = right
            .map(|right| self.text(right).trim())
            .unwrap_or_default();
        match operator.as_str() {
            "%=" => self.features.modulo = true,
            "+=" if right_text == "1" => self.increment(left, scope),
            "=" | ":=" => {
                let (Some(left), Some(right)) = (left, right) else {
                    return;
                };
                let left_text = self.text(left).trim();
                // `x = x + 1`
                if kinds::BINARY.contains(&right.kind())
                    && operator_text(right, self.source) == "+"
                    && right
                        .child_by_field_name("left")
                        .is_some_and(|l| self.text(l).trim() == left_text)
                    && right
                        .child_by_field_name("right")
                        .is_some_and(|r| self.text(r).trim() == "1")
                {
                    self.increment(Some(left), scope);
                }
                // `a[i] = a[j]` or `a[i], a[j] = a[j], a[i]`: elements exchanged.
                let is_element = |node: Node| kinds::INDEXING.contains(&node.kind());
                let all_elements = |node: Node| {
                    if is_element(node) {
                        return true;
                    }
                    let mut cursor = node.walk();
                    let children: Vec<Node> = node.named_children(&mut cursor).collect();
                    !children.is_empty() && children.iter().all(|child| is_element(*child))
                };
                if all_elements(left) && all_elements(right) {
                    self.features.element_swap = true;
                }
            }
            _ => {}
        }
    }

    fn increment(&mut self, target: Option<Node>, scope: &Scope) {
        let Some(mut target) = target else { return };
        // Unwrap `x, = ...` lists, `*entry += 1` dereferences and parentheses.
        while matches!(
            target.kind(),
            "expression_list"
                | "pattern_list"
                | "unary_expression"
                | "pointer_expression"
                | "parenthesized_expression"
        ) {
            match target.named_child(0) {
                Some(inner) => target = inner,
                None => return,
            }
        }
        let text = self.text(target);
        if kinds::INDEXING.contains(&target.kind())
            || text.contains("or_insert")
            || text.contains("or_default")
        {
            self.features.keyed_counter = true;
        } else if target.kind() == "identifier"
            && scope.in_loop_body
            && !scope.header_names.iter().any(|name| name == text)
        {
            self.features.increment_in_loop = true;
        }
    }

    /// A `match`/`switch`, or an `if` with an `else` testing equality with a literal, whose
    /// arms update state with `+=`, `-=`, `++` and the like.
    fn is_dispatch(&self, node: Node) -> bool {
        let kind = node.kind();
        let is_multiway = kind.contains("match") || kind.contains("switch");
        let is_literal_if = kinds::IFS.contains(&kind)
            && node.child_by_field_name("alternative").is_some()
            && node
                .child_by_field_name("condition")
                .is_some_and(|condition| self.tests_equality_with_literal(condition));
        (is_multiway || is_literal_if) && updates_state(node, self.source)
    }

    fn tests_equality_with_literal(&self, condition: Node) -> bool {
        descendants(condition, LOCAL_DEPTH).any(|current| {
            let mut cursor = current.walk();
            kinds::COMPARISONS.contains(&current.kind())
                && operator_text(current, self.source) == "=="
                && current
                    .named_children(&mut cursor)
                    .any(|side| kinds::LITERALS.contains(&side.kind()))
        })
    }

    /// `if value > best { best = value }` inside a loop.
    fn check_running_extreme(&mut self, node: Node) {
        let Some(condition) = node.child_by_field_name("condition") else {
            return;
        };
        let Some(comparison) = first_of_kind(condition, kinds::COMPARISONS, LOCAL_DEPTH) else {
            return;
        };
        let operator = operator_text(comparison, self.source);
        if !["<", ">", "<=", ">="].contains(&operator.as_str()) {
            return;
        }
        let mut compared = Vec::new();
        let mut cursor = comparison.walk();
        for side in comparison.named_children(&mut cursor) {
            if side.kind() == "identifier" {
                compared.push(self.text(side).to_string());
            }
        }
        let Some(consequence) = node.child_by_field_name("consequence") else {
            return;
        };
        let assigned = assigned_names(consequence, self.source, 4);
        if compared.iter().any(|name| assigned.contains(name)) {
            self.features.running_extreme = true;
        }
    }
}

/// The operator token of a binary, comparison or assignment node.
fn operator_text(node: Node, source: &[u8]) -> String {
    if let Some(operator) = node.child_by_field_name("operator") {
        return operator.utf8_text(source).unwrap_or_default().to_string();
    }
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .find(|child| !child.is_named())
        .and_then(|child| child.utf8_text(source).ok())
        .unwrap_or_default()
        .to_string()
}

/// `std::sort` -> `sort`, `xs.iter().map` -> `map`, `Collections.<T>sort` -> `sort`.
fn last_segment(callee: &str) -> String {
    let mut without_generics = String::with_capacity(callee.len());
    let mut angle = 0usize;
    for c in callee.chars() {
        match c {
            '<' => angle += 1,
            '>' if angle > 0 => angle -= 1,
            _ if angle == 0 => without_generics.push(c),
            _ => {}
        }
    }
    without_generics
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .rfind(|part| !part.is_empty())
        .unwrap_or_default()
        .to_string()
}

/// Identifiers in a loop header (its condition, update, iterable and variables).
fn collect_identifiers(node: Node, source: &[u8], out: &mut Vec<String>) {
    for current in descendants(node, LOCAL_DEPTH) {
        if current.kind() == "identifier"
            && let Ok(text) = current.utf8_text(source)
        {
            out.push(text.to_string());
        }
    }
}

/// How far below a node the local checks look (a loop body's statements, an `if`'s arms).
/// Bounding them keeps classification linear in the size of the function: without a bound,
/// every `if` in a loop would rescan all code nested inside it, quadratic in deep nesting.
const LOCAL_DEPTH: usize = 6;

/// The nodes under `node` (itself included) at most `max_depth` levels down, in tree order.
fn descendants(node: Node, max_depth: usize) -> impl Iterator<Item = Node> {
    let mut stack = vec![(node, 0usize)];
    std::iter::from_fn(move || {
        let (current, depth) = stack.pop()?;
        if depth < max_depth {
            let mut cursor = current.walk();
            let children: Vec<Node> = current.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev().map(|child| (child, depth + 1)));
        }
        Some(current)
    })
}

/// Names assigned (plainly, compound or by `++`) near the top of `node`.
fn assigned_names(node: Node, source: &[u8], max_depth: usize) -> HashSet<String> {
    let mut names = HashSet::new();
    for current in descendants(node, max_depth) {
        let kind = current.kind();
        let target = if kinds::ASSIGNMENTS.contains(&kind) {
            current.child_by_field_name("left")
        } else if kinds::INCREMENTS.contains(&kind) || kind == "dec_statement" {
            current.named_child(0)
        } else {
            None
        };
        let Some(target) = target else { continue };
        if target.kind() == "identifier" {
            names.insert(target.utf8_text(source).unwrap_or_default().to_string());
        } else if matches!(
            target.kind(),
            "expression_list" | "pattern_list" | "tuple_pattern"
        ) {
            let mut cursor = target.walk();
            for child in target.named_children(&mut cursor) {
                if child.kind() == "identifier" {
                    names.insert(child.utf8_text(source).unwrap_or_default().to_string());
                }
            }
        }
    }
    names
}

/// A compound assignment (`+=`, `-=`, ...) or an increment/decrement near the top of `node`.
fn updates_state(node: Node, source: &[u8]) -> bool {
    descendants(node, LOCAL_DEPTH).any(|current| {
        let kind = current.kind();
        if kinds::INCREMENTS.contains(&kind) || kind == "dec_statement" {
            return true;
        }
        if kinds::ASSIGNMENTS.contains(&kind) {
            let operator = operator_text(current, source);
            return operator.ends_with('=') && operator != "=" && operator != ":=";
        }
        false
    })
}

fn contains_kind(node: Node, wanted: &[&str], max_depth: usize) -> bool {
    first_of_kind(node, wanted, max_depth).is_some()
}

fn first_of_kind<'t>(node: Node<'t>, wanted: &[&str], max_depth: usize) -> Option<Node<'t>> {
    descendants(node, max_depth).find(|current| wanted.contains(&current.kind()))
}

/// Go spells `while` as `for cond {}` and `loop` as `for {}`: no clause, no range.
fn go_loop_has_only_condition(node: Node) -> bool {
    let mut cursor = node.walk();
    !node
        .named_children(&mut cursor)
        .any(|child| child.kind() == "for_clause" || child.kind() == "range_clause")
}
