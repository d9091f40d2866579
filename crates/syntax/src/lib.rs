//! The `.tbt` language front end: lexer, delimiter pass, error-recovering parser, AST, and the
//! structural checks that need no names or types.
//!
//! [`parse`] never fails: every input, however broken, gives a [`Parse`] with a total AST and
//! the diagnostics. This crate knows nothing of salsa, LSP, traces or the runner.

pub mod ast;
mod delimiters;
pub mod lexer;
mod literal;
mod parser;
pub mod suggest;
pub mod token;
mod validate;

pub use delimiters::{MAX_NESTING, MAX_OPERATORS};
pub use lexer::{Lexed, Token, lex};
pub use token::Kind;

use tbt_diagnostics::{Diagnostic, TextRange, codes};

/// The most diagnostics reported for one file before the rest are summarised.
pub const MAX_DIAGNOSTICS: usize = 100;

/// The result of parsing one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Parse {
    /// The syntax tree, total even for broken input.
    pub file: ast::SourceFile,
    /// Comment ranges, in order, for the formatter and the language server.
    pub comments: Vec<TextRange>,
    /// Syntax diagnostics, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parse {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses a file's text. Never fails and never panics.
pub fn parse(text: &str) -> Parse {
    if text.len() > u32::MAX as usize {
        let end = u32::MAX;
        return Parse {
            file: ast::SourceFile::default(),
            comments: Vec::new(),
            diagnostics: vec![Diagnostic::new(
                codes::IO_ERROR,
                TextRange::new(0, end),
                "file is larger than 4 GiB",
            )],
        };
    }
    let Lexed {
        tokens,
        comments,
        mut diagnostics,
    } = lex(text);
    let tokens = delimiters::balance(text, tokens, &mut diagnostics);
    let items = parser::parse_tokens(text, &tokens, &mut diagnostics);
    let file = ast::SourceFile { items };
    validate::validate(&file, text, &comments, &mut diagnostics);
    Parse {
        file,
        comments,
        diagnostics: tidy(text, diagnostics),
    }
}

/// Decodes bytes as UTF-8, or explains where they are not.
// The error is the diagnostic itself, made once per file: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub fn decode(bytes: &[u8]) -> Result<&str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|error| {
        let offset = error.valid_up_to();
        let len = error.error_len().unwrap_or(bytes.len() - offset).max(1);
        Diagnostic::new(
            codes::INVALID_UTF8,
            TextRange::from(offset..offset + len),
            format!(
                "file is not valid UTF-8: invalid byte 0x{:02x} at offset {offset}",
                bytes[offset]
            ),
        )
        .with_label("not UTF-8")
        .with_help("save the file as UTF-8")
    })
}

/// Sorts diagnostics by position, removes duplicates (the same code at the same range) and
/// caps their number.
fn tidy(text: &str, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by_key(|d| (d.primary.range.start, d.primary.range.end, d.code));
    diagnostics.dedup_by(|a, b| a.code == b.code && a.primary.range == b.primary.range);
    // Anything reported later on the line of an invalid character is its echo.
    let mut echo: Option<(u32, u32)> = None;
    diagnostics.retain(|d| {
        let start = d.primary.range.start;
        if d.code == codes::INVALID_CHARACTER {
            let from = d.primary.range.end as usize;
            let line_end = text
                .get(from..)
                .and_then(|rest| rest.find('\n'))
                .map_or(text.len(), |i| from + i);
            echo = Some((start, line_end as u32));
            return true;
        }
        !echo.is_some_and(|(from, to)| from <= start && start <= to)
    });
    if diagnostics.len() > MAX_DIAGNOSTICS {
        let rest = diagnostics.len() - MAX_DIAGNOSTICS;
        let at = diagnostics[MAX_DIAGNOSTICS].primary.range;
        diagnostics.truncate(MAX_DIAGNOSTICS);
        diagnostics.push(
            Diagnostic::new(
                codes::TOO_MANY_ERRORS,
                at,
                format!("{rest} more problems not shown"),
            )
            .with_label("reporting stopped here")
            .with_help("is this a .tbt file?"),
        );
    }
    diagnostics
}
