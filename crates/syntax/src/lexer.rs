//! The lexer: logos tokens plus the few context-sensitive pieces logos cannot express.
//!
//! - A regex literal `/.../flags` is only recognised right after `matches` (or the foreign
//!   `=~`), so `/` stays the division operator everywhere else.
//! - Comments are split off into their own list for the formatter.
//! - Lexical errors become diagnostics and `Error` tokens; lexing never fails.

use crate::token::Kind;
use logos::Logos;
use tbt_diagnostics::{Diagnostic, TextRange, codes};

/// A token: its kind and its byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What kind of token it is.
    pub kind: Kind,
    /// Where it is.
    pub range: TextRange,
}

/// The output of the lexer.
#[derive(Debug, Default)]
pub struct Lexed {
    /// Significant tokens, in order, without comments.
    pub tokens: Vec<Token>,
    /// Comment ranges (each starts at `#` and ends before the newline).
    pub comments: Vec<TextRange>,
    /// Lexical errors.
    pub diagnostics: Vec<Diagnostic>,
}

/// Splits `text` into tokens. Never fails.
pub fn lex(text: &str) -> Lexed {
    let mut out = Lexed {
        tokens: Vec::with_capacity(text.len() / 4),
        ..Lexed::default()
    };
    let mut lexer = Kind::lexer(text);
    while let Some(result) = lexer.next() {
        let range = TextRange::from(lexer.span());
        let kind = match result {
            Ok(kind) => kind,
            Err(()) => {
                out.diagnostics.push(invalid_character(text, range));
                Kind::Error
            }
        };
        match kind {
            Kind::Comment => {
                out.comments.push(range);
                continue;
            }
            Kind::UnterminatedString => {
                // `test "checkout {`: the string most likely ends before the block it opens.
                let token_text = &text[range.to_usize()];
                let trimmed = token_text.trim_end();
                let opens_block = trimmed.len() > 1
                    && trimmed.ends_with('{')
                    && trimmed[..trimmed.len() - 1].ends_with([' ', '\t']);
                let (string_range, brace) = if opens_block {
                    let brace_at = range.start + trimmed.len() as u32 - 1;
                    let string_end =
                        range.start + trimmed[..trimmed.len() - 1].trim_end().len() as u32;
                    (
                        TextRange::new(range.start, string_end),
                        Some(TextRange::new(brace_at, brace_at + 1)),
                    )
                } else {
                    (range, None)
                };
                out.diagnostics.push(
                    Diagnostic::new(
                        codes::UNTERMINATED_STRING,
                        string_range,
                        "unterminated string",
                    )
                    .with_label("this string has no closing `\"`")
                    .with_help("close the string with `\"` on the same line")
                    .with_fix(
                        "close the string",
                        TextRange::empty(string_range.end),
                        "\"",
                    ),
                );
                out.tokens.push(Token {
                    kind,
                    range: string_range,
                });
                if let Some(brace) = brace {
                    out.tokens.push(Token {
                        kind: Kind::LBrace,
                        range: brace,
                    });
                }
                continue;
            }
            Kind::AmpAmp | Kind::PipePipe | Kind::Bang | Kind::EqTilde => {
                out.diagnostics.push(foreign_operator(kind, range))
            }
            _ => {}
        }
        let after_dot = out.tokens.last().is_some_and(|t| t.kind == Kind::Dot);
        out.tokens.push(Token { kind, range });
        // `x.matches / 2` is a field named `matches`, not the operator.
        if matches!(kind, Kind::Matches | Kind::EqTilde) && !after_dot {
            let rest = lexer.remainder();
            let leading = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            if rest[leading..].starts_with('/') {
                let start = range.end + leading as u32;
                let (len, terminated) = scan_regex(&rest[leading..]);
                let regex_range = TextRange::new(start, start + len as u32);
                lexer.bump(leading + len);
                if terminated {
                    out.tokens.push(Token {
                        kind: Kind::Regex,
                        range: regex_range,
                    });
                } else {
                    out.diagnostics.push(
                        Diagnostic::new(codes::UNTERMINATED_REGEX, regex_range, "unterminated regex")
                            .with_label("this regex has no closing `/`")
                            .with_help("close the regex with `/` on the same line; write `\\/` for a slash inside it"),
                    );
                    out.tokens.push(Token {
                        kind: Kind::UnterminatedRegex,
                        range: regex_range,
                    });
                }
            }
        }
    }
    out
}

/// Scans a regex literal starting at `/`. Returns its length in bytes (flags included) and
/// whether it was closed. A `/` inside a character class `[...]` does not close it.
fn scan_regex(text: &str) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut i = 1;
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => return (i, false),
            b'\\' => {
                if bytes.get(i + 1).is_none_or(|&b| b == b'\n') {
                    return (i + 1, false);
                }
                i += 2;
                continue;
            }
            b'[' => in_class = true,
            b']' => in_class = false,
            b'/' if !in_class => {
                let flags = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .count();
                return (i + 1 + flags, true);
            }
            _ => {}
        }
        i += 1;
    }
    (i, false)
}

fn invalid_character(text: &str, range: TextRange) -> Diagnostic {
    let found = text.get(range.to_usize()).unwrap_or("");
    let found = found
        .chars()
        .next()
        .map(|c| c.escape_debug().to_string())
        .unwrap_or_default();
    let mut diagnostic = Diagnostic::new(
        codes::INVALID_CHARACTER,
        range,
        format!("invalid character `{found}`"),
    )
    .with_label("not part of the language");
    if found == "'" {
        diagnostic = diagnostic.with_help("strings use double quotes: \"text\"");
    } else if found == ";" {
        diagnostic = diagnostic
            .with_help("statements need no separator: put each on its own line")
            .with_fix("remove the `;`", range, "");
    }
    diagnostic
}

fn foreign_operator(kind: Kind, range: TextRange) -> Diagnostic {
    let (written, word) = match kind {
        Kind::AmpAmp => ("&&", "and"),
        Kind::PipePipe => ("||", "or"),
        Kind::Bang => ("!", "not"),
        _ => ("=~", "matches"),
    };
    Diagnostic::new(
        codes::FOREIGN_OPERATOR,
        range,
        format!("`{written}` is written `{word}` in tbt"),
    )
    .with_label(format!("write `{word}`"))
    .with_help(format!("replace `{written}` with `{word}`"))
    .with_fix(format!("replace `{written}` with `{word}`"), range, word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        lex(text).tokens.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn names_may_contain_dashes_but_arrows_split() {
        assert_eq!(
            kinds("order-service->payment"),
            [Kind::Ident, Kind::Arrow, Kind::Ident]
        );
        assert_eq!(kinds("a - b"), [Kind::Ident, Kind::Minus, Kind::Ident]);
        assert_eq!(kinds("content-type"), [Kind::Ident]);
    }

    #[test]
    fn regex_only_after_matches() {
        assert_eq!(
            kinds("a / b / c"),
            [
                Kind::Ident,
                Kind::Slash,
                Kind::Ident,
                Kind::Slash,
                Kind::Ident
            ]
        );
        assert_eq!(
            kinds("name matches /^GET [/]x\\/y/i"),
            [Kind::Ident, Kind::Matches, Kind::Regex]
        );
        assert_eq!(
            kinds("name matches /abc"),
            [Kind::Ident, Kind::Matches, Kind::UnterminatedRegex]
        );
    }

    #[test]
    fn numbers_and_durations() {
        assert_eq!(
            kinds("1 1.5 1e3 200ms 1.5s 5sec"),
            [
                Kind::Number,
                Kind::Number,
                Kind::Number,
                Kind::NumberWithSuffix,
                Kind::NumberWithSuffix,
                Kind::NumberWithSuffix
            ]
        );
    }

    #[test]
    fn comments_are_split_off() {
        let lexed = lex("let x = 1 # one\n# two\n");
        assert_eq!(lexed.tokens.len(), 4);
        assert_eq!(lexed.comments.len(), 2);
    }

    #[test]
    fn keywords_table_matches_lexer() {
        for &(text, kind) in Kind::KEYWORDS {
            assert_eq!(kinds(text), [kind], "{text}");
        }
        for &(text, kind) in Kind::PUNCTUATION {
            assert_eq!(kinds(text), [kind], "{text}");
        }
    }
}
