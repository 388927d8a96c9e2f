//! The workspace a file belongs to: one rule for every command (`optimize`,
//! `compare`, `bench`, `tests`) and for the editor when a file lies outside
//! its workspace folders. Tests are searched, and test runs copied, from
//! this folder; its perforch.toml is the workspace configuration.
//!
//! The nearest folder above the file that a project marker names wins,
//! where each language's own idea of its root is followed: a cargo package
//! that is a member of a workspace belongs to the workspace; a
//! CMakeLists.txt without `project()` belongs to the one above that has
//! it; a Java file whose package matches its folders names its project
//! even without a build file (`X` for `X/src/main/java/com/acme/Foo.java`).

use std::path::{Path, PathBuf};

/// Files that mark a project's root folder.
const MARKERS: &[&str] = &[
    "perforch.toml",
    ".git",
    "Cargo.toml",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "CMakeLists.txt",
];

/// The workspace root of `file`: see the module documentation. A file with
/// no project around it is its own folder's workspace.
pub fn workspace_root_of(file: &Path) -> PathBuf {
    let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let start = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let java_project = java_project(&file);
    for dir in start.ancestors() {
        if java_project.as_deref() == Some(dir) {
            return dir.to_path_buf();
        }
        if let Some(root) = marked_root(dir) {
            return root;
        }
    }
    start
}

/// The root a marker in `dir` names, if `dir` holds one.
fn marked_root(dir: &Path) -> Option<PathBuf> {
    let present: Vec<&str> = MARKERS
        .iter()
        .copied()
        .filter(|marker| dir.join(marker).exists())
        .collect();
    if present.is_empty() {
        return None;
    }
    if present.contains(&"Cargo.toml") {
        return Some(cargo_root(dir));
    }
    if present == ["CMakeLists.txt"] && !declares_cmake_project(dir) {
        return Some(cmake_project_above(dir).unwrap_or_else(|| dir.to_path_buf()));
    }
    Some(dir.to_path_buf())
}

fn java_project(file: &Path) -> Option<PathBuf> {
    if file.extension()? != "java" {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    super::java::project_root(file, &text)
}

fn read_manifest(dir: &Path) -> Option<toml::Table> {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()?
        .parse()
        .ok()
}

/// The cargo workspace a package at `dir` is a member of, else `dir`:
/// found as cargo finds it, by `package.workspace` or the nearest manifest
/// above with a `[workspace]` table whose `members` name the package and
/// whose `exclude` does not.
fn cargo_root(dir: &Path) -> PathBuf {
    let Some(manifest) = read_manifest(dir) else {
        return dir.to_path_buf();
    };
    if manifest.contains_key("workspace") || !manifest.contains_key("package") {
        return dir.to_path_buf();
    }
    if let Some(declared) = manifest
        .get("package")
        .and_then(|package| package.get("workspace"))
        .and_then(|path| path.as_str())
    {
        let workspace = dir.join(declared);
        return std::fs::canonicalize(&workspace).unwrap_or(workspace);
    }
    for ancestor in dir.ancestors().skip(1) {
        let Some(workspace) = read_manifest(ancestor).and_then(|manifest| {
            manifest
                .get("workspace")
                .and_then(|w| w.as_table())
                .cloned()
        }) else {
            continue;
        };
        let Ok(relative) = dir.strip_prefix(ancestor) else {
            break;
        };
        let listed = |key: &str| -> Vec<String> {
            workspace
                .get(key)
                .and_then(|value| value.as_array())
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|item| item.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let excluded = listed("exclude")
            .iter()
            .any(|path| relative.starts_with(path.trim_start_matches("./")));
        let member = listed("members")
            .iter()
            .any(|pattern| path_matches(pattern.trim_start_matches("./"), relative));
        // Cargo stops at the first workspace above, member or not.
        return if member && !excluded {
            ancestor.to_path_buf()
        } else {
            dir.to_path_buf()
        };
    }
    dir.to_path_buf()
}

/// Does a `members` entry (`crates/*`, `tools/cli`) name `relative`?
/// Component by component, with `*` and `?` inside a component.
fn path_matches(pattern: &str, relative: &Path) -> bool {
    let patterns: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    patterns.len() == parts.len()
        && patterns
            .iter()
            .zip(&parts)
            .all(|(pattern, part)| wildcard_matches(pattern.as_bytes(), part.as_bytes()))
}

fn wildcard_matches(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            wildcard_matches(&pattern[1..], text)
                || (!text.is_empty() && wildcard_matches(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => wildcard_matches(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => wildcard_matches(&pattern[1..], &text[1..]),
        _ => false,
    }
}

fn declares_cmake_project(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("CMakeLists.txt"))
        .is_ok_and(|text| text.to_ascii_lowercase().contains("project("))
}

/// A subdirectory's CMakeLists.txt belongs to the nearest one above that
/// declares the `project()`; the search stays inside the repository.
fn cmake_project_above(dir: &Path) -> Option<PathBuf> {
    for ancestor in dir.ancestors().skip(1) {
        if ancestor.join("CMakeLists.txt").is_file() && declares_cmake_project(ancestor) {
            return Some(ancestor.to_path_buf());
        }
        if ancestor.join(".git").exists() {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn root_of(dir: &tempfile::TempDir, file: &str) -> String {
        let root = workspace_root_of(&dir.path().join(file));
        let base = std::fs::canonicalize(dir.path()).unwrap();
        root.strip_prefix(&base)
            .unwrap_or_else(|_| panic!("{} is outside the tree", root.display()))
            .display()
            .to_string()
    }

    #[test]
    fn a_member_package_belongs_to_its_cargo_workspace() {
        let dir = tree(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/old\"]\n",
            ),
            ("crates/pairs/Cargo.toml", "[package]\nname = \"pairs\"\n"),
            ("crates/pairs/src/lib.rs", ""),
            ("crates/old/Cargo.toml", "[package]\nname = \"old\"\n"),
            ("crates/old/src/lib.rs", ""),
            ("tools/Cargo.toml", "[package]\nname = \"tools\"\n"),
            ("tools/src/main.rs", ""),
        ]);
        assert_eq!(root_of(&dir, "crates/pairs/src/lib.rs"), "");
        assert_eq!(root_of(&dir, "crates/old/src/lib.rs"), "crates/old");
        assert_eq!(root_of(&dir, "tools/src/main.rs"), "tools");
    }

    #[test]
    fn the_nearest_marker_wins_for_other_languages() {
        let dir = tree(&[
            (".git/HEAD", ""),
            ("svc/go.mod", "module example.com/svc\n"),
            ("svc/stock/stock.go", ""),
            ("py/pyproject.toml", ""),
            ("py/pkg/mod.py", ""),
            ("cfg/setup.cfg", ""),
            ("cfg/mod.py", ""),
            ("scripts/tool.py", ""),
        ]);
        assert_eq!(root_of(&dir, "svc/stock/stock.go"), "svc");
        assert_eq!(root_of(&dir, "py/pkg/mod.py"), "py");
        assert_eq!(root_of(&dir, "cfg/mod.py"), "cfg");
        assert_eq!(root_of(&dir, "scripts/tool.py"), "");
    }

    #[test]
    fn a_cmake_subdirectory_belongs_to_the_project() {
        let dir = tree(&[
            (
                "CMakeLists.txt",
                "cmake_minimum_required(VERSION 3.16)\nproject(matrix CXX)\nadd_subdirectory(src)\n",
            ),
            ("src/CMakeLists.txt", "add_library(matrix matrix.cpp)\n"),
            ("src/matrix.cpp", ""),
        ]);
        assert_eq!(root_of(&dir, "src/matrix.cpp"), "");
    }

    #[test]
    fn a_java_file_names_its_project_by_its_package() {
        let dir = tree(&[
            (
                "app/src/main/java/com/acme/Scores.java",
                "package com.acme;\nclass Scores {}\n",
            ),
            (
                "app/src/test/java/com/acme/ScoresTest.java",
                "package com.acme;\nclass ScoresTest {}\n",
            ),
            (
                "plain/src/com/acme/Util.java",
                "package com.acme;\nclass Util {}\n",
            ),
            (
                "wrong/Misplaced.java",
                "package com.acme;\nclass Misplaced {}\n",
            ),
        ]);
        assert_eq!(
            root_of(&dir, "app/src/main/java/com/acme/Scores.java"),
            "app"
        );
        assert_eq!(
            root_of(&dir, "app/src/test/java/com/acme/ScoresTest.java"),
            "app"
        );
        assert_eq!(root_of(&dir, "plain/src/com/acme/Util.java"), "plain/src");
        assert_eq!(root_of(&dir, "wrong/Misplaced.java"), "wrong");
    }
}
