//! Deterministic source rewrites for the static hints that have a
//! mechanical fix. Each language module turns one hint into a [`Rewrite`]:
//! text edits inside the function (and imports it needs), or nothing when
//! the code around the hint does not match the rewrite's precondition
//! exactly. The preconditions are syntactic only; the pipeline's judge is
//! what decides whether a rewrite keeps the function's behaviour.

mod cpp;
mod go;
mod java;
mod python;
mod rust;
mod syntax;

use tree_sitter::Node;

use crate::analysis::{ByteRange, Function, Hint, functions, hints};
use crate::document::Document;
use crate::language::Language;
use crate::pipeline::CandidateCode;

/// The hints that have a rewrite (docs/hints.md lists them for users; a
/// hint left out here is never rewritten).
pub const FIXED_HINTS: &[&str] = &[
    "py-list-membership-in-loop",
    "py-sorted-for-min-max",
    "java-string-concat-in-loop",
    "java-list-contains-in-loop",
    "java-regex-in-loop",
    "cpp-string-concat-in-loop",
    "cpp-container-by-value",
    "cpp-push-back-without-reserve",
    "go-string-concat-in-loop",
    "go-append-without-prealloc",
    "go-regexp-compile-in-loop",
    "rust-vec-contains-in-loop",
    "rust-collect-then-len",
    "rust-push-without-capacity",
    "rust-regex-in-loop",
];

/// One replacement, in byte offsets of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Edit {
    pub fn replace(node: Node<'_>, text: impl Into<String>) -> Edit {
        Edit {
            start: node.start_byte(),
            end: node.end_byte(),
            text: text.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            start: at,
            end: at,
            text: text.into(),
        }
    }

    fn overlaps(&self, other: &Edit) -> bool {
        // Two insertions at one point would have an order nobody chose.
        self.start < other.end && other.start < self.end || self.start == other.start
    }
}

/// One mechanical fix of one hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The hint it fixes, e.g. `py-list-membership-in-loop`.
    pub hint: &'static str,
    /// What it does, in one sentence, for the reply.
    pub description: String,
    pub edits: Vec<Edit>,
    /// Import lines the rewritten function needs (e.g. Go `import "strings"`).
    pub imports: Vec<String>,
}

/// A version of the function, as a model would write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The function's new text, its first line indented like the original's
    /// (so the candidate parser unindents it the same way), after imports.
    pub code: String,
    /// The function alone, as the pipeline will see it (to compare with
    /// versions already tried).
    pub function: String,
    /// One sentence per rewrite applied.
    pub applied: Vec<String>,
}

/// Where a language module looks: the parsed file, the function and one hint.
pub(crate) struct Site<'a> {
    pub source: &'a str,
    pub root: Node<'a>,
    pub function: &'a Function,
    pub hint: &'a Hint,
}

impl<'a> Site<'a> {
    /// The smallest node covering the hint's range.
    pub fn node(&self) -> Option<Node<'a>> {
        self.root
            .descendant_for_byte_range(self.hint.range.start, self.hint.range.end)
    }

    pub fn text(&self, node: Node<'_>) -> &'a str {
        &self.source[node.byte_range()]
    }

    /// The function's own text (to pick names that do not clash).
    pub fn function_text(&self) -> &'a str {
        &self.source[self.function.range.as_range()]
    }
}

/// Every rewrite that applies to `function` in `file_text`, in source order.
pub fn rewrites(language: Language, file_text: &str, function: &str) -> Vec<Rewrite> {
    rewrites_at(language, file_text, function, None)
}

/// [`rewrites`] of the function of that spelling spanning `line`.
fn rewrites_at(
    language: Language,
    file_text: &str,
    function: &str,
    line: Option<usize>,
) -> Vec<Rewrite> {
    let document = Document::new(language, 0, file_text);
    let Some(target) = find_function(&document, function, line) else {
        return Vec::new();
    };
    let tree = document.tree();
    let mut found: Vec<Rewrite> = Vec::new();
    let mut sites = hints(&document);
    if language == Language::Python {
        // The catalog has no Python regex hint yet: the rewrite finds its
        // own sites (constant patterns given to `re` functions in a loop).
        sites.extend(python::regex_sites(file_text, tree.root_node(), &target));
    }
    for hint in sites {
        if hint.range.start < target.range.start
            || hint.range.end > target.range.end
            || !(FIXED_HINTS.contains(&hint.id) || hint.id == python::REGEX_IN_LOOP)
        {
            continue;
        }
        let site = Site {
            source: file_text,
            root: tree.root_node(),
            function: &target,
            hint: &hint,
        };
        let rewrite = match language {
            Language::Python => python::rewrite(&site),
            Language::Java => java::rewrite(&site),
            Language::Cpp => cpp::rewrite(&site),
            Language::Go => go::rewrite(&site),
            Language::Rust => rust::rewrite(&site),
        };
        // Several hints of one variable (each `s += x` in a loop) lead to
        // the same rewrite of that variable.
        if let Some(rewrite) = rewrite
            && !found.iter().any(|known| known.edits == rewrite.edits)
        {
            found.push(rewrite);
        }
    }
    found
}

/// What the builtin model offers for `function`, best first: all
/// compatible rewrites together, then each alone (so that one rewrite the
/// judge rejects does not sink the others).
pub fn offers(language: Language, file_text: &str, function: &str) -> Vec<Offer> {
    offers_at(language, file_text, function, None)
}

/// [`offers`] for the function of that spelling spanning `line` (one of
/// several of its name).
pub fn offers_at(
    language: Language,
    file_text: &str,
    function: &str,
    line: Option<usize>,
) -> Vec<Offer> {
    let document = Document::new(language, 0, file_text);
    let Some(target) = find_function(&document, function, line) else {
        return Vec::new();
    };
    let all = rewrites_at(language, file_text, function, line);
    let mut combined: Vec<&Rewrite> = Vec::new();
    for rewrite in &all {
        let clashes = rewrite.edits.iter().any(|edit| {
            combined
                .iter()
                .flat_map(|chosen| &chosen.edits)
                .any(|other| edit.overlaps(other))
        });
        if !clashes {
            combined.push(rewrite);
        }
    }
    let mut groups: Vec<Vec<&Rewrite>> = Vec::new();
    if !combined.is_empty() {
        groups.push(combined);
    }
    if all.len() > 1 {
        groups.extend(all.iter().map(|rewrite| vec![rewrite]));
    }
    let mut offers: Vec<Offer> = Vec::new();
    for group in groups {
        let offer = render(language, file_text, &target, &group);
        if !offers.iter().any(|known| known.function == offer.function) {
            offers.push(offer);
        }
    }
    offers
}

/// The function `spelling` (`f`, `Class.f`) names; among several, the one
/// spanning `line`, else a free function (what a bare name means).
fn find_function(document: &Document, spelling: &str, line: Option<usize>) -> Option<Function> {
    let all = functions(document);
    let target = crate::analysis::FunctionRef::parse(spelling, line);
    if let Ok(found) = target.find(&all) {
        return (!found.is_stub).then(|| found.clone());
    }
    let mut found: Vec<&Function> = all
        .iter()
        .filter(|function| function.name == target.name && !function.is_stub)
        .collect();
    found.sort_by_key(|function| function.container.is_some());
    found.first().map(|function| (*function).clone())
}

fn render(language: Language, file_text: &str, function: &Function, group: &[&Rewrite]) -> Offer {
    let range: ByteRange = function.range;
    let mut edits: Vec<&Edit> = group.iter().flat_map(|rewrite| &rewrite.edits).collect();
    edits.sort_by_key(|edit| (edit.start, edit.end));
    let mut text = String::new();
    let mut copied = range.start;
    for edit in edits {
        text.push_str(&file_text[copied..edit.start]);
        text.push_str(&edit.text);
        copied = edit.end;
    }
    text.push_str(&file_text[copied..range.end]);
    let mut imports: Vec<&str> = Vec::new();
    for import in group.iter().flat_map(|rewrite| &rewrite.imports) {
        if !imports.contains(&import.as_str()) {
            imports.push(import);
        }
    }
    let indent = syntax::line_indent(file_text, range.start);
    let mut code = String::new();
    for import in &imports {
        code.push_str(import);
        code.push('\n');
    }
    if !imports.is_empty() {
        code.push('\n');
    }
    code.push_str(indent);
    code.push_str(&text);
    // The function as the pipeline will record it once it parses the reply.
    let function_only = CandidateCode::from_code(&code, language, &function.name, None)
        .map_or_else(|_| text.clone(), |candidate| candidate.function);
    Offer {
        code,
        function: function_only,
        applied: group
            .iter()
            .map(|rewrite| rewrite.description.clone())
            .collect(),
    }
}

#[cfg(test)]
mod loop_tests;
#[cfg(test)]
mod tests;
