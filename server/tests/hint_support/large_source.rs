//! The 10,000-line file per language that `benches/hints.rs` times and
//! `tests/hints.rs` checks the cache on: the language's hint fixtures
//! (`fixtures/hints/<lang>/`) one after the other, repeated, so it is dense
//! with both hints and near misses.

use std::path::Path;

use perforch::language::Language;

pub const LINES: usize = 10_000;

/// The language's fixtures, one after the other, repeated to 10,000 lines.
/// Go and Java keep one package clause and their imports at the top, so the
/// result still parses without errors.
pub fn large_source(language: Language) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/hints")
        .join(language.name());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| Language::from_path(path) == Some(language))
        .collect();
    files.sort();
    let mut header = String::new();
    let mut unit = String::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let (file_header, body) = split_header(language, &text);
        for line in file_header.lines() {
            if !header.lines().any(|known| known == line) {
                header.push_str(line);
                header.push('\n');
            }
        }
        unit.push_str(&body);
        unit.push('\n');
    }
    let mut text = header;
    while text.lines().count() < LINES {
        text.push_str(&unit);
    }
    text
}

/// The package clause and imports of a Go or Java file (one per line), and the rest.
fn split_header(language: Language, text: &str) -> (String, String) {
    let mut header = String::new();
    let mut body = String::new();
    let mut in_import_block = false;
    for line in text.lines() {
        let trimmed = line.trim();
        let is_header = match language {
            Language::Go => {
                if trimmed == "import (" {
                    in_import_block = true;
                    continue;
                }
                if in_import_block {
                    if trimmed == ")" {
                        in_import_block = false;
                    } else if !trimmed.is_empty() {
                        header.push_str(&format!("import {trimmed}\n"));
                    }
                    continue;
                }
                trimmed.starts_with("package ") || trimmed.starts_with("import ")
            }
            Language::Java => trimmed.starts_with("import "),
            _ => false,
        };
        let target = if is_header { &mut header } else { &mut body };
        target.push_str(line);
        target.push('\n');
    }
    (header, body)
}
