//! Java: how variables are declared and used, and the Java hints.

use tree_sitter::Node;

use super::context::{Cx, Effect, Kind, ListShape, is_field};
use super::families::{self, Iteration, same_text};
use super::scan::Site;

pub(super) const IDENTIFIERS: &[&str] = &["identifier"];

pub(super) fn is_exit(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "break_statement" | "return_statement" | "throw_statement"
    )
}

pub(super) fn is_mutating_method(method: &str) -> bool {
    matches!(
        method,
        "add"
            | "addAll"
            | "remove"
            | "removeAll"
            | "removeIf"
            | "retainAll"
            | "clear"
            | "set"
            | "sort"
            | "put"
            | "putAll"
            | "putIfAbsent"
            | "merge"
            | "compute"
            | "computeIfAbsent"
            | "computeIfPresent"
            | "replaceAll"
            | "push"
            | "pop"
            | "poll"
            | "offer"
            | "addFirst"
            | "addLast"
            | "removeFirst"
            | "removeLast"
            | "pollFirst"
            | "pollLast"
    )
}

pub(super) fn classify<'t>(cx: &Cx<'t>, ident: Node<'t>, ancestors: &[Node<'t>]) -> Effect<'t> {
    let Some(&parent) = ancestors.last() else {
        return Effect::Read;
    };
    let grandparent = ancestors.len().checked_sub(2).map(|index| ancestors[index]);
    match parent.kind() {
        "variable_declarator" if is_field(parent, "name", ident) => {
            let declared =
                grandparent.and_then(|declaration| declaration.child_by_field_name("type"));
            Effect::Bind(declared_kind(
                cx,
                declared,
                parent.child_by_field_name("value"),
            ))
        }
        "formal_parameter" | "spread_parameter" | "enhanced_for_statement"
            if is_field(parent, "name", ident) =>
        {
            Effect::Bind(declared_kind(cx, parent.child_by_field_name("type"), None))
        }
        "catch_formal_parameter" | "lambda_expression" | "inferred_parameters" | "resource" => {
            Effect::Bind(Kind::Other)
        }
        "assignment_expression" if is_field(parent, "left", ident) => {
            let operator = parent
                .child_by_field_name("operator")
                .map(|operator| cx.text(operator));
            match (operator, parent.child_by_field_name("right")) {
                (Some("="), Some(right)) if is_self_concatenation(cx, right, cx.text(ident)) => {
                    Effect::Augment
                }
                (Some("="), _) => Effect::Assign,
                _ => Effect::Augment,
            }
        }
        "update_expression" => Effect::Augment,
        "method_invocation" if is_field(parent, "object", ident) => Effect::Method(
            parent
                .child_by_field_name("name")
                .map_or("", |name| cx.text(name)),
        ),
        "array_access" if is_field(parent, "array", ident) => match grandparent {
            Some(write)
                if (write.kind() == "assignment_expression" && is_field(write, "left", parent))
                    || write.kind() == "update_expression" =>
            {
                Effect::ElementWrite
            }
            _ => Effect::Read,
        },
        "argument_list" | "return_statement" => Effect::Escape,
        _ => Effect::Read,
    }
}

/// `s + x` (any chain of `+` starting with `s`) or `x + s`.
fn is_self_concatenation(cx: &Cx<'_>, value: Node<'_>, name: &str) -> bool {
    if value.kind() != "binary_expression"
        || value
            .child_by_field_name("operator")
            .is_none_or(|op| cx.text(op) != "+")
    {
        return false;
    }
    let mut leftmost = value;
    while leftmost.kind() == "binary_expression" {
        match leftmost.child_by_field_name("left") {
            Some(left) => leftmost = left,
            None => break,
        }
    }
    cx.text(leftmost) == name
        || value
            .child_by_field_name("right")
            .is_some_and(|right| cx.text(right) == name)
}

/// The kind of a variable from its declared type, refined by its initial
/// value (`List<T> xs = new LinkedList<>()` is a LinkedList).
fn declared_kind(cx: &Cx<'_>, declared: Option<Node<'_>>, value: Option<Node<'_>>) -> Kind {
    let from_type = declared.map_or(Kind::Other, |declared| {
        type_kind(base_type(cx.text(declared)))
    });
    let from_value = value.and_then(|value| value_kind(cx, value));
    match (from_type, from_value) {
        (_, Some(Kind::LinkedList)) => Kind::LinkedList,
        (Kind::List(_) | Kind::Other, Some(Kind::ArrayList)) => Kind::ArrayList,
        (Kind::List(_) | Kind::Other, Some(Kind::List(shape))) => Kind::List(shape),
        (Kind::Other, Some(kind)) => kind,
        (kind, _) => kind,
    }
}

/// `java.util.List<String>` → `List`.
fn base_type(text: &str) -> &str {
    let text = text.split('<').next().unwrap_or(text).trim();
    text.rsplit('.').next().unwrap_or(text)
}

fn type_kind(base: &str) -> Kind {
    match base {
        "List" | "Vector" | "CopyOnWriteArrayList" | "AbstractList" => Kind::List(ListShape::Any),
        "ArrayList" => Kind::ArrayList,
        "LinkedList" => Kind::LinkedList,
        "String" => Kind::Str,
        "Integer" | "Long" | "Double" | "Float" | "Short" | "Byte" | "Character" => Kind::Boxed,
        "Set" | "HashSet" | "TreeSet" | "LinkedHashSet" | "SortedSet" | "NavigableSet" => Kind::Set,
        "Map" | "HashMap" | "TreeMap" | "LinkedHashMap" | "SortedMap" | "NavigableMap"
        | "ConcurrentHashMap" => Kind::Map,
        "Deque" | "ArrayDeque" | "Queue" | "PriorityQueue" => Kind::Deque,
        _ => Kind::Other,
    }
}

fn value_kind(cx: &Cx<'_>, value: Node<'_>) -> Option<Kind> {
    match value.kind() {
        "object_creation_expression" => {
            let created = value.child_by_field_name("type")?;
            Some(type_kind(base_type(cx.text(created))))
        }
        "method_invocation" => {
            let object = cx.text(value.child_by_field_name("object")?);
            let method = cx.text(value.child_by_field_name("name")?);
            match (object, method) {
                ("Arrays", "asList") | ("List", "of") => {
                    // A fixed-size list spelled out in full.
                    let arguments = value.child_by_field_name("arguments")?;
                    Some(Kind::List(match arguments.named_child_count() {
                        1..=8 => ListShape::SmallLiteral,
                        _ => ListShape::Any,
                    }))
                }
                _ => None,
            }
        }
        "string_literal" => Some(Kind::Str),
        _ => None,
    }
}

/// A field of the class the site's method belongs to.
pub(super) fn field_kind<'t>(cx: &mut Cx<'t>, site: &Site<'t>, name: &'t str) -> Option<Kind> {
    let (declaration, declarator) = field_declaration(cx, site, name)?;
    Some(declared_kind(
        cx,
        declaration.child_by_field_name("type"),
        declarator.child_by_field_name("value"),
    ))
}

/// The field declaration and declarator of `name` in the class of the site's method.
fn field_declaration<'t>(cx: &Cx<'t>, site: &Site<'t>, name: &str) -> Option<(Node<'t>, Node<'t>)> {
    let method = cx.function(site)?.node;
    let class_body = method
        .parent()
        .filter(|parent| parent.kind() == "class_body")?;
    let mut cursor = class_body.walk();
    let members: Vec<Node<'t>> = class_body.named_children(&mut cursor).collect();
    members
        .into_iter()
        .filter(|member| member.kind() == "field_declaration")
        .find_map(|member| {
            let mut declarators = member.walk();
            let found = member
                .children_by_field_name("declarator", &mut declarators)
                .find(|declarator| {
                    declarator
                        .child_by_field_name("name")
                        .is_some_and(|field| cx.text(field) == name)
                });
            found.map(|declarator| (member, declarator))
        })
}

/// `for (T x : items)`, `for (int i = 0; i < items.size(); i++)`,
/// `for (int i = 0; i < items.length; i++)`.
pub(super) fn loop_iteration<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Iteration<'t>> {
    match node.kind() {
        "enhanced_for_statement" => {
            let value = node.child_by_field_name("value")?;
            let variable = node.child_by_field_name("name")?;
            (value.kind() == "identifier").then(|| Iteration {
                collection: cx.text(value),
                variables: vec![cx.text(variable)],
                indexes: Vec::new(),
            })
        }
        "for_statement" => {
            let condition = node.child_by_field_name("condition")?;
            if condition.kind() != "binary_expression"
                || !matches!(
                    cx.text(condition.child_by_field_name("operator")?),
                    "<" | "<=" | "!="
                )
            {
                return None;
            }
            let index = condition.child_by_field_name("left")?;
            let bound = condition.child_by_field_name("right")?;
            let collection = match bound.kind() {
                "method_invocation" if cx.text(bound.child_by_field_name("name")?) == "size" => {
                    bound.child_by_field_name("object")?
                }
                "field_access" if cx.text(bound.child_by_field_name("field")?) == "length" => {
                    bound.child_by_field_name("object")?
                }
                _ => return None,
            };
            (index.kind() == "identifier" && collection.kind() == "identifier").then(|| Iteration {
                collection: cx.text(collection),
                variables: vec![cx.text(index)],
                indexes: vec![cx.text(index)],
            })
        }
        _ => None,
    }
}

/// `a == b`, `a.equals(b)`, `Objects.equals(a, b)`.
pub(super) fn equality_operands<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    match node.kind() {
        "binary_expression" if cx.text(node.child_by_field_name("operator")?) == "==" => Some((
            node.child_by_field_name("left")?,
            node.child_by_field_name("right")?,
        )),
        "method_invocation" if cx.text(node.child_by_field_name("name")?) == "equals" => {
            let arguments = node.child_by_field_name("arguments")?;
            let object = node.child_by_field_name("object")?;
            match (cx.text(object), arguments.named_child_count()) {
                ("Objects", 2) => Some((arguments.named_child(0)?, arguments.named_child(1)?)),
                (_, 1) => Some((object, arguments.named_child(0)?)),
                _ => None,
            }
        }
        _ => None,
    }
}

pub(super) fn check<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    match site.id {
        "java-string-concat-in-loop" => string_concat(cx, site),
        "java-boxing-in-loop" => boxing(cx, site),
        "java-list-contains-in-loop" => list_contains(cx, site),
        "java-list-remove-front-in-loop" => list_remove_front(cx, site),
        "java-linkedlist-get-in-loop" => linked_list_get(cx, site),
        "java-regex-in-loop" => regex(cx, site),
        "java-sort-in-loop" => sort(cx, site),
        "java-nested-loop-same-collection" => families::nested_loop_same_collection(
            cx,
            site,
            "index the elements by the compared value in a HashMap or HashSet to find matches in O(n)",
        ),
        "java-repeated-key-lookup" => repeated_key_lookup(cx, site),
        _ => None,
    }
}

/// The loop around `site`, if `name` outlives its iterations.
fn loop_outliving<'t>(cx: &mut Cx<'t>, site: &Site<'t>, name: &'t str) -> Option<Node<'t>> {
    let repeating = cx.repeating_loop(site)?;
    (!cx.bound_within(site, name, repeating.node)).then_some(repeating.node)
}

fn string_concat<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "target")?;
    if site
        .capture("sum")
        .is_some_and(|sum| !is_self_concatenation(cx, sum, name))
    {
        return None;
    }
    if cx.kind_of(site, name)? != Kind::Str {
        return None;
    }
    loop_outliving(cx, site, name)?;
    Some(format!(
        "`{name}` is a String: each concatenation copies all of it into a new String on every iteration, O(n²) in all; append to a StringBuilder and call toString() once"
    ))
}

fn boxing<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "target")?;
    if site.node.kind() == "assignment_expression" {
        let operator = cx.text(site.node.child_by_field_name("operator")?);
        let right = site.node.child_by_field_name("right")?;
        let arithmetic =
            operator != "=" || (right.kind() == "binary_expression" && cx.mentions(right, name));
        if !arithmetic {
            return None;
        }
    }
    if cx.kind_of(site, name)? != Kind::Boxed {
        return None;
    }
    loop_outliving(cx, site, name)?;
    let declared = declared_type(cx, site, name).unwrap_or("a wrapper type");
    let primitive = match declared {
        "Integer" => "int",
        "Character" => "char",
        other => &other.to_ascii_lowercase(),
    };
    Some(format!(
        "`{name}` is a boxed `{declared}`: each update unboxes it and allocates a new `{declared}` on every iteration; declare it as `{primitive}`"
    ))
}

/// The type `name` is declared with: a local, a parameter or a field.
fn declared_type<'t>(cx: &mut Cx<'t>, site: &Site<'t>, name: &'t str) -> Option<&'t str> {
    let scope = cx.scope(site);
    let local = cx
        .occurrences(scope, name)
        .iter()
        .find(|occurrence| matches!(occurrence.effect, Effect::Bind(_)))
        .map(|occurrence| occurrence.node);
    let holder = match local {
        // `T name = ...;` (declarator inside a declaration) or a parameter `T name`.
        Some(declared) => {
            let parent = declared.parent()?;
            if parent.kind() == "variable_declarator" {
                parent.parent()?
            } else {
                parent
            }
        }
        None => field_declaration(cx, site, name)?.0,
    };
    Some(base_type(cx.text(holder.child_by_field_name("type")?)))
}

fn list_contains<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let method = cx.capture_text(site, "method")?;
    let kind = cx.kind_of(site, name)?;
    if !kind.is_list() || cx.is_small_and_fixed(site, name) {
        return None;
    }
    let repeating = loop_outliving(cx, site, name)?;
    let grows = cx
        .occurrences_within(site, name, repeating)
        .iter()
        .any(|occurrence| matches!(occurrence.effect, Effect::Method("add" | "addAll")));
    let remedy = match (method, grows) {
        ("contains", true) => "keep a HashSet of its elements beside it".to_string(),
        ("contains", false) => {
            format!("build a HashSet once before the loop (`new HashSet<>({name})`)")
        }
        _ => "map each value to its index once before the loop in a HashMap".to_string(),
    };
    Some(format!(
        "`{name}` is a List: each `{method}` scans it, O(n) per call and O(n·m) over the loop; {remedy}"
    ))
}

fn list_remove_front<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    let method = cx.capture_text(site, "method")?;
    if cx.kind_of(site, name)? != Kind::ArrayList {
        return None;
    }
    cx.repeating_loop(site)?;
    Some(if method == "remove" {
        format!(
            "`{name}.remove(0)` on an ArrayList shifts every remaining element: O(n) per call, O(n²) to drain it; use an ArrayDeque and `pollFirst()`"
        )
    } else {
        format!(
            "`{name}.add(0, …)` on an ArrayList shifts every element: O(n) per call, O(n²) over the loop; use an ArrayDeque and `addFirst()`"
        )
    })
}

fn linked_list_get<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let name = cx.capture_text(site, "collection")?;
    if cx.kind_of(site, name)? != Kind::LinkedList {
        return None;
    }
    cx.repeating_loop(site)?;
    Some(format!(
        "`{name}` is a LinkedList: `get(i)` walks it from one end, O(n) per call and O(n²) over the loop; iterate it with for-each or an iterator, or use an ArrayList"
    ))
}

fn regex<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let method = cx.capture_text(site, "method")?;
    let pattern = cx.capture_text(site, "pattern")?;
    if method == "split" && !compiles_on_split(pattern) {
        return None;
    }
    cx.repeating_loop(site)?;
    let is_pattern_class = cx.capture_text(site, "class") == Some("Pattern");
    Some(if is_pattern_class {
        format!(
            "`Pattern.{method}` compiles {pattern} again on every iteration; compile it once into a `static final Pattern` and reuse it"
        )
    } else {
        let instead = if method == "split" {
            "pattern.split(s)"
        } else {
            "pattern.matcher(s)"
        };
        format!(
            "`String.{method}` compiles the regular expression {pattern} on every call; compile it once into a `static final Pattern` and use `{instead}`"
        )
    })
}

/// `String.split` skips the regex engine for a single ordinary character
/// and for a backslash-escaped non-alphanumeric one.
fn compiles_on_split(literal: &str) -> bool {
    let Some(content) = literal
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return true;
    };
    let chars = unescape(content);
    match chars.as_slice() {
        [single] => ".$|()[{^?*+\\".contains(*single),
        ['\\', second] => second.is_ascii_alphanumeric(),
        _ => true,
    }
}

fn unescape(content: &str) -> Vec<char> {
    let mut chars = Vec::new();
    let mut input = content.chars();
    while let Some(c) = input.next() {
        if c != '\\' {
            chars.push(c);
            continue;
        }
        match input.next() {
            Some('t') => chars.push('\t'),
            Some('n') => chars.push('\n'),
            Some('r') => chars.push('\r'),
            Some(other) => chars.push(other),
            None => chars.push('\\'),
        }
    }
    chars
}

fn sort<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let collection = site.capture("collection")?;
    if matches!(cx.text(collection), "Collections" | "Arrays") {
        return None;
    }
    if site
        .capture("arguments")
        .is_some_and(|arguments| arguments.named_child_count() > 1)
    {
        return None;
    }
    families::sort_in_loop(
        cx,
        site,
        collection,
        "keep the elements ordered in a PriorityQueue or TreeMap",
    )
}

fn repeated_key_lookup<'t>(cx: &mut Cx<'t>, site: &Site<'t>) -> Option<String> {
    let map = cx.capture_text(site, "map")?;
    let key = cx.capture_text(site, "key")?;
    let consequence = site.capture("consequence")?;
    let negated = site.node.kind() == "unary_expression";
    families::repeated_key_lookup(
        cx,
        site,
        consequence,
        |cx, node| {
            node.kind() == "method_invocation"
                && node
                    .child_by_field_name("object")
                    .is_some_and(|object| cx.text(object) == map)
                && node
                    .child_by_field_name("name")
                    .is_some_and(|name| matches!(cx.text(name), "get" | "put"))
                && node
                    .child_by_field_name("arguments")
                    .and_then(|arguments| arguments.named_child(0))
                    .is_some_and(|first| same_text(cx.text(first), key))
        },
        |cx, second| {
            let method = second
                .child_by_field_name("name")
                .map_or("get", |name| cx.text(name));
            let remedy = if negated {
                "`computeIfAbsent` or `putIfAbsent` does it once"
            } else {
                "`get` with a null check, `getOrDefault` or `merge` does it once"
            };
            format!(
                "looks `{key}` up in `{map}` twice on every iteration (`containsKey`, then `{method}`); {remedy}"
            )
        },
    )
}
