//! Conversions between LSP types and perforch's own. The rest of the crate
//! never sees an LSP type; this file and the handlers are the only users.

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ByteRange;
use crate::document::{Document, Position, PositionEncoding, Range, TextChange};
use crate::pipeline::TextEdit;

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

pub(crate) fn to_lsp_position(position: Position) -> lsp::Position {
    lsp::Position::new(position.line, position.character)
}

/// A byte range of `document` as an editor range in `encoding`.
pub(crate) fn to_lsp_range(
    document: &Document,
    bytes: ByteRange,
    encoding: PositionEncoding,
) -> lsp::Range {
    let range = document.range_of(bytes.start..bytes.end, encoding);
    lsp::Range::new(to_lsp_position(range.start), to_lsp_position(range.end))
}

/// Edits of `document` as a workspace edit pinned to its version: an editor
/// applies it only to exactly the text it was computed for.
pub(crate) fn versioned_edit(
    uri: &lsp::Uri,
    document: &Document,
    edits: &[TextEdit],
    encoding: PositionEncoding,
) -> lsp::WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|edit| {
            lsp::OneOf::Left(lsp::TextEdit {
                range: to_lsp_range(document, edit.range, encoding),
                new_text: edit.text.clone(),
            })
        })
        .collect();
    lsp::WorkspaceEdit {
        document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
            text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                uri: uri.clone(),
                version: Some(document.version()),
            },
            edits,
        }])),
        ..Default::default()
    }
}

/// A progress token as the string perforch created it with.
pub(crate) fn token_text(token: &lsp::NumberOrString) -> String {
    match token {
        lsp::NumberOrString::String(text) => text.clone(),
        lsp::NumberOrString::Number(number) => number.to_string(),
    }
}

/// The file behind a `file:` URI.
pub(crate) fn file_path(uri: &lsp::Uri) -> Option<std::path::PathBuf> {
    uri.to_file_path().map(|path| path.into_owned())
}
