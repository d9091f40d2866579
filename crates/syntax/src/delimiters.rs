//! The delimiter pass: balances `{}`, `[]` and `()` before parsing.
//!
//! Unbalanced delimiters are the mistake that derails a parser the most, so they are found
//! here, exactly, and repaired: a missing closer is inserted as a zero-width token, a stray
//! closer is dropped, and anything nested deeper than [`MAX_NESTING`] becomes one `Error` token.
//! After this pass the parser only ever sees balanced input, so its error recovery can skip
//! whole groups. A `test`, `suite`, `schema` or `use` at the start of a line in column 0 closes
//! blocks left open above it (a `test` closes an open test), which turns a forgotten `}` into
//! one precise diagnostic instead of a cascade.

use crate::lexer::Token;
use crate::token::Kind;
use tbt_diagnostics::{Diagnostic, TextRange, codes};

/// A token as the parser reads it: its kind and its span.
pub(crate) type Spanned = (Kind, chumsky::span::SimpleSpan);

fn spanned(token: Token) -> Spanned {
    (
        token.kind,
        chumsky::span::SimpleSpan::from(token.range.start as usize..token.range.end as usize),
    )
}

/// The deepest nesting of delimiters the parser is given.
pub const MAX_NESTING: usize = 128;

/// The most operators (and postfix steps) one statement may chain. Operators nest the tree as
/// deeply as brackets do, so this bounds the depth of every expression tree.
pub const MAX_OPERATORS: usize = 1024;

/// Tokens that add a level to an expression tree.
fn deepens(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::And
            | Kind::Or
            | Kind::Not
            | Kind::Bang
            | Kind::AmpAmp
            | Kind::PipePipe
            | Kind::EqEq
            | Kind::NotEq
            | Kind::Lt
            | Kind::LtEq
            | Kind::Gt
            | Kind::GtEq
            | Kind::GtGt
            | Kind::Plus
            | Kind::Minus
            | Kind::Star
            | Kind::Slash
            | Kind::Percent
            | Kind::Contains
            | Kind::Matches
            | Kind::EqTilde
            | Kind::In
            | Kind::Exists
            | Kind::Dot
            | Kind::LBracket
            | Kind::Colon
            | Kind::No
            | Kind::Some
            | Kind::Any
            | Kind::Exactly
    )
}

/// Tokens after which a new statement, and so a new expression, begins.
fn resets_operators(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Trigger
            | Kind::Expect
            | Kind::Let
            | Kind::Output
            | Kind::Wait
            | Kind::Test
            | Kind::Suite
            | Kind::Use
            | Kind::Schema
            | Kind::LBrace
            | Kind::RBrace
    )
}

struct Open {
    kind: Kind,
    range: TextRange,
    /// Whether this `{` opens the body of a `test`.
    is_test_body: bool,
}

fn closer_of(open: Kind) -> Kind {
    match open {
        Kind::LBrace => Kind::RBrace,
        Kind::LBracket => Kind::RBracket,
        _ => Kind::RParen,
    }
}

fn opener_of(close: Kind) -> Kind {
    match close {
        Kind::RBrace => Kind::LBrace,
        Kind::RBracket => Kind::LBracket,
        _ => Kind::LParen,
    }
}

/// Balances the delimiters of `tokens`, reporting what it repairs.
pub fn balance(text: &str, tokens: Vec<Token>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Spanned> {
    let mut out: Vec<Spanned> = Vec::with_capacity(tokens.len() + 4);
    let mut stack: Vec<Open> = Vec::new();
    let mut header: Option<Kind> = None;
    // An unterminated string or regex swallows the closers after it on its line: the openers it
    // leaves unclosed are still closed, but not reported again.
    let mut swallowed_from: Option<u32> = None;
    let mut operators = 0usize;
    let mut iter = tokens.into_iter().peekable();
    while let Some(token) = iter.next() {
        if resets_operators(token.kind) {
            operators = 0;
        } else if deepens(token.kind) {
            operators += 1;
            if operators > MAX_OPERATORS {
                let range = skip_statement_rest(token, &mut iter);
                diagnostics.push(
                    Diagnostic::new(codes::NESTING_TOO_DEEP, range, "expression too long")
                        .with_label(format!("more than {MAX_OPERATORS} operators in one statement"))
                        .with_help("split the expression with `let`; the rest of this statement is skipped"),
                );
                out.push(spanned(Token {
                    kind: Kind::Error,
                    range,
                }));
                operators = 0;
                continue;
            }
        }
        match token.kind {
            Kind::LBrace | Kind::LBracket | Kind::LParen => {
                if stack.len() >= MAX_NESTING {
                    let range = skip_group(token, &mut iter);
                    diagnostics.push(
                        Diagnostic::new(codes::NESTING_TOO_DEEP, range, "nesting too deep")
                            .with_label(format!("more than {MAX_NESTING} levels of nesting"))
                            .with_help("flatten this expression or block; it is skipped"),
                    );
                    out.push(spanned(Token {
                        kind: Kind::Error,
                        range,
                    }));
                    continue;
                }
                let is_test_body = token.kind == Kind::LBrace && header == Some(Kind::Test);
                header = None;
                stack.push(Open {
                    kind: token.kind,
                    range: token.range,
                    is_test_body,
                });
                out.push(spanned(token));
            }
            Kind::RBrace | Kind::RBracket | Kind::RParen => {
                header = None;
                let wanted = opener_of(token.kind);
                match stack.iter().rposition(|open| open.kind == wanted) {
                    Some(position) => {
                        close_down_to(
                            position + 1,
                            token.range.start,
                            swallowed_from,
                            &mut stack,
                            &mut out,
                            diagnostics,
                        );
                        stack.pop();
                        out.push(spanned(token));
                    }
                    None => diagnostics.push(
                        Diagnostic::new(
                            codes::UNMATCHED_CLOSING,
                            token.range,
                            format!("unmatched `{}`", token.kind.describe()),
                        )
                        .with_label("nothing opened this")
                        .with_help("remove it, or add the opening delimiter it belongs to")
                        .with_fix(
                            format!("remove `{}`", token.kind.describe()),
                            token.range,
                            "",
                        ),
                    ),
                }
            }
            Kind::Test | Kind::Suite | Kind::Schema | Kind::Use => {
                // `test.case.name` at the start of a line is a path, not a new test.
                let starts_path = iter.peek().is_some_and(|next| next.kind == Kind::Dot);
                if !stack.is_empty()
                    && !starts_path
                    && starts_line_at_column_zero(text, token.range.start)
                {
                    let keep = if token.kind == Kind::Test {
                        stack
                            .iter()
                            .position(|open| open.is_test_body)
                            .unwrap_or(stack.len())
                    } else {
                        0
                    };
                    close_down_to(
                        keep,
                        token.range.start,
                        swallowed_from,
                        &mut stack,
                        &mut out,
                        diagnostics,
                    );
                }
                if token.kind != Kind::Use {
                    header = Some(token.kind);
                }
                out.push(spanned(token));
            }
            Kind::UnterminatedString | Kind::UnterminatedRegex => {
                swallowed_from = Some(token.range.start);
                out.push(spanned(token));
            }
            _ => out.push(spanned(token)),
        }
    }
    let end = text.len() as u32;
    close_down_to(0, end, swallowed_from, &mut stack, &mut out, diagnostics);
    out
}

/// Closes every open delimiter above `keep` with a zero-width closer at `at`. One diagnostic
/// covers the whole batch: the innermost opener is the likely mistake, the others are listed.
fn close_down_to(
    keep: usize,
    at: u32,
    swallowed_from: Option<u32>,
    stack: &mut Vec<Open>,
    out: &mut Vec<Spanned>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut unclosed: Vec<Open> = Vec::new();
    while stack.len() > keep {
        let Some(open) = stack.pop() else { break };
        out.push(spanned(Token {
            kind: closer_of(open.kind),
            range: TextRange::empty(at),
        }));
        if swallowed_from.is_none_or(|from| from <= open.range.start) {
            unclosed.push(open);
        }
    }
    let Some(innermost) = unclosed.first() else {
        return;
    };
    let opener = innermost.kind.describe();
    let closer = closer_of(innermost.kind).describe();
    let message = match unclosed.len() {
        1 => format!("unclosed `{opener}`"),
        n => format!("{n} delimiters are never closed"),
    };
    let mut diagnostic = Diagnostic::new(codes::UNCLOSED_DELIMITER, innermost.range, message)
        .with_label(format!("this `{opener}` is never closed"))
        .with_secondary(
            TextRange::empty(at),
            format!("expected `{closer}` before this"),
        )
        .with_help(format!("add the missing `{closer}`"));
    for open in unclosed.iter().skip(1).take(4) {
        diagnostic = diagnostic.with_secondary(
            open.range,
            format!("`{}` also never closed", open.kind.describe()),
        );
    }
    diagnostics.push(diagnostic);
}

/// Consumes the rest of a statement from `first`: up to the next token that starts a statement
/// or closes a delimiter opened before `first`, keeping groups opened inside whole.
fn skip_statement_rest(
    first: Token,
    iter: &mut std::iter::Peekable<impl Iterator<Item = Token>>,
) -> TextRange {
    let mut range = first.range;
    let mut depth = match first.kind {
        Kind::LBracket => 1usize,
        _ => 0,
    };
    while let Some(next) = iter.peek() {
        let kind = next.kind;
        let closes = matches!(kind, Kind::RBrace | Kind::RBracket | Kind::RParen);
        if depth == 0 && (closes || resets_operators(kind)) {
            break;
        }
        match kind {
            Kind::LBrace | Kind::LBracket | Kind::LParen => depth += 1,
            _ if closes => depth -= 1,
            _ => {}
        }
        range = range.cover(next.range);
        iter.next();
    }
    range
}

/// Consumes the rest of a group whose opener is `open`; returns the range it covered.
fn skip_group(open: Token, iter: &mut impl Iterator<Item = Token>) -> TextRange {
    let mut depth = 1usize;
    let mut range = open.range;
    for token in iter.by_ref() {
        range = range.cover(token.range);
        match token.kind {
            Kind::LBrace | Kind::LBracket | Kind::LParen => depth += 1,
            Kind::RBrace | Kind::RBracket | Kind::RParen => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    range
}

fn starts_line_at_column_zero(text: &str, offset: u32) -> bool {
    let offset = offset as usize;
    offset == 0 || text.as_bytes().get(offset - 1) == Some(&b'\n')
}
