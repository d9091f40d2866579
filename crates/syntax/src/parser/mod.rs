//! The chumsky parser: balanced tokens in, a total AST and diagnostics out.
//!
//! Recovery happens at statement boundaries: a statement that fails to parse is skipped up to
//! the next token that can start a statement (whole bracket groups are skipped at once, which
//! the delimiter pass makes safe) and becomes [`Stmt::Error`]. Literal decoding and the few
//! targeted diagnostics (`=` for `==`, a missing `exactly` count...) go to a side channel in
//! [`Cx`], so they carry codes, help lines and fixes.

mod errors;
mod expr;
mod stmt;

use crate::ast::{Name, Stmt};
use crate::token::Kind;
use chumsky::input::{Input as _, ValueInput};
use chumsky::prelude::*;
use smol_str::SmolStr;
use std::cell::RefCell;
use tbt_diagnostics::{Diagnostic, TextRange};

/// The error types the parser runs with: `EmptyErr` for the fast first pass over (usually
/// valid) input, `Rich` for the second pass that explains the errors.
pub(crate) trait ParseError<'t, I: chumsky::input::Input<'t>>:
    chumsky::error::Error<'t, I>
    + chumsky::label::LabelError<'t, I, chumsky::DefaultExpected<'t, Kind>>
    + chumsky::label::LabelError<'t, I, &'static str>
    + 't
{
}

impl<'t, I: chumsky::input::Input<'t>, T> ParseError<'t, I> for T where
    T: chumsky::error::Error<'t, I>
        + chumsky::label::LabelError<'t, I, chumsky::DefaultExpected<'t, Kind>>
        + chumsky::label::LabelError<'t, I, &'static str>
        + 't
{
}

/// What every parser closure can see: the source text and the side channel for diagnostics.
pub(crate) struct Cx<'t> {
    pub(crate) src: &'t str,
    pub(crate) diags: RefCell<Vec<Diagnostic>>,
}

impl<'t> Cx<'t> {
    pub(crate) fn text(&self, span: SimpleSpan) -> &'t str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    pub(crate) fn name(&self, span: SimpleSpan) -> Name {
        Name {
            text: SmolStr::new(self.text(span)),
            range: range(span),
        }
    }

    pub(crate) fn report(&self, diagnostic: Diagnostic) {
        self.diags.borrow_mut().push(diagnostic);
    }

    /// Whether the token at `span` is the first on its line.
    pub(crate) fn starts_line(&self, span: SimpleSpan) -> bool {
        let before = &self.src.as_bytes()[..span.start.min(self.src.len())];
        for &b in before.iter().rev() {
            match b {
                b' ' | b'\t' | b'\r' => continue,
                b'\n' => return true,
                _ => return false,
            }
        }
        true
    }
}

pub(crate) fn range(span: SimpleSpan) -> TextRange {
    TextRange::from(span.start..span.end)
}

/// Parses balanced tokens into top-level statements, appending diagnostics.
pub(crate) fn parse_tokens(
    src: &str,
    pairs: &[(Kind, SimpleSpan)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Stmt> {
    let cx = Cx {
        src,
        diags: RefCell::new(Vec::new()),
    };
    let eoi = SimpleSpan::from(src.len()..src.len());
    // Fast pass: cheap errors. Valid input, the common case, is done after it.
    let fast = file_parser::<_, chumsky::error::EmptyErr>(&cx).parse(pairs.split_token_span(eoi));
    if !fast.has_errors()
        && let Some(items) = fast.into_output()
    {
        diagnostics.extend(std::mem::take(&mut *cx.diags.borrow_mut()));
        return items;
    }
    // Slow pass: rich errors that say what was expected where.
    cx.diags.borrow_mut().clear();
    let (output, errors) = file_parser::<_, Rich<'_, Kind>>(&cx)
        .parse(pairs.split_token_span(eoi))
        .into_output_errors();
    let mut side = std::mem::take(&mut *cx.diags.borrow_mut());
    errors::convert(src, errors, &mut side);
    diagnostics.extend(side);
    output.unwrap_or_default()
}

fn file_parser<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, Vec<Stmt>, extra::Err<Er>>
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    stmt::statements(cx).then_ignore(end())
}
