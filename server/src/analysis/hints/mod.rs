//! Static performance hints: code patterns with a known cost (a list
//! searched inside a loop, a string rebuilt on every iteration, a regular
//! expression compiled again and again...), found with the tree-sitter
//! queries of `queries/<lang>/hints.scm` and confirmed by small predicates.
//!
//! Precision comes before recall: a hint is reported only when the code
//! around it says the cost is real (the loop repeats it, the variable is
//! known to be a list and outlives the iteration...). When in doubt, nothing
//! is reported. `catalog::CATALOG` lists every hint; ids are stable.
//!
//! No IO and no LSP types: the CLI (`perforch check`) and the language
//! server call the same function.

mod catalog;
mod chunks;
mod context;
mod cpp;
mod families;
mod go;
mod java;
mod python;
mod rust;
mod scan;
mod syntax;

pub use catalog::{CATALOG, HintInfo, info};

use std::collections::HashMap;

use context::Cx;
use tree_sitter::{Node, QueryCursor};

use super::ByteRange;
use super::queries;
use crate::document::Document;

/// One hint: a pattern with a known cost, where it is and what it costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    /// Stable id from the catalog, e.g. `py-list-membership-in-loop`.
    pub id: &'static str,
    /// What to underline: the expression or statement, or a loop's header.
    pub range: ByteRange,
    /// One line: what this code does and what it costs, and the usual remedy.
    pub message: String,
    /// The enclosing named function or method, if any.
    pub function: Option<String>,
}

/// Every hint in the document, in source order.
pub fn hints(document: &Document) -> Vec<Hint> {
    HintCache::default().hints(document)
}

/// The hints of each function, kept between passes over one document: after
/// an edit, only the functions whose text changed are analysed again. A
/// language server keeps one per open document; results are exactly those
/// of [`hints`].
#[derive(Debug, Default)]
pub struct HintCache {
    /// Hints of a function, by chunk key, with ranges relative to its start.
    functions: HashMap<u64, Vec<Hint>>,
}

impl HintCache {
    pub fn new() -> HintCache {
        HintCache::default()
    }

    /// Every hint in the document, in source order.
    pub fn hints(&mut self, document: &Document) -> Vec<Hint> {
        let source = document.source();
        let language = document.language();
        let root = document.tree().root_node();
        // Only the previous pass is reused, never an earlier function of
        // this pass: a first pass costs a full analysis whatever the file.
        let previous = std::mem::take(&mut self.functions);
        let mut kept = HashMap::with_capacity(previous.len());
        let mut found = Vec::new();
        let mut cursor = QueryCursor::new();
        for chunk in chunks::chunks(language, root, &source) {
            let start = chunk.node.start_byte();
            if !chunk.function {
                found.extend(analyse(document, &mut cursor, &source, chunk.node));
                continue;
            }
            let relative = match previous.get(&chunk.key) {
                Some(cached) => cached.clone(),
                None => analyse(document, &mut cursor, &source, chunk.node)
                    .into_iter()
                    .map(|hint| Hint {
                        range: shift(hint.range, start, false),
                        ..hint
                    })
                    .collect(),
            };
            found.extend(relative.iter().map(|hint| Hint {
                range: shift(hint.range, start, true),
                ..hint.clone()
            }));
            kept.insert(chunk.key, relative);
        }
        // Functions no longer in the document are forgotten.
        self.functions = kept;
        found.sort_by_key(|hint| (hint.range.start, hint.id));
        // Two patterns can describe the same site (`s = s + x` is a candidate
        // for string and list concatenation): report it once per id.
        found.dedup_by(|a, b| a.id == b.id && a.range == b.range);
        found
    }
}

/// Moves a range by `offset`: forward (`true`) or back.
fn shift(range: ByteRange, offset: usize, forward: bool) -> ByteRange {
    if forward {
        ByteRange {
            start: range.start + offset,
            end: range.end + offset,
        }
    } else {
        ByteRange {
            start: range.start - offset,
            end: range.end - offset,
        }
    }
}

/// The hints inside `node`, a function or a top-level statement: one query
/// pass over its subtree, then each candidate's predicate.
fn analyse(
    document: &Document,
    cursor: &mut QueryCursor,
    source: &str,
    node: Node<'_>,
) -> Vec<Hint> {
    let language = document.language();
    let root = document.tree().root_node();
    let scanned = scan::scan(&queries::for_language(language).hints, cursor, node, source);
    let mut cx = Cx::new(language, source, root, scanned.frames);
    let mut found = Vec::new();
    for site in &scanned.sites {
        let Some(message) = syntax::check(&mut cx, site) else {
            continue;
        };
        let Some(info) = catalog::info(site.id) else {
            debug_assert!(
                false,
                "queries/{}/hints.scm names an unknown hint {}",
                language.name(),
                site.id
            );
            continue;
        };
        found.push(Hint {
            id: info.id,
            range: report_range(site, source),
            message: one_line(&message),
            function: cx.function_name(site),
        });
    }
    found
}

/// A loop is reported on its header only: underlining its whole body would
/// bury everything else in it. A pattern may also say where its range starts
/// (`@report.start`), to underline the end of a long method chain.
fn report_range(site: &scan::Site<'_>, source: &str) -> ByteRange {
    let node = site.node;
    let start = site
        .capture("report.start")
        .map_or(node.start_byte(), |start| start.start_byte());
    let end = match node
        .child_by_field_name("body")
        .filter(|_| is_loop(node.kind()))
    {
        Some(body) => start + source[start..body.start_byte()].trim_end().len(),
        None => node.end_byte(),
    };
    ByteRange { start, end }
}

/// Messages quote code, which may span lines (`report\n    .output`): join
/// them back into one line, with no space before a `.` that began a line.
fn one_line(message: &str) -> String {
    if !message.contains('\n') {
        return message.to_string();
    }
    let mut joined = String::with_capacity(message.len());
    for (index, line) in message.split('\n').enumerate() {
        let line = if index == 0 {
            line.trim_end()
        } else {
            line.trim()
        };
        if index > 0 && !line.starts_with('.') {
            joined.push(' ');
        }
        joined.push_str(line);
    }
    joined
}

fn is_loop(kind: &str) -> bool {
    matches!(
        kind,
        "for_statement"
            | "enhanced_for_statement"
            | "for_range_loop"
            | "while_statement"
            | "for_expression"
    )
}
