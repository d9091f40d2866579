//! The registry of diagnostic codes.
//!
//! Codes are stable: once published, a code keeps its meaning forever. `E` codes are errors
//! and `W` codes warnings by default. `E00xx` are syntax, `E01xx`/`W01xx` names and types,
//! `E02xx` plans and runs, `E09xx` input and output. `docs/diagnostics.md` is generated from this
//! table, and a test checks that every example really produces its code.

use crate::Severity;
use serde::{Serialize, Serializer};
use std::fmt;

/// A stable diagnostic code such as `E0001`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(&'static str);

impl Code {
    /// The code as text, e.g. `"E0001"`.
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// The registry entry of this code.
    pub fn info(self) -> &'static CodeInfo {
        CODES
            .iter()
            .find(|info| info.code == self)
            .expect("every Code constant is registered in CODES")
    }

    /// The severity a diagnostic with this code gets unless a phase says otherwise.
    pub fn default_severity(self) -> Severity {
        if self.0.starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }

    /// Looks a code up by its text (case-insensitive), for `tbt explain`.
    pub fn parse(text: &str) -> Option<Code> {
        CODES
            .iter()
            .map(|info| info.code)
            .find(|code| code.0.eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// The documentation of one code.
#[derive(Debug)]
pub struct CodeInfo {
    /// The code.
    pub code: Code,
    /// A kebab-case name, e.g. `unterminated-string`.
    pub name: &'static str,
    /// A one-line summary.
    pub summary: &'static str,
    /// The long explanation printed by `tbt explain`.
    pub explanation: &'static str,
    /// A `.tbt` snippet that produces this code (empty where no snippet can, e.g. I/O errors).
    pub example: &'static str,
}

macro_rules! codes {
    ($($constant:ident = $code:literal $name:literal {
        summary: $summary:literal,
        explanation: $explanation:literal,
        example: $example:literal $(,)?
    })*) => {
        $(
            #[doc = $summary]
            pub const $constant: Code = Code($code);
        )*

        /// Every code, in code order.
        pub static CODES: &[CodeInfo] = &[
            $(CodeInfo {
                code: $constant,
                name: $name,
                summary: $summary,
                explanation: $explanation,
                example: $example,
            },)*
        ];
    };
}

include!("codes_table.rs");

/// The reference of every code as Markdown: `docs/diagnostics.md` is this text, and a test
/// keeps the file in step with the table.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\n\
         <!-- Generated from crates/diagnostics/src/codes_table.rs; do not edit by hand. -->\n\
         <!-- Regenerate with: UPDATE_DOCS=1 cargo test -p tbt-tests --test corpus diagnostics_reference -->\n\n\
         Every problem tbt reports has a stable code. `E` codes are errors and `W` codes are warnings \
         (`tbt check --deny warnings` makes warnings fail too). `tbt explain CODE` prints the entry \
         below in a terminal. Codes are grouped by phase: `E00xx` syntax, `E01xx`/`W01xx` names and \
         types, `E09xx` input and output.\n\n| code | name | summary |\n|---|---|---|\n",
    );
    for info in CODES {
        out.push_str(&format!(
            "| [{0}](#{1}) | `{2}` | {3} |\n",
            info.code,
            info.code.as_str().to_ascii_lowercase(),
            info.name,
            info.summary
        ));
    }
    for info in CODES {
        out.push_str(&format!(
            "\n## {}\n\n`{}`: {}\n\n{}\n",
            info.code, info.name, info.summary, info.explanation
        ));
        if !info.example.is_empty() {
            out.push_str("\nExample:\n\n```tbt,ignore\n");
            out.push_str(info.example);
            if !info.example.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("```\n");
        }
    }
    out
}
