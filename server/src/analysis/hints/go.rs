//! Go: how variables are declared and used, and the Go hints.

use tree_sitter::Node;

use super::context::{Cx, Effect, Kind, ListShape, is_field};
use super::families::{self, Iteration, same_text};
use super::scan::Site;

pub(super) const IDENTIFIERS: &[&str] = &["identifier"];

pub(super) fn is_exit(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "break_statement" | "return_statement" | "goto_statement"
    )
}

/// Slices and maps have no methods; they change through `append`,
/// element assignment and `delete`, which `classify` sees directly.
pub(super) fn is_mutating_method(_method: &str) -> bool {
    false
}

pub(super) fn classify<'t>(cx: &Cx<'t>, ident: Node<'t>, ancestors: &[Node<'t>]) -> Effect<'t> {
    let Some(&parent) = ancestors.last() else {
        return Effect::Read;
    };
    let grandparent = ancestors.len().checked_sub(2).map(|index| ancestors[index]);
    match parent.kind() {
        "expression_list" => {
            let Some(statement) = grandparent else {
                return Effect::Read;
            };
            if !is_field(statement, "left", parent) {
                return Effect::Read;
            }
            let value = corresponding_value(statement, parent, ident);
            match statement.kind() {
                "short_var_declaration" => {
                    Effect::Bind(value.map_or(Kind::Other, |value| value_kind(cx, value)))
                }
                "range_clause" => Effect::Bind(Kind::Other),
                "assignment_statement" => {
                    let operator = statement
                        .child_by_field_name("operator")
                        .map(|operator| cx.text(operator));
                    match (operator, value) {
                        (Some("="), Some(value)) if grows_from(cx, value, cx.text(ident)) => {
                            Effect::Augment
                        }
                        (Some("="), Some(value)) => Effect::Bind(value_kind(cx, value)),
                        (Some("="), None) => Effect::Bind(Kind::Other),
                        _ => Effect::Augment,
                    }
                }
                _ => Effect::Read,
            }
        }
        "var_spec" | "const_spec" if is_field(parent, "name", ident) => {
            let declared = parent.child_by_field_name("type");
            let value = parent
                .child_by_field_name("value")
                .and_then(|values| values.named_child(0));
            Effect::Bind(match (declared, value) {
                (_, Some(value)) => value_kind(cx, value),
                (Some(declared), None) => type_kind(cx, declared, true),
                (None, None) => Kind::Other,
            })
        }
        "parameter_declaration" | "variadic_parameter_declaration"
            if is_field(parent, "name", ident) =>
        {
            Effect::Bind(
                parent
                    .child_by_field_name("type")
                    .map_or(Kind::Other, |declared| type_kind(cx, declared, false)),
            )
        }
        "inc_statement" | "dec_statement" => Effect::Augment,
        "selector_expression" if is_field(parent, "operand", ident) => match grandparent {
            Some(call)
                if call.kind() == "call_expression" && is_field(call, "function", parent) =>
            {
                Effect::Method(
                    parent
                        .child_by_field_name("field")
                        .map_or("", |field| cx.text(field)),
                )
            }
            Some(list) if is_assignment_target(list, ancestors) => Effect::ElementWrite,
            _ => Effect::Read,
        },
        "index_expression" if is_field(parent, "operand", ident) => match grandparent {
            Some(write) if matches!(write.kind(), "inc_statement" | "dec_statement") => {
                Effect::ElementWrite
            }
            Some(list) if is_assignment_target(list, ancestors) => Effect::ElementWrite,
            _ => Effect::Read,
        },
        "argument_list" => {
            let callee = grandparent
                .and_then(|call| call.child_by_field_name("function"))
                .map(|f| cx.text(f));
            let first = parent
                .named_child(0)
                .is_some_and(|first| first.id() == ident.id());
            match callee {
                Some("append" | "len" | "cap") => Effect::Read,
                Some("delete" | "copy" | "clear") if first => Effect::ElementWrite,
                _ => Effect::Escape,
            }
        }
        "unary_expression" => {
            if parent
                .child_by_field_name("operator")
                .is_some_and(|operator| cx.text(operator) == "&")
            {
                Effect::Escape
            } else {
                Effect::Read
            }
        }
        _ => Effect::Read,
    }
}

/// Whether `list` (the grandparent of an occurrence) is the left side of an
/// assignment, making the occurrence's element or field a write target.
fn is_assignment_target(list: Node<'_>, ancestors: &[Node<'_>]) -> bool {
    list.kind() == "expression_list"
        && ancestors
            .len()
            .checked_sub(3)
            .map(|index| ancestors[index])
            .is_some_and(|statement| {
                statement.kind() == "assignment_statement" && is_field(statement, "left", list)
            })
}

/// In `a, b := x, y` the value on the right at the same position as `ident`.
fn corresponding_value<'t>(
    statement: Node<'t>,
    left: Node<'t>,
    ident: Node<'t>,
) -> Option<Node<'t>> {
    let mut cursor = left.walk();
    let position = left
        .named_children(&mut cursor)
        .position(|node| node.id() == ident.id())?;
    let right = statement.child_by_field_name("right")?;
    if right.named_child_count() != left.named_child_count() {
        return None;
    }
    right.named_child(position)
}

/// `append(s, ...)` or `s + x` / `x + s`: a new value grown from `name`.
fn grows_from(cx: &Cx<'_>, value: Node<'_>, name: &str) -> bool {
    match value.kind() {
        "call_expression" => {
            value
                .child_by_field_name("function")
                .is_some_and(|function| cx.text(function) == "append")
                && value
                    .child_by_field_name("arguments")
                    .and_then(|arguments| arguments.named_child(0))
                    .is_some_and(|first| cx.text(first) == name)
        }
        "binary_expression" => concatenation_side(cx, value, name).is_some(),
        _ => false,
    }
}

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

/// The kind a declared type gives; `var s []T` (no value) starts empty.
fn type_kind(cx: &Cx<'_>, declared: Node<'_>, uninitialised: bool) -> Kind {
    match declared.kind() {
        "slice_type" => Kind::List(if uninitialised {
            ListShape::EmptyGrowable
        } else {
            ListShape::Any
        }),
        "map_type" => Kind::Map,
        "type_identifier" if cx.text(declared) == "string" => Kind::Str,
        _ => Kind::Other,
    }
}

fn value_kind(cx: &Cx<'_>, value: Node<'_>) -> Kind {
    match value.kind() {
        "composite_literal" => {
            let Some(declared) = value.child_by_field_name("type") else {
                return Kind::Other;
            };
            match declared.kind() {
                "slice_type" => {
                    let elements = value
                        .child_by_field_name("body")
                        .map_or(0, |body| body.named_child_count());
                    Kind::List(match elements {
                        0 => ListShape::EmptyGrowable,
                        1..=8 => ListShape::SmallLiteral,
                        _ => ListShape::Any,
                    })
                }
                "map_type" => Kind::Map,
                _ => Kind::Other,
            }
        }
        "call_expression" => {
            let Some(function) = value.child_by_field_name("function") else {
                return Kind::Other;
            };
            let arguments = value.child_by_field_name("arguments");
            match cx.text(function) {
                "make" => {
                    let Some(arguments) = arguments else {
                        return Kind::Other;
                    };
                    match arguments.named_child(0).map(|made| made.kind()) {
                        Some("slice_type") => {
                            // make([]T, 0): empty, no room to grow into.
                            let empty = arguments.named_child_count() == 2
                                && arguments
                                    .named_child(1)
                                    .is_some_and(|length| cx.text(length) == "0");
                            Kind::List(if empty {
                                ListShape::EmptyGrowable
                            } else {
                                ListShape::Any
                            })
                        }
                        Some("map_type") => Kind::Map,
                        _ => Kind::Other,
                    }
                }
                "string" | "fmt.Sprintf" | "fmt.Sprint" | "strings.Join" | "strings.Repeat"
                | "strings.ToUpper" | "strings.ToLower" | "strings.TrimSpace" | "strconv.Itoa" => {
                    Kind::Str
                }
                _ => Kind::Other,
            }
        }
        "interpreted_string_literal" | "raw_string_literal" => Kind::Str,
        "nil" => Kind::Neutral,
        _ => Kind::Other,
    }
}

/// `for _, x := range xs`, `for i := range xs`, `for i := 0; i < len(xs); i++`.
pub(super) fn loop_iteration<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Iteration<'t>> {
    let mut cursor = node.walk();
    let header = node
        .named_children(&mut cursor)
        .find(|child| matches!(child.kind(), "range_clause" | "for_clause"))?;
    match header.kind() {
        "range_clause" => {
            let right = header.child_by_field_name("right")?;
            if right.kind() != "identifier" {
                return None;
            }
            let left = header.child_by_field_name("left")?;
            let mut names = left.walk();
            let declared: Vec<&'t str> = left
                .named_children(&mut names)
                .map(|name| cx.text(name))
                .collect();
            let indexes = declared
                .first()
                .copied()
                .filter(|name| *name != "_")
                .into_iter()
                .collect();
            let variables = declared.into_iter().filter(|name| *name != "_").collect();
            Some(Iteration {
                collection: cx.text(right),
                variables,
                indexes,
            })
        }
        _ => {
            let (index, bound) = counted_condition(cx, header)?;
            let collection = length_of(cx, bound)?;
            (index.kind() == "identifier").then(|| Iteration {
                collection,
                variables: vec![cx.text(index)],
                indexes: vec![cx.text(index)],
            })
        }
    }
}

/// `i < bound` (or `<=`, `!=`) in a three-clause for loop.
fn counted_condition<'t>(cx: &Cx<'t>, for_clause: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let condition = for_clause.child_by_field_name("condition")?;
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

/// `len(xs)` → `xs`.
fn length_of<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<&'t str> {
    if node.kind() != "call_expression" || cx.text(node.child_by_field_name("function")?) != "len" {
        return None;
    }
    let argument = node.child_by_field_name("arguments")?.named_child(0)?;
    (argument.kind() == "identifier").then(|| cx.text(argument))
}

pub(super) fn check<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    match site.id {
        "go-append-without-prealloc" => append_without_prealloc(cx, site),
        "go-string-concat-in-loop" => string_concat(cx, site),
        "go-regexp-compile-in-loop" => {
            let callee = cx.capture_text(site, "callee")?;
            let pattern = cx.capture_text(site, "pattern")?;
            cx.repeating_loop(site)?;
            Some(format!(
                "`regexp.{callee}` compiles {pattern} on every iteration (the regexp package does not cache); compile it once, e.g. `var re = regexp.MustCompile({pattern})` at package level"
            ))
        }
        "go-defer-in-loop" => {
            // Only a `defer` every iteration reaches: one under an `if` may
            // be a set-up that runs once.
            let repeating = cx.repeating_loop(site)?;
            let body = repeating.node.child_by_field_name("body")?;
            if families::statement_of(body, site.node)?.id() != site.node.id() {
                return None;
            }
            Some(
                "`defer` in a loop runs only when the function returns: a deferred call piles up per iteration (O(n) memory) and holds its resource until then; move the loop body into a function, or release the resource explicitly"
                    .to_string(),
            )
        }
        "go-sprintf-in-loop" => sprintf(cx, site),
        "go-sort-in-loop" => {
            let collection = site.capture("collection")?;
            families::sort_in_loop(
                cx,
                site,
                collection,
                "keep it ordered as you insert (sort.Search or slices.BinarySearch, then slices.Insert), or use container/heap",
            )
        }
        "go-slice-contains-in-loop" => slice_contains(cx, site),
        "go-repeated-key-lookup" => repeated_key_lookup(cx, site),
        "go-nested-loop-same-collection" => families::nested_loop_same_collection(
            cx,
            site,
            "index the elements by the compared value in a map to find matches in O(n)",
        ),
        _ => None,
    }
}

fn append_without_prealloc<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let arguments = site.capture("arguments")?;
    // One element per call; `append(s, more...)` grows by a whole slice.
    if arguments.named_child_count() != 2
        || cx
            .text(arguments)
            .trim_end_matches(')')
            .trim_end()
            .ends_with("...")
    {
        return None;
    }
    let repeating = cx.repeating_loop(site)?;
    let count = loop_count(cx, site, repeating.node)?;
    if cx.kind_of(site, name)? != Kind::List(ListShape::EmptyGrowable)
        || cx.bound_within(site, name, repeating.node)
    {
        return None;
    }
    let scope = cx.scope(site);
    let occurrences = cx.occurrences(scope, name);
    if occurrences.iter().any(|occurrence| {
        occurrence.effect == Effect::Escape
            && occurrence.node.start_byte() < repeating.node.start_byte()
    }) {
        return None;
    }
    let per_iteration =
        families::appends_per_iteration(cx, site, name, repeating.node, |effect| {
            *effect == Effect::Augment
        })?;
    let count = families::scaled(&count, per_iteration);
    let slice_type = occurrences
        .iter()
        .find(|occurrence| matches!(occurrence.effect, Effect::Bind(_)))
        .and_then(|declaration| declared_slice_type(cx, declaration.node))
        .unwrap_or("[]T");
    Some(format!(
        "`{name}` grows by reallocation as the loop appends to it (about log2 n copies of the whole slice); preallocate it: `{name} := make({slice_type}, 0, {count})`"
    ))
}

/// How many times a loop runs, as Go code: `len(xs)` for a range over a
/// slice, map or string, the bound of a counted loop.
fn loop_count<'t>(cx: &mut Cx<'t>, site: &Site<'t>, node: Node<'t>) -> Option<String> {
    let mut cursor = node.walk();
    let header = node
        .named_children(&mut cursor)
        .find(|child| matches!(child.kind(), "range_clause" | "for_clause"))?;
    if header.kind() == "for_clause" {
        let condition = header.child_by_field_name("condition")?;
        let operator = cx.text(condition.child_by_field_name("operator")?);
        let bound = counted_condition(cx, header)?.1;
        let start = header
            .child_by_field_name("initializer")
            .filter(|init| init.kind() == "short_var_declaration")?
            .child_by_field_name("right")?
            .named_child(0)?;
        return Some(families::iteration_count(
            cx.text(start),
            cx.text(bound),
            operator == "<=",
        ));
    }
    let ranged = header.child_by_field_name("right")?;
    if ranged.kind() != "identifier" {
        return None;
    }
    let name = cx.text(ranged);
    // A channel or an iterator function has no length to allocate for.
    match cx.kind_of(site, name)? {
        Kind::List(_) | Kind::Map | Kind::Str => Some(format!("len({name})")),
        _ => None,
    }
}

/// The slice type a declaration spells: `var s []int`, `s := []int{}`, `make([]int, 0)`.
fn declared_slice_type<'t>(cx: &Cx<'t>, declared: Node<'t>) -> Option<&'t str> {
    let parent = declared.parent()?;
    let found = if parent.kind() == "var_spec" {
        parent.child_by_field_name("type").or_else(|| {
            parent
                .child_by_field_name("value")
                .and_then(|values| values.named_child(0))
                .and_then(slice_type_of)
        })
    } else {
        let statement = parent.parent()?;
        corresponding_value(statement, parent, declared).and_then(slice_type_of)
    };
    found
        .filter(|node| node.kind() == "slice_type")
        .map(|node| cx.text(node))
}

fn slice_type_of(value: Node<'_>) -> Option<Node<'_>> {
    match value.kind() {
        "composite_literal" => value.child_by_field_name("type"),
        "call_expression" => value.child_by_field_name("arguments")?.named_child(0),
        _ => None,
    }
}

fn string_concat<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "target")?;
    if let Some(sum) = site.capture("sum") {
        concatenation_side(cx, sum, name)?;
    }
    let repeating = cx.repeating_loop(site)?;
    if cx.kind_of(site, name)? != Kind::Str || cx.bound_within(site, name, repeating.node) {
        return None;
    }
    Some(format!(
        "`{name}` is a string: each concatenation copies all of it on every iteration, O(n²) in all; build it with a strings.Builder (`b.WriteString(…)`, then `b.String()` once)"
    ))
}

fn sprintf<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let format = cx.capture_text(site, "format")?;
    let argument = cx.capture_text(site, "argument")?;
    cx.repeating_loop(site)?;
    Some(if format == "\"%d\"" {
        format!(
            "`fmt.Sprintf(\"%d\", {argument})` parses its format and boxes `{argument}` into an interface on every call; `strconv.Itoa({argument})` (or strconv.FormatInt) converts directly"
        )
    } else {
        format!(
            "`fmt.Sprintf(\"%s\", {argument})` parses its format and boxes `{argument}` into an interface on every call; use `{argument}` itself if it is a string (or its String/Error method)"
        )
    })
}

fn slice_contains<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let callee = cx.capture_text(site, "callee")?;
    let repeating = cx.repeating_loop(site)?;
    if cx.bound_within(site, name, repeating.node) {
        return None;
    }
    if cx.is_small_and_fixed(site, name) {
        return None;
    }
    let grows = cx
        .occurrences_within(site, name, repeating.node)
        .iter()
        .any(|occurrence| occurrence.effect == Effect::Augment);
    let remedy = if grows {
        "keep a `map[T]struct{}` set of its elements beside it"
    } else {
        "build a `map[T]struct{}` set once before the loop"
    };
    Some(format!(
        "`slices.{callee}` scans all of `{name}` on every iteration: O(n) per call, O(n·m) over the loop; {remedy}"
    ))
}

fn repeated_key_lookup<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let map = cx.capture_text(site, "map")?;
    let key = cx.capture_text(site, "key")?;
    // Only when the first lookup threw its value away and the test is `ok`.
    if cx.capture_text(site, "value")? != "_"
        || cx.capture_text(site, "condition")? != cx.capture_text(site, "ok")?
    {
        return None;
    }
    let consequence = site.capture("consequence")?;
    families::repeated_key_lookup(
        cx,
        site,
        consequence,
        |cx, node| {
            node.kind() == "index_expression"
                && node
                    .child_by_field_name("operand")
                    .is_some_and(|operand| cx.text(operand) == map)
                && node
                    .child_by_field_name("index")
                    .is_some_and(|index| same_text(cx.text(index), key))
                && !is_written(node)
        },
        |_, _| {
            format!(
                "looks `{key}` up in `{map}` twice on every iteration (`_, ok := {map}[{key}]`, then `{map}[{key}]`); `v, ok := {map}[{key}]` keeps the value from the first lookup"
            )
        },
    )
}

/// `m[k] = v`, `m[k]++`: a store, not a second read.
fn is_written(index: Node<'_>) -> bool {
    let Some(parent) = index.parent() else {
        return false;
    };
    match parent.kind() {
        "inc_statement" | "dec_statement" => true,
        "expression_list" => parent.parent().is_some_and(|statement| {
            statement.kind() == "assignment_statement" && is_field(statement, "left", parent)
        }),
        _ => false,
    }
}
