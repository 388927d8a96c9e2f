//! The five languages perforch understands, and how to recognise them.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    Java,
    Cpp,
    Go,
    Rust,
}

impl Language {
    pub const ALL: [Language; 5] = [
        Language::Python,
        Language::Java,
        Language::Cpp,
        Language::Go,
        Language::Rust,
    ];

    /// The LSP `languageId` an editor sends, e.g. `python` or `cpp`.
    /// C headers are accepted as C++: perforch analyses them with the C++ grammar.
    pub fn from_language_id(id: &str) -> Option<Language> {
        match id {
            "python" => Some(Language::Python),
            "java" => Some(Language::Java),
            "cpp" | "c++" | "cuda-cpp" | "c" => Some(Language::Cpp),
            "go" => Some(Language::Go),
            "rust" => Some(Language::Rust),
            _ => None,
        }
    }

    pub fn from_extension(ext: &str) -> Option<Language> {
        match ext.to_ascii_lowercase().as_str() {
            "py" | "pyi" => Some(Language::Python),
            "java" => Some(Language::Java),
            "cpp" | "cc" | "cxx" | "c++" | "hpp" | "hh" | "hxx" | "h" | "ipp" | "c" => {
                Some(Language::Cpp)
            }
            "go" => Some(Language::Go),
            "rs" => Some(Language::Rust),
            _ => None,
        }
    }

    pub fn from_path(path: &Path) -> Option<Language> {
        path.extension()
            .and_then(|ext| ext.to_str())
            .and_then(Language::from_extension)
    }

    /// The lowercase name used in file paths (`queries/<name>/`) and output.
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Java => "java",
            Language::Cpp => "cpp",
            Language::Go => "go",
            Language::Rust => "rust",
        }
    }

    /// The language a Markdown code fence is tagged with, e.g. `py` or `c++`.
    /// C counts as C++ because models often tag C++ code as C.
    pub fn from_fence_tag(tag: &str) -> Option<Language> {
        match tag.trim().to_ascii_lowercase().as_str() {
            "python" | "py" | "python3" | "py3" => Some(Language::Python),
            "java" => Some(Language::Java),
            "cpp" | "c++" | "cc" | "cxx" | "c" | "hpp" | "h" | "hxx" => Some(Language::Cpp),
            "go" | "golang" => Some(Language::Go),
            "rust" | "rs" => Some(Language::Rust),
            _ => None,
        }
    }

    /// The tag to write on a code fence for this language in a prompt.
    pub fn fence_tag(self) -> &'static str {
        self.name()
    }

    pub fn tree_sitter(self) -> tree_sitter::Language {
        match self {
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::Java => tree_sitter_java::LANGUAGE.into(),
            Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Language::Python => "Python",
            Language::Java => "Java",
            Language::Cpp => "C++",
            Language::Go => "Go",
            Language::Rust => "Rust",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_languages_by_id_and_extension() {
        assert_eq!(Language::from_language_id("cpp"), Some(Language::Cpp));
        assert_eq!(Language::from_language_id("markdown"), None);
        assert_eq!(
            Language::from_path(Path::new("a/b.RS")),
            Some(Language::Rust)
        );
        assert_eq!(Language::from_path(Path::new("x.hpp")), Some(Language::Cpp));
        assert_eq!(Language::from_path(Path::new("Makefile")), None);
        for lang in Language::ALL {
            assert_eq!(Language::from_language_id(lang.name()), Some(lang));
        }
    }
}
