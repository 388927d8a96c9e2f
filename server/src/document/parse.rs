//! Parsing straight from the rope's chunks, with one parser per language per
//! thread (a tree-sitter parser is not `Sync`, and creating one per parse
//! would cost more than a small incremental re-parse).

use std::cell::RefCell;
use std::collections::HashMap;

use ropey::Rope;
use tree_sitter::{Parser, Tree};

use crate::language::Language;

thread_local! {
    static PARSERS: RefCell<HashMap<Language, Parser>> = RefCell::new(HashMap::new());
}

pub(super) fn parse(language: Language, text: &Rope, old_tree: Option<&Tree>) -> Tree {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = parsers.entry(language).or_insert_with(|| {
            let mut parser = Parser::new();
            parser
                .set_language(&language.tree_sitter())
                .expect("the bundled grammars match the tree-sitter ABI we link");
            parser
        });
        let mut read_chunk = |byte: usize, _| -> &[u8] {
            if byte >= text.len_bytes() {
                return &[];
            }
            let (chunk, chunk_start, _, _) = text.chunk_at_byte(byte);
            &chunk.as_bytes()[byte - chunk_start..]
        };
        parser
            .parse_with_options(&mut read_chunk, old_tree, None)
            .expect("tree-sitter always returns a tree without a timeout or cancellation flag")
    })
}
