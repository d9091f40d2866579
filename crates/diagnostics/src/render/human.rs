use super::SourceFile;
use crate::{Diagnostic, Severity};
use ariadne::{CharSet, Color, Config, IndexType, Label, Report, ReportKind, Source};

/// Options for human-readable output.
#[derive(Clone, Copy, Debug, Default)]
pub struct HumanOptions {
    /// Use ANSI colours.
    pub color: bool,
}

/// Renders diagnostics as ariadne reports with source excerpts. Offsets are bytes.
pub fn render_human(
    file: SourceFile<'_>,
    diagnostics: &[Diagnostic],
    options: HumanOptions,
) -> String {
    let mut out = Vec::new();
    let source = Source::from(file.text);
    let text_len = file.text.len();
    // ariadne needs ranges that fall on char boundaries inside the text.
    let clamp = |range: crate::TextRange| {
        let mut start = (range.start as usize).min(text_len);
        let mut end = (range.end as usize).min(text_len).max(start);
        while !file.text.is_char_boundary(start) {
            start -= 1;
        }
        while !file.text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    };
    for diagnostic in diagnostics {
        let (kind, color) = match diagnostic.severity {
            Severity::Error => (ReportKind::Error, Color::Red),
            Severity::Warning => (ReportKind::Warning, Color::Yellow),
            Severity::Note => (ReportKind::Advice, Color::Cyan),
        };
        let primary = clamp(diagnostic.primary.range);
        let config = Config::default()
            .with_index_type(IndexType::Byte)
            .with_color(options.color)
            .with_char_set(if options.color {
                CharSet::Unicode
            } else {
                CharSet::Ascii
            });
        let mut primary_label = Label::new((file.path, primary.clone())).with_color(color);
        if !diagnostic.primary.message.is_empty() {
            primary_label = primary_label.with_message(&diagnostic.primary.message);
        }
        let mut report = Report::build(kind, (file.path, primary))
            .with_config(config)
            .with_code(diagnostic.code)
            .with_message(&diagnostic.message)
            .with_label(primary_label.with_priority(1));
        for label in &diagnostic.secondary {
            report = report.with_label(
                Label::new((file.path, clamp(label.range)))
                    .with_message(&label.message)
                    .with_color(Color::Blue),
            );
        }
        if let Some(help) = &diagnostic.help {
            report = report.with_help(help);
        }
        for fix in &diagnostic.fixes {
            report = report.with_note(format!("fix available: {}", fix.message));
        }
        // Writing into a Vec cannot fail.
        let _ = report.finish().write((file.path, &source), &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}
