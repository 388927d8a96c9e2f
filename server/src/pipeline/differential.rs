//! From a file, its function and a candidate to the executor's [`DiffSpec`].
//!
//! The driver calls the function by name, so this works for free functions
//! and for Java, Python and Go methods (a Go candidate is another method of
//! the same type, `perforch_candidate_NAME`). The whole file minus its entry points
//! goes in as the ORIGINAL, so helpers and types the function uses are
//! there. For a free function the candidate brings only its function and
//! new helpers, which see the same file around them; for a method it is
//! the class (Java) or the whole file (Python) with the method replaced,
//! so the object's class is the user's class with one method changed.
//!
//! A method that takes an object (`self`, a non-static Java method) is
//! called on the object its input's first expression builds.

use crate::analysis::Function;
use crate::document::Document;
use crate::executor::driver::DiffSpec;
use crate::language::Language;

use super::candidate::CandidateCode;
use super::layout::FileLayout;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DriverUnavailable {
    #[error(
        "`{function}` is a method of `{container}`; perforch calls {language} methods with their object only in Python, Java and Go so far, so it judges this one by its workspace tests only"
    )]
    Method {
        function: String,
        container: String,
        language: Language,
    },
    #[error("Java method `{0}` is not inside a class")]
    NoJavaClass(String),
}

/// Whether a driver can call this function.
pub fn check_callable(language: Language, function: &Function) -> Result<(), DriverUnavailable> {
    match (&function.container, language) {
        (None, Language::Java) => Err(DriverUnavailable::NoJavaClass(function.name.clone())),
        (Some(_), Language::Java | Language::Python | Language::Go) | (None, _) => Ok(()),
        (Some(container), _) => Err(DriverUnavailable::Method {
            function: function.name.clone(),
            container: container.clone(),
            language,
        }),
    }
}

/// The spec comparing `function` in `file_text` with `candidate`.
pub fn spec(
    language: Language,
    file_text: &str,
    function: &Function,
    candidate: &CandidateCode,
    inputs: Vec<Vec<String>>,
    repeats: u32,
) -> Result<DiffSpec, DriverUnavailable> {
    check_callable(language, function)?;
    let layout = FileLayout::of(language, file_text);
    let is_method = function.container.is_some();
    let (prelude, original, candidate_source) = if language == Language::Python && is_method {
        // Two whole modules, each with its own imports (a module's
        // `from __future__` line must stay its first).
        let spliced = candidate.splice(language, file_text, function);
        let spliced_layout = FileLayout::of(language, &spliced);
        let mut candidate_module = spliced_layout.imports_text(&spliced);
        for import in candidate.missing_imports(language, &spliced, &spliced_layout) {
            candidate_module.push_str(&import);
            candidate_module.push('\n');
        }
        candidate_module.push_str(&spliced_layout.body_without_entry_points(&spliced));
        (
            String::new(),
            layout.imports_text(file_text) + &layout.body_without_entry_points(file_text),
            candidate_module,
        )
    } else if language == Language::Java {
        let class = function.container.clone().unwrap_or_default();
        let spliced = candidate.splice(language, file_text, function);
        let class_text = java_class(&spliced, &class)
            .ok_or_else(|| DriverUnavailable::NoJavaClass(function.name.clone()))?;
        let new_imports = candidate
            .missing_imports(language, file_text, &layout)
            .join("\n");
        (new_imports, file_text.to_string(), class_text)
    } else {
        let mut prelude = layout.imports_text(file_text);
        for import in candidate.missing_imports(language, file_text, &layout) {
            prelude.push_str(&import);
            prelude.push('\n');
        }
        let mut source = String::new();
        for helper in &candidate.helpers {
            source.push_str(helper);
            source.push_str("\n\n");
        }
        source.push_str(&candidate.function);
        (prelude, layout.body_without_entry_points(file_text), source)
    };
    Ok(DiffSpec {
        language,
        function: function.name.clone(),
        class_name: function
            .container
            .clone()
            .filter(|_| matches!(language, Language::Java | Language::Python)),
        receiver: takes_receiver(language, function, file_text),
        prelude,
        original,
        candidate: candidate_source,
        inputs,
        repeats,
    })
}

/// Whether `function` is called on an object: a Python method whose first
/// parameter is `self`, a Java method that is not `static`, a Go method.
pub fn takes_receiver(
    language: Language,
    function: &crate::analysis::Function,
    file_text: &str,
) -> bool {
    if function.container.is_none() {
        return false;
    }
    match language {
        Language::Python => function
            .parameters
            .first()
            .is_some_and(|first| crate::analysis::parameter_name(first) == "self"),
        Language::Java => {
            let head = file_text
                .get(function.range.as_range().start..function.name_range.as_range().start)
                .unwrap_or("");
            !head.split_whitespace().any(|word| word == "static")
        }
        // A Go function with a container is a method with a receiver.
        Language::Go => true,
        _ => false,
    }
}

/// The text of the top-level Java type named `name`.
fn java_class(text: &str, name: &str) -> Option<String> {
    let document = Document::new(Language::Java, 0, text);
    let root = document.tree().root_node();
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|node| node.kind().ends_with("_declaration"))
        .find(|node| {
            node.child_by_field_name("name")
                .is_some_and(|ident| &text[ident.byte_range()] == name)
        })
        .map(|node| text[node.byte_range()].to_string())
}
