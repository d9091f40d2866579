use crate::{Code, TextRange};
use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A hint, never fails a check.
    Note,
    /// A likely problem; fails `tbt check` only with `--deny warnings`.
    Warning,
    /// The file cannot be trusted to run as written.
    Error,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A source range with a message explaining its part in a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// The byte range the label points at.
    pub range: TextRange,
    /// What is wrong, or relevant, at that range. May be empty.
    pub message: String,
}

/// One replacement of a byte range by new text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    /// The range to replace (empty for an insertion).
    pub range: TextRange,
    /// The new text.
    pub replacement: String,
}

/// A machine-applicable fix: a set of non-overlapping edits that together mend the problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What applying the fix does, e.g. "rename to `http.response.status_code`".
    pub message: String,
    /// The edits, in any order.
    pub edits: Vec<TextEdit>,
}

/// A problem found in a source file, with everything needed to render it anywhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The stable code, e.g. `E0001`.
    pub code: Code,
    /// How bad it is.
    pub severity: Severity,
    /// A one-line summary.
    pub message: String,
    /// Where the problem is.
    pub primary: Label,
    /// Other places that explain the problem.
    pub secondary: Vec<Label>,
    /// How to fix it, when known.
    pub help: Option<String>,
    /// Machine-applicable fixes (`tbt check --fix`, editor code actions).
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and an unlabelled primary range.
    pub fn new(code: Code, range: TextRange, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: Label {
                range,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    /// Sets the message of the primary label.
    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, range: TextRange, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            range,
            message: message.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Overrides the severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Adds a fix made of one edit.
    pub fn with_fix(
        mut self,
        message: impl Into<String>,
        range: TextRange,
        replacement: impl Into<String>,
    ) -> Self {
        self.fixes.push(Fix {
            message: message.into(),
            edits: vec![TextEdit {
                range,
                replacement: replacement.into(),
            }],
        });
        self
    }

    /// The primary range.
    pub fn range(&self) -> TextRange {
        self.primary.range
    }

    /// Whether this diagnostic is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
