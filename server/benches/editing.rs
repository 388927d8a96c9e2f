//! What a keystroke costs: a one-character edit (incremental re-parse) plus
//! the function lookup a code-action request does, on a 10,000-line file in
//! each language; and the memory an open 10,000-line document holds.
//!
//! Run with `cargo bench --bench editing`. Targets (printed, not asserted):
//! median below 2 ms per edit + lookup, below 5 MB per document.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion};
use perforch::analysis::function_at;
use perforch::document::{Document, PositionEncoding, TextChange};
use perforch::language::Language;

const LINES: usize = 10_000;

const FIXTURES: [(Language, &str); 5] = [
    (Language::Python, "python/inventory.py"),
    (Language::Java, "java/Inventory.java"),
    (Language::Cpp, "cpp/matrix.cpp"),
    (Language::Go, "go/inventory.go"),
    (Language::Rust, "rust/inventory.rs"),
];

/// A realistic 10,000-line file: the fixture's code repeated. For Java the
/// repeats go inside one class, as a large class would be.
fn large_source(language: Language, fixture: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(fixture);
    let unit = std::fs::read_to_string(path).unwrap();
    let mut text = String::new();
    while text.lines().count() < LINES {
        text.push_str(&unit);
        text.push('\n');
    }
    if language == Language::Java {
        // Keep it one compilation unit's worth of classes; the grammar does not care.
        text = text.replace("package com.example.warehouse;", "");
    }
    text
}

/// Just after the first letter of the first identifier in a function in the
/// middle of the file: typing there renames a variable, the most common
/// keystroke, and keeps the code valid.
fn edit_offset(document: &Document) -> usize {
    let functions = perforch::analysis::functions(document);
    functions[functions.len() / 2..]
        .iter()
        .find_map(|function| {
            let body = document
                .tree()
                .root_node()
                .descendant_for_byte_range(function.body_range.start, function.body_range.end)?;
            first_identifier(body).map(|start| start + 1)
        })
        .expect("some function in the second half has an identifier in its body")
}

fn first_identifier(node: tree_sitter::Node) -> Option<usize> {
    if node.kind() == "identifier" {
        return Some(node.start_byte());
    }
    let mut cursor = node.walk();
    node.children(&mut cursor).find_map(first_identifier)
}

fn bench_edit_and_lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("edit+lookup on 10k lines");
    for (language, fixture) in FIXTURES {
        let text = large_source(language, fixture);
        let mut document = Document::new(language, 0, &text);
        let offset = edit_offset(&document);
        let position = document.position_at(offset, PositionEncoding::Utf16);
        let mut version = 0;
        group.bench_with_input(
            BenchmarkId::from_parameter(language.name()),
            &language,
            |b, _| {
                b.iter(|| {
                    // Alternate typing and deleting one character so the file
                    // stays the same size across iterations.
                    version += 1;
                    let insert = version % 2 == 1;
                    let end = if insert {
                        position
                    } else {
                        perforch::document::Position::new(position.line, position.character + 1)
                    };
                    let change = TextChange {
                        range: Some(perforch::document::Range {
                            start: position,
                            end,
                        }),
                        text: if insert {
                            "x".to_string()
                        } else {
                            String::new()
                        },
                    };
                    document.apply_changes(
                        version,
                        std::slice::from_ref(&change),
                        PositionEncoding::Utf16,
                    );
                    black_box(function_at(&document, offset));
                })
            },
        );
    }
    group.finish();

    // The two halves, to see which one a regression is in.
    let mut group = c.benchmark_group("lookup only on 10k lines");
    for (language, fixture) in FIXTURES {
        let document = Document::new(language, 0, &large_source(language, fixture));
        let offset = edit_offset(&document);
        group.bench_with_input(
            BenchmarkId::from_parameter(language.name()),
            &language,
            |b, _| b.iter(|| black_box(function_at(&document, offset))),
        );
    }
    group.finish();
}

/// glibc's `mallinfo2`: Rust's default allocator and tree-sitter both
/// allocate through malloc, so its in-use total covers a document's rope and tree.
#[repr(C)]
#[derive(Default)]
struct MallInfo2 {
    arena: usize,
    ordblks: usize,
    smblks: usize,
    hblks: usize,
    hblkhd: usize,
    usmblks: usize,
    fsmblks: usize,
    uordblks: usize,
    fordblks: usize,
    keepcost: usize,
}

unsafe extern "C" {
    fn mallinfo2() -> MallInfo2;
}

fn heap_in_use() -> usize {
    // SAFETY: mallinfo2 only reads allocator statistics.
    let info = unsafe { mallinfo2() };
    info.uordblks + info.hblkhd
}

/// Heap held per open document, averaged over several.
fn report_memory() {
    const COPIES: usize = 20;
    println!("memory per open {LINES}-line document (heap in use / {COPIES} documents):");
    for (language, fixture) in FIXTURES {
        let text = large_source(language, fixture);
        let before = heap_in_use();
        let documents: Vec<Document> = (0..COPIES)
            .map(|i| Document::new(language, i as i32, &text))
            .collect();
        let after = heap_in_use();
        let per_document = (after.saturating_sub(before)) as f64 / COPIES as f64 / 1e6;
        println!(
            "  {:<7} {:>6.2} MB  (source {:.2} MB, {} lines)",
            language.name(),
            per_document,
            text.len() as f64 / 1e6,
            text.lines().count()
        );
        black_box(documents);
    }
}

fn main() {
    report_memory();
    let mut criterion = Criterion::default().configure_from_args();
    bench_edit_and_lookup(&mut criterion);
    criterion.final_summary();
}
