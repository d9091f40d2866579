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
use crate::lexer::Token;
use crate::token::Kind;
use chumsky::input::{Input as _, ValueInput};
use chumsky::prelude::*;
use smol_str::SmolStr;
use std::cell::RefCell;
use tbt_diagnostics::{Diagnostic, TextRange};

pub(crate) type Extra<'t> = extra::Err<Rich<'t, Kind, SimpleSpan>>;

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
        Name { text: SmolStr::new(self.text(span)), range: range(span) }
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
pub(crate) fn parse_tokens(src: &str, tokens: &[Token], diagnostics: &mut Vec<Diagnostic>) -> Vec<Stmt> {
    let cx = Cx { src, diags: RefCell::new(Vec::new()) };
    let pairs: Vec<(Kind, SimpleSpan)> = tokens
        .iter()
        .map(|t| (t.kind, SimpleSpan::from(t.range.start as usize..t.range.end as usize)))
        .collect();
    let eoi = SimpleSpan::from(src.len()..src.len());
    let input = pairs.as_slice().split_token_span(eoi);
    let (output, errors) = file_parser(&cx).parse(input).into_output_errors();
    let mut side = std::mem::take(&mut *cx.diags.borrow_mut());
    errors::convert(src, errors, &mut side);
    diagnostics.extend(side);
    output.unwrap_or_default()
}



fn file_parser<'t, I>(cx: &'t Cx<'t>) -> impl Parser<'t, I, Vec<Stmt>, Extra<'t>>
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
{
    stmt::statements(cx).then_ignore(end())
}
