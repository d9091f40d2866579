//! The one diagnostic type of tbt.
//!
//! Every phase (lexer, parser, resolver, type checker, planner, runner) reports problems as
//! [`Diagnostic`]s: a stable [`Code`], a [`Severity`], a one-line message, a primary
//! [`Label`] and optional secondary labels, an optional help line, and optional
//! machine-applicable [`Fix`]es. The [`render`] module turns them into ariadne reports, JSON,
//! or GitHub workflow commands. The registry of codes lives in [`codes`].

pub mod codes;
mod diagnostic;
mod line_index;
mod range;
pub mod render;

pub use codes::{Code, CodeInfo};
pub use diagnostic::{Diagnostic, Fix, Label, Severity, TextEdit};
pub use line_index::{LineCol, LineIndex};
pub use range::TextRange;
