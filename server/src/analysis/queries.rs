//! The query files of `queries/<lang>/`, embedded at build time and compiled
//! once per process.

use std::sync::LazyLock;

use tree_sitter::Query;

use crate::language::Language;

/// The source of one query file, by language and purpose.
pub(crate) fn source(language: Language, purpose: Purpose) -> &'static str {
    macro_rules! query_files {
        ($($lang:ident => $dir:literal),* $(,)?) => {
            match (language, purpose) {
                $(
                    (Language::$lang, Purpose::Functions) =>
                        include_str!(concat!("../../../queries/", $dir, "/functions.scm")),
                    (Language::$lang, Purpose::Containers) =>
                        include_str!(concat!("../../../queries/", $dir, "/containers.scm")),
                    (Language::$lang, Purpose::Hints) =>
                        include_str!(concat!("../../../queries/", $dir, "/hints.scm")),
                )*
            }
        };
    }
    query_files!(Python => "python", Java => "java", Cpp => "cpp", Go => "go", Rust => "rust")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    Functions,
    Containers,
    Hints,
}

pub(crate) struct LanguageQueries {
    pub functions: Query,
    pub containers: Query,
    pub hints: Query,
}

fn compile(language: Language, purpose: Purpose) -> Result<Query, tree_sitter::QueryError> {
    Query::new(&language.tree_sitter(), source(language, purpose))
}

/// Compiles the three queries of one language. Compiling takes milliseconds
/// to over a hundred (C++'s hints), so each language is compiled on its first
/// use: opening a Python file never pays for C++.
fn load_language(language: Language) -> LanguageQueries {
    let load = |purpose| {
        compile(language, purpose).unwrap_or_else(|error| {
            // Only reachable if a query file shipped broken, which the
            // test below prevents.
            panic!("queries/{}/{purpose:?}: {error}", language.name())
        })
    };
    LanguageQueries {
        functions: load(Purpose::Functions),
        containers: load(Purpose::Containers),
        hints: load(Purpose::Hints),
    }
}

// Sized by `Language::ALL`: a new language without its entry here does not compile.
static QUERIES: [LazyLock<LanguageQueries>; Language::ALL.len()] = [
    LazyLock::new(|| load_language(Language::ALL[0])),
    LazyLock::new(|| load_language(Language::ALL[1])),
    LazyLock::new(|| load_language(Language::ALL[2])),
    LazyLock::new(|| load_language(Language::ALL[3])),
    LazyLock::new(|| load_language(Language::ALL[4])),
];

pub(crate) fn for_language(language: Language) -> &'static LanguageQueries {
    let index = Language::ALL
        .iter()
        .position(|&l| l == language)
        .expect("ALL lists every language");
    &QUERIES[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_file_compiles_against_its_grammar() {
        let queries_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../queries");
        let mut compiled = 0;
        for language in Language::ALL {
            let dir = queries_dir.join(language.name());
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|ext| ext == "scm") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if let Err(error) = Query::new(&language.tree_sitter(), &text) {
                        panic!("{}: {error}", path.display());
                    }
                    compiled += 1;
                }
            }
        }
        assert_eq!(compiled, 15, "three query files per language");
        for language in Language::ALL {
            for_language(language);
        }
    }
}
