//! Random edit sequences, applied the way an editor sends them (UTF-16
//! positions, several changes per version), must leave the document with
//! exactly the text and the tree a fresh parse of the final text gives.

mod support;

use perforch::document::{Document, Position, PositionEncoding, Range, TextChange};
use perforch::language::Language;
use proptest::prelude::*;

/// Snippets that stress the parser and the position arithmetic: multi-unit
/// characters, every line ending, unbalanced brackets and quotes.
const INSERTS: &[&str] = &[
    "",
    "x",
    "\n",
    "\r\n",
    "\r",
    "{",
    "}",
    "(",
    ")",
    "\"",
    "'",
    "/*",
    "*/",
    "//",
    "é",
    "😀",
    "\t",
    "def g():\n    pass\n",
    "fn z() { 1 }\n",
    "func h() {}\n",
    "int k() { return 0; }\n",
    "return ",
    ";",
    ":",
    "    ",
    "class C:\n",
    "#",
    "<T>",
];

/// The LSP position of byte `offset` of `text`, computed independently of
/// the rope: lines end at `\n`, `\r\n` or `\r`; columns count UTF-16 units.
fn lsp_position(text: &str, offset: usize) -> Position {
    let (mut line, mut column) = (0u32, 0u32);
    let mut chars = text[..offset].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => {
                line += 1;
                column = 0;
            }
            _ => column += c.len_utf16() as u32,
        }
    }
    // An offset between `\r` and `\n` cannot be produced: edits land on char
    // boundaries, and the `\r\n` pair is kept apart below.
    Position::new(line, column)
}

/// Moves `offset` off the middle of a `\r\n` pair, which LSP cannot address.
fn not_inside_crlf(text: &str, offset: usize) -> usize {
    if splits_crlf(text, offset) {
        offset - 1
    } else {
        offset
    }
}

fn splits_crlf(text: &str, offset: usize) -> bool {
    offset > 0
        && text.as_bytes().get(offset) == Some(&b'\n')
        && text.as_bytes()[offset - 1] == b'\r'
}

fn boundary(text: &str, fraction: f64) -> usize {
    let mut offset = ((text.len() as f64) * fraction) as usize;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    not_inside_crlf(text, offset)
}

/// Every node's kind and byte range, depth first: two trees with the same
/// shape are the same parse.
fn shape(document: &Document) -> Vec<(u16, usize, usize, bool)> {
    let mut out = Vec::new();
    let mut cursor = document.tree().walk();
    'walk: loop {
        let node = cursor.node();
        out.push((
            node.kind_id(),
            node.start_byte(),
            node.end_byte(),
            node.is_missing(),
        ));
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
struct Edit {
    start: f64,
    delete: usize,
    insert: &'static str,
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    (0.0f64..=1.0, 0usize..24, prop::sample::select(INSERTS)).prop_map(|(start, delete, insert)| {
        Edit {
            start,
            delete,
            insert,
        }
    })
}

/// One applied replacement, remembered so it can be undone.
struct Applied {
    start: usize,
    removed: String,
    inserted: &'static str,
}

fn change_at(text: &str, start: usize, end: usize, new_text: &str) -> TextChange {
    TextChange {
        range: Some(Range {
            start: lsp_position(text, start),
            end: lsp_position(text, end),
        }),
        text: new_text.to_string(),
    }
}

/// Applies the batches, checking the text after each and the tree whenever
/// the text is free of syntax errors; then undoes every edit, newest first,
/// and checks the tree against a fresh parse of the original.
///
/// Trees are only compared on error-free text because tree-sitter's error
/// recovery may settle on a different (equally valid) tree when it re-parses
/// incrementally through invalid code; what this test guards is our edit
/// bookkeeping, which any mistake in would also show on valid text.
fn run(language: Language, fixture: &str, batches: Vec<Vec<Edit>>) {
    let original = support::fixture(fixture);
    let mut model = original.clone();
    let mut document = Document::new(language, 0, &model);
    let mut version = 0;
    let mut history: Vec<Vec<Applied>> = Vec::new();
    for batch in batches {
        let mut changes = Vec::new();
        let mut applied = Vec::new();
        for edit in batch {
            let start = boundary(&model, edit.start);
            let mut end = (start + edit.delete).min(model.len());
            while !model.is_char_boundary(end) {
                end += 1;
            }
            let end = not_inside_crlf(&model, end).max(start);
            let mut edited = model.clone();
            edited.replace_range(start..end, edit.insert);
            if splits_crlf(&edited, start) || splits_crlf(&edited, start + edit.insert.len()) {
                // The edit would glue a `\r` to a `\n`, leaving a boundary
                // inside the new pair that no LSP position can name.
                continue;
            }
            changes.push(change_at(&model, start, end, edit.insert));
            applied.push(Applied {
                start,
                removed: model[start..end].to_string(),
                inserted: edit.insert,
            });
            model.replace_range(start..end, edit.insert);
        }
        version += 1;
        document.apply_changes(version, &changes, PositionEncoding::Utf16);
        assert_eq!(document.source(), model);
        assert_eq!(document.version(), version);
        let fresh = Document::new(language, 0, &model);
        if !fresh.tree().root_node().has_error() {
            assert_eq!(
                shape(&document),
                shape(&fresh),
                "incremental and fresh parses differ on valid text"
            );
        }
        history.push(applied);
    }
    for applied in history.into_iter().rev() {
        let mut changes = Vec::new();
        for change in applied.into_iter().rev() {
            let end = change.start + change.inserted.len();
            changes.push(change_at(&model, change.start, end, &change.removed));
            model.replace_range(change.start..end, &change.removed);
        }
        version += 1;
        document.apply_changes(version, &changes, PositionEncoding::Utf16);
        assert_eq!(document.source(), model);
    }
    assert_eq!(model, original);
    let fresh = Document::new(language, 0, &original);
    assert!(
        !fresh.tree().root_node().has_error(),
        "fixtures are valid code"
    );
    assert_eq!(
        shape(&document),
        shape(&fresh),
        "undoing every edit gives back the original tree"
    );
}

fn batches() -> impl Strategy<Value = Vec<Vec<Edit>>> {
    prop::collection::vec(prop::collection::vec(edit_strategy(), 1..4), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn python(batches in batches()) { run(Language::Python, "python/inventory.py", batches) }

    #[test]
    fn java(batches in batches()) { run(Language::Java, "java/Inventory.java", batches) }

    #[test]
    fn cpp(batches in batches()) { run(Language::Cpp, "cpp/matrix.cpp", batches) }

    #[test]
    fn go(batches in batches()) { run(Language::Go, "go/inventory.go", batches) }

    #[test]
    fn rust(batches in batches()) { run(Language::Rust, "rust/inventory.rs", batches) }
}
