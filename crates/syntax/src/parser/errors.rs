//! Turns chumsky's errors into coded diagnostics.

use super::range;
use crate::token::Kind;
use chumsky::error::{Rich, RichPattern, RichReason};
use chumsky::span::SimpleSpan;
use tbt_diagnostics::{Diagnostic, codes};

fn pattern(p: &RichPattern<'_, Kind>) -> String {
    match p {
        RichPattern::Token(kind) => match **kind {
            Kind::Ident => "name".to_string(),
            Kind::String | Kind::UnterminatedString => "string".to_string(),
            kind => format!("`{}`", kind.describe()),
        },
        RichPattern::Label(label) => label.to_string(),
        RichPattern::EndOfInput => "end of file".to_string(),
        RichPattern::Identifier(name) => format!("`{name}`"),
        RichPattern::Any => "something".to_string(),
        _ => "something else".to_string(),
    }
}

fn found(src: &str, span: SimpleSpan, kind: Option<Kind>) -> String {
    match kind {
        None => "end of file".to_string(),
        Some(Kind::Ident) => format!("name `{}`", src.get(span.start..span.end).unwrap_or("")),
        Some(Kind::Number) | Some(Kind::NumberWithSuffix) => {
            format!("`{}`", src.get(span.start..span.end).unwrap_or(""))
        }
        Some(Kind::String) => "a string".to_string(),
        Some(kind) => format!("`{}`", kind.describe()),
    }
}

/// Converts parser errors, skipping those caused by tokens that were already reported
/// (`Error` tokens, zero-width closers inserted by the delimiter pass).
pub(crate) fn convert(src: &str, errors: Vec<Rich<'_, Kind>>, out: &mut Vec<Diagnostic>) {
    for error in errors {
        let span = *error.span();
        let (expected, found_kind) = match error.reason() {
            RichReason::ExpectedFound { expected, found } => {
                let mut names: Vec<String> = expected.iter().map(pattern).collect();
                names.sort();
                names.dedup();
                (names, found.as_deref().copied())
            }
            RichReason::Custom(message) => {
                out.push(Diagnostic::new(
                    codes::UNEXPECTED_TOKEN,
                    range(span),
                    message.clone(),
                ));
                continue;
            }
        };
        if found_kind == Some(Kind::Error) {
            continue;
        }
        let inserted_closer = span.start == span.end
            && matches!(
                found_kind,
                Some(Kind::RBrace | Kind::RBracket | Kind::RParen)
            );
        if inserted_closer && out.iter().any(|d| d.code == codes::UNCLOSED_DELIMITER) {
            continue;
        }
        let found_text = found(src, span, found_kind);
        // Inside an operator the expression's label is not in scope, but its first tokens are.
        let starts_expression = ["name", "`(`", "`[`"]
            .iter()
            .all(|t| expected.iter().any(|e| e == t));
        let wants_expression = starts_expression || expected.iter().any(|e| e == "expression");
        let expected: Vec<String> = expected
            .into_iter()
            .filter(|e| e != "something else" && e != "something")
            .collect();
        let diagnostic = if wants_expression && found_kind.is_none_or(|k| !k.starts_statement()) {
            Diagnostic::new(
                codes::EXPECTED_EXPRESSION,
                range(span),
                format!("expected an expression, found {found_text}"),
            )
            .with_label("expected an expression here")
        } else if wants_expression {
            Diagnostic::new(
                codes::EXPECTED_EXPRESSION,
                range(span),
                format!("expected an expression, found {found_text}"),
            )
            .with_label("the statement ends before its value")
        } else {
            let list = match expected.len() {
                0 => "something else".to_string(),
                1 => expected[0].clone(),
                n => format!("{} or {}", expected[..n - 1].join(", "), expected[n - 1]),
            };
            Diagnostic::new(
                codes::UNEXPECTED_TOKEN,
                range(span),
                format!("expected {list}, found {found_text}"),
            )
            .with_label(format!("unexpected {found_text}"))
        };
        out.push(diagnostic);
    }
}
