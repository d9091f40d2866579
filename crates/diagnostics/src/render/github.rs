use super::SourceFile;
use crate::{Diagnostic, LineIndex, Severity};
use std::fmt::Write;

/// Escapes data for a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Renders diagnostics as GitHub Actions workflow commands (`::error file=...::message`), one per
/// line, so that they show up as annotations on the pull request.
pub fn render_github(file: SourceFile<'_>, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(file.text);
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let start = index.line_col(d.primary.range.start);
        let end = index.line_col(d.primary.range.end);
        let mut message = d.message.clone();
        if !d.primary.message.is_empty() {
            let _ = write!(message, ": {}", d.primary.message);
        }
        if let Some(help) = &d.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(file.path),
            start.line + 1,
            start.col + 1,
            end.line + 1,
            end.col + 1,
            escape_property(&format!("{} {}", d.code, d.code.info().name)),
            escape_data(&message),
        );
    }
    out
}
