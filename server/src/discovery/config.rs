//! The `[tests]` table of perforch.toml: suites the user names explicitly,
//! for projects whose tests perforch cannot find or build by itself (CMake,
//! Gradle, tests behind a Makefile, ...).
//!
//! ```toml
//! [tests]
//! discover = true            # also look for tests by the built-in rules
//!
//! [[tests.suites]]
//! name = "unit"
//! language = "cpp"
//! build = ["make", "unit_tests"]
//! command = ["./unit_tests"]
//! files = ["src/*.cpp"]
//! functions = ["dot", "Matrix::multiply"]
//! junit_xml = "unit.xml"
//! ```

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::language::Language;

/// The `[tests]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TestsConfig {
    /// Look for tests with the built-in rules (doctests, pytest, `#[test]`,
    /// `go test`, JUnit, C++ test programs) in addition to `suites`.
    pub discover: bool,
    /// Suites named explicitly.
    pub suites: Vec<ConfiguredSuite>,
}

impl Default for TestsConfig {
    fn default() -> Self {
        TestsConfig {
            discover: true,
            suites: Vec::new(),
        }
    }
}

/// One explicitly configured suite: a command run in a copy of the workspace,
/// inside the sandbox, offline. It passes when the command exits with 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfiguredSuite {
    /// Shown in reports; unique among the suites.
    pub name: String,
    /// The suite applies to functions written in this language; its
    /// toolchain is on PATH when the commands run.
    pub language: Language,
    /// Program and arguments, run from `workdir` (no shell: write
    /// `["sh", "-c", "..."]` when you need one).
    pub command: Vec<String>,
    /// Optional step before `command`, run with the longer build limits.
    #[serde(default)]
    pub build: Vec<String>,
    /// Folder to run in, relative to the workspace root.
    #[serde(default = "current_folder")]
    pub workdir: String,
    /// Source files whose functions this suite tests, relative to the
    /// workspace root; `*` matches within a folder name, `**` any folders.
    /// Empty: every file of `language`.
    #[serde(default)]
    pub files: Vec<String>,
    /// Functions the suite exercises, as `name` or `Container.name` /
    /// `Container::name`. Empty: every function of the matching files.
    #[serde(default)]
    pub functions: Vec<String>,
    /// A JUnit XML report the command writes (relative to `workdir`); when
    /// set, results and durations are read per test from it.
    #[serde(default)]
    pub junit_xml: Option<String>,
}

fn current_folder() -> String {
    ".".to_string()
}

/// Checks serde cannot express; called by the configuration's validation.
pub fn validate(tests: &TestsConfig, source: &str) -> Result<(), ConfigError> {
    let mut names = std::collections::HashSet::new();
    for (index, suite) in tests.suites.iter().enumerate() {
        let at = |field: &str| format!("tests.suites[{index}].{field}");
        if suite.name.trim().is_empty() {
            return Err(ConfigError::invalid(
                source,
                at("name"),
                "must not be empty",
            ));
        }
        if !names.insert(suite.name.as_str()) {
            return Err(ConfigError::invalid(
                source,
                at("name"),
                format!(
                    "the name `{}` is used by an earlier suite; give each suite a unique name",
                    suite.name
                ),
            ));
        }
        if suite
            .command
            .first()
            .is_none_or(|program| program.is_empty())
        {
            return Err(ConfigError::invalid(
                source,
                at("command"),
                "must name a program, e.g. [\"python3\", \"-m\", \"pytest\"]",
            ));
        }
        for (field, path) in std::iter::once(("workdir", &suite.workdir))
            .chain(suite.junit_xml.iter().map(|p| ("junit_xml", p)))
            .chain(suite.files.iter().map(|p| ("files", p)))
        {
            if escapes_root(path) {
                return Err(ConfigError::invalid(
                    source,
                    at(field),
                    format!("`{path}` must be relative to the workspace root and stay inside it"),
                ));
            }
        }
    }
    Ok(())
}

fn escapes_root(path: &str) -> bool {
    let path = std::path::Path::new(path);
    path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
}

/// Does a workspace-relative path (with `/` separators) match a pattern of
/// `files`? `*` matches within one folder name, `**` any number of folders.
pub(crate) fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_start_matches("./").split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    match_segments(&pattern, &path)
}

fn match_segments(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| match_segments(rest, &path[skip..])),
        Some((first, rest)) => path.split_first().is_some_and(|(segment, tail)| {
            match_name(first, segment) && match_segments(rest, tail)
        }),
    }
}

fn match_name(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, rest)) => {
            let Some(remaining) = name.strip_prefix(prefix) else {
                return false;
            };
            (0..=remaining.len())
                .filter(|cut| remaining.is_char_boundary(*cut))
                .any(|cut| match_name(rest, &remaining[cut..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_folders_and_names() {
        assert!(glob_matches("src/*.cpp", "src/matrix.cpp"));
        assert!(!glob_matches("src/*.cpp", "src/sub/matrix.cpp"));
        assert!(glob_matches("src/**/*.cpp", "src/sub/deep/matrix.cpp"));
        assert!(glob_matches("src/**/*.cpp", "src/matrix.cpp"));
        assert!(glob_matches("**", "a/b/c.py"));
        assert!(glob_matches("inventory.py", "inventory.py"));
        assert!(!glob_matches("inventory.py", "lib/inventory.py"));
        assert!(glob_matches("*_util*.go", "str_utils.go"));
    }
}
