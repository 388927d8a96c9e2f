//! Asking a model for a function's categories, and reading its answer.

use std::str::FromStr;

use super::types::Category;
use crate::language::Language;

/// What each label means, so the model picks by the same reading as the classifier.
fn describe(category: Category) -> &'static str {
    match category {
        Category::Array => "works on arrays, lists, vectors or slices",
        Category::Math => "arithmetic, formulas, powers, roots, rounding",
        Category::String => "builds, scans or transforms text",
        Category::Counting => "counts occurrences or items that satisfy a condition",
        Category::NumberTheory => "divisibility, remainders, primes, gcd/lcm, digits",
        Category::Simulation => "steps a process or state forward until it ends",
        Category::Sorting => "sorts or relies on order",
        Category::Enumeration => "tries every candidate, pair or combination",
        Category::Greedy => "makes the locally best choice at each step, keeps a running best",
        Category::HashTable => "uses a dictionary, map or set for lookups",
    }
}

/// A prompt asking for the categories of `function_source`, answered as a JSON array.
pub fn classification_prompt(language: Language, function_source: &str) -> String {
    let mut prompt = String::new();
    prompt.push_str(&format!(
        "Label the {language} function below with the problem categories it belongs to. \
         Choose one or more from this list, and only from it:\n\n"
    ));
    for category in Category::ALL {
        prompt.push_str(&format!(
            "- {}: {}\n",
            category.as_str(),
            describe(category)
        ));
    }
    prompt.push_str(&format!(
        "\nIf none fits well, give the nearest one. Reply with a JSON array of the names from \
         the list and nothing else, for example [\"array\", \"sorting\"].\n\n```{}\n{}\n```\n",
        language.fence_tag(),
        function_source.trim_end()
    ));
    prompt
}

/// The categories in a model's reply, or `None` if the reply holds no usable answer.
///
/// Reads the first JSON array of strings anywhere in the reply (models wrap answers in prose
/// and code fences), ignoring names outside the list; failing that, a line such as
/// `Categories: Array, Sorting`. An explicit empty array is an answer (no category fits).
pub fn parse_classification(reply: &str) -> Option<Vec<Category>> {
    if let Some(labels) = first_string_array(reply) {
        let categories: Vec<Category> = labels
            .iter()
            .filter_map(|label| Category::from_str(label).ok())
            .collect();
        if labels.is_empty() || !categories.is_empty() {
            return Some(sorted_unique(categories));
        }
    }
    labelled_line(reply).map(sorted_unique)
}

fn sorted_unique(mut categories: Vec<Category>) -> Vec<Category> {
    categories.sort();
    categories.dedup();
    categories
}

/// The first `[...]` that parses as a JSON array of strings.
fn first_string_array(reply: &str) -> Option<Vec<String>> {
    for (start, _) in reply.match_indices('[') {
        let mut stream =
            serde_json::Deserializer::from_str(&reply[start..]).into_iter::<Vec<String>>();
        if let Some(Ok(labels)) = stream.next() {
            return Some(labels);
        }
    }
    None
}

/// `Categories: Array, Sorting` / `tags - hash table; counting`, every item a known name.
fn labelled_line(reply: &str) -> Option<Vec<Category>> {
    for line in reply.lines() {
        let line = line.trim().trim_start_matches(['*', '-', '#', ' ']);
        let Some((label, rest)) = line.split_once([':', '-']) else {
            continue;
        };
        let label = label.trim().trim_matches('*').to_ascii_lowercase();
        if !matches!(
            label.as_str(),
            "categories" | "category" | "tags" | "tag" | "labels" | "label"
        ) {
            continue;
        }
        let items: Vec<&str> = rest
            .split([',', ';'])
            .map(|item| item.trim().trim_matches(['*', '`', '"', '\'', '.', ' ']))
            .filter(|item| !item.is_empty())
            .collect();
        let categories: Option<Vec<Category>> = items
            .iter()
            .map(|item| Category::from_str(item).ok())
            .collect();
        if let Some(categories) = categories.filter(|categories| !categories.is_empty()) {
            return Some(categories);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_lists_every_category_and_the_code() {
        let prompt = classification_prompt(Language::Go, "func Add(a, b int) int { return a + b }");
        for category in Category::ALL {
            assert!(prompt.contains(category.as_str()), "{category}");
        }
        assert!(prompt.contains("```go\nfunc Add(a, b int) int { return a + b }\n```"));
    }

    #[test]
    fn replies_in_prose_and_fences_parse() {
        let reply = "Sure! Looking at the loop, this is about counting.\n```json\n[\"counting\", \"hash_table\"]\n```";
        assert_eq!(
            parse_classification(reply),
            Some(vec![Category::Counting, Category::HashTable])
        );
        assert_eq!(
            parse_classification("[\"Sorting\", \"Array\", \"Sorting\"]"),
            Some(vec![Category::Array, Category::Sorting])
        );
        // The paper's own spellings, and an unknown label among known ones.
        assert_eq!(
            parse_classification("Tags: [\"Num Theory\", \"Graph\", \"Greedy Algorithm\"]"),
            Some(vec![Category::NumberTheory, Category::Greedy])
        );
        // A bracket in prose before the answer does not derail it.
        assert_eq!(
            parse_classification("It indexes a[i] in a loop. Answer: [\"array\"]"),
            Some(vec![Category::Array])
        );
        assert_eq!(
            parse_classification("**Categories:** String, Hash Table"),
            Some(vec![Category::String, Category::HashTable])
        );
        assert_eq!(parse_classification("[]"), Some(vec![]));
    }

    #[test]
    fn garbage_gives_none() {
        assert_eq!(parse_classification(""), None);
        assert_eq!(parse_classification("I cannot help with that."), None);
        assert_eq!(parse_classification("[\"graph\", \"tree\"]"), None);
        assert_eq!(parse_classification("[1, 2, 3]"), None);
        assert_eq!(parse_classification("This is not a sorting problem."), None);
        assert_eq!(parse_classification("Categories: whatever fits"), None);
    }
}
