//! The three keys of a routing decision besides the language: the pipeline stage, the metric
//! being optimised, and the problem categories (PerfOrch's ten LeetCode-style labels).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A word that does not name a stage, metric or category. The message lists the valid words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{given}`; use one of: {valid}")]
pub struct ParseKeyError {
    pub kind: &'static str,
    pub given: String,
    pub valid: String,
}

/// Lowercase, with `_` and spaces read as `-`, so "Peak_Memory" and "number theory" parse.
fn canonical_word(text: &str) -> String {
    text.trim()
        .to_ascii_lowercase()
        .split(|c: char| c == '_' || c == '-' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// A pipeline stage. Each stage has its own model ranking in the paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Write the function from its signature, documentation and tests.
    Generate,
    /// Repair a candidate that fails its tests.
    Fix,
    /// Make a correct function faster (or smaller).
    Refine,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Generate, Stage::Fix, Stage::Refine];

    /// The word used on the command line, in files and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Generate => "generate",
            Stage::Fix => "fix",
            Stage::Refine => "refine",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = ParseKeyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let word = canonical_word(text);
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == word)
            .ok_or_else(|| ParseKeyError {
                kind: "stage",
                given: text.to_string(),
                valid: Stage::ALL.map(Stage::as_str).join(", "),
            })
    }
}

/// The performance metric a refinement targets (PerfOrch's four). Lower is better for all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Execution time (CPU time of the function).
    Time,
    /// Largest resident memory during the run.
    PeakMemory,
    /// Mean resident memory over the run.
    MeanMemory,
    /// CPU utilisation: CPU time over wall time ("CPUs utilized").
    Cpu,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::Time,
        Metric::PeakMemory,
        Metric::MeanMemory,
        Metric::Cpu,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Time => "time",
            Metric::PeakMemory => "peak-memory",
            Metric::MeanMemory => "mean-memory",
            Metric::Cpu => "cpu",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Metric {
    type Err = ParseKeyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let word = canonical_word(text);
        Metric::ALL
            .into_iter()
            .find(|metric| metric.as_str() == word)
            .ok_or_else(|| ParseKeyError {
                kind: "metric",
                given: text.to_string(),
                valid: Metric::ALL.map(Metric::as_str).join(", "),
            })
    }
}

/// PerfOrch's ten problem categories: the most frequent LeetCode tags on HumanEval-X.
/// A function usually carries several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Array,
    Math,
    String,
    Counting,
    NumberTheory,
    Simulation,
    Sorting,
    Enumeration,
    Greedy,
    HashTable,
}

impl Category {
    /// In the paper's order (most frequent first), which is also the column order of the priors.
    pub const ALL: [Category; 10] = [
        Category::Array,
        Category::Math,
        Category::String,
        Category::Counting,
        Category::NumberTheory,
        Category::Simulation,
        Category::Sorting,
        Category::Enumeration,
        Category::Greedy,
        Category::HashTable,
    ];

    /// The snake_case word used in files, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Array => "array",
            Category::Math => "math",
            Category::String => "string",
            Category::Counting => "counting",
            Category::NumberTheory => "number_theory",
            Category::Simulation => "simulation",
            Category::Sorting => "sorting",
            Category::Enumeration => "enumeration",
            Category::Greedy => "greedy",
            Category::HashTable => "hash_table",
        }
    }

    /// The name a person reads, as the paper writes it.
    pub fn title(self) -> &'static str {
        match self {
            Category::Array => "Array",
            Category::Math => "Math",
            Category::String => "String",
            Category::Counting => "Counting",
            Category::NumberTheory => "Number Theory",
            Category::Simulation => "Simulation",
            Category::Sorting => "Sorting",
            Category::Enumeration => "Enumeration",
            Category::Greedy => "Greedy",
            Category::HashTable => "Hash Table",
        }
    }

    /// Position in [`Category::ALL`], i.e. the column in the priors tables.
    pub fn index(self) -> usize {
        Category::ALL
            .iter()
            .position(|category| *category == self)
            .expect("every category is in ALL")
    }

    /// Other spellings people and models use for a category: the paper's abbreviations
    /// ("Num Theory", "Sort.", "Greedy Algorithm") and LeetCode's tag names.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Category::Array => &["arrays", "list", "lists"],
            Category::Math => &["mathematics", "maths"],
            Category::String => &["strings", "string-processing"],
            Category::Counting => &["count", "counter"],
            Category::NumberTheory => &["num-theory", "numbertheory"],
            Category::Simulation => &["sim", "simulate"],
            Category::Sorting => &["sort", "sorted"],
            Category::Enumeration => &["enum", "brute-force", "enumerate"],
            Category::Greedy => &["greedy-algorithm", "greedy-algo"],
            Category::HashTable => &["hashtable", "hash-map", "hashmap", "hash", "dictionary"],
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

impl FromStr for Category {
    type Err = ParseKeyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let word = canonical_word(text.trim_end_matches('.'));
        Category::ALL
            .into_iter()
            .find(|category| {
                canonical_word(category.as_str()) == word
                    || category.synonyms().contains(&word.as_str())
            })
            .ok_or_else(|| ParseKeyError {
                kind: "category",
                given: text.to_string(),
                valid: Category::ALL.map(Category::as_str).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_through_from_str_and_serde() {
        for stage in Stage::ALL {
            assert_eq!(stage.as_str().parse::<Stage>(), Ok(stage));
            assert_eq!(
                serde_json::to_string(&stage).unwrap(),
                format!("\"{stage}\"")
            );
        }
        for metric in Metric::ALL {
            assert_eq!(metric.as_str().parse::<Metric>(), Ok(metric));
            assert_eq!(
                serde_json::to_string(&metric).unwrap(),
                format!("\"{}\"", metric.as_str())
            );
        }
        for category in Category::ALL {
            assert_eq!(category.as_str().parse::<Category>(), Ok(category));
            assert_eq!(category.title().parse::<Category>(), Ok(category));
            assert_eq!(
                serde_json::to_string(&category).unwrap(),
                format!("\"{}\"", category.as_str())
            );
        }
    }

    #[test]
    fn spellings_from_the_paper_and_leetcode_parse() {
        assert_eq!("Num Theory".parse(), Ok(Category::NumberTheory));
        assert_eq!("Sort.".parse(), Ok(Category::Sorting));
        assert_eq!("Greedy Algorithm".parse(), Ok(Category::Greedy));
        assert_eq!("hash-table".parse(), Ok(Category::HashTable));
        assert_eq!("PEAK_MEMORY".parse(), Ok(Metric::PeakMemory));
        assert_eq!(Category::NumberTheory.to_string(), "Number Theory");
    }

    #[test]
    fn unknown_words_list_the_valid_ones() {
        let error = "speed".parse::<Metric>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown metric `speed`; use one of: time, peak-memory, mean-memory, cpu"
        );
        let error = "graphs".parse::<Category>().unwrap_err().to_string();
        assert!(
            error.contains("number_theory") && error.contains("hash_table"),
            "{error}"
        );
        assert!(
            "review"
                .parse::<Stage>()
                .unwrap_err()
                .to_string()
                .contains("generate, fix, refine")
        );
    }
}
