//! C++: how variables are declared and used, and the C++ hints.

use tree_sitter::Node;

use super::context::{Cx, Effect, Kind, ListShape, Occurrence, contains, is_field};
use super::families::{self, Iteration, same_text};
use super::scan::Site;

pub(super) const IDENTIFIERS: &[&str] = &["identifier"];

pub(super) fn is_exit(node: Node<'_>) -> bool {
    match node.kind() {
        "break_statement" | "return_statement" | "goto_statement" => true,
        "expression_statement" => node
            .named_child(0)
            .is_some_and(|child| child.kind() == "throw_expression"),
        _ => false,
    }
}

pub(super) fn is_mutating_method(method: &str) -> bool {
    matches!(
        method,
        "push_back"
            | "emplace_back"
            | "push_front"
            | "emplace_front"
            | "insert"
            | "emplace"
            | "erase"
            | "clear"
            | "resize"
            | "pop_back"
            | "pop_front"
            | "assign"
            | "swap"
            | "append"
            | "replace"
            | "sort"
            | "reverse"
            | "splice"
            | "merge"
            | "remove"
            | "remove_if"
            | "unique"
            | "try_emplace"
            | "insert_or_assign"
            | "extract"
    )
}

/// Methods that only read a container or string.
fn is_reading_method(method: &str) -> bool {
    matches!(
        method,
        "size"
            | "empty"
            | "length"
            | "find"
            | "count"
            | "contains"
            | "at"
            | "front"
            | "back"
            | "begin"
            | "end"
            | "cbegin"
            | "cend"
            | "rbegin"
            | "rend"
            | "crbegin"
            | "crend"
            | "substr"
            | "c_str"
            | "data"
            | "compare"
            | "starts_with"
            | "ends_with"
            | "rfind"
            | "find_first_of"
            | "find_last_of"
            | "find_first_not_of"
            | "find_last_not_of"
            | "lower_bound"
            | "upper_bound"
            | "equal_range"
            | "max_size"
            | "capacity"
    )
}

/// Standard algorithms that only read the range they are given.
fn is_reading_algorithm(function: &str) -> bool {
    let name = function.strip_prefix("std::").unwrap_or(function);
    matches!(
        name,
        "accumulate"
            | "find"
            | "find_if"
            | "find_if_not"
            | "count"
            | "count_if"
            | "all_of"
            | "any_of"
            | "none_of"
            | "max_element"
            | "min_element"
            | "minmax_element"
            | "equal"
            | "lower_bound"
            | "upper_bound"
            | "equal_range"
            | "binary_search"
            | "distance"
            | "mismatch"
            | "is_sorted"
            | "search"
            | "adjacent_find"
            | "inner_product"
            | "reduce"
    )
}

/// The plain name of a function from its declarator: `Matrix::multiply` → `multiply`.
pub(super) fn function_name<'t>(name: Node<'t>, source: &'t str) -> &'t str {
    let text = &source[name.byte_range()];
    if name.kind() != "qualified_identifier" {
        return text;
    }
    // The last `::` outside template arguments.
    let mut depth = 0i32;
    let bytes = text.as_bytes();
    for index in (1..bytes.len()).rev() {
        match bytes[index] {
            b'>' => depth += 1,
            b'<' => depth -= 1,
            b':' if depth == 0 && bytes[index - 1] == b':' => return text[index + 1..].trim(),
            _ => {}
        }
    }
    text
}

pub(super) fn classify<'t>(cx: &Cx<'t>, ident: Node<'t>, ancestors: &[Node<'t>]) -> Effect<'t> {
    let Some(&parent) = ancestors.last() else {
        return Effect::Read;
    };
    let grandparent = ancestors.len().checked_sub(2).map(|index| ancestors[index]);
    match parent.kind() {
        "init_declarator" if is_field(parent, "declarator", ident) => {
            let declaration = grandparent.filter(|node| node.kind() == "declaration");
            Effect::Bind(declaration.map_or(Kind::Other, |declaration| {
                declared_kind(cx, declaration, parent.child_by_field_name("value"))
            }))
        }
        "init_declarator" if is_field(parent, "value", ident) => {
            // `auto& alias = v;` lets `v` change through the alias.
            let mutable_alias = parent
                .child_by_field_name("declarator")
                .is_some_and(|d| d.kind() == "reference_declarator")
                && grandparent.is_some_and(|declaration| {
                    !cx.text(declaration).trim_start().starts_with("const")
                });
            if mutable_alias {
                Effect::Escape
            } else {
                Effect::Read
            }
        }
        "declaration" | "parameter_declaration" | "optional_parameter_declaration"
            if is_field(parent, "declarator", ident) =>
        {
            Effect::Bind(declared_kind(cx, parent, None))
        }
        "reference_declarator" => {
            // A reference parameter or declaration: its kind is its type's.
            let holder = ancestors.iter().rev().skip(1).find(|node| {
                matches!(
                    node.kind(),
                    "parameter_declaration"
                        | "optional_parameter_declaration"
                        | "declaration"
                        | "for_range_loop"
                )
            });
            match holder {
                Some(holder) if holder.kind() != "for_range_loop" => {
                    Effect::Bind(declared_kind(cx, *holder, None))
                }
                _ => Effect::Bind(Kind::Other),
            }
        }
        "pointer_declarator" | "structured_binding_declarator" | "array_declarator" => {
            Effect::Bind(Kind::Other)
        }
        "for_range_loop" if is_field(parent, "declarator", ident) => Effect::Bind(Kind::Other),
        "for_range_loop" if is_field(parent, "right", ident) => {
            let declarator = parent.child_by_field_name("declarator");
            let by_mutable_reference = declarator
                .is_some_and(|d| d.kind() == "reference_declarator")
                && !cx.text(parent).contains("const");
            if by_mutable_reference {
                Effect::ElementWrite
            } else {
                Effect::Read
            }
        }
        "assignment_expression" if is_field(parent, "left", ident) => {
            let operator = parent
                .child_by_field_name("operator")
                .map(|operator| cx.text(operator));
            match (operator, parent.child_by_field_name("right")) {
                (Some("="), Some(right))
                    if concatenation_side(cx, right, cx.text(ident)).is_some() =>
                {
                    Effect::Augment
                }
                (Some("="), _) => Effect::Assign,
                _ => Effect::Augment,
            }
        }
        "update_expression" => Effect::Augment,
        "field_expression" if is_field(parent, "argument", ident) => match grandparent {
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
        "subscript_expression" if is_field(parent, "argument", ident) => match grandparent {
            Some(write) if is_write_target(write, parent) => Effect::ElementWrite,
            _ => Effect::Read,
        },
        "argument_list" => {
            let function = grandparent
                .and_then(|call| call.child_by_field_name("function"))
                .map(|f| cx.text(f));
            match function {
                Some("std::size" | "size" | "std::empty" | "std::ssize") => Effect::Read,
                _ => Effect::Escape,
            }
        }
        "return_statement" | "pointer_expression" | "lambda_capture_specifier" => Effect::Escape,
        _ => Effect::Read,
    }
}

fn is_write_target(statement: Node<'_>, target: Node<'_>) -> bool {
    (statement.kind() == "assignment_expression" && is_field(statement, "left", target))
        || (statement.kind() == "update_expression" && is_field(statement, "argument", target))
}

/// For `s = s + x` the left side, for `s = x + s` the right; `None` if the
/// value is not a concatenation with `name`.
fn concatenation_side(cx: &Cx<'_>, value: Node<'_>, name: &str) -> Option<&'static str> {
    if value.kind() != "binary_expression" || cx.text(value.child_by_field_name("operator")?) != "+"
    {
        return None;
    }
    let mut leftmost = value;
    while leftmost.kind() == "binary_expression" {
        leftmost = leftmost.child_by_field_name("left")?;
    }
    if cx.text(leftmost) == name {
        return Some("left");
    }
    (cx.text(value.child_by_field_name("right")?) == name).then_some("right")
}

/// The kind a declaration gives its variable, from its type (and, for a
/// vector, whether it starts out sized).
fn declared_kind(cx: &Cx<'_>, declaration: Node<'_>, value: Option<Node<'_>>) -> Kind {
    let Some(declared) = declaration.child_by_field_name("type") else {
        return Kind::Other;
    };
    let Some(base) = container_name(cx.text(declared)) else {
        return Kind::Other;
    };
    match base {
        "vector" => {
            let sized = value.is_some_and(|value| match value.kind() {
                "argument_list" | "initializer_list" => value.named_child_count() > 0,
                _ => true,
            });
            Kind::List(if sized {
                ListShape::Any
            } else {
                ListShape::EmptyGrowable
            })
        }
        "string" | "wstring" | "basic_string" => Kind::Str,
        "list" | "forward_list" => Kind::LinkedList,
        "deque" => Kind::Deque,
        "set" | "unordered_set" | "multiset" | "unordered_multiset" => Kind::Set,
        "map" | "unordered_map" | "multimap" | "unordered_multimap" => Kind::Map,
        _ => Kind::Other,
    }
}

/// The standard container a type names: `std::vector<int>` → `vector`,
/// `string` → `string`; `None` for a type nested in one
/// (`std::vector<int>::iterator`) or anything else.
fn container_name(text: &str) -> Option<&str> {
    let text = text.trim();
    let text = text.strip_prefix("std::").unwrap_or(text);
    let Some(open) = text.find('<') else {
        return text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_')
            .then_some(text);
    };
    // The template's arguments must close the type: nothing after them.
    let mut depth = 0i32;
    for (index, c) in text.char_indices().skip(open) {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return text[index + 1..]
                        .trim()
                        .is_empty()
                        .then(|| text[..open].trim());
                }
            }
            _ => {}
        }
    }
    None
}

/// `for (auto x : items)`, `for (size_t i = 0; i < items.size(); ++i)`.
pub(super) fn loop_iteration<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Iteration<'t>> {
    match node.kind() {
        "for_range_loop" => {
            let right = node.child_by_field_name("right")?;
            let declarator = node.child_by_field_name("declarator")?;
            (right.kind() == "identifier").then(|| Iteration {
                collection: cx.text(right),
                variables: cx.identifiers_in(declarator),
                indexes: Vec::new(),
            })
        }
        "for_statement" => {
            let (index, bound) = counted_condition(cx, node)?;
            let collection = size_of(cx, bound)?;
            (index.kind() == "identifier").then(|| Iteration {
                collection,
                variables: vec![cx.text(index)],
                indexes: vec![cx.text(index)],
            })
        }
        _ => None,
    }
}

/// `i < bound`, `i <= bound` or `i != bound` in a for loop's condition.
fn counted_condition<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let condition = node.child_by_field_name("condition")?;
    if condition.kind() != "binary_expression"
        || !matches!(
            cx.text(condition.child_by_field_name("operator")?),
            "<" | "<=" | "!="
        )
    {
        return None;
    }
    Some((
        condition.child_by_field_name("left")?,
        condition.child_by_field_name("right")?,
    ))
}

/// `items.size()` → `items`.
fn size_of<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<&'t str> {
    if node.kind() != "call_expression" {
        return None;
    }
    let function = node.child_by_field_name("function")?;
    if function.kind() != "field_expression"
        || cx.text(function.child_by_field_name("field")?) != "size"
    {
        return None;
    }
    let object = function.child_by_field_name("argument")?;
    (object.kind() == "identifier").then(|| cx.text(object))
}

pub(super) fn check<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    match site.id {
        "cpp-container-by-value" => container_by_value(cx, site),
        "cpp-push-back-without-reserve" => push_back_without_reserve(cx, site),
        "cpp-endl-in-loop" => endl(cx, site),
        "cpp-string-concat-in-loop" => string_concat(cx, site),
        "cpp-regex-in-loop" => regex(cx, site),
        "cpp-linear-search-in-loop" => linear_search(cx, site),
        "cpp-sort-in-loop" => {
            let collection = site.capture("collection")?;
            families::sort_in_loop(
                cx,
                site,
                collection,
                "keep the elements ordered in a std::set/std::multiset, or a std::priority_queue for the smallest",
            )
        }
        "cpp-repeated-key-lookup" => repeated_key_lookup(cx, site),
        "cpp-vector-erase-front-in-loop" => erase_front(cx, site),
        "cpp-strlen-in-loop-condition" => strlen_in_condition(cx, site),
        "cpp-nested-loop-same-collection" => families::nested_loop_same_collection(
            cx,
            site,
            "index the elements by the compared value in an std::unordered_map or unordered_set to find matches in O(n)",
        ),
        _ => None,
    }
}

fn container_by_value<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let declared = cx.text(site.capture("type")?);
    let name = cx.capture_text(site, "parameter")?;
    let parameter = site.capture("parameter")?;
    let function = cx.function(site)?.node;
    if !contains(function.child_by_field_name("declarator")?, site.node) {
        return None;
    }
    let kind = declared_kind(cx, site.node, None);
    if !matches!(
        kind,
        Kind::List(_) | Kind::Str | Kind::Set | Kind::Map | Kind::LinkedList | Kind::Deque
    ) {
        return None;
    }
    let occurrences = cx.occurrences(function, name);
    let only_read = occurrences
        .iter()
        .filter(|occurrence| occurrence.node.id() != parameter.id())
        .all(|occurrence| reads_only(cx, occurrence));
    if !only_read {
        return None;
    }
    Some(format!(
        "`{name}` is a `{declared}` taken by value and only read: every call copies it (an allocation and O(n) copying); take it as `const {declared}&`"
    ))
}

/// Whether this use of a by-value parameter would compile unchanged, and
/// mean the same, if the parameter were a `const&`.
fn reads_only(cx: &Cx<'_>, occurrence: &Occurrence<'_>) -> bool {
    match occurrence.effect {
        Effect::Read => true,
        Effect::Method(method) if is_reading_method(method) => {
            let Some(call) = occurrence.node.parent().and_then(|member| member.parent()) else {
                return false;
            };
            match method {
                // Iterators of a by-value container may be written through;
                // only a reading algorithm keeps them harmless.
                "begin" | "end" | "rbegin" | "rend" => match call.parent() {
                    Some(parent) if parent.kind() == "binary_expression" => true,
                    Some(arguments) if arguments.kind() == "argument_list" => arguments
                        .parent()
                        .and_then(|outer| outer.child_by_field_name("function"))
                        .is_some_and(|function| is_reading_algorithm(cx.text(function))),
                    _ => false,
                },
                "at" | "front" | "back" | "data" => call
                    .parent()
                    .is_none_or(|parent| !is_write_target(parent, call)),
                _ => true,
            }
        }
        _ => false,
    }
}

fn push_back_without_reserve<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let repeating = cx.repeating_loop(site)?.node;
    if cx.kind_of(site, name)? != Kind::List(ListShape::EmptyGrowable)
        || cx.bound_within(site, name, repeating)
    {
        return None;
    }
    let count = loop_count(cx, repeating)?;
    let scope = cx.scope(site);
    let sized_elsewhere =
        cx.occurrences(scope, name)
            .iter()
            .any(|occurrence| match occurrence.effect {
                Effect::Method(method) => {
                    matches!(method, "reserve" | "resize" | "assign" | "swap")
                }
                Effect::Assign | Effect::Escape => {
                    occurrence.node.start_byte() < repeating.start_byte()
                }
                _ => false,
            });
    if sized_elsewhere {
        return None;
    }
    let per_iteration = families::appends_per_iteration(
        cx,
        site,
        name,
        repeating,
        |effect| matches!(effect, Effect::Method(method) if is_mutating_method(method)),
    )?;
    let total = families::scaled(&count, per_iteration);
    Some(format!(
        "`{name}` grows by reallocation as the loop appends to it (about log2 n reallocations, each moving every element); call `{name}.reserve({total})` before the loop"
    ))
}

/// How many times a counted loop runs, as C++ code.
fn loop_count<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<String> {
    match node.kind() {
        "for_range_loop" => Some(format!(
            "{}.size()",
            cx.text(node.child_by_field_name("right")?)
        )),
        "for_statement" => {
            let condition = node.child_by_field_name("condition")?;
            let operator = cx.text(condition.child_by_field_name("operator")?);
            let (index, bound) = counted_condition(cx, node)?;
            let start = match node.child_by_field_name("initializer") {
                Some(init) if init.kind() == "declaration" => init
                    .child_by_field_name("declarator")?
                    .child_by_field_name("value")?,
                Some(init) if init.kind() == "assignment_expression" => {
                    init.child_by_field_name("right")?
                }
                _ => return None,
            };
            if index.kind() != "identifier" {
                return None;
            }
            Some(families::iteration_count(
                cx.text(start),
                cx.text(bound),
                operator == "<=",
            ))
        }
        _ => None,
    }
}

fn endl<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let mut stream = site.capture("chain")?;
    while stream.kind() == "binary_expression" {
        stream = stream.child_by_field_name("left")?;
    }
    // std::cerr flushes after every operation anyway.
    if matches!(cx.text(stream), "std::cerr" | "cerr" | "std::clog" | "clog") {
        return None;
    }
    cx.repeating_loop(site)?;
    Some(
        "`std::endl` flushes the stream on every iteration (a system call each time for files and pipes); write '\\n' and let the stream buffer"
            .to_string(),
    )
}

fn string_concat<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "target")?;
    let side = concatenation_side(cx, site.capture("sum")?, name)?;
    let repeating = cx.repeating_loop(site)?;
    if cx.kind_of(site, name)? != Kind::Str || cx.bound_within(site, name, repeating.node) {
        return None;
    }
    Some(if side == "left" {
        format!(
            "`{name} = {name} + …` builds a temporary string and copies all of `{name}` on every iteration: O(n²) in all; `{name} += …` appends in place (amortised O(1))"
        )
    } else {
        format!(
            "`{name} = … + {name}` copies all of `{name}` into a new string on every iteration: O(n²) in all; append the parts in order and reverse once, or collect them first"
        )
    })
}

fn regex<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    if site.node.kind() == "declaration" {
        let mut cursor = site.node.walk();
        let built_once = site.node.named_children(&mut cursor).any(|child| {
            child.kind() == "storage_class_specifier"
                && matches!(cx.text(child), "static" | "thread_local")
        });
        if built_once {
            return None;
        }
    }
    cx.repeating_loop(site)?;
    Some(
        "constructs a `std::regex` on every iteration, compiling its pattern each time; build it once before the loop, or as a `static const std::regex`"
            .to_string(),
    )
}

fn linear_search<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let callee = cx.capture_text(site, "callee")?;
    let repeating = cx.repeating_loop(site)?;
    if cx.bound_within(site, name, repeating.node) || small_literal(cx, site, name) {
        return None;
    }
    let grows = cx
        .occurrences_within(site, name, repeating.node)
        .iter()
        .any(|occurrence| {
            matches!(
                occurrence.effect,
                Effect::Method("push_back" | "emplace_back" | "insert" | "emplace")
            )
        });
    let remedy = if grows {
        "keep an std::unordered_set of its elements beside it"
    } else {
        "put its elements in an std::unordered_set once before the loop (or sort it once and use std::binary_search)"
    };
    Some(format!(
        "`{callee}` scans all of `{name}` on every iteration: O(n) per call, O(n·m) over the loop; {remedy}"
    ))
}

/// Declared from a short literal and never grown: `std::string vowels = "aeiou";`,
/// `std::vector<int> primes{2, 3, 5, 7};`. Scanning it costs next to nothing.
fn small_literal<'t>(cx: &mut Cx<'t>, site: &Site<'t>, name: &'t str) -> bool {
    let scope = cx.scope(site);
    let occurrences = cx.occurrences(scope, name);
    let grows = occurrences
        .iter()
        .any(|occurrence| match occurrence.effect {
            Effect::Method(method) => is_mutating_method(method),
            Effect::Assign | Effect::Augment | Effect::ElementWrite | Effect::Escape => true,
            _ => false,
        });
    let declarations: Vec<_> = occurrences
        .iter()
        .filter(|occurrence| matches!(occurrence.effect, Effect::Bind(_)))
        .collect();
    let [declaration] = declarations.as_slice() else {
        return false;
    };
    let Some(value) = declaration
        .node
        .parent()
        .and_then(|declarator| declarator.child_by_field_name("value"))
    else {
        return false;
    };
    let literal = match value.kind() {
        "argument_list" if value.named_child_count() == 1 => value.named_child(0),
        _ => Some(value),
    };
    let small = literal.is_some_and(|literal| match literal.kind() {
        "string_literal" => cx.text(literal).chars().count() <= 66,
        "initializer_list" => literal.named_child_count() <= 8,
        _ => false,
    });
    small && !grows
}

fn repeated_key_lookup<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let map = cx.capture_text(site, "map")?;
    let key = cx.capture_text(site, "key")?;
    let method = cx.capture_text(site, "method")?;
    let consequence = site.capture("consequence")?;
    families::repeated_key_lookup(
        cx,
        site,
        consequence,
        |cx, node| second_lookup(cx, node, map, key),
        |cx, second| {
            let how = if second.kind() == "subscript_expression" {
                format!("{map}[{key}]")
            } else {
                second
                    .child_by_field_name("function")
                    .and_then(|function| function.child_by_field_name("field"))
                    .map_or_else(
                        || "a lookup".to_string(),
                        |field| format!("{map}.{}", cx.text(field)),
                    )
            };
            format!(
                "looks `{key}` up in `{map}` twice on every iteration (`{method}`, then `{how}`); keep the iterator `find` returns, or use `try_emplace`/`insert`, which report whether the key was there"
            )
        },
    )
}

/// `map[key]`, `map.at(key)`, `map.find(key)`, `map.emplace(key, ...)`.
fn second_lookup(cx: &Cx<'_>, node: Node<'_>, map: &str, key: &str) -> bool {
    match node.kind() {
        "subscript_expression" => {
            node.child_by_field_name("argument")
                .is_some_and(|argument| cx.text(argument) == map)
                && node.child_by_field_name("indices").is_some_and(|indices| {
                    same_text(
                        cx.text(indices)
                            .trim_start_matches('[')
                            .trim_end_matches(']'),
                        key,
                    )
                })
        }
        "call_expression" => {
            let Some(function) = node
                .child_by_field_name("function")
                .filter(|f| f.kind() == "field_expression")
            else {
                return false;
            };
            function
                .child_by_field_name("argument")
                .is_some_and(|argument| cx.text(argument) == map)
                && function.child_by_field_name("field").is_some_and(|field| {
                    matches!(
                        cx.text(field),
                        "at" | "find" | "emplace" | "try_emplace" | "insert_or_assign"
                    )
                })
                && node
                    .child_by_field_name("arguments")
                    .and_then(|arguments| arguments.named_child(0))
                    .is_some_and(|first| same_text(cx.text(first), key))
        }
        _ => false,
    }
}

fn erase_front<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let method = cx.capture_text(site, "method")?;
    if !matches!(cx.kind_of(site, name)?, Kind::List(_) | Kind::Str) {
        return None;
    }
    cx.repeating_loop(site)?;
    let (call, front) = if method == "erase" {
        (format!("{name}.erase({name}.begin())"), "pop_front()")
    } else {
        (format!("{name}.insert({name}.begin(), …)"), "push_front()")
    };
    Some(format!(
        "`{call}` shifts every element of `{name}`: O(n) per call, O(n²) over the loop; use an std::deque and `{front}`"
    ))
}

fn strlen_in_condition<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "string")?;
    let repeating = *cx.loops(site).first()?;
    let changes_length = cx
        .occurrences_within(site, name, repeating.node)
        .iter()
        .any(|occurrence| {
            match occurrence.effect {
                Effect::Bind(_) | Effect::Assign | Effect::Augment => true,
                // Handed to a function that writes into it.
                Effect::Escape => occurrence
                    .node
                    .parent()
                    .and_then(|arguments| arguments.parent())
                    .and_then(|call| call.child_by_field_name("function"))
                    .is_some_and(|function| {
                        let function = cx.text(function);
                        let function = function.strip_prefix("std::").unwrap_or(function);
                        matches!(
                            function,
                            "strcat"
                                | "strncat"
                                | "strcpy"
                                | "strncpy"
                                | "memcpy"
                                | "memmove"
                                | "memset"
                                | "sprintf"
                                | "snprintf"
                                | "fgets"
                                | "gets"
                                | "scanf"
                                | "sscanf"
                                | "fscanf"
                                | "read"
                        )
                    }),
                _ => false,
            }
        });
    if changes_length {
        return None;
    }
    Some(format!(
        "`strlen({name})` in the loop condition scans the whole string on every iteration: O(n²) for a loop over it; compute the length once before the loop"
    ))
}
