//! `perforch check FILE... [--json]`: the static performance hints of each
//! file, as the editor shows them. Hints are advice, so the exit code is 0
//! whatever is found; only a file that cannot be read is an error.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::functions::read_document;
use crate::analysis::{Hint, hints};
use crate::document::Document;

/// One hint as `--json` prints it. Lines and columns are 1-based, columns
/// counted in characters, as compilers print them; bytes are 0-based and the
/// end is exclusive.
#[derive(Serialize)]
struct HintRecord<'a> {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start_byte: usize,
    end_byte: usize,
    id: &'static str,
    message: &'a str,
    function: Option<&'a str>,
}

pub fn run(files: &[PathBuf], json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let checked = files
        .iter()
        .map(|file| {
            let document = read_document(file)?;
            let found = hints(&document);
            Ok((file, document, found))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let records: Vec<HintRecord> = checked
        .iter()
        .flat_map(|(file, document, found)| found.iter().map(|hint| record(file, document, hint)))
        .collect();
    if json {
        serde_json::to_writer_pretty(&mut *out, &records)?;
        writeln!(out)?;
    } else {
        for record in &records {
            writeln!(
                out,
                "{}:{}:{}: {}: {}",
                record.path, record.line, record.column, record.id, record.message
            )?;
        }
    }
    Ok(())
}

fn record<'a>(file: &Path, document: &Document, hint: &'a Hint) -> HintRecord<'a> {
    let (line, column) = line_and_column(document, hint.range.start);
    let (end_line, end_column) = line_and_column(document, hint.range.end);
    HintRecord {
        path: file.display().to_string(),
        line,
        column,
        end_line,
        end_column,
        start_byte: hint.range.start,
        end_byte: hint.range.end,
        id: hint.id,
        message: &hint.message,
        function: hint.function.as_deref(),
    }
}

/// 1-based line and character column of a byte offset.
fn line_and_column(document: &Document, byte: usize) -> (usize, usize) {
    let text = document.text();
    let line = text.byte_to_line(byte);
    let column = text.byte_to_char(byte) - text.line_to_char(line);
    (line + 1, column + 1)
}
