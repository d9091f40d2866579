//! Diagnostics, converted to the protocol: code, severity, range, related information and a
//! link to the code's entry in `docs/diagnostics.md`.

use super::Doc;
use tbt_diagnostics::{Diagnostic, Severity};
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Uri,
};

/// Where the diagnostic codes are explained; each code has an anchor.
pub const DOCS_URL: &str = "https://github.com/tbt-dev/tbt/blob/main/docs/diagnostics.md";

/// The diagnostics of a document, as the protocol wants them.
pub fn diagnostics(doc: &Doc<'_>) -> Vec<lsp::Diagnostic> {
    tbt_db::check(doc.db(), doc.file)
        .diagnostics
        .iter()
        .map(|d| to_lsp(doc, d))
        .collect()
}

/// One diagnostic, converted. The help line follows the message.
pub fn to_lsp(doc: &Doc<'_>, d: &Diagnostic) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() {
        message.push_str(&format!(" ({})", d.primary.message));
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .map(|label| DiagnosticRelatedInformation {
            location: Location::new(doc.uri.clone(), doc.lines.range(label.range)),
            message: if label.message.is_empty() {
                "related".to_string()
            } else {
                label.message.clone()
            },
        })
        .collect();
    let deprecated = d.code == tbt_diagnostics::codes::DEPRECATED_ATTRIBUTE;
    lsp::Diagnostic {
        range: doc.lines.range(d.primary.range),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: code_link(d.code.as_str()).map(|href| CodeDescription { href }),
        source: Some("tbt".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: deprecated.then(|| vec![DiagnosticTag::DEPRECATED]),
        data: None,
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    }
}

/// The documentation link of a code.
pub fn code_link(code: &str) -> Option<Uri> {
    format!("{DOCS_URL}#{}", code.to_ascii_lowercase())
        .parse()
        .ok()
}
