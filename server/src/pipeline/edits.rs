//! The smallest set of whole-line edits that turns one text into another.
//!
//! A job's result is a whole new file; editors want the few lines that
//! changed (an added import, the new function), so the rest of the buffer,
//! its cursor and its undo history stay as they are, and each hunk can be
//! found again after the user edits elsewhere.

use crate::analysis::ByteRange;

use super::candidate::TextEdit;

/// Above this many cells the line table is not built and the changed middle
/// becomes one edit (still correct, just coarser).
const MAX_TABLE_CELLS: usize = 4_000_000;

/// Whole-line edits, in order and non-overlapping, such that
/// `apply_edits(old, &edits_between(old, new)) == new`.
pub fn edits_between(old: &str, new: &str) -> Vec<TextEdit> {
    let old_lines = lines_of(old);
    let new_lines = lines_of(new);
    let prefix = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(a, b)| a.text == b.text)
        .count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(a, b)| a.text == b.text)
        .count();
    let old_middle = &old_lines[prefix..old_lines.len() - suffix];
    let new_middle = &new_lines[prefix..new_lines.len() - suffix];
    if old_middle.is_empty() && new_middle.is_empty() {
        return Vec::new();
    }
    let pairs = if old_middle.len().saturating_mul(new_middle.len()) <= MAX_TABLE_CELLS {
        common_lines(old_middle, new_middle)
    } else {
        Vec::new()
    };
    let old_end = old_lines
        .get(old_lines.len() - suffix)
        .map_or(old.len(), |line| line.start);
    let new_end = new_lines
        .get(new_lines.len() - suffix)
        .map_or(new.len(), |line| line.start);
    let old_start = old_middle.first().map_or(old_end, |line| line.start);
    let new_start = new_middle.first().map_or(new_end, |line| line.start);
    // Walk the matched lines; the gaps between them are the edits.
    let mut edits = Vec::new();
    let (mut old_at, mut new_at) = (old_start, new_start);
    let anchors = pairs
        .iter()
        .map(|&(i, j)| (old_middle[i], new_middle[j]))
        .chain(std::iter::once((Line::at(old_end), Line::at(new_end))));
    for (old_line, new_line) in anchors {
        if old_line.start > old_at || new_line.start > new_at {
            edits.push(TextEdit {
                range: ByteRange {
                    start: old_at,
                    end: old_line.start,
                },
                text: new[new_at..new_line.start].to_string(),
            });
        }
        old_at = old_line.start + old_line.text.len();
        new_at = new_line.start + new_line.text.len();
    }
    edits
}

#[derive(Clone, Copy)]
struct Line<'t> {
    start: usize,
    /// With its terminator.
    text: &'t str,
}

impl Line<'_> {
    fn at(start: usize) -> Line<'static> {
        Line { start, text: "" }
    }
}

fn lines_of(text: &str) -> Vec<Line<'_>> {
    let mut start = 0;
    text.split_inclusive('\n')
        .map(|line| {
            let item = Line { start, text: line };
            start += line.len();
            item
        })
        .collect()
}

/// Indices of a longest common subsequence of lines.
fn common_lines(old: &[Line], new: &[Line]) -> Vec<(usize, usize)> {
    let (n, m) = (old.len(), new.len());
    let width = m + 1;
    // lengths[i * width + j]: LCS of old[i..] and new[j..].
    let mut lengths = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[i * width + j] = if old[i].text == new[j].text {
                lengths[(i + 1) * width + j + 1] + 1
            } else {
                lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut pairs = Vec::new();
    while i < n && j < m {
        if old[i].text == new[j].text {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::apply_edits;

    fn check(old: &str, new: &str) -> Vec<TextEdit> {
        let edits = edits_between(old, new);
        assert_eq!(apply_edits(old, &edits), new, "{edits:?}");
        edits
    }

    #[test]
    fn an_added_import_and_a_new_body_are_separate_edits() {
        let old = "import os\n\nX = 1\n\ndef f(a):\n    return a + X\n\nprint(f(2))\n";
        let new = "import os\nimport math\n\nX = 1\n\ndef f(a):\n    return math.fsum([a, X])\n\nprint(f(2))\n";
        let edits = check(old, new);
        assert_eq!(edits.len(), 2, "{edits:?}");
        assert_eq!(edits[0].text, "import math\n");
        assert_eq!(edits[0].range.start, edits[0].range.end, "an insertion");
        assert_eq!(
            &old[edits[1].range.start..edits[1].range.end],
            "    return a + X\n"
        );
    }

    #[test]
    fn identical_empty_and_unterminated_texts() {
        assert!(check("a\nb\n", "a\nb\n").is_empty());
        check("", "def f():\n    pass");
        check("def f():\n    pass", "");
        check("a\nb", "a\nc");
        check("a\nb\n", "a\nb");
        check("x\ny\nx\ny\n", "y\nx\ny\nx\n");
    }
}
