//! A finished job's result, and where it applies in the document today.
//!
//! A result is computed for one version of a document. The user keeps
//! typing, so before it is shown or offered it is anchored to the current
//! text: the function is found again by name, and when its lines are
//! exactly as the job read them the edits move with it. Edits outside the
//! function (an added import) are found again by their surrounding lines.
//! Anything else makes the result stale: it is reported as such and no edit
//! is ever produced for text it was not computed for, unless the function
//! now reads exactly as the accepted version: the result was applied.

use std::path::PathBuf;

use crate::analysis::{self, ByteRange, Function};
use crate::document::Document;
use crate::pipeline::{Report, TextEdit, edits_between};

use super::commands::Goal;

#[derive(Debug)]
pub(crate) struct JobResult {
    pub job_id: u64,
    pub goal: Goal,
    pub function: String,
    /// The document version the job read.
    pub computed_version: i32,
    /// The whole text the job read.
    snapshot: String,
    /// The function's whole lines in `snapshot`, and where they start.
    region: ByteRange,
    /// Edits of `snapshot` that give the accepted version (none when
    /// nothing was accepted).
    edits: Vec<TextEdit>,
    /// The function's whole lines in the accepted version, to recognise
    /// the result once the user applied it.
    applied_region: Option<String>,
    pub report: Report,
    /// The markdown report on disk, when it could be written.
    pub report_path: Option<PathBuf>,
}

/// Where a result stands against the current document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Anchor {
    /// The function is as the job read it; the edits (maybe none) are in
    /// the current document's byte offsets.
    Current {
        function: Function,
        edits: Vec<TextEdit>,
    },
    /// The function (or text an edit needs) changed since the job read it.
    Stale { function: Function },
    /// The function reads as the accepted version: the user applied it.
    Applied { function: Function },
    /// No function of that name any more.
    Gone,
}

impl JobResult {
    pub fn new(
        job_id: u64,
        goal: Goal,
        snapshot: &Document,
        function: &Function,
        report: Report,
        report_path: Option<PathBuf>,
    ) -> JobResult {
        let text = snapshot.source();
        let edits = match (&report.new_file_text, report.accepted) {
            (Some(new_text), true) => edits_between(&text, new_text),
            _ => Vec::new(),
        };
        let applied_region = match (&report.new_file_text, edits.is_empty()) {
            (Some(new_text), false) => applied_region(snapshot, function, new_text),
            _ => None,
        };
        JobResult {
            job_id,
            goal,
            function: analysis::qualified_name(function),
            computed_version: snapshot.version(),
            applied_region,
            region: whole_lines(snapshot, function.range),
            snapshot: text,
            edits,
            report,
            report_path,
        }
    }

    /// Whether the job produced a version to apply.
    pub fn offers_edit(&self) -> bool {
        !self.edits.is_empty()
    }

    pub fn anchor(&self, document: &Document) -> Anchor {
        let candidates: Vec<Function> = analysis::functions(document)
            .into_iter()
            .filter(|function| analysis::qualified_name(function) == self.function)
            .collect();
        let region_text = &self.snapshot[self.region.start..self.region.end];
        let unchanged = candidates.iter().find(|function| {
            let region = whole_lines(document, function.range);
            region.end - region.start == region_text.len()
                && document.slice(region.start..region.end) == region_text
        });
        let Some(function) = unchanged.cloned() else {
            let applied = self.applied_region.as_deref().and_then(|applied| {
                candidates.iter().find(|function| {
                    let region = whole_lines(document, function.range);
                    document.slice(region.start..region.end) == applied
                })
            });
            if let Some(function) = applied {
                return Anchor::Applied {
                    function: function.clone(),
                };
            }
            return match candidates
                .into_iter()
                .min_by_key(|f| f.range.start.abs_diff(self.region.start))
            {
                Some(function) => Anchor::Stale { function },
                None => Anchor::Gone,
            };
        };
        // A version names one text while the document stays open; a
        // reopened document may reuse the number, so the text is compared too.
        if document.version() == self.computed_version && *document.text() == self.snapshot {
            return Anchor::Current {
                function,
                edits: self.edits.clone(),
            };
        }
        match self.moved_edits(document, whole_lines(document, function.range).start) {
            Some(edits) => Anchor::Current { function, edits },
            None => Anchor::Stale { function },
        }
    }

    /// The edits in the current document, or `None` if one cannot be placed.
    fn moved_edits(&self, document: &Document, region_start: usize) -> Option<Vec<TextEdit>> {
        let inside = |edit: &TextEdit| {
            self.region.start <= edit.range.start && edit.range.end <= self.region.end
        };
        let current = if self.edits.iter().all(inside) {
            None
        } else {
            Some(document.source())
        };
        let mut moved = Vec::with_capacity(self.edits.len());
        for edit in &self.edits {
            let start = if inside(edit) {
                edit.range.start - self.region.start + region_start
            } else {
                self.find_again(current.as_deref()?, edit.range)?
            };
            moved.push(TextEdit {
                range: ByteRange {
                    start,
                    end: start + (edit.range.end - edit.range.start),
                },
                text: edit.text.clone(),
            });
        }
        moved.sort_by_key(|edit| edit.range.start);
        let overlapping = moved
            .windows(2)
            .any(|pair| pair[0].range.end > pair[1].range.start);
        (!overlapping).then_some(moved)
    }

    /// Where the snapshot's `range` is in `current`: its lines and one line
    /// either side must occur exactly once (and at the very start or end
    /// when they were at the start or end of the file).
    fn find_again(&self, current: &str, range: ByteRange) -> Option<usize> {
        let snapshot = self.snapshot.as_str();
        let context_start = if range.start == 0 {
            0
        } else {
            line_start(snapshot, range.start - 1)
        };
        let context_end = if range.end == snapshot.len() {
            range.end
        } else {
            line_end(snapshot, range.end)
        };
        let needle = &snapshot[context_start..context_end];
        if needle.is_empty() {
            return None;
        }
        // With no line before (after) it, the edit is pinned to the start (end).
        let at_start = range.start == 0;
        let at_end = range.end == snapshot.len();
        let mut found = current
            .match_indices(needle)
            .map(|(at, _)| at)
            .filter(|&at| {
                (!at_start || at == 0) && (!at_end || at + needle.len() == current.len())
            });
        let at = found.next()?;
        if found.next().is_some() {
            return None;
        }
        Some(at + (range.start - context_start))
    }
}

/// The whole lines of `function` in the accepted text: the function of that
/// name nearest to where it was.
fn applied_region(snapshot: &Document, function: &Function, new_text: &str) -> Option<String> {
    let accepted = Document::new(snapshot.language(), snapshot.version(), new_text);
    let function = analysis::functions(&accepted)
        .into_iter()
        .filter(|candidate| {
            candidate.name == function.name && candidate.container == function.container
        })
        .min_by_key(|candidate| candidate.range.start.abs_diff(function.range.start))?;
    let region = whole_lines(&accepted, function.range);
    Some(accepted.slice(region.start..region.end))
}

/// The whole lines `range` touches, with the last line's terminator.
fn whole_lines(document: &Document, range: ByteRange) -> ByteRange {
    let text = document.text();
    let first = text.byte_to_line(range.start);
    let last = text.byte_to_line(range.end.saturating_sub(1).max(range.start));
    let end = if last + 1 < text.len_lines() {
        text.line_to_byte(last + 1)
    } else {
        text.len_bytes()
    };
    ByteRange {
        start: text.line_to_byte(first),
        end,
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |newline| newline + 1)
}

fn line_end(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |newline| offset + newline + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{PositionEncoding, Range, TextChange};
    use crate::language::Language;
    use crate::pipeline::apply_edits;

    const BEFORE: &str = "import os\n\n\ndef slow(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n\n\ndef other():\n    return 1\n";
    const AFTER: &str = "import os\nimport math\n\n\ndef slow(xs):\n    return math.fsum(xs)\n\n\ndef other():\n    return 1\n";

    fn result_for(document: &Document) -> JobResult {
        let function = analysis::functions(document)
            .into_iter()
            .find(|f| f.name == "slow")
            .unwrap();
        let report: Report = serde_json::from_value(serde_json::json!({
            "function": "slow", "language": "python", "metric": "time", "categories": [],
            "accepted": true, "verdict": "faster", "speedup": 3.0, "code": null,
            "new_file_text": AFTER, "figures": null, "llm_calls": 1, "input_tokens": 1,
            "output_tokens": 1, "cost_usd": 0.0, "iterations": [],
            "evidence": {"doc_examples": 0, "generated": 0, "stress": 0, "dropped": [], "workspace_tests": []},
            "notes": [], "wall_ms": 1, "overhead_ms": 1
        }))
        .unwrap();
        JobResult::new(1, Goal::Speed, document, &function, report, None)
    }

    fn edit(
        document: &mut Document,
        version: i32,
        line: u32,
        character: u32,
        end: (u32, u32),
        text: &str,
    ) {
        let change = TextChange {
            range: Some(Range {
                start: crate::document::Position::new(line, character),
                end: crate::document::Position::new(end.0, end.1),
            }),
            text: text.to_string(),
        };
        document.apply_changes(version, &[change], PositionEncoding::Utf8);
    }

    fn applied(document: &Document, anchor: Anchor) -> String {
        let Anchor::Current { edits, .. } = anchor else {
            panic!("expected a current anchor, got {anchor:?}")
        };
        apply_edits(&document.source(), &edits)
    }

    #[test]
    fn same_version_gives_the_accepted_text() {
        let document = Document::new(Language::Python, 4, BEFORE);
        let result = result_for(&document);
        assert_eq!(applied(&document, result.anchor(&document)), AFTER);
    }

    #[test]
    fn edits_elsewhere_move_the_edits_along() {
        let mut document = Document::new(Language::Python, 4, BEFORE);
        let result = result_for(&document);
        edit(&mut document, 5, 0, 0, (0, 0), "# header\n");
        edit(&mut document, 6, 12, 12, (12, 12), "  # one");
        let text = applied(&document, result.anchor(&document));
        assert!(
            text.starts_with("# header\nimport os\nimport math\n"),
            "{text}"
        );
        assert!(text.contains("    return math.fsum(xs)\n"), "{text}");
        assert!(text.ends_with("    return 1  # one\n"), "{text}");
    }

    #[test]
    fn an_edit_inside_the_function_makes_it_stale_and_undo_makes_it_current() {
        let mut document = Document::new(Language::Python, 4, BEFORE);
        let result = result_for(&document);
        edit(&mut document, 5, 4, 4, (4, 4), "# ");
        assert!(matches!(result.anchor(&document), Anchor::Stale { .. }));
        edit(&mut document, 6, 4, 4, (4, 6), "");
        assert_eq!(applied(&document, result.anchor(&document)), AFTER);
    }

    #[test]
    fn the_applied_version_is_recognised_and_undo_brings_the_edit_back() {
        let mut document = Document::new(Language::Python, 4, BEFORE);
        let result = result_for(&document);
        let Anchor::Current { edits, .. } = result.anchor(&document) else {
            panic!("current")
        };
        let change = TextChange {
            range: None,
            text: apply_edits(&document.source(), &edits),
        };
        document.apply_changes(5, &[change], PositionEncoding::Utf8);
        assert!(
            matches!(&result.anchor(&document), Anchor::Applied { function } if function.name == "slow"),
            "{:?}",
            result.anchor(&document)
        );
        let undo = TextChange {
            range: None,
            text: BEFORE.to_string(),
        };
        document.apply_changes(6, &[undo], PositionEncoding::Utf8);
        assert_eq!(applied(&document, result.anchor(&document)), AFTER);
    }

    #[test]
    fn a_reopened_document_reusing_the_version_number_is_checked_by_text() {
        let document = Document::new(Language::Python, 4, BEFORE);
        let result = result_for(&document);
        let reopened = Document::new(
            Language::Python,
            4,
            &BEFORE.replace("import os", "import sys"),
        );
        assert!(matches!(result.anchor(&reopened), Anchor::Stale { .. }));
    }

    #[test]
    fn a_changed_import_context_makes_it_stale_and_a_rename_removes_it() {
        let mut document = Document::new(Language::Python, 4, BEFORE);
        let result = result_for(&document);
        edit(&mut document, 5, 0, 7, (0, 9), "sys");
        assert!(matches!(result.anchor(&document), Anchor::Stale { .. }));
        edit(&mut document, 6, 3, 4, (3, 8), "quick");
        assert_eq!(result.anchor(&document), Anchor::Gone);
    }
}
