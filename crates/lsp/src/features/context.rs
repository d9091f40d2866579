//! What the cursor is in, for completion: read from the tokens before the cursor, so that it
//! works on the half-typed text an editor sends while the user types.
//!
//! Only the top-level part (see `tbt_db::parts`) that holds the cursor is lexed, and only up
//! to the cursor: the cost does not grow with the file.

use tbt_diagnostics::TextRange;
use tbt_syntax::{Kind, Token};

/// The kind of block a `{` opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// The file itself (no open brace).
    File,
    /// `suite "..." {`
    Suite,
    /// `test "..." {`
    Test,
    /// `schema {`
    Schema,
    /// `trigger KIND ... {`, with the kind's index in [`TRIGGER_KINDS`].
    Trigger(Option<usize>),
    /// `span[...] {` and named-selection blocks: statements about each span.
    Span,
    /// An object literal `{ "k": v }`.
    Object,
}

/// The trigger kinds, in the order of the language reference.
pub const TRIGGER_KINDS: &[&str] = &["http", "grpc", "exec", "trace"];

/// Where the cursor is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Context {
    /// In a comment, or in a string that is no interpolation: nothing to complete.
    Nothing,
    /// At the start of a statement in a block.
    Statement(Block),
    /// Right after `trigger`.
    TriggerKind,
    /// At the start of an option line of a trigger block.
    TriggerOption(Option<usize>),
    /// Right after `wait`.
    WaitOption,
    /// After `attribute name:` in a schema.
    SchemaType,
    /// Right after `:` on a selection.
    Pseudo,
    /// In `env.` (after `env.secret.` when `secret`).
    Env {
        /// Whether `env.secret.` was written.
        secret: bool,
    },
    /// In `response.`.
    Response,
    /// After `->` or `=>`.
    Service,
    /// After a comparison (or inside the list after `in`) whose left side is `left`.
    Value {
        /// The left operand's dotted path.
        left: String,
    },
    /// In an expression; `span` when attributes of a span are in scope.
    Expr {
        /// Whether the expression is about a span (in a selector or a span block).
        span: bool,
        /// Whether it directly follows `expect`.
        after_expect: bool,
    },
    /// In the path string of a `use`.
    UsePath,
}

/// The cursor's context and the range of the word it is in (what a completion replaces).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// What the cursor is in.
    pub context: Context,
    /// The range of the (dotted) word before the cursor, in file offsets.
    pub word: TextRange,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// Reads the context at `offset` of `text`, where the top-level part holding the cursor starts
/// at `part_start`.
pub fn cursor(text: &str, part_start: u32, offset: u32) -> Cursor {
    let offset = (offset as usize).min(text.len());
    let mut word_start = offset;
    while word_start > part_start as usize && is_word_byte(text.as_bytes()[word_start - 1]) {
        word_start -= 1;
    }
    // A word never starts with `-` (`a - b` or `->`).
    while word_start < offset && text.as_bytes()[word_start] == b'-' {
        word_start += 1;
    }
    let word = TextRange::new(word_start as u32, offset as u32);
    let start = (part_start as usize).min(word_start);
    let Some(prefix) = text.get(start..offset) else {
        return Cursor {
            context: Context::Nothing,
            word,
        };
    };
    let lexed = tbt_syntax::lex(prefix);
    let shift = start as u32;
    // A comment that reaches the cursor.
    if lexed
        .comments
        .last()
        .is_some_and(|c| c.end + shift == offset as u32)
    {
        return Cursor {
            context: Context::Nothing,
            word,
        };
    }
    let tokens: Vec<Token> = lexed
        .tokens
        .iter()
        .map(|t| Token {
            kind: t.kind,
            range: t.range.shift(shift),
        })
        .collect();
    // In a string: only an interpolation `${...` or a `use` path completes.
    if let Some(last) = tokens.last()
        && matches!(last.kind, Kind::UnterminatedString | Kind::String)
        && last.range.end as usize == offset
        && !(last.kind == Kind::String && last.range.len() >= 2 && word.is_empty())
    {
        let in_string = &text[last.range.start as usize..offset];
        if let Some(open) = in_string.rfind("${")
            && !in_string[open..].contains('}')
        {
            let inner = last.range.start as usize + open + 2;
            let word = TextRange::new(word.start.max(inner as u32), offset as u32);
            return Cursor {
                context: word_context(&text[word.to_usize()]).unwrap_or(Context::Expr {
                    span: false,
                    after_expect: false,
                }),
                word,
            };
        }
        // A string value after a comparison: `service.name == "pay`. The word is the whole
        // string so far, with the closing quote an editor may have inserted after the cursor.
        if let Some(op) = tokens.len().checked_sub(2)
            && matches!(tokens[op].kind, Kind::EqEq | Kind::NotEq)
            && let Some(left) = left_operand(text, &tokens[..op].iter().collect::<Vec<_>>())
        {
            let end = offset + usize::from(text.as_bytes().get(offset) == Some(&b'"'));
            return Cursor {
                context: Context::Value { left },
                word: TextRange::new(last.range.start, end as u32),
            };
        }
        let before = tokens.len().checked_sub(2).map(|i| tokens[i].kind);
        let context = if before == Some(Kind::Use) {
            Context::UsePath
        } else {
            Context::Nothing
        };
        let word = TextRange::new(last.range.start + 1, offset as u32);
        return Cursor { context, word };
    }
    let before: Vec<Token> = tokens
        .into_iter()
        .filter(|t| t.range.end as usize <= word_start)
        .collect();
    Cursor {
        context: classify(text, &before, word),
        word,
    }
}

/// The context given by the word itself: `env.`, `env.secret.`, `response.`.
fn word_context(word: &str) -> Option<Context> {
    if word.starts_with("env.secret.") {
        Some(Context::Env { secret: true })
    } else if word.starts_with("env.") {
        Some(Context::Env { secret: false })
    } else if word.starts_with("response.") {
        Some(Context::Response)
    } else {
        None
    }
}

/// An open delimiter: its token index and, for a brace, the block it opens.
#[derive(Clone, Copy, Debug)]
struct Open {
    at: usize,
    kind: Kind,
    block: Block,
}

fn classify(text: &str, tokens: &[Token], word_range: TextRange) -> Context {
    let word = &text[word_range.to_usize()];
    let word_start = word_range.start as usize;
    let mut stack: Vec<Open> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::LBrace => {
                let block = brace_block(text, tokens, i, &stack);
                stack.push(Open {
                    at: i,
                    kind: Kind::LBrace,
                    block,
                });
            }
            Kind::LBracket | Kind::LParen => stack.push(Open {
                at: i,
                kind: t.kind,
                block: Block::Object,
            }),
            Kind::RBrace | Kind::RBracket | Kind::RParen => {
                stack.pop();
            }
            _ => {}
        }
    }
    let block = stack
        .iter()
        .rev()
        .find(|o| o.kind == Kind::LBrace)
        .map_or(Block::File, |o| o.block);
    let innermost = stack.last().copied();
    let from = innermost.map_or(0, |o| o.at + 1);
    // The tokens of the current statement: after the innermost opener and, in a block, on the
    // cursor's line (a new line starts a new statement).
    let in_brace = innermost.is_none_or(|o| o.kind == Kind::LBrace);
    let line_start = text[..word_start].rfind('\n').map_or(0, |i| i + 1);
    let statement: Vec<&Token> = tokens[from..]
        .iter()
        .filter(|t| !in_brace || t.range.start as usize >= line_start)
        .collect();
    let span_context = stack.iter().any(|o| {
        o.kind == Kind::LBrace && o.block == Block::Span
            || o.kind == Kind::LBracket && is_filter(tokens, o.at)
            || o.kind == Kind::LParen && is_selector_call(text, tokens, o.at)
    });
    if let Some(context) = word_context(word) {
        return context;
    }
    let last = statement.last().map(|t| t.kind);
    // `:first` right after a selection, with no space before the colon's word.
    if last == Some(Kind::Colon)
        && statement
            .last()
            .is_some_and(|t| t.range.end as usize == word_start)
        && block != Block::Schema
    {
        return Context::Pseudo;
    }
    if in_brace && statement.is_empty() {
        return match block {
            Block::Trigger(kind) => Context::TriggerOption(kind),
            Block::Object => Context::Nothing,
            block => Context::Statement(block),
        };
    }
    let first = statement.first().map(|t| t.kind);
    match (first, statement.len()) {
        (Some(Kind::Trigger), 1) => return Context::TriggerKind,
        (Some(Kind::Wait), 1) => return Context::WaitOption,
        (Some(Kind::Test | Kind::Suite | Kind::Use), _) => return Context::Nothing,
        _ => {}
    }
    if block == Block::Schema && in_brace {
        return if last == Some(Kind::Colon) {
            Context::SchemaType
        } else {
            Context::Nothing
        };
    }
    if matches!(block, Block::Trigger(_)) && in_brace && statement.len() == 1 {
        // The word after an option name: `body json`, `auth bearer`, `tls insecure`.
        return Context::Nothing;
    }
    match last {
        Some(Kind::Arrow | Kind::FatArrow) => return Context::Service,
        Some(
            Kind::EqEq | Kind::NotEq | Kind::Lt | Kind::LtEq | Kind::Gt | Kind::GtEq | Kind::In,
        ) => {
            let op = statement.len() - 1;
            if let Some(left) = left_operand(text, &statement[..op]) {
                return Context::Value { left };
            }
        }
        Some(Kind::LBracket | Kind::Comma) => {
            // `x in [a, |`: the list after `in`.
            if let Some(open) = innermost.filter(|o| o.kind == Kind::LBracket)
                && open.at >= 1
                && tokens[open.at - 1].kind == Kind::In
                && let Some(left) =
                    left_operand(text, &tokens[..open.at - 1].iter().collect::<Vec<_>>())
            {
                return Context::Value { left };
            }
        }
        _ => {}
    }
    Context::Expr {
        span: span_context,
        after_expect: last == Some(Kind::Expect),
    }
}

/// The dotted path that ends the tokens: `http.request.method` in `expect http.request.method`.
fn left_operand(text: &str, tokens: &[&Token]) -> Option<String> {
    let mut i = tokens.len();
    let mut expect_ident = true;
    while i > 0 {
        let t = tokens[i - 1];
        let ok = if expect_ident {
            matches!(t.kind, Kind::Ident | Kind::Span) || t.kind.is_keyword()
        } else {
            t.kind == Kind::Dot
        };
        if !ok {
            break;
        }
        expect_ident = !expect_ident;
        i -= 1;
    }
    let path: &[&Token] = &tokens[i..];
    let first = path.first()?;
    if first.kind == Kind::Dot {
        return None;
    }
    let range = TextRange::new(first.range.start, path.last()?.range.end);
    Some(text[range.to_usize()].to_string())
}

/// Whether the `[` at `at` filters a selection (`span[`, `pay[`, `...][`, `)[`) rather than
/// starting a list.
fn is_filter(tokens: &[Token], at: usize) -> bool {
    at > 0
        && matches!(
            tokens[at - 1].kind,
            Kind::Span | Kind::Ident | Kind::RBracket | Kind::RParen
        )
        && tokens[at - 1].range.end == tokens[at].range.start
}

/// Whether the `(` at `at` is the argument list of `:has` or `:not`.
fn is_selector_call(text: &str, tokens: &[Token], at: usize) -> bool {
    at >= 2
        && tokens[at - 2].kind == Kind::Colon
        && matches!(&text[tokens[at - 1].range.to_usize()], "has" | "not")
}

/// What the `{` at `at` opens, read from the tokens on its line before it.
fn brace_block(text: &str, tokens: &[Token], at: usize, stack: &[Open]) -> Block {
    let brace = tokens[at].range.start as usize;
    let line_start = text[..brace].rfind('\n').map_or(0, |i| i + 1);
    let from = stack.last().map_or(0, |o| o.at + 1);
    let header: Vec<&Token> = tokens[from..at]
        .iter()
        .filter(|t| t.range.start as usize >= line_start)
        .collect();
    let enclosing = stack
        .iter()
        .rev()
        .find(|o| o.kind == Kind::LBrace)
        .map_or(Block::File, |o| o.block);
    if stack.last().is_some_and(|o| o.kind != Kind::LBrace) {
        return Block::Object;
    }
    match header.first().map(|t| t.kind) {
        Some(Kind::Test) => Block::Test,
        Some(Kind::Suite) => Block::Suite,
        Some(Kind::Schema) => Block::Schema,
        Some(Kind::Trigger) => Block::Trigger(header.get(1).and_then(|t| {
            TRIGGER_KINDS
                .iter()
                .position(|k| *k == &text[t.range.to_usize()])
        })),
        _ if matches!(enclosing, Block::Trigger(_) | Block::Object) => Block::Object,
        None => Block::Object,
        _ if header
            .last()
            .is_some_and(|t| matches!(t.kind, Kind::Eq | Kind::Comma | Kind::Colon)) =>
        {
            Block::Object
        }
        _ => Block::Span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context_at(marked: &str) -> Context {
        let offset = marked.find("$0").expect("marker");
        let text = marked.replace("$0", "");
        cursor(&text, 0, offset as u32).context
    }

    #[test]
    fn reads_contexts() {
        use Context::*;
        let cases: &[(&str, Context)] = &[
            ("$0", Statement(Block::File)),
            ("te$0", Statement(Block::File)),
            ("test \"a\" {\n  $0\n}", Statement(Block::Test)),
            ("test \"a\" {\n  trigger $0", TriggerKind),
            (
                "test \"a\" {\n  trigger http GET \"x\" {\n    he$0",
                TriggerOption(Some(0)),
            ),
            ("test \"a\" {\n  wait $0", WaitOption),
            (
                "test \"a\" {\n  expect span[ht$0",
                Expr {
                    span: true,
                    after_expect: false,
                },
            ),
            (
                "test \"a\" {\n  span[x] {\n    expect $0",
                Expr {
                    span: true,
                    after_expect: true,
                },
            ),
            (
                "test \"a\" {\n  expect $0",
                Expr {
                    span: false,
                    after_expect: true,
                },
            ),
            (
                "test \"a\" {\n  expect span[status == $0",
                Value {
                    left: "status".into(),
                },
            ),
            (
                "test \"a\" {\n  expect span[kind in [server, $0",
                Value {
                    left: "kind".into(),
                },
            ),
            ("test \"a\" {\n  expect span:$0", Pseudo),
            ("test \"a\" {\n  expect env.$0", Env { secret: false }),
            (
                "test \"a\" {\n  trigger http GET \"${env.secret.$0",
                Env { secret: true },
            ),
            ("test \"a\" {\n  expect response.st$0", Response),
            ("test \"a\" {\n  expect a -> $0", Service),
            ("schema {\n  attribute a.b: $0", SchemaType),
            ("schema {\n  $0", Statement(Block::Schema)),
            ("use \"sh$0", UsePath),
            (
                "test \"a\" {\n  expect span[service.name == \"pa$0",
                Value {
                    left: "service.name".into(),
                },
            ),
            ("# a comment $0", Nothing),
            ("test \"a $0", Nothing),
            ("suite \"s\" {\n  $0", Statement(Block::Suite)),
            ("test \"a\" {\n  span[x] {\n    $0", Statement(Block::Span)),
        ];
        for (text, want) in cases {
            assert_eq!(&context_at(text), want, "in {text:?}");
        }
    }
}
