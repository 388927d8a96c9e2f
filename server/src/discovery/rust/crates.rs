//! Which crates beyond the standard library a lone Rust file uses. rustc
//! alone links only std, so such a file's tests cannot be built without a
//! cargo package; discovery says so instead of letting the build fail.
//!
//! Read from the syntax, not resolved: the first segment of `use` paths,
//! `extern crate` names, and the first segment of paths in code (also
//! inside macro calls) that is a lowercase name the file does not itself
//! declare or import.

use std::collections::{BTreeSet, HashSet};

use tree_sitter::Node;

use super::super::syntax::{ParsedFile, descendants_of_kind};

/// Crates every rustc build has, and path roots that are not crates.
const BUILT_IN: &[&str] = &[
    "std",
    "core",
    "alloc",
    "test",
    "proc_macro",
    "crate",
    "self",
    "super",
    "Self",
];

/// Primitive types: `i64::MAX`, `str::from_utf8` are paths too.
const PRIMITIVES: &[&str] = &[
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32",
    "f64", "bool", "char", "str",
];

/// Items whose names may start a path in the same file.
const DECLARING: &[&str] = &[
    "mod_item",
    "function_item",
    "struct_item",
    "enum_item",
    "union_item",
    "trait_item",
    "type_item",
    "const_item",
    "static_item",
    "macro_definition",
];

/// The external crates `files` (a crate root and its module files) use, sorted.
pub(super) fn external_crates(files: &[ParsedFile]) -> BTreeSet<String> {
    let mut declared: HashSet<String> = HashSet::new();
    let mut imported: HashSet<String> = HashSet::new();
    let mut crate_roots: Vec<String> = Vec::new();
    let mut code_roots: Vec<String> = Vec::new();
    for file in files {
        for item in descendants_of_kind(file.root(), DECLARING) {
            if let Some(name) = item.child_by_field_name("name") {
                declared.insert(file.text_of(name).to_string());
            }
        }
        for declaration in descendants_of_kind(file.root(), &["use_declaration"]) {
            // Every name a `use` brings in may start a path later
            // (`use std::collections::hash_map;` then `hash_map::Entry`).
            for identifier in descendants_of_kind(declaration, &["identifier"]) {
                imported.insert(file.text_of(identifier).to_string());
            }
            if let Some(argument) = declaration.child_by_field_name("argument") {
                use_roots(file.text_of(argument), &mut crate_roots);
            }
        }
        for declaration in descendants_of_kind(file.root(), &["extern_crate_declaration"]) {
            if let Some(name) = declaration.child_by_field_name("name") {
                crate_roots.push(file.text_of(name).to_string());
            }
        }
        code_roots.extend(code_path_roots(file));
    }
    let not_a_crate = |name: &String| {
        BUILT_IN.contains(&name.as_str())
            || PRIMITIVES.contains(&name.as_str())
            || declared.contains(name)
    };
    crate_roots
        .into_iter()
        .filter(|name| !not_a_crate(name))
        .chain(
            code_roots
                .into_iter()
                .filter(|name| !not_a_crate(name) && !imported.contains(name)),
        )
        .collect()
}

/// First segments of a `use` argument: `rand::Rng` -> rand,
/// `{std::fmt, regex::Regex}` -> std, regex, `::serde::Serialize` -> serde.
fn use_roots(text: &str, roots: &mut Vec<String>) {
    let text = text.trim().trim_start_matches("::").trim_start();
    if let Some(inner) = text.strip_prefix('{') {
        let inner = inner.trim_end().strip_suffix('}').unwrap_or(inner);
        for part in split_top_level(inner) {
            use_roots(part, roots);
        }
        return;
    }
    let root: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !root.is_empty() {
        roots.push(root);
    }
}

/// `a, {b, c}, d` split at the commas outside braces.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (index, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Lowercase first segments of paths in code outside `use` declarations:
/// `regex::Regex::new(..)`, `rand::random::<u8>()`, a `serde_json::Value`
/// type, and `name ::` token pairs inside macro calls.
fn code_path_roots(file: &ParsedFile) -> Vec<String> {
    let mut roots = Vec::new();
    let scoped = [
        "scoped_identifier",
        "scoped_type_identifier",
        "scoped_use_list",
    ];
    for node in descendants_of_kind(file.root(), &scoped) {
        if inside(node, "use_declaration") {
            continue;
        }
        if let Some(path) = node.child_by_field_name("path")
            && path.kind() == "identifier"
        {
            roots.push(file.text_of(path).to_string());
        }
    }
    for tree in descendants_of_kind(file.root(), &["token_tree"]) {
        let tokens = children(tree);
        for (index, token) in tokens.iter().enumerate() {
            let before = index.checked_sub(1).map(|i| tokens[i].kind());
            let after = tokens.get(index + 1).map(|t| t.kind());
            if token.kind() == "identifier" && after == Some("::") && before != Some("::") {
                roots.push(file.text_of(*token).to_string());
            }
        }
    }
    roots.retain(|root| root.starts_with(|c: char| c.is_ascii_lowercase()));
    roots
}

fn children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

fn inside(node: Node, kind: &str) -> bool {
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if ancestor.kind() == kind {
            return true;
        }
        current = ancestor.parent();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Language;

    fn crates_of(text: &str) -> Vec<String> {
        let parsed = ParsedFile::parse(Language::Rust, text.to_string()).unwrap();
        external_crates(&[parsed]).into_iter().collect()
    }

    #[test]
    fn the_standard_library_and_the_files_own_names_are_not_crates() {
        let text = "use std::collections::{hash_map, HashMap};\nuse self::util::twice;\nmod util { pub fn twice(x: i64) -> i64 { x * 2 } }\nenum Color { Red }\nfn f() -> usize { let _ = Color::Red; let _ = hash_map::DefaultHasher::new(); let _: HashMap<u8, u8> = HashMap::new(); util::twice(1); assert_eq!(i64::MAX, core::i64::MAX); usize::MAX }\n#[cfg(test)]\nmod tests { use super::*; #[test] fn t() { assert_eq!(f(), std::usize::MAX); } }\n";
        assert!(crates_of(text).is_empty(), "{:?}", crates_of(text));
    }

    #[test]
    fn crates_named_in_uses_code_and_macros_are_found() {
        assert_eq!(crates_of("use rand::Rng;\n"), ["rand"]);
        assert_eq!(
            crates_of("use {std::fmt, ::serde::Serialize};\nextern crate itertools;\n"),
            ["itertools", "serde"]
        );
        assert_eq!(
            crates_of("fn f() -> regex::Regex { regex::Regex::new(\"a\").unwrap() }\n"),
            ["regex"]
        );
        assert_eq!(
            crates_of("fn t() { assert!(md5::compute(b\"a\").0.len() == 16); }\n"),
            ["md5"]
        );
    }
}
