//! Rust: `#[test]` functions that call the function, in its own file (its
//! `mod tests`) and the module files it declares, and, in a cargo package,
//! in the package's `tests/`. A file inside a cargo package is built with
//! cargo (`cargo.rs`); a lone file with `rustc --test` (`lone.rs`). Either
//! way the test binary runs with `--exact` names and its libtest lines are
//! read into per-test results (`libtest.rs`).

mod cargo;
mod crates;
mod libtest;
mod lone;

use std::path::{Path, PathBuf};

use tree_sitter::Node;

use super::error::DiscoveryError;
use super::report::SuiteReport;
use super::run::RunContext;
use super::syntax::{Definition, ParsedFile, TestId, descendants_of_kind, tests_referring};
use super::{DiscoveredTests, SuiteDetail, Target, TestCase, TestSuite};
use crate::executor::detect;
use crate::language::Language;

/// How a Rust suite is built.
#[derive(Clone, Debug)]
pub(crate) enum RustSuite {
    Cargo(cargo::CargoSuite),
    Lone(lone::LoneSuite),
}

pub(crate) fn discover(target: &Target, found: &mut DiscoveredTests) {
    match cargo::crate_dir(&target.root, &target.file) {
        Some(crate_dir) => cargo::discover(target, &crate_dir, found),
        None => lone::discover(target, found),
    }
}

pub(crate) fn run(
    context: &RunContext,
    suites: &[&TestSuite],
) -> Result<Vec<SuiteReport>, DiscoveryError> {
    let toolchain = detect(Language::Rust)?;
    let mut in_packages = Vec::new();
    let mut lone_files = Vec::new();
    for suite in suites {
        match &suite.detail {
            SuiteDetail::Rust(RustSuite::Cargo(detail)) => in_packages.push((*suite, detail)),
            SuiteDetail::Rust(RustSuite::Lone(detail)) => lone_files.push((*suite, detail)),
            _ => {}
        }
    }
    let mut reports = cargo::run(context, &toolchain, &in_packages)?;
    reports.extend(lone::run(context, &toolchain, &lone_files)?);
    Ok(reports)
}

/// The `#[test]`s calling the function in its own file and the module
/// files it declares (`mod tests;`), named by their path from the crate
/// root (`module_path` is the file's own). `beside`: the file declares its
/// children beside itself (a crate root or a mod.rs), not in a folder
/// named after it.
fn unit_tests(target: &Target, beside: bool, module_path: &[String]) -> Vec<TestCase> {
    let mut sources = vec![(target.file.clone(), module_path.to_vec())];
    sources.extend(declared_modules(target, beside, module_path));
    let mut tests = Vec::new();
    for (file, module_path) in sources {
        let Ok(text) = std::fs::read_to_string(target.root.join(&file)) else {
            continue;
        };
        if !super::workspace::mentions_word(&text, target.function) {
            continue;
        }
        let Some(parsed) = ParsedFile::parse(Language::Rust, text) else {
            continue;
        };
        let definitions = definitions(&parsed, &module_path);
        tests.extend(
            tests_referring(&parsed, &definitions, target.function)
                .into_iter()
                .map(|test| TestCase {
                    name: test.id.clone(),
                    file: file.clone(),
                }),
        );
    }
    tests
}

/// Files of the `mod NAME;` declarations in the function's file.
fn declared_modules(
    target: &Target,
    beside: bool,
    module_path: &[String],
) -> Vec<(PathBuf, Vec<String>)> {
    let Some(parsed) = ParsedFile::parse(Language::Rust, target.text.clone()) else {
        return Vec::new();
    };
    let parent = target
        .file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // `a.rs` declares its children in `a/`.
    let children_dir = if beside {
        parent
    } else {
        let stem = target
            .file
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        parent.join(stem)
    };
    descendants_of_kind(parsed.root(), &["mod_item"])
        .into_iter()
        .filter(|item| item.child_by_field_name("body").is_none())
        .filter_map(|item| {
            let name = parsed
                .text_of(item.child_by_field_name("name")?)
                .to_string();
            let candidates = [
                children_dir.join(format!("{name}.rs")),
                children_dir.join(&name).join("mod.rs"),
            ];
            let file = candidates
                .into_iter()
                .find(|c| target.root.join(c).is_file())?;
            let mut path = module_path.to_vec();
            path.push(name);
            Some((file, path))
        })
        .collect()
}

/// Every function of a file, with `#[test]` ones named by their module path.
fn definitions<'t>(parsed: &'t ParsedFile, module_path: &[String]) -> Vec<Definition<'t>> {
    descendants_of_kind(parsed.root(), &["function_item"])
        .into_iter()
        .filter_map(|function| {
            let name = parsed
                .text_of(function.child_by_field_name("name")?)
                .to_string();
            let body = function.child_by_field_name("body")?;
            let test = is_test(parsed, function).then(|| {
                let mut path = module_path.to_vec();
                path.extend(enclosing_modules(parsed, function));
                path.push(name.clone());
                TestId {
                    id: path.join("::"),
                    kind: "rust",
                }
            });
            Some(Definition {
                name,
                body,
                test,
                node: function,
            })
        })
        .collect()
}

/// Attributes directly above the function: `#[test]`, `#[tokio::test]`, ...
fn is_test(parsed: &ParsedFile, function: Node) -> bool {
    let mut previous = function.prev_named_sibling();
    while let Some(node) = previous {
        match node.kind() {
            "attribute_item" => {
                let text = parsed.text_of(node);
                let inner = text.trim_start_matches("#[").trim_end_matches(']').trim();
                let path = inner.split('(').next().unwrap_or("").trim();
                if path == "test" || path.ends_with("::test") {
                    return true;
                }
            }
            "line_comment" | "block_comment" => {}
            _ => return false,
        }
        previous = node.prev_named_sibling();
    }
    false
}

fn enclosing_modules(parsed: &ParsedFile, node: Node) -> Vec<String> {
    let mut names = Vec::new();
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if ancestor.kind() == "mod_item"
            && let Some(name) = ancestor.child_by_field_name("name")
        {
            names.push(parsed.text_of(name).to_string());
        }
        current = ancestor.parent();
    }
    names.reverse();
    names
}
