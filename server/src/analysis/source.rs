//! Node text straight from the document's rope: looking up a function must
//! not copy a large file into one string on every request.

use std::borrow::Cow;

use ropey::{Rope, iter::Chunks};
use tree_sitter::{Node, TextProvider};

pub(super) struct SourceText<'a>(&'a Rope);

impl<'a> SourceText<'a> {
    pub(super) fn new(rope: &'a Rope) -> SourceText<'a> {
        SourceText(rope)
    }

    /// The node's text; borrowed when it lies in one chunk of the rope.
    pub(super) fn str(&self, node: Node) -> Cow<'a, str> {
        self.0.byte_slice(node.byte_range()).into()
    }

    pub(super) fn text(&self, node: Node) -> String {
        self.str(node).into_owned()
    }
}

/// Query predicates (`#eq?`, `#match?`) read node text through this.
impl<'a> TextProvider<&'a [u8]> for &SourceText<'a> {
    type I = std::iter::Map<Chunks<'a>, fn(&'a str) -> &'a [u8]>;

    fn text(&mut self, node: Node) -> Self::I {
        self.0
            .byte_slice(node.byte_range())
            .chunks()
            .map(str::as_bytes)
    }
}
