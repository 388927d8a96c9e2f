//! The objects a method is called on. A method input's first expression
//! builds its object (`Ledger([("a", 1)])`, `new Ledger(List.of(3))`);
//! these come from the calls in tests and doc examples, from the model,
//! from a constructor that needs no arguments, and from small-scope
//! arguments of the class's constructor.
//!
//! A test that builds an object, calls other methods on it and then the
//! method (`l = Ledger(); l.add("a", 1); assert l.total("a") == 1`) gives
//! an object built with those calls replayed (setup), so the state the
//! test reached, a cache filled by an earlier call included, is the state
//! the method is judged in. A test that hands the object to other code
//! (`fill(l)`) gives nothing: that state cannot be rebuilt from the text.

use tree_sitter::Node;

use super::calls::is_closed;
use super::{InputSource, TestInput};
use crate::analysis::Function;
use crate::document::Document;
use crate::language::Language;

/// The name a setup sequence gives the object while it replays calls.
const SETUP_NAME: &str = "obj";

/// Calls of `class`'s `method` on an object in `text` (test code, or a
/// doc's examples), each as an input whose first argument builds the
/// object. Only calls whose arguments and object are closed (literals and
/// constructors) are kept.
pub fn method_calls(
    language: Language,
    text: &str,
    class: &str,
    method: &str,
    source: InputSource,
) -> Vec<TestInput> {
    let document = Document::new(language, 0, text);
    let finder = Finder {
        language,
        text,
        class,
        method,
    };
    let mut found: Vec<Vec<String>> = Vec::new();
    finder.visit(document.tree().root_node(), &mut |input| {
        if !found.contains(&input) {
            found.push(input);
        }
    });
    found
        .into_iter()
        .map(|args| TestInput { args, source })
        .collect()
}

/// The code of a doc's Python examples (`>>> ` and `... ` lines).
pub fn doctest_code(doc: &str) -> String {
    doc.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            line.strip_prefix(">>> ")
                .or_else(|| line.strip_prefix("... "))
                .map(|code| format!("{code}\n"))
        })
        .collect()
}

struct Finder<'a> {
    language: Language,
    text: &'a str,
    class: &'a str,
    method: &'a str,
}

impl Finder<'_> {
    fn text_of(&self, node: Node) -> &str {
        &self.text[node.byte_range()]
    }

    fn visit(&self, node: Node, found: &mut impl FnMut(Vec<String>)) {
        if let Some((object, arguments)) = self.method_call(node)
            && self.text_of(method_name_node(self.language, node)) == self.method
            && let Some(args) = self.closed_arguments(arguments)
            && let Some(receiver) = self.receiver(object, node)
        {
            let mut input = vec![receiver];
            input.extend(args);
            found(input);
        }
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.visit(child, found);
        }
    }

    /// `object.name(arguments)`: the object and the argument list.
    fn method_call<'t>(&self, node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
        match (self.language, node.kind()) {
            (Language::Python, "call") => {
                let function = node.child_by_field_name("function")?;
                (function.kind() == "attribute").then_some(())?;
                Some((
                    function.child_by_field_name("object")?,
                    node.child_by_field_name("arguments")?,
                ))
            }
            (Language::Java, "method_invocation") => Some((
                node.child_by_field_name("object")?,
                node.child_by_field_name("arguments")?,
            )),
            (Language::Go, "call_expression") => {
                let function = node.child_by_field_name("function")?;
                (function.kind() == "selector_expression").then_some(())?;
                Some((
                    function.child_by_field_name("operand")?,
                    node.child_by_field_name("arguments")?,
                ))
            }
            _ => None,
        }
    }

    /// The argument texts, when every one is closed and positional.
    fn closed_arguments(&self, arguments: Node) -> Option<Vec<String>> {
        let mut cursor = arguments.walk();
        let mut out = Vec::new();
        for argument in arguments.named_children(&mut cursor) {
            if argument.kind() == "comment" {
                continue;
            }
            // `f(x=1)` cannot go into the driver's positional list.
            if matches!(
                argument.kind(),
                "keyword_argument" | "list_splat" | "dictionary_splat" | "variadic_argument"
            ) {
                return None;
            }
            let text = self.text_of(argument).trim();
            if !is_closed(text) {
                return None;
            }
            out.push(text.to_string());
        }
        Some(out)
    }

    /// Whether `node` builds an object of the class: `Ledger(...)`,
    /// `new Ledger(...)`, `new Ledger<>(...)`.
    fn is_construction(&self, node: Node) -> bool {
        let named = |name: Option<Node>| {
            name.is_some_and(|n| {
                let text = self.text_of(n);
                text == self.class || text.split('<').next() == Some(self.class)
            })
        };
        match (self.language, node.kind()) {
            (Language::Python, "call") => named(node.child_by_field_name("function")),
            (Language::Java, "object_creation_expression") => {
                named(node.child_by_field_name("type"))
            }
            // `NewLedger(..)`, `Ledger{..}`, `&Ledger{..}`.
            (Language::Go, "call_expression") => node
                .child_by_field_name("function")
                .is_some_and(|f| self.text_of(f) == go_constructor_name(self.class)),
            (Language::Go, "composite_literal") => named(node.child_by_field_name("type")),
            (Language::Go, "unary_expression") => node
                .child_by_field_name("operand")
                .is_some_and(|operand| self.is_construction(operand)),
            _ => false,
        }
    }

    /// The expression that builds the object `object` stands for at `call`.
    fn receiver(&self, object: Node, call: Node) -> Option<String> {
        if self.is_construction(object) {
            let text = self.text_of(object);
            return is_closed(text).then(|| text.to_string());
        }
        if object.kind() != "identifier" {
            return None;
        }
        let name = self.text_of(object);
        let scope = enclosing_scope(call)?;
        let (construction, built_at) = self.last_construction(scope, name, call.start_byte())?;
        let mut steps = Vec::new();
        self.setup_steps(scope, name, built_at, call.start_byte(), &mut steps)?;
        let construction = self.text_of(construction);
        if !is_closed(construction) {
            return None;
        }
        Some(with_setup(self.language, construction, &steps))
    }

    /// The last `name = Class(...)` (or `Class name = new Class(...)`)
    /// in `scope` before `before`: the construction and where it ends.
    fn last_construction<'t>(
        &self,
        scope: Node<'t>,
        name: &str,
        before: usize,
    ) -> Option<(Node<'t>, usize)> {
        let mut best: Option<(Node<'t>, usize)> = None;
        walk(scope, &mut |node| {
            if node.end_byte() > before {
                return;
            }
            let (target, value) = match node.kind() {
                "assignment" | "assignment_expression" => (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ),
                "variable_declarator" | "var_spec" => (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ),
                "short_var_declaration" | "assignment_statement" => (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ),
                _ => return,
            };
            // Go's sides are lists: `g := NewGraph()` has one of each.
            let single = |side: Option<Node<'t>>| match side {
                Some(list) if list.kind() == "expression_list" => (list.named_child_count() == 1)
                    .then(|| list.named_child(0))
                    .flatten(),
                other => other,
            };
            let (target, value) = (single(target), single(value));
            if let (Some(target), Some(value)) = (target, value)
                && self.text_of(target) == name
            {
                // A later assignment of anything else hides earlier ones.
                best = self
                    .is_construction(value)
                    .then_some((value, node.end_byte()));
            }
        });
        best
    }

    /// The calls made on `name` between `from` and `to` (setup), in order;
    /// `None` when `name` is used in any other way there (passed to other
    /// code, reassigned): its state then cannot be rebuilt.
    fn setup_steps(
        &self,
        scope: Node,
        name: &str,
        from: usize,
        to: usize,
        steps: &mut Vec<String>,
    ) -> Option<()> {
        let mut ok = true;
        let mut uses: Vec<Node> = Vec::new();
        walk(scope, &mut |node| {
            if node.kind() == "identifier"
                && node.start_byte() >= from
                && node.end_byte() <= to
                && self.text_of(node) == name
            {
                uses.push(node);
            }
        });
        for usage in uses {
            let parent = usage.parent()?;
            let step = match self.method_call_of_object(parent, usage) {
                Some(call) => {
                    let (_, arguments) = self.method_call(call)?;
                    self.closed_arguments(arguments).map(|_| call)
                }
                None => None,
            };
            match step {
                Some(call) => {
                    let text = self.text_of(call);
                    steps.push(format!(
                        "{SETUP_NAME}{}",
                        &text[usage.end_byte() - call.start_byte()..]
                    ));
                }
                // A field read (`l.entries`) changes nothing.
                None if is_field_read(self.language, parent, usage) => {}
                None => ok = false,
            }
        }
        ok.then_some(())
    }

    /// The method call whose object is `usage` (`usage.m(...)`), if
    /// `parent` is one.
    fn method_call_of_object<'t>(&self, parent: Node<'t>, usage: Node<'t>) -> Option<Node<'t>> {
        match self.language {
            Language::Python => {
                // identifier → attribute → call
                (parent.kind() == "attribute"
                    && parent.child_by_field_name("object") == Some(usage))
                .then_some(())?;
                let call = parent.parent()?;
                (call.kind() == "call" && call.child_by_field_name("function") == Some(parent))
                    .then_some(call)
            }
            Language::Java => (parent.kind() == "method_invocation"
                && parent.child_by_field_name("object") == Some(usage))
            .then_some(parent),
            Language::Go => {
                // identifier → selector_expression → call_expression
                (parent.kind() == "selector_expression"
                    && parent.child_by_field_name("operand") == Some(usage))
                .then_some(())?;
                let call = parent.parent()?;
                (call.kind() == "call_expression"
                    && call.child_by_field_name("function") == Some(parent))
                .then_some(call)
            }
            _ => None,
        }
    }
}

/// The object `construction` builds, with the setup calls (`obj.add(1)`)
/// replayed on it, as one expression.
fn with_setup(language: Language, construction: &str, steps: &[String]) -> String {
    if steps.is_empty() {
        return construction.to_string();
    }
    match language {
        Language::Python => format!(
            "({SETUP_NAME} := {construction}, {}, {SETUP_NAME})[-1]",
            steps.join(", ")
        ),
        Language::Go => format!(
            "func() {} {{ {SETUP_NAME} := {construction}; {}; return {SETUP_NAME} }}()",
            go_object_type(construction),
            steps.join("; ")
        ),
        _ => format!(
            "perforchSetup({construction}, {SETUP_NAME} -> {{ {}; }})",
            steps.join("; ")
        ),
    }
}

/// The function a Go package conventionally builds a `class` with.
fn go_constructor_name(class: &str) -> String {
    format!("New{class}")
}

/// The type of a Go object expression: `T` for `T{..}`, else `*T` (what
/// `&T{..}` and, by convention, `NewT(..)` give). A constructor that
/// returns a value makes its setup fail to build: that input is dropped.
fn go_object_type(construction: &str) -> String {
    let bare = construction.trim_start_matches('&');
    let bare = match bare.strip_prefix("New") {
        Some(rest) if rest.starts_with(char::is_uppercase) => rest,
        _ => bare,
    };
    let name: String = bare
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let literal = construction.starts_with(&format!("{name}{{"));
    match literal {
        true => name,
        false => format!("*{name}"),
    }
}

/// An object expression split into its construction and setup calls
/// (the inverse of [`with_setup`]).
fn split_setup(language: Language, object: &str) -> (String, Vec<String>) {
    let split = |text: &str, separator: char| -> Vec<String> {
        crate::executor::driver::signature::split_top_level(text, separator)
            .into_iter()
            .map(|part| part.trim().to_string())
            .filter(|part| !part.is_empty())
            .collect()
    };
    let parts: Option<Vec<String>> = match language {
        Language::Python => object
            .strip_prefix(&format!("({SETUP_NAME} := "))
            .and_then(|rest| rest.strip_suffix(&format!(", {SETUP_NAME})[-1]")))
            .map(|inner| split(inner, ',')),
        Language::Go => object
            .strip_prefix("func() ")
            .and_then(|rest| rest.split_once(&format!(" {{ {SETUP_NAME} := ")))
            .and_then(|(_, rest)| rest.strip_suffix(&format!("; return {SETUP_NAME} }}()")))
            .map(|inner| split(inner, ';')),
        _ => object
            .strip_prefix("perforchSetup(")
            .and_then(|rest| rest.strip_suffix("; })"))
            .and_then(|inner| {
                let (construction, steps) = inner.split_once(&format!(", {SETUP_NAME} -> {{ "))?;
                let mut parts = vec![construction.trim().to_string()];
                parts.extend(split(steps, ';'));
                Some(parts)
            }),
    };
    match parts {
        Some(mut parts) if !parts.is_empty() => {
            let construction = parts.remove(0);
            (construction, parts)
        }
        _ => (object.to_string(), Vec::new()),
    }
}

/// The name of a method call (Python: the attribute; Java: `name`).
fn method_name_node(language: Language, call: Node) -> Node {
    let name = match language {
        Language::Python => call
            .child_by_field_name("function")
            .and_then(|f| f.child_by_field_name("attribute")),
        Language::Go => call
            .child_by_field_name("function")
            .and_then(|f| f.child_by_field_name("field")),
        _ => call.child_by_field_name("name"),
    };
    name.unwrap_or(call)
}

/// `l.entries` read, not called and not assigned to.
fn is_field_read(language: Language, parent: Node, usage: Node) -> bool {
    let (kind, field) = match language {
        Language::Python => ("attribute", "object"),
        Language::Go => ("selector_expression", "operand"),
        _ => ("field_access", "object"),
    };
    if parent.kind() != kind || parent.child_by_field_name(field) != Some(usage) {
        return false;
    }
    let assigned = parent.parent().is_some_and(|grand| {
        matches!(
            grand.kind(),
            "assignment" | "assignment_expression" | "augmented_assignment"
        ) && grand.child_by_field_name("left") == Some(parent)
            || grand.kind() == "expression_list"
                && grand.parent().is_some_and(|statement| {
                    statement.kind() == "assignment_statement"
                        && statement.child_by_field_name("left") == Some(grand)
                })
    });
    !assigned
}

/// The function (a test) or, failing that, the file a call sits in.
fn enclosing_scope(node: Node) -> Option<Node> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if matches!(
            parent.kind(),
            "function_definition"
                | "method_declaration"
                | "lambda_expression"
                | "function_declaration"
                | "func_literal"
        ) {
            return Some(parent);
        }
        current = parent;
    }
    Some(current)
}

fn walk<'t>(node: Node<'t>, visit: &mut impl FnMut(Node<'t>)) {
    visit(node);
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        walk(child, visit);
    }
}

/// `Class()` / `new Class()` when the class can be built without
/// arguments: it declares no constructor, or one whose parameters all
/// have defaults (Python) or none (Java).
pub fn no_argument_construction(
    language: Language,
    class: &str,
    functions: &[Function],
) -> Option<String> {
    let constructors: Vec<&Function> = functions
        .iter()
        .filter(|f| is_constructor_of(language, f, class))
        .collect();
    let takes_nothing = |f: &&Function| {
        f.parameters
            .iter()
            .filter(|p| !is_self(p))
            .all(|p| language == Language::Python && p.contains('='))
    };
    if !constructors.is_empty() && !constructors.iter().any(takes_nothing) {
        return None;
    }
    Some(match (language, constructors.is_empty()) {
        (Language::Java, _) => format!("new {class}()"),
        // A Go struct without a constructor: its zero value.
        (Language::Go, true) => format!("&{class}{{}}"),
        (Language::Go, false) => format!("{}()", go_constructor_name(class)),
        _ => format!("{class}()"),
    })
}

/// The class's constructor (Python `__init__`, a Java constructor with
/// parameters), to build objects from small-scope arguments.
pub fn constructor<'f>(
    language: Language,
    class: &str,
    functions: &'f [Function],
) -> Option<&'f Function> {
    functions
        .iter()
        .filter(|f| is_constructor_of(language, f, class))
        .max_by_key(|f| f.parameters.len())
}

/// `Class(args)` / `new Class(args)`.
pub fn construction(language: Language, class: &str, args: &[String]) -> String {
    match language {
        Language::Java => format!("new {class}({})", args.join(", ")),
        Language::Go => format!("{}({})", go_constructor_name(class), args.join(", ")),
        _ => format!("{class}({})", args.join(", ")),
    }
}

/// The arguments of a plain construction (`Ledger([1], 2)` → `[1]`, `2`),
/// to seed the constructor's small-scope arguments.
pub fn construction_arguments(
    language: Language,
    class: &str,
    object: &str,
) -> Option<Vec<String>> {
    let object = object.trim();
    let rest = match language {
        Language::Java => object
            .strip_prefix("new ")?
            .trim_start()
            .strip_prefix(class)?,
        Language::Go => object.strip_prefix(&go_constructor_name(class))?,
        _ => object.strip_prefix(class)?,
    };
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    // `Ledger(a)(b)` or `Ledger(a).x()` are not plain constructions.
    if inner.contains(')') && !balanced(inner) {
        return None;
    }
    Some(if inner.trim().is_empty() {
        Vec::new()
    } else {
        crate::executor::driver::signature::split_top_level(inner, ',')
            .into_iter()
            .map(|arg| arg.trim().to_string())
            .collect()
    })
}

fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

fn is_constructor_of(language: Language, function: &Function, class: &str) -> bool {
    match language {
        Language::Python => {
            function.container.as_deref() == Some(class) && function.name == "__init__"
        }
        Language::Java => function.container.as_deref() == Some(class) && function.name == class,
        Language::Go => function.container.is_none() && function.name == go_constructor_name(class),
        _ => false,
    }
}

fn is_self(parameter: &str) -> bool {
    crate::analysis::parameter_name(parameter) == "self"
}

/// Objects in many small states: constructions (the examples', one from
/// no arguments, others from small-scope constructor arguments), and
/// those with a few calls of the methods the examples' setup uses (with
/// small-scope arguments) replayed on them, as a test would. Smallest
/// first; `examples` are object expressions from tests and docs.
pub fn generated(
    language: Language,
    class: &str,
    functions: &[Function],
    examples: &[String],
    count: usize,
) -> Vec<String> {
    use rand::{RngExt, SeedableRng};
    let mut bases: Vec<String> = Vec::new();
    let mut shown_steps: Vec<String> = Vec::new();
    for object in examples {
        let (construction, steps) = split_setup(language, object);
        if !bases.contains(&construction) {
            bases.push(construction);
        }
        shown_steps.extend(steps);
    }
    if let Some(constructor) = constructor(language, class, functions) {
        let seeds: Vec<Vec<String>> = bases
            .iter()
            .filter_map(|object| construction_arguments(language, class, object))
            .collect();
        for args in small_scope_arguments(language, constructor, &seeds, count / 2) {
            bases.push(construction(language, class, &args));
        }
    }
    bases.extend(no_argument_construction(language, class, functions));
    bases.sort_by_key(String::len);
    bases.dedup();
    // The methods the examples call to bring an object into a state, with
    // arguments like theirs.
    let mut steps: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for step in &shown_steps {
        let Some(call) = step.strip_prefix(&format!("{SETUP_NAME}.")) else {
            continue;
        };
        let Some((name, args)) = call.split_once('(') else {
            continue;
        };
        let args = args.strip_suffix(')').unwrap_or(args);
        let args: Vec<String> = crate::executor::driver::signature::split_top_level(args, ',')
            .into_iter()
            .map(|arg| arg.trim().to_string())
            .filter(|arg| !arg.is_empty())
            .collect();
        match steps.iter_mut().find(|(known, _)| known == name) {
            Some((_, seen)) => seen.push(args),
            None => steps.push((name.to_string(), vec![args])),
        }
    }
    let mut callable: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for (name, seen) in steps {
        let method = functions
            .iter()
            .find(|f| f.container.as_deref() == Some(class) && f.name == name);
        let mut arguments = seen.clone();
        if let Some(method) = method {
            arguments.extend(small_scope_arguments(language, method, &seen, 24));
        }
        callable.push((name, arguments));
    }
    let mut out = bases.clone();
    if !callable.is_empty() && !bases.is_empty() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x0b1ec7);
        let mut attempts = 0;
        while out.len() < count && attempts < count * 10 {
            attempts += 1;
            // Small bases mostly: the steps make the state.
            let base = &bases[rng.random_range(0..bases.len().min(3))];
            let calls: Vec<String> = (0..rng.random_range(1..=4usize))
                .map(|_| {
                    let (name, arguments) = &callable[rng.random_range(0..callable.len())];
                    let args = &arguments[rng.random_range(0..arguments.len())];
                    format!("{SETUP_NAME}.{name}({})", args.join(", "))
                })
                .collect();
            let object = with_setup(language, base, &calls);
            if !out.contains(&object) {
                out.push(object);
            }
        }
    }
    out.sort_by_key(String::len);
    out.truncate(count);
    out
}

/// How many times a large object replays the examples' setup calls.
const LARGE_OBJECT_REPEATS: usize = 500;

/// A large object to time a method on: the first example built with setup
/// calls, those calls replayed many times in a loop, every other time with
/// its string arguments numbered (`"apple"`, then `"apple1"`...), so the
/// object holds both repeats and ever more distinct keys, as a large real
/// one does. `None` when no example has setup calls.
pub fn large_object(language: Language, examples: &[String]) -> Option<String> {
    let (base, steps) = examples
        .iter()
        .map(|object| split_setup(language, object))
        .find(|(_, steps)| !steps.is_empty())?;
    let numbered = |counter: &str| -> Vec<String> {
        steps
            .iter()
            .map(|step| numbered_strings(language, step, counter))
            .collect()
    };
    Some(match language {
        Language::Python => format!(
            "({SETUP_NAME} := {base}, [step(perforch_i) for perforch_i in range({LARGE_OBJECT_REPEATS}) for step in [{}]], {SETUP_NAME})[-1]",
            numbered("perforch_i")
                .iter()
                .map(|step| format!("lambda perforch_i: {step}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Language::Go => format!(
            "func() {} {{ {SETUP_NAME} := {base}; for perforchI := 0; perforchI < {LARGE_OBJECT_REPEATS}; perforchI++ {{ {} }}; return {SETUP_NAME} }}()",
            go_object_type(&base),
            numbered("perforchI").join("; ")
        ),
        _ => format!(
            "perforchSetup({base}, {SETUP_NAME} -> {{ for (int perforchI = 0; perforchI < {LARGE_OBJECT_REPEATS}; perforchI++) {{ {}; }} }})",
            numbered("perforchI").join("; ")
        ),
    })
}

/// `step` with each double-quoted string literal followed by the loop
/// counter `counter` on odd turns of the loop.
fn numbered_strings(language: Language, step: &str, counter: &str) -> String {
    let suffix = match language {
        Language::Python => format!(" + (str({counter}) if {counter} % 2 else \"\")"),
        Language::Go => {
            format!(" + strconv.Itoa({counter})[:{counter}%2*len(strconv.Itoa({counter}))]")
        }
        _ => format!(" + ({counter} % 2 == 1 ? String.valueOf({counter}) : \"\")"),
    };
    let mut out = String::with_capacity(step.len());
    let mut start = None;
    let mut escaped = false;
    for (index, c) in step.char_indices() {
        match start {
            None if c == '"' => start = Some(index),
            None => out.push(c),
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(from) if c == '"' => {
                out.push_str(&format!("({}{suffix})", &step[from..=index]));
                start = None;
            }
            Some(_) => {}
        }
    }
    if let Some(from) = start {
        out.push_str(&step[from..]);
    }
    out
}

/// Small-scope argument lists for `function`, seeded by `seen`; none when
/// its parameters' values cannot be built.
fn small_scope_arguments(
    language: Language,
    function: &Function,
    seen: &[Vec<String>],
    count: usize,
) -> Vec<Vec<String>> {
    let seeds: Vec<TestInput> = seen
        .iter()
        .map(|args| TestInput {
            args: args.clone(),
            source: InputSource::TestCall,
        })
        .collect();
    match super::small_scope::SmallScope::new(language, function, &seeds) {
        Ok(scope) => scope
            .inputs(count)
            .into_iter()
            .map(|input| input.input.args)
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Give every input without an object one of `objects`, in turn; inputs
/// that already have one (`arity + 1` arguments) keep it. Inputs of other
/// lengths, and all inputs when there is no object, are left out.
pub fn with_objects(inputs: Vec<TestInput>, objects: &[String], arity: usize) -> Vec<TestInput> {
    let mut next = 0;
    inputs
        .into_iter()
        .filter_map(|mut input| {
            if input.args.len() == arity + 1 {
                return Some(input);
            }
            if input.args.len() != arity || objects.is_empty() {
                return None;
            }
            input.args.insert(0, objects[next % objects.len()].clone());
            next += 1;
            Some(input)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(language: Language, text: &str) -> Vec<Vec<String>> {
        method_calls(language, text, "Ledger", "total", InputSource::TestCall)
            .into_iter()
            .map(|input| input.args)
            .collect()
    }

    #[test]
    fn python_tests_give_objects_with_their_setup_replayed() {
        let text = r#"
def test_total():
    ledger = Ledger([("a", 1)])
    ledger.add("b", 2)
    print(ledger.entries)
    assert ledger.total("b") == 2
    assert Ledger([]).total("a") == 0

def test_handed_elsewhere():
    ledger = Ledger([])
    fill(ledger)
    assert ledger.total("a") == 3

def test_open_argument(name):
    ledger = Ledger([])
    assert ledger.total(name) == 0
"#;
        assert_eq!(
            calls(Language::Python, text),
            vec![
                vec![
                    r#"(obj := Ledger([("a", 1)]), obj.add("b", 2), obj)[-1]"#.to_string(),
                    r#""b""#.to_string()
                ],
                vec!["Ledger([])".to_string(), r#""a""#.to_string()],
            ]
        );
        let doc = ">>> l = Ledger([('a', 1)])\n>>> l.total('a')\n1\n";
        assert_eq!(
            calls(Language::Python, &doctest_code(doc)),
            vec![vec!["Ledger([('a', 1)])".to_string(), "'a'".to_string()]]
        );
    }

    #[test]
    fn java_tests_give_objects_with_their_setup_replayed() {
        let text = r#"
class LedgerTest {
    @Test void total() {
        Ledger ledger = new Ledger(List.of(1, 2));
        ledger.add(5);
        assertEquals(8, ledger.total(0));
        assertEquals(0, new Ledger(List.of()).total(1));
    }
}
"#;
        assert_eq!(
            calls(Language::Java, text),
            vec![
                vec![
                    "perforchSetup(new Ledger(List.of(1, 2)), obj -> { obj.add(5); })".to_string(),
                    "0".to_string()
                ],
                vec!["new Ledger(List.of())".to_string(), "1".to_string()],
            ]
        );
    }

    #[test]
    fn objects_come_in_many_states_from_the_setup_the_tests_use() {
        let file = "class Ledger:\n    def __init__(self, opening=None):\n        self.entries = []\n\n    def record(self, source: str, target: str, amount: int):\n        self.entries.append((source, target, amount))\n\n    def total(self, account):\n        return 0\n";
        let functions = crate::analysis::functions(&Document::new(Language::Python, 0, file));
        let shown = [r#"(obj := Ledger(), obj.record("a", "b", 5), obj)[-1]"#.to_string()];
        let objects = generated(Language::Python, "Ledger", &functions, &shown, 40);
        assert_eq!(objects[0], "Ledger()");
        assert!(objects.len() > 20, "{objects:?}");
        assert!(
            objects
                .iter()
                .any(|o| o.matches("obj.record(").count() >= 2),
            "{objects:?}"
        );
        assert_eq!(
            large_object(Language::Python, &shown).unwrap(),
            r#"(obj := Ledger(), [step(perforch_i) for perforch_i in range(500) for step in [lambda perforch_i: obj.record(("a" + (str(perforch_i) if perforch_i % 2 else "")), ("b" + (str(perforch_i) if perforch_i % 2 else "")), 5)]], obj)[-1]"#
        );
        assert_eq!(
            numbered_strings(Language::Java, r#"obj.add("a\"b", 2)"#, "perforchI"),
            r#"obj.add(("a\"b" + (perforchI % 2 == 1 ? String.valueOf(perforchI) : "")), 2)"#
        );
        assert_eq!(
            split_setup(Language::Python, &shown[0]),
            (
                "Ledger()".to_string(),
                vec![r#"obj.record("a", "b", 5)"#.to_string()]
            )
        );
        let java = "perforchSetup(new Ledger(List.of(1, 2)), obj -> { obj.add(5); obj.add(6); })";
        assert_eq!(
            split_setup(Language::Java, java),
            (
                "new Ledger(List.of(1, 2))".to_string(),
                vec!["obj.add(5)".to_string(), "obj.add(6)".to_string()]
            )
        );
    }

    #[test]
    fn inputs_without_an_object_take_one_in_turn() {
        let input = |args: &[&str]| TestInput {
            args: args.iter().map(|a| a.to_string()).collect(),
            source: InputSource::Generated,
        };
        let objects = ["A()".to_string(), "A(1)".to_string()];
        let given = vec![
            input(&["1"]),
            input(&["B()", "2"]),
            input(&["3"]),
            input(&[]),
        ];
        let args: Vec<Vec<String>> = with_objects(given, &objects, 1)
            .into_iter()
            .map(|i| i.args)
            .collect();
        assert_eq!(
            args,
            vec![vec!["A()", "1"], vec!["B()", "2"], vec!["A(1)", "3"]]
        );
        assert_eq!(
            construction_arguments(Language::Java, "A", "new A(List.of(1), 2)"),
            Some(vec!["List.of(1)".to_string(), "2".to_string()])
        );
        assert_eq!(
            construction_arguments(Language::Python, "A", "A(1).b()"),
            None
        );
    }
}
