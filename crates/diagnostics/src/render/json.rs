use super::SourceFile;
use crate::{Diagnostic, Fix, LineCol, LineIndex, Severity, TextRange};
use serde::Serialize;

/// A position in JSON output: byte offset plus one-based line and column.
#[derive(Serialize)]
struct Position {
    offset: u32,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonRange {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    range: JsonRange,
    message: &'a str,
}

/// The JSON shape of one diagnostic (`tbt check --format json`). Lines and columns are one-based;
/// columns count bytes.
#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    file: &'a str,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    range: JsonRange,
    label: &'a str,
    secondary: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
    fixes: &'a [Fix],
}

fn position(index: &LineIndex, offset: u32) -> Position {
    let LineCol { line, col } = index.line_col(offset);
    Position {
        offset,
        line: line + 1,
        column: col + 1,
    }
}

fn range(index: &LineIndex, range: TextRange) -> JsonRange {
    JsonRange {
        start: position(index, range.start),
        end: position(index, range.end),
    }
}

/// The JSON values of a file's diagnostics.
pub fn json_value<'a>(
    file: SourceFile<'a>,
    diagnostics: &'a [Diagnostic],
) -> Vec<JsonDiagnostic<'a>> {
    let index = LineIndex::new(file.text);
    diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            file: file.path,
            code: d.code.as_str(),
            severity: d.severity,
            message: &d.message,
            range: range(&index, d.primary.range),
            label: &d.primary.message,
            secondary: d
                .secondary
                .iter()
                .map(|l| JsonLabel {
                    range: range(&index, l.range),
                    message: &l.message,
                })
                .collect(),
            help: d.help.as_deref(),
            fixes: &d.fixes,
        })
        .collect()
}
