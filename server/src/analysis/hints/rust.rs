//! Rust: how variables are bound and used, and the Rust hints.

use tree_sitter::Node;

use super::context::{Cx, Effect, Kind, ListShape, is_field};
use super::families::{self, Iteration, same_text};
use super::scan::Site;

pub(super) const IDENTIFIERS: &[&str] = &["identifier"];

pub(super) fn is_exit(node: Node<'_>) -> bool {
    match node.kind() {
        "break_expression" | "return_expression" => true,
        "expression_statement" => node
            .named_child(0)
            .is_some_and(|child| matches!(child.kind(), "break_expression" | "return_expression")),
        _ => false,
    }
}

pub(super) fn is_mutating_method(method: &str) -> bool {
    matches!(
        method,
        "push"
            | "push_str"
            | "insert"
            | "remove"
            | "extend"
            | "extend_from_slice"
            | "clear"
            | "truncate"
            | "retain"
            | "dedup"
            | "pop"
            | "drain"
            | "append"
            | "swap_remove"
            | "resize"
            | "push_back"
            | "push_front"
            | "pop_back"
            | "pop_front"
            | "entry"
            | "get_mut"
            | "iter_mut"
            | "reverse"
            | "fill"
            | "swap"
            | "sort"
            | "sort_unstable"
            | "sort_by"
            | "sort_by_key"
            | "sort_unstable_by"
            | "sort_unstable_by_key"
    )
}

/// Macros that only read their arguments.
fn reads_only(mac: &str) -> bool {
    matches!(
        mac,
        "println"
            | "print"
            | "eprintln"
            | "eprint"
            | "format"
            | "assert"
            | "assert_eq"
            | "assert_ne"
            | "debug_assert"
            | "debug_assert_eq"
            | "debug_assert_ne"
            | "panic"
            | "dbg"
            | "vec"
            | "format_args"
    )
}

pub(super) fn classify<'t>(cx: &Cx<'t>, ident: Node<'t>, ancestors: &[Node<'t>]) -> Effect<'t> {
    let Some(&parent) = ancestors.last() else {
        return Effect::Read;
    };
    let grandparent = ancestors.len().checked_sub(2).map(|index| ancestors[index]);
    match parent.kind() {
        "let_declaration" if is_field(parent, "pattern", ident) => Effect::Bind(declared_kind(
            cx,
            parent.child_by_field_name("type"),
            parent.child_by_field_name("value"),
        )),
        "parameter" if is_field(parent, "pattern", ident) => {
            Effect::Bind(declared_kind(cx, parent.child_by_field_name("type"), None))
        }
        "for_expression" if is_field(parent, "pattern", ident) => Effect::Bind(Kind::Other),
        "tuple_pattern"
        | "tuple_struct_pattern"
        | "struct_pattern"
        | "ref_pattern"
        | "reference_pattern"
        | "captured_pattern"
        | "or_pattern"
        | "slice_pattern"
        | "closure_parameters"
        | "field_pattern"
        | "mut_pattern"
        | "match_pattern" => Effect::Bind(Kind::Other),
        "assignment_expression" if is_field(parent, "left", ident) => {
            match parent.child_by_field_name("right") {
                Some(right) if rebuilds_from(cx, right, cx.text(ident)) => Effect::Augment,
                Some(right) => Effect::Bind(value_kind(cx, right).unwrap_or(Kind::Neutral)),
                None => Effect::Assign,
            }
        }
        "compound_assignment_expr" if is_field(parent, "left", ident) => Effect::Augment,
        "field_expression" if is_field(parent, "value", ident) => match grandparent {
            Some(call)
                if call.kind() == "call_expression" && is_field(call, "function", parent) =>
            {
                Effect::Method(
                    parent
                        .child_by_field_name("field")
                        .map_or("", |field| cx.text(field)),
                )
            }
            Some(write) if is_write_target(write, parent) => Effect::ElementWrite,
            _ => Effect::Read,
        },
        "index_expression"
            if parent
                .named_child(0)
                .is_some_and(|base| base.id() == ident.id()) =>
        {
            match grandparent {
                Some(write) if is_write_target(write, parent) => Effect::ElementWrite,
                _ => Effect::Read,
            }
        }
        "reference_expression" => {
            let mut cursor = parent.walk();
            let mutable = parent
                .children(&mut cursor)
                .any(|child| child.kind() == "mutable_specifier");
            if mutable {
                Effect::Escape
            } else {
                Effect::Read
            }
        }
        "arguments" | "shorthand_field_initializer" | "return_expression" => Effect::Escape,
        "token_tree" => {
            let invocation = ancestors
                .iter()
                .rev()
                .find(|node| node.kind() == "macro_invocation");
            let mac = invocation
                .and_then(|node| node.child_by_field_name("macro"))
                .map(|name| cx.text(name));
            match mac {
                Some(mac) if reads_only(mac) => Effect::Read,
                // `write!(s, ..)` appends to its first argument.
                Some("write" | "writeln") => {
                    if parent
                        .named_child(0)
                        .is_some_and(|first| first.id() == ident.id())
                    {
                        Effect::ElementWrite
                    } else {
                        Effect::Read
                    }
                }
                _ => Effect::Escape,
            }
        }
        _ => Effect::Read,
    }
}

fn is_write_target(statement: Node<'_>, target: Node<'_>) -> bool {
    matches!(
        statement.kind(),
        "assignment_expression" | "compound_assignment_expr"
    ) && is_field(statement, "left", target)
}

/// `format!(.., s, ..)` / `format!("{s}..")`, or `s + ..`: a new value built from `name`.
fn rebuilds_from(cx: &Cx<'_>, value: Node<'_>, name: &str) -> bool {
    match value.kind() {
        "macro_invocation" => {
            value
                .child_by_field_name("macro")
                .is_some_and(|mac| cx.text(mac) == "format")
                && format_mentions(cx, value, name)
        }
        "binary_expression" => value
            .child_by_field_name("left")
            .is_some_and(|left| cx.text(left) == name),
        _ => false,
    }
}

/// Whether a `format!` invocation uses `name`, as an argument or inline (`{name}`).
fn format_mentions(cx: &Cx<'_>, invocation: Node<'_>, name: &str) -> bool {
    let mut cursor = invocation.walk();
    let Some(tokens) = invocation
        .named_children(&mut cursor)
        .find(|child| child.kind() == "token_tree")
    else {
        return false;
    };
    if cx.mentions(tokens, name) {
        return true;
    }
    let text = cx.text(tokens);
    text.contains(&format!("{{{name}}}")) || text.contains(&format!("{{{name}:"))
}

/// The kind of a binding from its type, refined by its initial value.
fn declared_kind(cx: &Cx<'_>, declared: Option<Node<'_>>, value: Option<Node<'_>>) -> Kind {
    let from_type = declared.map(|declared| type_kind(cx.text(declared)));
    let from_value = value.and_then(|value| value_kind(cx, value));
    match (from_type, from_value) {
        (Some(Kind::List(_)) | None, Some(Kind::List(shape))) => Kind::List(shape),
        (Some(kind), _) => kind,
        (None, Some(kind)) => kind,
        (None, None) => Kind::Other,
    }
}

fn type_kind(text: &str) -> Kind {
    let text = text.trim();
    let borrowed = text.starts_with('&');
    let text = text.trim_start_matches('&').trim_start();
    let text = text.strip_prefix("mut ").unwrap_or(text).trim_start();
    if text.starts_with('[') {
        // `&[T]` is a slice; `[T; N]` an array, usually small.
        return if borrowed && !text.contains(';') {
            Kind::List(ListShape::Slice)
        } else {
            Kind::Other
        };
    }
    let base = text.split('<').next().unwrap_or(text).trim();
    match base.rsplit("::").next().unwrap_or(base) {
        "Vec" => Kind::List(ListShape::Any),
        "VecDeque" => Kind::Deque,
        "String" => Kind::Str,
        "HashMap" | "BTreeMap" => Kind::Map,
        "HashSet" | "BTreeSet" => Kind::Set,
        _ => Kind::Other,
    }
}

fn value_kind(cx: &Cx<'_>, value: Node<'_>) -> Option<Kind> {
    match value.kind() {
        "call_expression" => {
            let function = value.child_by_field_name("function")?;
            match function.kind() {
                "scoped_identifier" => {
                    let path = function
                        .child_by_field_name("path")
                        .map(|path| cx.text(path))?;
                    let name = cx.text(function.child_by_field_name("name")?);
                    let path = path.rsplit("::").next().unwrap_or(path);
                    Some(match (path, name) {
                        ("Vec", "new") => Kind::List(ListShape::EmptyGrowable),
                        ("Vec", _) => Kind::List(ListShape::Any),
                        ("String", _) => Kind::Str,
                        ("HashMap" | "BTreeMap", _) => Kind::Map,
                        ("HashSet" | "BTreeSet", _) => Kind::Set,
                        ("VecDeque", _) => Kind::Deque,
                        _ => return None,
                    })
                }
                "field_expression" => {
                    let method = cx.text(function.child_by_field_name("field")?);
                    match method {
                        "to_vec" => Some(Kind::List(ListShape::Any)),
                        // `"abc".chars().collect()`: as many elements as a short literal has.
                        "collect" => {
                            let root = chain_root(function);
                            let short_literal = root.kind() == "string_literal"
                                && cx.text(root).chars().count() <= 66;
                            short_literal.then_some(Kind::List(ListShape::SmallLiteral))
                        }
                        "to_string" => Some(Kind::Str),
                        _ => None,
                    }
                }
                "generic_function" => {
                    // `.collect::<Vec<_>>()`
                    let arguments = function.child_by_field_name("type_arguments")?;
                    let collected = arguments.named_child(0)?;
                    match type_kind(cx.text(collected)) {
                        Kind::Other => None,
                        kind => Some(kind),
                    }
                }
                _ => None,
            }
        }
        "macro_invocation" => {
            let mac = cx.text(value.child_by_field_name("macro")?);
            match mac {
                "vec" => {
                    let mut cursor = value.walk();
                    let tokens = value
                        .named_children(&mut cursor)
                        .find(|child| child.kind() == "token_tree")?;
                    let text = cx.text(tokens);
                    let inner = text
                        .trim_start_matches(['[', '(', '{'])
                        .trim_end_matches([']', ')', '}'])
                        .trim();
                    let elements = top_level_commas(inner) + 1;
                    Some(Kind::List(if inner.is_empty() {
                        ListShape::EmptyGrowable
                    } else if elements <= 8 && !inner.contains(';') {
                        ListShape::SmallLiteral
                    } else {
                        ListShape::Any
                    }))
                }
                "format" => Some(Kind::Str),
                _ => None,
            }
        }
        "string_literal" | "raw_string_literal" => None,
        _ => None,
    }
}

/// Commas outside brackets and strings: `a, f(b, c), d` has 2.
fn top_level_commas(text: &str) -> usize {
    let mut depth = 0i32;
    let mut in_string = false;
    let mut count = 0;
    for c in text.chars() {
        match c {
            '"' => in_string = !in_string,
            '(' | '[' | '{' if !in_string => depth += 1,
            ')' | ']' | '}' if !in_string => depth -= 1,
            ',' if !in_string && depth == 0 => count += 1,
            _ => {}
        }
    }
    count
}

/// The receiver a method chain starts from: `"abc".chars().rev()` → `"abc"`.
fn chain_root(function: Node<'_>) -> Node<'_> {
    let mut current = function;
    loop {
        let next = match current.kind() {
            "field_expression" => current.child_by_field_name("value"),
            "call_expression" => current.child_by_field_name("function"),
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => return current,
        }
    }
}

/// `for x in items`, `for x in &items`, `for x in items.iter()`,
/// `for (i, x) in items.iter().enumerate()`, `for i in 0..items.len()`.
pub(super) fn loop_iteration<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Iteration<'t>> {
    if node.kind() != "for_expression" {
        return None;
    }
    let pattern = node.child_by_field_name("pattern")?;
    let value = node.child_by_field_name("value")?;
    let variables = cx.identifiers_in(pattern);
    if value.kind() == "range_expression" {
        let end = value.named_child(1)?;
        let collection = length_of(cx, end)?;
        return Some(Iteration {
            collection,
            indexes: variables.clone(),
            variables,
        });
    }
    let (collection, enumerated) = iterated(cx, value)?;
    let indexes = if enumerated && variables.len() == 2 {
        vec![variables[0]]
    } else {
        Vec::new()
    };
    Some(Iteration {
        collection,
        variables,
        indexes,
    })
}

/// The collection a for loop walks, and whether it is `.enumerate()`d.
fn iterated<'t>(cx: &Cx<'t>, value: Node<'t>) -> Option<(&'t str, bool)> {
    match value.kind() {
        "identifier" => Some((cx.text(value), false)),
        "reference_expression" => {
            let inner = value.child_by_field_name("value")?;
            (inner.kind() == "identifier").then(|| (cx.text(inner), false))
        }
        "call_expression" => {
            let function = value.child_by_field_name("function")?;
            if function.kind() != "field_expression" {
                return None;
            }
            let receiver = function.child_by_field_name("value")?;
            match cx.text(function.child_by_field_name("field")?) {
                "iter" | "iter_mut" | "into_iter" if receiver.kind() == "identifier" => {
                    Some((cx.text(receiver), false))
                }
                "enumerate" => iterated(cx, receiver).map(|(collection, _)| (collection, true)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `items.len()` → `items`.
fn length_of<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<&'t str> {
    if node.kind() != "call_expression" {
        return None;
    }
    let function = node.child_by_field_name("function")?;
    if function.kind() != "field_expression"
        || cx.text(function.child_by_field_name("field")?) != "len"
    {
        return None;
    }
    let receiver = function.child_by_field_name("value")?;
    (receiver.kind() == "identifier").then(|| cx.text(receiver))
}

pub(super) fn check<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    match site.id {
        "rust-clone-in-loop" => clone_in_loop(cx, site),
        "rust-format-in-loop" => format_in_loop(cx, site),
        "rust-collect-then-len" => collect_then_len(cx, site),
        "rust-vec-contains-in-loop" => vec_contains(cx, site),
        "rust-sort-in-loop" => {
            let collection = site.capture("collection")?;
            families::sort_in_loop(
                cx,
                site,
                collection,
                "keep it ordered as you insert (binary_search + insert, a BTreeSet, or a BinaryHeap for the largest)",
            )
        }
        "rust-regex-in-loop" => {
            let pattern = cx.capture_text(site, "pattern")?;
            cx.repeating_loop(site)?;
            Some(format!(
                "`Regex::new` compiles {pattern} on every iteration; build it once, before the loop or in a `static LazyLock<Regex>`"
            ))
        }
        "rust-push-without-capacity" => push_without_capacity(cx, site),
        "rust-vec-remove-front-in-loop" => remove_front(cx, site),
        "rust-repeated-key-lookup" => repeated_key_lookup(cx, site),
        "rust-nested-loop-same-collection" => families::nested_loop_same_collection(
            cx,
            site,
            "index the elements by the compared value in a HashMap or HashSet to find matches in O(n)",
        ),
        _ => None,
    }
}

fn clone_in_loop<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    if site.capture("arguments")?.named_child_count() != 0 {
        return None;
    }
    if let Some(borrow) = site.capture("borrow") {
        let mut cursor = borrow.walk();
        if borrow
            .children(&mut cursor)
            .any(|child| child.kind() == "mutable_specifier")
        {
            return None;
        }
    }
    cx.repeating_loop(site)?;
    let what = match cx.kind_of(site, name)? {
        Kind::List(ListShape::Slice) => return None,
        Kind::List(_) => "a Vec",
        Kind::Str => "a String",
        Kind::Map => "a map",
        Kind::Set => "a set",
        Kind::Deque => "a VecDeque",
        _ => return None,
    };
    let instead = match cx.capture_text(site, "method") {
        Some(method) => format!("`{name}.{method}(…)`"),
        None => format!("`&{name}`"),
    };
    Some(format!(
        "clones `{name}` ({what}) on every iteration only to borrow it: an allocation and a copy of every element each time; use {instead} instead"
    ))
}

fn format_in_loop<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let target = cx.capture_text(site, "target")?;
    if site.node.kind() == "assignment_expression" {
        let invocation = site.capture("format")?.parent()?;
        if !format_mentions(cx, invocation, target) {
            return None;
        }
        // Quadratic only for a String that lives across iterations.
        let repeating = cx.repeating_loop(site)?;
        if cx.bound_within(site, target, repeating.node) {
            return None;
        }
        return Some(format!(
            "`{target} = format!(…{target}…)` builds a new String and copies all of `{target}` on every iteration: O(n²) in all; append in place with `write!({target}, …)` or `push_str`"
        ));
    }
    cx.repeating_loop(site)?;
    Some(format!(
        "`format!` allocates a temporary String on every iteration only to append it to `{target}`; write into it directly with `write!({target}, …)` (std::fmt::Write)"
    ))
}

fn collect_then_len<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let collected = site.capture("collected")?.named_child(0)?;
    let method = cx.capture_text(site, "method")?;
    // Counting a Vec's items is counting the iterator's; a set would dedupe.
    if !matches!(type_kind(cx.text(collected)), Kind::List(_) | Kind::Deque) {
        return None;
    }
    let instead = if method == "len" {
        "`.count()`"
    } else {
        "`.next().is_none()`"
    };
    Some(format!(
        "collects every item into a new collection only to call `{method}()` on it: an allocation and O(n) memory; {instead} gives the answer without allocating"
    ))
}

fn vec_contains<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let repeating = cx.repeating_loop(site)?;
    if !cx.kind_of(site, name)?.is_list() || cx.is_small_and_fixed(site, name) {
        return None;
    }
    if cx.bound_within(site, name, repeating.node) {
        return None;
    }
    let grows = cx
        .occurrences_within(site, name, repeating.node)
        .iter()
        .any(|occurrence| {
            matches!(
                occurrence.effect,
                Effect::Method("push" | "extend" | "insert")
            )
        });
    let remedy = if grows {
        "keep a HashSet of its elements beside it"
    } else {
        "collect it into a HashSet once before the loop"
    };
    Some(format!(
        "`{name}.contains(…)` scans the whole vector on every iteration: O(n) per call, O(n·m) over the loop; {remedy}"
    ))
}

fn push_without_capacity<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let repeating = cx.repeating_loop(site)?;
    let count = loop_count(cx, site, repeating.node)?;
    if cx.kind_of(site, name)? != Kind::List(ListShape::EmptyGrowable)
        || cx.bound_within(site, name, repeating.node)
    {
        return None;
    }
    let scope = cx.scope(site);
    let sized_elsewhere =
        cx.occurrences(scope, name)
            .iter()
            .any(|occurrence| match occurrence.effect {
                Effect::Method(method) => matches!(method, "reserve" | "reserve_exact" | "resize"),
                Effect::Escape => occurrence.node.start_byte() < repeating.node.start_byte(),
                _ => false,
            });
    if sized_elsewhere {
        return None;
    }
    let per_iteration =
        families::appends_per_iteration(cx, site, name, repeating.node, |effect| {
            matches!(
                effect,
                Effect::Method("push" | "insert" | "extend" | "extend_from_slice" | "append")
            )
        })?;
    let count = families::scaled(&count, per_iteration);
    Some(format!(
        "`{name}` grows by reallocation as the loop pushes to it (about log2 n reallocations, each copying everything); create it with `Vec::with_capacity({count})`, or collect the iterator"
    ))
}

/// How many times a for loop runs, as Rust code, when it is known up front.
fn loop_count<'t>(cx: &mut Cx<'t>, site: &Site<'t>, node: Node<'t>) -> Option<String> {
    if node.kind() != "for_expression" {
        return None;
    }
    let value = node.child_by_field_name("value")?;
    if value.kind() == "range_expression" {
        let start = value.named_child(0)?;
        let end = value.named_child(1)?;
        let inclusive = cx.text(value).contains("..=");
        return Some(families::iteration_count(
            cx.text(start),
            cx.text(end),
            inclusive,
        ));
    }
    let (collection, _) = iterated(cx, value)?;
    match cx.kind_of(site, collection)? {
        Kind::List(_) | Kind::Map | Kind::Set | Kind::Deque => Some(format!("{collection}.len()")),
        _ => None,
    }
}

fn remove_front<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let method = cx.capture_text(site, "method")?;
    match cx.kind_of(site, name)? {
        Kind::List(ListShape::Any | ListShape::EmptyGrowable | ListShape::SmallLiteral)
        | Kind::Str => {}
        _ => return None,
    }
    cx.repeating_loop(site)?;
    Some(if method == "remove" {
        format!(
            "`{name}.remove(0)` shifts every remaining element: O(n) per call, O(n²) to drain it; use a VecDeque and `pop_front()`"
        )
    } else {
        format!(
            "`{name}.insert(0, …)` shifts every element: O(n) per call, O(n²) over the loop; use a VecDeque and `push_front()`"
        )
    })
}

fn repeated_key_lookup<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let map = cx.capture_text(site, "map")?;
    let key = cx.capture_text(site, "key")?;
    let consequence = site.capture("consequence")?;
    let negated = site.node.kind() == "unary_expression";
    let plain_key = key.trim_start_matches('&').trim();
    families::repeated_key_lookup(
        cx,
        site,
        consequence,
        |cx, node| second_lookup(cx, node, map, plain_key),
        |cx, second| {
            let how = if second.kind() == "index_expression" {
                format!("{map}[…]")
            } else {
                second
                    .child_by_field_name("function")
                    .and_then(|function| function.child_by_field_name("field"))
                    .map_or_else(
                        || "a lookup".to_string(),
                        |field| format!("{map}.{}", cx.text(field)),
                    )
            };
            let remedy = if negated {
                format!("the entry API (`{map}.entry(…).or_insert(…)`) does it once")
            } else {
                format!("`if let Some(value) = {map}.get_mut(…)` or the entry API does it once")
            };
            format!(
                "looks `{plain_key}` up in `{map}` twice on every iteration (`contains_key`, then `{how}`); {remedy}"
            )
        },
    )
}

/// `map.get(&k)`, `map.get_mut(&k)`, `map.insert(k, ..)`, `map.remove(&k)`, `map[&k]`.
fn second_lookup(cx: &Cx<'_>, node: Node<'_>, map: &str, key: &str) -> bool {
    let same_key =
        |argument: Node<'_>| same_text(cx.text(argument).trim_start_matches('&').trim(), key);
    match node.kind() {
        "index_expression" => {
            node.named_child(0).is_some_and(|base| cx.text(base) == map)
                && node.named_child(1).is_some_and(same_key)
        }
        "call_expression" => {
            let Some(function) = node
                .child_by_field_name("function")
                .filter(|f| f.kind() == "field_expression")
            else {
                return false;
            };
            function
                .child_by_field_name("value")
                .is_some_and(|receiver| cx.text(receiver) == map)
                && function.child_by_field_name("field").is_some_and(|field| {
                    matches!(cx.text(field), "get" | "get_mut" | "insert" | "remove")
                })
                && node
                    .child_by_field_name("arguments")
                    .and_then(|arguments| arguments.named_child(0))
                    .is_some_and(same_key)
        }
        _ => false,
    }
}
