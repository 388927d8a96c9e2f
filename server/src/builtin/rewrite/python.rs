//! Python: a list searched with `in` inside a loop becomes a set built once
//! before the loop; `sorted(xs)[0]` / `sorted(xs)[-1]` become `min` / `max`;
//! `re.compile(CONST)`, `re.match(CONST, s)`... in a loop use one pattern
//! compiled before it.

use tree_sitter::Node;

use super::syntax::{
    ancestor_of_kind, between, can_insert_before, descendants_of_kind, field, fresh_name,
    identifiers, line_indent, line_start, outermost_loop_where,
};
use super::{Edit, Rewrite, Site};
use crate::analysis::{ByteRange, Function, Hint};

pub fn rewrite(site: &Site<'_>) -> Option<Rewrite> {
    match site.hint.id {
        "py-list-membership-in-loop" => membership_to_set(site),
        "py-sorted-for-min-max" => sorted_to_min_max(site),
        REGEX_IN_LOOP => hoist_regex(site),
        _ => None,
    }
}

/// `x in items` with `items` a plain name, as the right operand.
fn searched_name<'a>(site: &Site<'a>, comparison: Node<'a>) -> Option<Node<'a>> {
    if comparison.kind() != "comparison_operator" || comparison.named_child_count() != 2 {
        return None;
    }
    let left = comparison.named_child(0)?;
    let right = comparison.named_child(1)?;
    let operator = between(site.source, left, right);
    (right.kind() == "identifier" && (operator == "in" || operator == "not in")).then_some(right)
}

fn membership_to_set(site: &Site<'_>) -> Option<Rewrite> {
    let comparison = ancestor_of_kind(site.node()?, "comparison_operator", 3)?;
    let list = searched_name(site, comparison)?;
    let name = site.text(list);
    // Precondition: inside the loop the list is only ever searched, so a
    // set built before the loop answers every test the same way.
    let only_searched = |use_: Node<'_>| {
        use_.parent()
            .and_then(|parent| searched_name(site, parent))
            .is_some_and(|right| right.id() == use_.id())
    };
    let the_loop = outermost_loop_where(site, comparison, name, only_searched)?;
    let set_name = fresh_name(site.function_text(), &format!("{name}_set"));
    let indent = line_indent(site.source, the_loop.start_byte());
    let mut edits = vec![Edit::insert(
        line_start(site.source, the_loop.start_byte()),
        format!("{indent}{set_name} = set({name})\n"),
    )];
    for use_ in super::syntax::identifiers(site.source, the_loop, name) {
        edits.push(Edit::replace(use_, set_name.clone()));
    }
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`{name}` is searched with `in` inside a loop: build `{set_name} = set({name})` once before the loop and search the set (O(1) per test)"
        ),
        edits,
        imports: Vec::new(),
    })
}

fn sorted_to_min_max(site: &Site<'_>) -> Option<Rewrite> {
    let subscript = ancestor_of_kind(site.node()?, "subscript", 3)?;
    let call = field(subscript, "value")?;
    let index = field(subscript, "subscript")?;
    if call.kind() != "call" || site.text(field(call, "function")?) != "sorted" {
        return None;
    }
    let arguments = field(call, "arguments")?;
    // Only `sorted(xs)`: a key or reverse= changes which element is first.
    if arguments.named_child_count() != 1 {
        return None;
    }
    let argument = arguments.named_child(0)?;
    if matches!(
        argument.kind(),
        "keyword_argument" | "list_splat" | "dictionary_splat" | "generator_expression"
    ) {
        return None;
    }
    let pick = match site.text(index).replace(' ', "").as_str() {
        "0" => "min",
        "-1" => "max",
        _ => return None,
    };
    let argument_text = site.text(argument);
    Some(Rewrite {
        hint: site.hint.id,
        description: format!(
            "`sorted({argument_text})[{}]` sorts everything to take one element: `{pick}({argument_text})` is O(n)",
            site.text(index)
        ),
        edits: vec![Edit::replace(subscript, format!("{pick}({argument_text})"))],
        imports: Vec::new(),
    })
}

/// The id of the sites [`regex_sites`] finds (not a catalog hint yet).
pub const REGEX_IN_LOOP: &str = "py-regex-in-loop";

/// A call of the `re` module with a constant pattern, and what it becomes
/// on a pattern compiled once.
struct RegexCall<'a> {
    /// `re.compile(...)`'s arguments: the pattern, and flags if any.
    compile_arguments: String,
    /// The rest of the call on the compiled pattern: `None` for
    /// `re.compile` itself, `Some(".match(s)")` for `re.match(p, s)`.
    method_call: Option<String>,
    call: Node<'a>,
}

/// `re.X`, or flags joined with `|`.
fn constant_flags(source: &str, node: Node<'_>) -> bool {
    match node.kind() {
        "attribute" => field(node, "object").is_some_and(|o| &source[o.byte_range()] == "re"),
        "binary_operator" => {
            field(node, "left").is_some_and(|l| constant_flags(source, l))
                && field(node, "right").is_some_and(|r| constant_flags(source, r))
                && field(node, "operator").is_some_and(|o| &source[o.byte_range()] == "|")
        }
        _ => false,
    }
}

fn regex_call<'a>(source: &str, call: Node<'a>) -> Option<RegexCall<'a>> {
    let function = field(call, "function")?;
    if call.kind() != "call" || function.kind() != "attribute" {
        return None;
    }
    if &source[field(function, "object")?.byte_range()] != "re" {
        return None;
    }
    let method = &source[field(function, "attribute")?.byte_range()];
    let arguments = field(call, "arguments")?;
    if arguments.kind() != "argument_list" {
        return None;
    }
    let mut cursor = arguments.walk();
    let all: Vec<Node<'a>> = arguments.named_children(&mut cursor).collect();
    let text = |node: &Node<'_>| source[node.byte_range()].to_string();
    // Positional arguments only: keywords (`flags=`, `count=`) and splats
    // are spelled differently on a compiled pattern.
    if all.iter().any(|argument| {
        matches!(
            argument.kind(),
            "keyword_argument" | "list_splat" | "dictionary_splat" | "comment"
        )
    }) {
        return None;
    }
    let (pattern, rest) = all.split_first()?;
    // A literal without interpolation: the same pattern on every iteration.
    let constant =
        pattern.kind() == "string" && descendants_of_kind(*pattern, "interpolation").is_empty();
    if !constant {
        return None;
    }
    // Module functions take the pattern first and flags last; a compiled
    // pattern takes the same arguments without them. Only the counts where
    // the two line up exactly.
    let rest_text: Vec<String> = rest.iter().map(text).collect();
    let (compile_arguments, method_call) = match (method, rest) {
        ("compile", []) => (text(pattern), None),
        ("compile", [flags]) if constant_flags(source, *flags) => {
            (format!("{}, {}", text(pattern), text(flags)), None)
        }
        ("match" | "search" | "fullmatch" | "findall" | "finditer" | "split", [_]) => (
            text(pattern),
            Some(format!(".{method}({})", rest_text.join(", "))),
        ),
        ("sub" | "subn", [_, _]) => (
            text(pattern),
            Some(format!(".{method}({})", rest_text.join(", "))),
        ),
        _ => return None,
    };
    Some(RegexCall {
        compile_arguments,
        method_call,
        call,
    })
}

/// Does the module `import re` (as itself, at its top level)?
fn imports_re(source: &str, root: Node<'_>) -> bool {
    let mut cursor = root.walk();
    root.named_children(&mut cursor).any(|statement| {
        statement.kind() == "import_statement" && {
            let mut names = statement.walk();
            statement
                .named_children(&mut names)
                .any(|name| name.kind() == "dotted_name" && &source[name.byte_range()] == "re")
        }
    })
}

/// Calls of `re` functions with a constant pattern inside `function`, as
/// sites for [`hoist_regex`]; none when `re` is not the module everywhere
/// in the function.
pub fn regex_sites(source: &str, root: Node<'_>, function: &Function) -> Vec<Hint> {
    let Some(node) = root.descendant_for_byte_range(function.range.start, function.range.end)
    else {
        return Vec::new();
    };
    if !imports_re(source, root) {
        return Vec::new();
    }
    let the_module_only = identifiers(source, node, "re").iter().all(|use_| {
        use_.parent().is_some_and(|parent| {
            parent.kind() == "attribute"
                && field(parent, "object").is_some_and(|object| object.id() == use_.id())
        })
    });
    if !the_module_only {
        return Vec::new();
    }
    descendants_of_kind(node, "call")
        .into_iter()
        .filter(|call| regex_call(source, *call).is_some())
        .map(|call| Hint {
            id: REGEX_IN_LOOP,
            range: ByteRange {
                start: call.start_byte(),
                end: call.end_byte(),
            },
            message: String::new(),
            function: Some(function.name.clone()),
        })
        .collect()
}

fn hoist_regex(site: &Site<'_>) -> Option<Rewrite> {
    let call = ancestor_of_kind(site.node()?, "call", 1)?;
    let found = regex_call(site.source, call)?;
    let the_loop = hoisting_point(site, call)?;
    let name = fresh_name(site.function_text(), "pattern");
    let indent = line_indent(site.source, the_loop.start_byte());
    let compiled = format!("re.compile({})", found.compile_arguments);
    let mut edits = vec![Edit::insert(
        line_start(site.source, the_loop.start_byte()),
        format!("{indent}{name} = {compiled}\n"),
    )];
    // Every call in the loop with the same pattern uses the one compiled.
    for other in descendants_of_kind(the_loop, "call") {
        let Some(other) = regex_call(site.source, other) else {
            continue;
        };
        // A call inside the arguments of one already rewritten keeps its
        // text there (two edits cannot overlap).
        let inside_another = edits[1..]
            .iter()
            .any(|edit| edit.start <= other.call.start_byte() && other.call.end_byte() <= edit.end);
        if other.compile_arguments == found.compile_arguments && !inside_another {
            let text = match &other.method_call {
                Some(method_call) => format!("{name}{method_call}"),
                None => name.clone(),
            };
            edits.push(Edit::replace(other.call, text));
        }
    }
    Some(Rewrite {
        hint: REGEX_IN_LOOP,
        description: format!(
            "`re` looks the pattern up in its cache (or compiles it) on every iteration: compile it once before the loop, `{name} = {compiled}`"
        ),
        edits,
        imports: Vec::new(),
    })
}

/// The statement a constant can be computed in front of, once: the
/// outermost loop around `node`, where a comprehension is a loop that the
/// statement holding it runs. Never past a lambda or a nested definition.
fn hoisting_point<'a>(site: &Site<'a>, node: Node<'a>) -> Option<Node<'a>> {
    let mut chosen = None;
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if ancestor.start_byte() <= site.function.range.start
            || matches!(
                ancestor.kind(),
                "lambda" | "function_definition" | "class_definition"
            )
        {
            break;
        }
        let candidate = match ancestor.kind() {
            "for_statement" | "while_statement" => Some(ancestor),
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => statement_around(ancestor),
            _ => None,
        };
        if let Some(statement) = candidate
            && can_insert_before(site.source, statement)
        {
            chosen = Some(statement);
        }
        current = ancestor.parent();
    }
    chosen
}

/// The statement of a block that holds `node`.
fn statement_around(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = node;
    loop {
        let parent = current.parent()?;
        if parent.kind() == "block" {
            return Some(current);
        }
        current = parent;
    }
}
