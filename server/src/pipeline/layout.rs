//! The top-level layout of a source file: its package line, its imports
//! (includes, `use`s) and the rest. The pipeline needs it twice: to build a
//! differential driver (imports become the driver's prelude; the entry point
//! and test modules of the user's file must not clash with the driver's own)
//! and to splice a candidate back into the file (new imports go after the
//! last existing one).

use crate::analysis::ByteRange;
use crate::document::Document;
use crate::language::Language;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLayout {
    /// Go `package x` / Java `package a.b;`.
    pub package: Option<ByteRange>,
    /// Import statements in file order.
    pub imports: Vec<ByteRange>,
    /// Items a driver must leave out: `main`, Python's `if __name__ ==
    /// "__main__":` block, Rust `#[cfg(test)] mod tests`, Rust inner
    /// attributes and inner doc comments.
    pub entry_points: Vec<ByteRange>,
    /// Rust: end of the leading inner attributes and `//!` docs, which
    /// must stay before any item (including new `use`s).
    pub inner_prefix_end: Option<usize>,
}

impl FileLayout {
    pub fn of(language: Language, text: &str) -> FileLayout {
        let document = Document::new(language, 0, text);
        let root = document.tree().root_node();
        let mut layout = FileLayout {
            package: None,
            imports: Vec::new(),
            entry_points: Vec::new(),
            inner_prefix_end: None,
        };
        let mut in_inner_prefix = true;
        let mut cursor = root.walk();
        let children: Vec<_> = root.named_children(&mut cursor).collect();
        for (index, node) in children.iter().enumerate() {
            let range = ByteRange {
                start: node.start_byte(),
                end: node.end_byte(),
            };
            let node_text = &text[range.as_range()];
            let is_inner = language == Language::Rust
                && (node.kind() == "inner_attribute_item"
                    || node_text.starts_with("//!")
                    || node_text.starts_with("/*!"));
            if in_inner_prefix && is_inner {
                layout.inner_prefix_end = Some(range.end);
            } else if !node.kind().contains("comment") {
                in_inner_prefix = false;
            }
            match (language, node.kind()) {
                (Language::Go, "package_clause") | (Language::Java, "package_declaration") => {
                    layout.package = Some(range)
                }
                (Language::Python, "import_statement" | "import_from_statement")
                | (Language::Python, "future_import_statement")
                | (Language::Java, "import_declaration")
                | (Language::Cpp, "preproc_include")
                | (Language::Go, "import_declaration")
                | (Language::Rust, "use_declaration" | "extern_crate_declaration") => {
                    layout.imports.push(range)
                }
                (Language::Python, "if_statement") if is_main_guard(node_text) => {
                    layout.entry_points.push(range)
                }
                (Language::Cpp | Language::Go | Language::Rust, _) if defines_main(node, text) => {
                    layout.entry_points.push(range)
                }
                // Inner attributes and `//!` docs are only valid before the
                // first item, and the driver puts its own items first.
                (Language::Rust, "inner_attribute_item") => layout.entry_points.push(range),
                (Language::Rust, "line_comment" | "block_comment")
                    if node_text.starts_with("//!") || node_text.starts_with("/*!") =>
                {
                    layout.entry_points.push(range)
                }
                (Language::Rust, "mod_item") if is_test_module(node_text) => {
                    // Take the `#[cfg(test)]` attribute with it.
                    let start = index
                        .checked_sub(1)
                        .map(|before| &children[before])
                        .filter(|before| before.kind() == "attribute_item")
                        .map_or(range.start, |before| before.start_byte());
                    layout.entry_points.push(ByteRange {
                        start,
                        end: range.end,
                    })
                }
                _ => {}
            }
        }
        layout
    }

    /// The file without its package line, imports and entry points: what a
    /// driver can include next to its own `main`.
    pub fn body_without_entry_points(&self, text: &str) -> String {
        let mut cut: Vec<ByteRange> = self.imports.clone();
        cut.extend(self.package);
        cut.extend(self.entry_points.iter().copied());
        remove_ranges(text, cut)
    }

    /// The file's import statements, one per line.
    pub fn imports_text(&self, text: &str) -> String {
        self.imports
            .iter()
            .map(|range| format!("{}\n", &text[range.as_range()]))
            .collect()
    }

    /// Where new imports go: after the last import, else after the package
    /// line, else at the top (after a Python module docstring).
    pub fn import_insertion_point(&self, language: Language, text: &str) -> usize {
        if let Some(last) = self.imports.last() {
            return line_end(text, last.end);
        }
        if let Some(package) = self.package {
            return line_end(text, package.end);
        }
        if let Some(end) = self.inner_prefix_end {
            return line_end(text, end);
        }
        if language == Language::Python {
            return python_docstring_end(text).map_or(0, |end| line_end(text, end));
        }
        0
    }
}

fn remove_ranges(text: &str, mut cut: Vec<ByteRange>) -> String {
    cut.sort_by_key(|range| range.start);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for range in cut {
        if range.start >= copied {
            out.push_str(&text[copied..range.start]);
            copied = range.end;
        }
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

fn line_end(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |newline| offset + newline + 1)
}

fn is_main_guard(text: &str) -> bool {
    let condition = text.lines().next().unwrap_or("");
    condition.contains("__name__") && condition.contains("__main__")
}

fn is_test_module(text: &str) -> bool {
    text.trim_start()
        .strip_prefix("mod ")
        .is_some_and(|rest| rest.trim_start().starts_with("tests"))
}

fn defines_main(node: &tree_sitter::Node, text: &str) -> bool {
    if !matches!(
        node.kind(),
        "function_definition" | "function_declaration" | "function_item"
    ) {
        return false;
    }
    // Go and Rust have a `name` field; C++ nests the name in declarators.
    let mut name = node.child_by_field_name("name");
    if name.is_none() {
        let mut current = node.child_by_field_name("declarator");
        while let Some(declarator) = current {
            name = Some(declarator);
            current = declarator.child_by_field_name("declarator");
        }
    }
    name.is_some_and(|name| &text[name.byte_range()] == "main")
}

fn python_docstring_end(text: &str) -> Option<usize> {
    let trimmed = text.trim_start();
    let quote = ["\"\"\"", "'''"]
        .into_iter()
        .find(|quote| trimmed.starts_with(quote))?;
    let start = text.len() - trimmed.len() + quote.len();
    text[start..]
        .find(quote)
        .map(|end| start + end + quote.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_imports_go_after_inner_docs_and_attributes() {
        let text = "//! Crate docs.\n#![allow(dead_code)]\n\n/// Item docs.\nfn f() {}\n";
        let layout = FileLayout::of(Language::Rust, text);
        assert_eq!(
            layout.import_insertion_point(Language::Rust, text),
            text.find("\n\n").unwrap() + 1
        );
        let plain = "fn f() {}\n";
        assert_eq!(
            FileLayout::of(Language::Rust, plain).import_insertion_point(Language::Rust, plain),
            0
        );
    }
}
