//! A candidate as a model returns it, and how it goes back into the file.
//!
//! Models answer with the function alone, or with the imports it needs and
//! sometimes a helper function or the whole enclosing class. We keep three
//! parts: the function with the target's name, the imports, and helper
//! functions the file does not already define. Splicing replaces only the
//! target's byte range, inserts helpers just before it and adds missing
//! imports after the last existing one, so the rest of the user's file is
//! untouched byte for byte.

use crate::analysis::{ByteRange, Function, functions};
use crate::document::Document;
use crate::language::Language;
use crate::models::extract_code;

use super::go_imports::without_unused_imports;
use super::layout::FileLayout;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CandidateError {
    #[error("the reply holds no usable code: {0}")]
    NoCode(String),
    #[error("the reply's code defines no function named `{0}`")]
    MissingFunction(String),
    #[error("the reply's code does not parse as {0}: {1}")]
    Unparsable(Language, String),
}

/// The useful parts of a model's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateCode {
    /// The function itself, from its first keyword to its end, unindented.
    pub function: String,
    /// Import statements of the reply, verbatim.
    pub imports: Vec<String>,
    /// Other functions of the reply that the file does not define.
    pub helpers: Vec<String>,
}

impl CandidateCode {
    /// Whether this is `current` again, up to indentation of the whole
    /// function, trailing spaces and blank lines. Such a reply is a tie by
    /// definition: measuring it would only give noise a chance to be
    /// called a speedup. Relative indentation is kept (it is Python's
    /// block structure).
    pub fn is_same_as(&self, current: &str) -> bool {
        self.imports.is_empty()
            && self.helpers.is_empty()
            && significant_lines(&self.function) == significant_lines(current)
    }
}

fn significant_lines(code: &str) -> Vec<&str> {
    let lines: Vec<&str> = code
        .lines()
        .map(str::trim_end)
        .filter(|line| !line.is_empty())
        .collect();
    // The first line may come without its indentation (a function cut
    // out of a class body), so the common indent is taken from the rest.
    let indent = lines
        .iter()
        .skip(1)
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let body_indent = |line: &&str| line.len() - line.trim_start().len();
    lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            if index == 0 {
                line.trim_start()
            } else {
                &line[indent.min(body_indent(line))..]
            }
        })
        .collect()
}

/// One replacement in the user's file, in byte offsets of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub range: ByteRange,
    pub text: String,
}

/// Apply non-overlapping edits (any order) to `text`.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut copied = 0;
    for edit in sorted {
        out.push_str(&text[copied..edit.range.start]);
        out.push_str(&edit.text);
        copied = edit.range.end;
    }
    out.push_str(&text[copied..]);
    out
}

impl CandidateCode {
    /// Take the code out of a reply and find the function in it.
    pub fn from_reply(
        reply: &str,
        language: Language,
        name: &str,
    ) -> Result<CandidateCode, CandidateError> {
        let code = extract_code(reply, language)
            .map_err(|error| CandidateError::NoCode(error.to_string()))?;
        CandidateCode::from_code(&code, language, name, None)
    }

    /// Parse bare code. `file` (the user's file and its functions) filters
    /// out helpers it already defines.
    pub fn from_code(
        code: &str,
        language: Language,
        name: &str,
        file: Option<&[Function]>,
    ) -> Result<CandidateCode, CandidateError> {
        let document = Document::new(language, 0, code);
        if document.tree().root_node().has_error() && functions(&document).is_empty() {
            return Err(CandidateError::Unparsable(
                language,
                "no function could be recognised".into(),
            ));
        }
        let found = functions(&document);
        let target = found
            .iter()
            .find(|function| function.name == name)
            .ok_or_else(|| CandidateError::MissingFunction(name.to_string()))?;
        let known = |helper: &str| {
            file.is_some_and(|file| file.iter().any(|function| function.name == helper))
        };
        let helpers = found
            .iter()
            .filter(|function| {
                function.name != name
                    && function.name != "main"
                    && !known(&function.name)
                    && !contains(target.range, function.range)
                    && !found.iter().any(|outer| {
                        outer.range != function.range && contains(outer.range, function.range)
                    })
            })
            .map(|function| unindent(code, function.range))
            .collect();
        let layout = FileLayout::of(language, code);
        Ok(CandidateCode {
            function: unindent(code, target.range),
            imports: layout
                .imports
                .iter()
                .map(|range| code[range.as_range()].to_string())
                .collect(),
            helpers,
        })
    }

    /// The edits that put this candidate into `file_text` in place of
    /// `target`: the function (and helpers) re-indented to the target's
    /// column, and the imports the file lacks.
    pub fn edits(&self, language: Language, file_text: &str, target: &Function) -> Vec<TextEdit> {
        let indent = line_indent(file_text, target.range.start);
        let separator = if language == Language::Python && indent.is_empty() {
            "\n\n\n"
        } else {
            "\n\n"
        };
        let function = match language {
            Language::Python => {
                keep_python_docstring(&self.function, &file_text[target.range.as_range()])
            }
            _ => self.function.clone(),
        };
        let mut replacement = String::new();
        for helper in &self.helpers {
            replacement.push_str(&reindent(helper, indent));
            replacement.push_str(separator);
            replacement.push_str(indent);
        }
        replacement.push_str(&reindent(&function, indent));
        let mut edits = vec![TextEdit {
            range: target.range,
            text: replacement,
        }];
        let layout = FileLayout::of(language, file_text);
        let missing = self.missing_imports(language, file_text, &layout);
        if !missing.is_empty() {
            let at = layout.import_insertion_point(language, file_text);
            let mut text: String = missing.iter().map(|line| format!("{line}\n")).collect();
            if layout.imports.is_empty() && at > 0 {
                text.insert(0, '\n');
            }
            edits.push(TextEdit {
                range: ByteRange { start: at, end: at },
                text,
            });
        }
        edits
    }

    /// The spliced file. In Go, imports only the replaced function used
    /// are removed, since the compiler refuses unused ones.
    pub fn splice(&self, language: Language, file_text: &str, target: &Function) -> String {
        let spliced = apply_edits(file_text, &self.edits(language, file_text, target));
        match language {
            Language::Go => without_unused_imports(&spliced),
            _ => spliced,
        }
    }

    /// Imports of the candidate that the file does not already have. Go
    /// import blocks are compared per path.
    pub(crate) fn missing_imports(
        &self,
        language: Language,
        file_text: &str,
        layout: &FileLayout,
    ) -> Vec<String> {
        let existing: Vec<String> = layout
            .imports
            .iter()
            .flat_map(|range| import_units(language, &file_text[range.as_range()]))
            .collect();
        let mut missing: Vec<String> = Vec::new();
        for unit in self
            .imports
            .iter()
            .flat_map(|import| import_units(language, import))
        {
            if !existing.contains(&unit) && !missing.contains(&unit) {
                missing.push(unit);
            }
        }
        missing
            .into_iter()
            .map(|unit| match language {
                Language::Go => format!("import {unit}"),
                _ => unit,
            })
            .collect()
    }
}

/// Models often drop the docstring; it is documentation (and doctests,
/// which are evidence), so the original's is put back when the candidate
/// has none. Other languages keep doc comments outside the function's range.
fn keep_python_docstring(candidate: &str, original: &str) -> String {
    let Some(docstring) = python_docstring(original) else {
        return candidate.to_string();
    };
    if python_docstring(candidate).is_some() {
        return candidate.to_string();
    }
    let document = Document::new(Language::Python, 0, candidate);
    let Some(function) = functions(&document).into_iter().next() else {
        return candidate.to_string();
    };
    let body = function.body_range.start;
    let indent = line_indent(candidate, body);
    // A one-line body (`def f(): return 1`) has no indented block to join.
    if indent.is_empty() {
        return candidate.to_string();
    }
    let mut out = candidate[..body].to_string();
    for (i, line) in docstring.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(line);
    }
    out.push('\n');
    out.push_str(indent);
    out.push_str(&candidate[body..]);
    out
}

/// The docstring of a Python function's text, unindented.
fn python_docstring(function: &str) -> Option<String> {
    let document = Document::new(Language::Python, 0, function);
    let found = functions(&document).into_iter().next()?;
    let body = &function[found.body_range.as_range()];
    let prefix_len = body
        .find(['"', '\''])
        .filter(|&at| body[..at].chars().all(|c| c.is_ascii_alphabetic()) && at <= 2)?;
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|quote| body[prefix_len..].starts_with(quote))?;
    let start = prefix_len + quote.len();
    let end = start + body[start..].find(quote)? + quote.len();
    let indent = line_indent(function, found.body_range.start);
    let text = &body[..end];
    Some(
        text.lines()
            .enumerate()
            .map(|(i, line)| {
                if i == 0 {
                    line
                } else {
                    line.strip_prefix(indent).unwrap_or(line)
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Comparable pieces of an import statement: Go's quoted paths (with an
/// alias when present), otherwise the statement with whitespace collapsed.
fn import_units(language: Language, import: &str) -> Vec<String> {
    if language != Language::Go {
        return vec![import.split_whitespace().collect::<Vec<_>>().join(" ")];
    }
    let inner = import.trim().trim_start_matches("import").trim();
    let inner = inner.trim_start_matches('(').trim_end_matches(')');
    inner
        .lines()
        .map(|line| line.split("//").next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn contains(outer: ByteRange, inner: ByteRange) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && outer != inner
}

/// Whitespace before `offset` on its line.
pub(crate) fn line_indent(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let prefix = &text[line_start..offset];
    let indent_len = prefix.len() - prefix.trim_start().len();
    &prefix[..indent_len]
}

/// The text of `range` with the indentation of its first line removed
/// from every line (the first line starts at the keyword already).
pub(crate) fn unindent(code: &str, range: ByteRange) -> String {
    let indent = line_indent(code, range.start);
    let text = &code[range.as_range()];
    let mut lines = text.lines();
    let mut out = lines.next().unwrap_or("").to_string();
    for line in lines {
        out.push('\n');
        out.push_str(line.strip_prefix(indent).unwrap_or(line.trim_start()));
    }
    out
}

/// Indent every line but the first (which follows the target's own indent).
fn reindent(code: &str, indent: &str) -> String {
    let mut lines = code.lines();
    let mut out = lines.next().unwrap_or("").to_string();
    for line in lines {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(indent);
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(language: Language, text: &str, name: &str) -> Function {
        let document = Document::new(language, 0, text);
        functions(&document)
            .into_iter()
            .find(|function| function.name == name)
            .unwrap()
    }

    fn candidate(function: &str) -> CandidateCode {
        CandidateCode {
            function: function.to_string(),
            imports: Vec::new(),
            helpers: Vec::new(),
        }
    }

    #[test]
    fn the_same_code_differently_indented_is_the_same() {
        // A method as it stands in its class, and a model's unindented copy.
        let current = "def total(self, xs):\n        s = 0\n        for x in xs:\n            s += x   \n\n        return s";
        let reply =
            "def total(self, xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n";
        assert!(candidate(reply).is_same_as(current));
    }

    #[test]
    fn a_moved_block_or_an_extra_helper_is_not_the_same() {
        let current =
            "def f(xs):\n    s = 0\n    for x in xs:\n        s += x\n        s *= 2\n    return s";
        let dedented =
            "def f(xs):\n    s = 0\n    for x in xs:\n        s += x\n    s *= 2\n    return s";
        assert!(!candidate(dedented).is_same_as(current));
        let mut with_helper = candidate(current);
        with_helper.helpers.push("def g():\n    pass".into());
        assert!(!with_helper.is_same_as(current));
    }

    #[test]
    fn python_method_is_reindented_and_imports_added_once() {
        let file = "\"\"\"Doc.\"\"\"\nimport os\n\n\nclass A:\n    def f(self, xs):\n        return sorted(xs)[0]\n\n    def g(self):\n        return 1\n";
        let reply = "Here:\n```python\nimport os\nimport heapq\n\ndef f(self, xs):\n    return min(xs)\n```\n";
        let candidate = CandidateCode::from_reply(reply, Language::Python, "f").unwrap();
        let spliced =
            candidate.splice(Language::Python, file, &target(Language::Python, file, "f"));
        assert_eq!(
            spliced,
            "\"\"\"Doc.\"\"\"\nimport os\nimport heapq\n\n\nclass A:\n    def f(self, xs):\n        return min(xs)\n\n    def g(self):\n        return 1\n"
        );
    }

    #[test]
    fn python_docstring_is_kept_when_the_model_drops_it() {
        let file = "def f(xs):\n    \"\"\"Sum.\n\n    >>> f([1])\n    1\n    \"\"\"\n    return sum(x for x in xs)\n";
        let reply = "```python\ndef f(xs):\n    return sum(xs)\n```";
        let candidate = CandidateCode::from_reply(reply, Language::Python, "f").unwrap();
        assert_eq!(
            candidate.splice(Language::Python, file, &target(Language::Python, file, "f")),
            "def f(xs):\n    \"\"\"Sum.\n\n    >>> f([1])\n    1\n    \"\"\"\n    return sum(xs)\n"
        );
        let documented = "```python\ndef f(xs):\n    '''Own doc.'''\n    return sum(xs)\n```";
        let candidate = CandidateCode::from_reply(documented, Language::Python, "f").unwrap();
        assert!(
            !candidate
                .splice(Language::Python, file, &target(Language::Python, file, "f"))
                .contains(">>>")
        );
    }

    #[test]
    fn go_import_block_merges_by_path_and_helpers_come_first() {
        let file = "package inv\n\nimport \"strings\"\n\nfunc Count(xs []string) int {\n\treturn len(xs)\n}\n";
        let code = "import (\n\t\"sort\"\n\t\"strings\"\n)\n\nfunc helper() int { return 0 }\n\nfunc Count(xs []string) int {\n\tsort.Strings(xs)\n\treturn len(strings.Join(xs, \"\")) + helper()\n}\n";
        let functions_in_file = functions(&Document::new(Language::Go, 0, file));
        let candidate =
            CandidateCode::from_code(code, Language::Go, "Count", Some(&functions_in_file))
                .unwrap();
        let spliced = candidate.splice(Language::Go, file, &target(Language::Go, file, "Count"));
        assert_eq!(
            spliced,
            "package inv\n\nimport \"strings\"\nimport \"sort\"\n\nfunc helper() int { return 0 }\n\nfunc Count(xs []string) int {\n\tsort.Strings(xs)\n\treturn len(strings.Join(xs, \"\")) + helper()\n}\n"
        );
    }

    #[test]
    fn go_splice_drops_the_import_only_the_old_version_used() {
        let file = "package words\n\nimport (\n\t\"regexp\"\n\t\"strings\"\n)\n\nfunc Upper(s string) string {\n\treturn strings.ToUpper(s)\n}\n\nfunc CountA(xs []string) int {\n\tn := 0\n\tfor _, x := range xs {\n\t\tif regexp.MustCompile(\"a\").MatchString(x) {\n\t\t\tn++\n\t\t}\n\t}\n\treturn n\n}\n";
        let reply = "```go\nimport \"strings\"\n\nfunc CountA(xs []string) int {\n\tn := 0\n\tfor _, x := range xs {\n\t\tif strings.Contains(x, \"a\") {\n\t\t\tn++\n\t\t}\n\t}\n\treturn n\n}\n```";
        let candidate = CandidateCode::from_reply(reply, Language::Go, "CountA").unwrap();
        let spliced = candidate.splice(Language::Go, file, &target(Language::Go, file, "CountA"));
        assert!(
            spliced.starts_with("package words\n\nimport (\n\t\"strings\"\n)\n\nfunc Upper"),
            "{spliced}"
        );
    }

    #[test]
    fn java_class_reply_yields_the_method() {
        let reply = "```java\nimport java.util.*;\npublic class Inventory {\n    public static int twice(int x) {\n        return x << 1;\n    }\n}\n```";
        let candidate = CandidateCode::from_reply(reply, Language::Java, "twice").unwrap();
        assert_eq!(
            candidate.function,
            "public static int twice(int x) {\n    return x << 1;\n}"
        );
        assert_eq!(candidate.imports, vec!["import java.util.*;".to_string()]);
        assert!(candidate.helpers.is_empty());
    }

    #[test]
    fn reply_without_the_function_is_refused() {
        let reply = "```rust\nfn other() {}\n```";
        assert_eq!(
            CandidateCode::from_reply(reply, Language::Rust, "wanted"),
            Err(CandidateError::MissingFunction("wanted".into()))
        );
        assert!(matches!(
            CandidateCode::from_reply("I cannot help with that.", Language::Rust, "wanted"),
            Err(CandidateError::NoCode(_))
        ));
    }
}
