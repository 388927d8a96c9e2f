//! Pull the code out of a model's reply.
//!
//! Preference order: a fenced block tagged with the target language; the
//! only untagged block; the longest block that looks like the language; the
//! whole reply when it is bare code. Several tagged blocks (e.g. solution
//! plus usage example) resolve to the longest, which is the solution in
//! practice.

use crate::language::Language;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("the reply is empty; ask the model again")]
    Empty,
    #[error("the reply holds no code block and does not look like {language} code")]
    NoCode { language: Language },
    #[error("the reply holds code blocks tagged {found}, but none in {language}")]
    WrongLanguage { language: Language, found: String },
    /// The reply ends inside an open fence, usually because it hit
    /// `max_tokens`. The partial code is kept for callers that want to try
    /// it anyway, but it is most likely incomplete.
    #[error(
        "the reply was cut off inside a {language} code block; raise `max_tokens` for this model"
    )]
    Truncated { language: Language, partial: String },
}

/// A fenced block found in a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FencedBlock {
    /// First word of the info string, lower-cased; `None` when untagged.
    tag: Option<String>,
    code: String,
    closed: bool,
}

impl FencedBlock {
    fn language(&self) -> Option<Language> {
        self.tag.as_deref().and_then(Language::from_fence_tag)
    }

    fn is_blank(&self) -> bool {
        self.code.trim().is_empty()
    }
}

pub fn extract_code(reply: &str, language: Language) -> Result<String, ExtractError> {
    if reply.trim().is_empty() {
        return Err(ExtractError::Empty);
    }
    let blocks = fenced_blocks(reply);
    if blocks.is_empty() {
        return if looks_like(reply, language) {
            Ok(normalize(reply))
        } else {
            Err(ExtractError::NoCode { language })
        };
    }
    let closed: Vec<&FencedBlock> = blocks
        .iter()
        .filter(|block| block.closed && !block.is_blank())
        .collect();

    let tagged: Vec<&FencedBlock> = closed
        .iter()
        .copied()
        .filter(|block| block.language() == Some(language))
        .collect();
    if let Some(block) = longest(&tagged) {
        return Ok(normalize(&block.code));
    }
    let untagged: Vec<&FencedBlock> = closed
        .iter()
        .copied()
        .filter(|block| block.tag.is_none())
        .collect();
    if let [only] = untagged.as_slice() {
        return Ok(normalize(&only.code));
    }
    let untagged_like: Vec<&FencedBlock> = untagged
        .iter()
        .copied()
        .filter(|block| looks_like(&block.code, language))
        .collect();
    if let Some(block) = longest(&untagged_like) {
        return Ok(normalize(&block.code));
    }
    if let Some(open) = blocks.iter().find(|block| !block.closed)
        && (open.tag.is_none() || open.language() == Some(language))
    {
        return Err(ExtractError::Truncated {
            language,
            partial: normalize(&open.code),
        });
    }
    // Mislabelled blocks ("```text", or "```c" meant as Python) still count
    // when their content is clearly the target language.
    let any_like: Vec<&FencedBlock> = closed
        .iter()
        .copied()
        .filter(|block| looks_like(&block.code, language))
        .collect();
    if let Some(block) = longest(&any_like) {
        return Ok(normalize(&block.code));
    }
    let mut found: Vec<String> = closed
        .iter()
        .filter_map(|block| block.tag.clone())
        .collect();
    found.dedup();
    if found.is_empty() {
        Err(ExtractError::NoCode { language })
    } else {
        Err(ExtractError::WrongLanguage {
            language,
            found: found.join(", "),
        })
    }
}

fn longest<'a>(blocks: &[&'a FencedBlock]) -> Option<&'a FencedBlock> {
    // max_by_key keeps the last of equal lengths; prefer the first instead.
    blocks
        .iter()
        .copied()
        .rev()
        .max_by_key(|block| block.code.trim().len())
}

/// Drop blank lines around the code and end with exactly one newline.
fn normalize(code: &str) -> String {
    let lines: Vec<&str> = code.lines().map(str::trim_end).collect();
    let start = lines
        .iter()
        .position(|line| !line.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|line| !line.is_empty())
        .map_or(start, |index| index + 1);
    let mut text = lines[start..end].join("\n");
    text.push('\n');
    text
}

/// Markdown fences (``` or ~~~, three or more), CommonMark style: the
/// closing fence uses the same character, is at least as long, and has no
/// info string, so a "```python" line inside a block does not close it.
fn fenced_blocks(reply: &str) -> Vec<FencedBlock> {
    let mut blocks = Vec::new();
    let mut open: Option<(char, usize, usize, FencedBlock)> = None; // (char, run, indent, block)
    for line in reply.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        match &mut open {
            Some((fence_char, run, fence_indent, block)) => {
                if let Some((char_found, run_found, rest)) = fence_start(trimmed)
                    && char_found == *fence_char
                    && run_found >= *run
                    && rest.trim().is_empty()
                {
                    block.closed = true;
                    blocks.push(open.take().expect("checked above").3);
                    continue;
                }
                // Remove the fence's own indentation, as CommonMark does.
                let strip = indent.min(*fence_indent);
                block.code.push_str(&line[strip..]);
                block.code.push('\n');
            }
            None => {
                if let Some((fence_char, run, rest)) = fence_start(trimmed) {
                    // "```python print(1)```" on one line is inline code.
                    if fence_char == '`' && rest.contains('`') {
                        continue;
                    }
                    let tag = rest
                        .split_whitespace()
                        .next()
                        .map(|word| {
                            word.trim_start_matches(['{', '.'])
                                .trim_end_matches('}')
                                .to_ascii_lowercase()
                        })
                        .filter(|word| !word.is_empty());
                    open = Some((
                        fence_char,
                        run,
                        indent,
                        FencedBlock {
                            tag,
                            code: String::new(),
                            closed: false,
                        },
                    ));
                }
            }
        }
    }
    if let Some((_, _, _, block)) = open {
        blocks.push(block);
    }
    blocks
}

fn fence_start(trimmed: &str) -> Option<(char, usize, &str)> {
    let first = trimmed.chars().next()?;
    if first != '`' && first != '~' {
        return None;
    }
    let run = trimmed.chars().take_while(|&c| c == first).count();
    (run >= 3).then(|| (first, run, &trimmed[run..]))
}

/// Rough check that `text` is code in `language` rather than prose or
/// another language. Scores markers typical of the language; needs two
/// hits and few prose-like lines.
pub fn looks_like(text: &str, language: Language) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    if lines.is_empty() {
        return false;
    }
    let prose = lines.iter().filter(|line| is_prose(line)).count();
    if prose * 3 > lines.len() {
        return false;
    }
    let (strong, weak): (&[&str], &[&str]) = match language {
        Language::Python => (
            &["def ", "import ", "elif ", "self.", "lambda ", "print("],
            &[
                "return ",
                "for ",
                "while ",
                "in range(",
                "None",
                "True",
                "False",
                "class ",
            ],
        ),
        Language::Java => (
            &["public ", "private ", "System.", "import java", "static "],
            &["class ", "void ", "new ", "return ", "int ", "String"],
        ),
        Language::Cpp => (
            &["#include", "std::", "template<", "template <", "nullptr"],
            &[
                "int ", "void ", "auto ", "const ", "return ", "for (", "vector<",
            ],
        ),
        Language::Go => (
            &["func ", "package ", ":=", "fmt."],
            &["return ", "for ", "range ", "var ", "[]int", "err != nil"],
        ),
        Language::Rust => (
            &["fn ", "let ", "impl ", "pub fn", "&mut ", "use std"],
            &["-> ", "Vec<", "match ", "return ", "mut ", "::"],
        ),
    };
    let score: usize = strong
        .iter()
        .filter(|marker| text.contains(*marker))
        .count()
        * 2
        + weak.iter().filter(|marker| text.contains(*marker)).count();
    let python_shape = language == Language::Python && lines.iter().any(|line| line.ends_with(':'));
    let brace_shape = language != Language::Python && text.contains('{') && text.contains('}');
    score + usize::from(python_shape || brace_shape) >= 3
}

/// A sentence, not code: many words, sentence punctuation, and none of
/// the brackets or operators code lines nearly always have.
fn is_prose(line: &str) -> bool {
    if line.starts_with('#') && !line.starts_with("#include")
        || line.starts_with("//")
        || line.starts_with("/*")
        || line.starts_with('*')
    {
        return false; // comments are fine inside code
    }
    let words = line.split_whitespace().count();
    let has_code_punctuation = line.contains(['(', ')', '{', '}', ';', '=', '[', ']']);
    let sentence_end = line.ends_with(['.', '!', '?'])
        || (line.ends_with(':') && line.starts_with(char::is_uppercase));
    words >= 6 && !has_code_punctuation && sentence_end || words >= 10 && !has_code_punctuation
}
