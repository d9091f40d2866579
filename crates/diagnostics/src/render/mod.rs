//! Renderers: human (ariadne), JSON, and GitHub workflow commands.

mod github;
mod human;
mod json;

pub use github::render_github;
pub use human::{HumanOptions, render_human};
pub use json::{JsonDiagnostic, json_value};

/// One source file: its display path and its text.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    /// The path as the user should see it.
    pub path: &'a str,
    /// The file's text (may be empty for files that could not be read).
    pub text: &'a str,
}
