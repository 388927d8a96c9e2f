//! `perforch functions FILE [--json]`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use serde::Serialize;

use crate::analysis::{self, Function};
use crate::document::Document;
use crate::language::Language;

/// One function as `--json` prints it. Lines are 1-based and inclusive, as
/// editors and compilers show them; byte ranges are 0-based and half-open.
#[derive(Serialize)]
struct FunctionRecord<'a> {
    name: &'a str,
    kind: &'static str,
    container: Option<&'a str>,
    start_line: usize,
    end_line: usize,
    start_byte: usize,
    end_byte: usize,
    body_start_byte: usize,
    body_end_byte: usize,
    is_stub: bool,
    parameters: &'a [String],
    return_type: Option<&'a str>,
    doc: Option<&'a str>,
}

impl<'a> From<&'a Function> for FunctionRecord<'a> {
    fn from(function: &'a Function) -> Self {
        FunctionRecord {
            name: &function.name,
            kind: function.kind.as_str(),
            container: function.container.as_deref(),
            start_line: function.start_line + 1,
            end_line: function.end_line + 1,
            start_byte: function.range.start,
            end_byte: function.range.end,
            body_start_byte: function.body_range.start,
            body_end_byte: function.body_range.end,
            is_stub: function.is_stub,
            parameters: &function.parameters,
            return_type: function.return_type.as_deref(),
            doc: function.doc.as_deref(),
        }
    }
}

pub fn run(file: &Path, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let document = read_document(file)?;
    let functions = analysis::functions(&document);
    if json {
        let records: Vec<FunctionRecord> = functions.iter().map(FunctionRecord::from).collect();
        serde_json::to_writer_pretty(&mut *out, &records)?;
        writeln!(out)?;
    } else {
        write_table(&functions, out)?;
    }
    Ok(())
}

/// A source file as a document, its language told by its extension.
/// Invalid UTF-8 is repaired (with a warning) rather than refused.
pub(super) fn read_document(file: &Path) -> anyhow::Result<Document> {
    let language = Language::from_path(file).with_context(|| {
        format!(
            "cannot tell the language of {}: perforch reads .py, .java, .cpp/.cc/.cxx/.h/.hpp, .go and .rs files",
            file.display()
        )
    })?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            tracing::warn!(
                "{} is not valid UTF-8 (first bad byte at {at}); invalid bytes are read as U+FFFD, so byte offsets after it refer to the repaired text",
                file.display()
            );
            String::from_utf8_lossy(error.as_bytes()).into_owned()
        }
    };
    if text.contains('\0') {
        bail!("{} looks like a binary file, not source code", file.display());
    }
    Ok(Document::new(language, 0, &text))
}

fn write_table(functions: &[Function], out: &mut impl Write) -> std::io::Result<()> {
    for function in functions {
        let name = match &function.container {
            Some(container) => format!("{container}.{}", function.name),
            None => function.name.clone(),
        };
        writeln!(
            out,
            "{:<11} {:<12} {:<34} bytes {}..{}{}",
            format!("{}-{}", function.start_line + 1, function.end_line + 1),
            function.kind.as_str(),
            name,
            function.range.start,
            function.range.end,
            if function.is_stub { "  stub" } else { "" }
        )?;
    }
    Ok(())
}
