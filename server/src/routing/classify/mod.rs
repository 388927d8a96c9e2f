//! Problem categories of a function, from its syntax.
//!
//! PerfOrch labels problems with LLM annotators; perforch needs labels before any model is
//! called, for every function the editor offers, so it reads them off the tree: a sort call
//! means Sorting, a map or set means Hash Table, `m[k] += 1` means Counting and Hash Table,
//! `%`/gcd/primes mean Number Theory (and Math), nested loops mean Enumeration, a loop that
//! steps state until a condition changes means Simulation, a running max/min means Greedy.
//! The rules are deliberately simple and multi-label; [`super::classification_prompt`] lets a
//! model refine them when the caller wants to spend a call on it.

mod features;
mod vocabulary;

use crate::analysis;
use crate::document::Document;
use crate::language::Language;

use super::types::Category;
pub use features::Features;
use features::Walker;

/// Categories of one function, sorted and without duplicates. `function_source` is the
/// function's text (a Java method may be given without its class).
pub fn classify(language: Language, function_source: &str) -> Vec<Category> {
    let features = extract_features(language, function_source);
    categories_from(&features)
}

/// What the classifier saw, for diagnostics and tests.
pub fn extract_features(language: Language, function_source: &str) -> Features {
    // A Java method is not a compilation unit; inside a class it parses cleanly (and so does
    // a whole class, as a nested one).
    let source = match language {
        Language::Java => format!("class PerforchClassified {{\n{function_source}\n}}\n"),
        _ => function_source.to_string(),
    };
    let document = Document::new(language, 0, &source);
    let function = analysis::functions(&document).into_iter().next();
    let numeric_signature = function
        .as_ref()
        .is_some_and(|function| has_numeric_signature(language, function));
    let walker = Walker::new(language, &source, function.map(|function| function.name));
    let mut features = walker.run(document.tree().root_node());
    features.numeric_signature = numeric_signature;
    features
}

fn categories_from(features: &Features) -> Vec<Category> {
    let mut categories = Vec::new();
    let mut add = |condition: bool, category: Category| {
        if condition {
            categories.push(category);
        }
    };
    let number_theory = features.modulo || features.number_theory_name;
    add(features.array_evidence >= 2, Category::Array);
    add(
        number_theory
            || features.math_name
            || features.power
            || features.arithmetic_ops >= 3
            || (features.numeric_signature && features.arithmetic_ops >= 1),
        Category::Math,
    );
    add(features.string_evidence >= 2, Category::String);
    add(
        features.keyed_counter || features.counting_name || features.increment_in_loop,
        Category::Counting,
    );
    add(number_theory, Category::NumberTheory);
    add(
        features.stepwise_condition_loop || features.dispatch_in_loop,
        Category::Simulation,
    );
    add(
        features.sorting || (features.element_swap && features.max_loop_depth >= 2),
        Category::Sorting,
    );
    add(
        features.max_loop_depth >= 2 || features.enumeration_name || features.self_calls >= 2,
        Category::Enumeration,
    );
    add(features.running_extreme, Category::Greedy);
    add(
        features.hash_container || features.keyed_counter,
        Category::HashTable,
    );
    categories.sort();
    categories.dedup();
    categories
}

/// Every parameter (other than the receiver) and the return type are numeric scalars:
/// `fn f(a: i64, b: i64) -> i64`, `def f(n: int) -> float`, `long f(int n)`.
fn has_numeric_signature(language: Language, function: &analysis::Function) -> bool {
    let parameters: Vec<&String> = function
        .parameters
        .iter()
        .filter(|parameter| !is_receiver(parameter))
        .collect();
    if parameters.is_empty() {
        return false;
    }
    let numeric = |text: &str| {
        !text.contains(['[', '<', '*'])
            && text
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|word| vocabulary::NUMERIC_TYPES.contains(&word.to_ascii_lowercase().as_str()))
    };
    let return_numeric = match &function.return_type {
        Some(return_type) => numeric(return_type),
        // Python without annotations says nothing either way; other languages always say.
        None => language == Language::Python,
    };
    return_numeric && parameters.iter().all(|parameter| numeric(parameter))
}

fn is_receiver(parameter: &str) -> bool {
    let trimmed = parameter.trim();
    matches!(
        trimmed,
        "self" | "cls" | "&self" | "&mut self" | "mut self" | "this"
    )
}
