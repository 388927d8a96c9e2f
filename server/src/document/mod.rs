//! A versioned source document: its text in a rope and its syntax tree, kept
//! in step on every edit.
//!
//! Invariant: after every public method returns, `tree` is the parse of
//! `text`, and `version` is the version the editor gave for that text.
//! Cloning a `Document` is cheap (the rope and the tree are reference
//! counted), so readers take a clone as an immutable snapshot and never hold
//! a lock while they work.

mod parse;
pub mod position;

use ropey::Rope;
use tree_sitter::{InputEdit, Point, Tree};

use crate::language::Language;
pub use position::{Position, PositionEncoding, Range};

/// One change from the editor: a replacement of `range`, or of the whole text
/// when `range` is `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextChange {
    pub range: Option<Range>,
    pub text: String,
}

#[derive(Clone)]
pub struct Document {
    language: Language,
    version: i32,
    text: Rope,
    tree: Tree,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("language", &self.language)
            .field("version", &self.version)
            .field("len_bytes", &self.text.len_bytes())
            .finish()
    }
}

impl Document {
    pub fn new(language: Language, version: i32, text: &str) -> Document {
        let text = Rope::from_str(text);
        let tree = parse::parse(language, &text, None);
        Document {
            language,
            version,
            text,
            tree,
        }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn text(&self) -> &Rope {
        &self.text
    }

    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The source text, contiguous. Allocates: prefer `text()` for lookups.
    pub fn source(&self) -> String {
        self.text.to_string()
    }

    /// Applies the editor's changes in order, then re-parses once,
    /// incrementally, reusing every part of the old tree the edits left intact.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: &[TextChange],
        encoding: PositionEncoding,
    ) {
        let mut reusable_tree = Some(self.tree.clone());
        for change in changes {
            match change.range {
                None => {
                    self.text = Rope::from_str(&change.text);
                    // Nothing of the old tree lines up with a whole new text.
                    reusable_tree = None;
                }
                Some(range) => {
                    let bytes = position::byte_range(&self.text, range, encoding);
                    let edit = self.replace(bytes, &change.text);
                    if let Some(tree) = reusable_tree.as_mut() {
                        tree.edit(&edit);
                    }
                }
            }
        }
        self.tree = parse::parse(self.language, &self.text, reusable_tree.as_ref());
        self.version = version;
    }

    /// Replaces `bytes` with `new_text` in the rope and describes the edit
    /// the way tree-sitter needs it.
    fn replace(&mut self, bytes: std::ops::Range<usize>, new_text: &str) -> InputEdit {
        let start_position = self.point_at(bytes.start);
        let old_end_position = self.point_at(bytes.end);
        let start_char = self.text.byte_to_char(bytes.start);
        let end_char = self.text.byte_to_char(bytes.end);
        self.text.remove(start_char..end_char);
        self.text.insert(start_char, new_text);
        let new_end_byte = bytes.start + new_text.len();
        InputEdit {
            start_byte: bytes.start,
            old_end_byte: bytes.end,
            new_end_byte,
            start_position,
            old_end_position,
            new_end_position: self.point_at(new_end_byte),
        }
    }

    /// tree-sitter's point: a row and a byte column.
    fn point_at(&self, byte: usize) -> Point {
        let line = self.text.byte_to_line(byte);
        Point::new(line, byte - self.text.line_to_byte(line))
    }

    pub fn offset_at(&self, position: Position, encoding: PositionEncoding) -> usize {
        position::offset_at(&self.text, position, encoding)
    }

    pub fn position_at(&self, offset: usize, encoding: PositionEncoding) -> Position {
        position::position_at(&self.text, offset, encoding)
    }

    pub fn range_of(&self, bytes: std::ops::Range<usize>, encoding: PositionEncoding) -> Range {
        position::range_of(&self.text, bytes, encoding)
    }

    /// The text of a byte range.
    pub fn slice(&self, bytes: std::ops::Range<usize>) -> String {
        self.text.byte_slice(bytes).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(sl: u32, sc: u32, el: u32, ec: u32, text: &str) -> TextChange {
        TextChange {
            range: Some(Range {
                start: Position::new(sl, sc),
                end: Position::new(el, ec),
            }),
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_changes_keep_text_tree_and_version_in_step() {
        let mut doc = Document::new(Language::Python, 1, "def f(x):\n    return x\n");
        doc.apply_changes(
            2,
            &[change(0, 4, 0, 5, "g"), change(1, 11, 1, 12, "x + 1")],
            PositionEncoding::Utf16,
        );
        assert_eq!(doc.source(), "def g(x):\n    return x + 1\n");
        assert_eq!(doc.version(), 2);
        let fresh = Document::new(Language::Python, 2, &doc.source());
        assert_eq!(
            doc.tree().root_node().to_sexp(),
            fresh.tree().root_node().to_sexp()
        );
    }

    #[test]
    fn full_replacement_resets_the_tree() {
        let mut doc = Document::new(Language::Rust, 1, "fn a() {}");
        let full = TextChange {
            range: None,
            text: "struct S;".into(),
        };
        doc.apply_changes(5, &[full], PositionEncoding::Utf8);
        assert_eq!(doc.source(), "struct S;");
        assert!(doc.tree().root_node().to_sexp().contains("struct_item"));
    }

    #[test]
    fn crlf_documents_edit_cleanly() {
        let mut doc = Document::new(Language::Go, 1, "package p\r\n\r\nfunc f() {}\r\n");
        doc.apply_changes(2, &[change(2, 5, 2, 6, "g")], PositionEncoding::Utf16);
        assert_eq!(doc.source(), "package p\r\n\r\nfunc g() {}\r\n");
    }
}
