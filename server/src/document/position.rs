//! Conversions between byte offsets and editor positions.
//!
//! Editors count columns in UTF-16 code units (the LSP default) or, when both
//! sides agree, in UTF-8 bytes. Everything inside perforch works on byte
//! offsets; these functions are the only place columns are interpreted.
//! Out-of-range positions are clamped, never rejected: a line past the end
//! means the end of the document, a column past the end of a line means the
//! end of that line, and a column inside a multi-unit character rounds down to
//! the start of that character.

use ropey::Rope;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PositionEncoding {
    Utf8,
    /// What LSP clients use unless they announce otherwise.
    #[default]
    Utf16,
}

/// A zero-based line and column, the column counted in the negotiated encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub fn new(line: u32, character: u32) -> Position {
        Position { line, character }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// The byte range of a line's content, without its terminator (`\n`, `\r\n` or `\r`).
fn line_content(rope: &Rope, line: usize) -> (usize, usize) {
    let start = rope.line_to_byte(line);
    let next = if line + 1 < rope.len_lines() {
        rope.line_to_byte(line + 1)
    } else {
        rope.len_bytes()
    };
    let mut end = next;
    if end > start && rope.byte(end - 1) == b'\n' {
        end -= 1;
    }
    if end > start && rope.byte(end - 1) == b'\r' {
        end -= 1;
    }
    (start, end)
}

/// The byte offset of `position`, clamped into the document.
pub fn offset_at(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let (start, end) = line_content(rope, line);
    let column = position.character as usize;
    match encoding {
        PositionEncoding::Utf8 => {
            let byte = (start + column).min(end);
            // Round down to a character boundary.
            rope.char_to_byte(rope.byte_to_char(byte))
        }
        PositionEncoding::Utf16 => {
            let start_char = rope.byte_to_char(start);
            let end_char = rope.byte_to_char(end);
            let start_units = rope.char_to_utf16_cu(start_char);
            let end_units = rope.char_to_utf16_cu(end_char);
            let units = (start_units + column).min(end_units);
            // `utf16_cu_to_char` maps a unit inside a surrogate pair to its character.
            rope.char_to_byte(rope.utf16_cu_to_char(units))
        }
    }
}

/// The position of byte `offset`, clamped into the document and rounded down
/// to a character boundary.
pub fn position_at(rope: &Rope, offset: usize, encoding: PositionEncoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let char_index = rope.byte_to_char(offset);
    let line = rope.char_to_line(char_index);
    let line_start_char = rope.line_to_char(line);
    let character = match encoding {
        PositionEncoding::Utf8 => rope.char_to_byte(char_index) - rope.line_to_byte(line),
        PositionEncoding::Utf16 => {
            rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(line_start_char)
        }
    };
    Position::new(line as u32, character as u32)
}

/// The byte range of `range`, clamped; a reversed range is treated as empty at its start.
pub fn byte_range(rope: &Rope, range: Range, encoding: PositionEncoding) -> std::ops::Range<usize> {
    let start = offset_at(rope, range.start, encoding);
    let end = offset_at(rope, range.end, encoding).max(start);
    start..end
}

pub fn range_of(rope: &Rope, bytes: std::ops::Range<usize>, encoding: PositionEncoding) -> Range {
    Range {
        start: position_at(rope, bytes.start, encoding),
        end: position_at(rope, bytes.end, encoding),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_as_two() {
        // "é" is 2 bytes / 1 unit, "😀" is 4 bytes / 2 units.
        let rope = Rope::from_str("aé😀b\nx");
        assert_eq!(offset_at(&rope, pos(0, 2), PositionEncoding::Utf16), 3);
        assert_eq!(offset_at(&rope, pos(0, 4), PositionEncoding::Utf16), 7);
        assert_eq!(position_at(&rope, 7, PositionEncoding::Utf16), pos(0, 4));
        assert_eq!(position_at(&rope, 7, PositionEncoding::Utf8), pos(0, 7));
        // Inside the surrogate pair: rounds down to the emoji's start.
        assert_eq!(offset_at(&rope, pos(0, 3), PositionEncoding::Utf16), 3);
    }

    #[test]
    fn utf8_columns_inside_a_character_round_down() {
        let rope = Rope::from_str("aé😀b");
        assert_eq!(offset_at(&rope, pos(0, 2), PositionEncoding::Utf8), 1);
        assert_eq!(offset_at(&rope, pos(0, 5), PositionEncoding::Utf8), 3);
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let rope = Rope::from_str("abc\r\nde\n");
        // Column past the end of a CRLF line stops before the terminator.
        assert_eq!(offset_at(&rope, pos(0, 99), PositionEncoding::Utf16), 3);
        assert_eq!(offset_at(&rope, pos(1, 99), PositionEncoding::Utf8), 7);
        // Line past the end is the end of the document.
        assert_eq!(offset_at(&rope, pos(42, 0), PositionEncoding::Utf16), 8);
        assert_eq!(position_at(&rope, 1000, PositionEncoding::Utf16), pos(2, 0));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let rope = Rope::from_str("a\r\nb\rc\nd");
        for (line, byte) in [(0, 0), (1, 3), (2, 5), (3, 7)] {
            assert_eq!(
                offset_at(&rope, pos(line, 0), PositionEncoding::Utf16),
                byte
            );
            assert_eq!(
                position_at(&rope, byte, PositionEncoding::Utf16),
                pos(line, 0)
            );
        }
    }

    #[test]
    fn reversed_ranges_become_empty() {
        let rope = Rope::from_str("hello");
        let range = Range {
            start: pos(0, 4),
            end: pos(0, 1),
        };
        assert_eq!(byte_range(&rope, range, PositionEncoding::Utf8), 4..4);
    }
}
