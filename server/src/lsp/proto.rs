//! Conversions between LSP types and perforch's own. The rest of the crate
//! never sees an LSP type; this file and the handlers are the only users.

use tower_lsp_server::ls_types as lsp;

use crate::document::{Position, PositionEncoding, Range, TextChange};

pub(crate) fn position(position: lsp::Position) -> Position {
    Position::new(position.line, position.character)
}

pub(crate) fn range(range: lsp::Range) -> Range {
    Range {
        start: position(range.start),
        end: position(range.end),
    }
}

pub(crate) fn text_change(change: lsp::TextDocumentContentChangeEvent) -> TextChange {
    TextChange {
        range: change.range.map(range),
        text: change.text,
    }
}

pub(crate) fn to_lsp_encoding(encoding: PositionEncoding) -> lsp::PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => lsp::PositionEncodingKind::UTF16,
    }
}
