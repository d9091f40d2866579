//! Statements and blocks, with recovery at statement boundaries.

use super::expr::{ident, parsers, path, single_equals, string, word};
use super::{Cx, ParseError, range};
use crate::ast::*;
use crate::token::Kind;
use chumsky::input::ValueInput;
use chumsky::prelude::*;
use tbt_diagnostics::{Diagnostic, TextRange, codes};

/// The words that select an option's kind: `body json`, `auth bearer`, `tls insecure`.
const OPTION_KIND_WORDS: &[&str] = &[
    "json", "text", "form", "file", "basic", "bearer", "ca", "cert", "insecure",
];

/// Words that people write for statements in other tools, with the tbt keyword to use.
const STATEMENT_SYNONYMS: &[(&str, &str)] = &[
    ("assert", "expect"),
    ("check", "expect"),
    ("verify", "expect"),
    ("should", "expect"),
    ("require", "expect"),
    ("var", "let"),
    ("const", "let"),
    ("set", "let"),
    ("sleep", "wait"),
    ("export", "output"),
    ("return", "output"),
    ("import", "use"),
    ("include", "use"),
    ("spans", "span"),
    ("describe", "suite"),
    ("it", "test"),
];

/// The statements of a file (or block), each recovered on its own.
pub(crate) fn statements<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, Vec<Stmt>, extra::Err<Er>>
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    let (expr, arg) = parsers::<I, Er>(cx);
    let stmt = recursive(|stmt| {
        let block = stmt
            .repeated()
            .collect::<Vec<Stmt>>()
            .delimited_by(just(Kind::LBrace), just(Kind::RBrace))
            .labelled("block");

        let use_stmt = statement_keyword(Kind::Use)
            .ignore_then(string(cx))
            .map_with(|path, e| {
                Stmt::Use(Use {
                    path,
                    range: range(e.span()),
                })
            });

        let schema_stmt = statement_keyword(Kind::Schema)
            .map_with(|_, e| e.span())
            .then(schema_block(cx).or_not())
            .map_with(move |(keyword, items), e| {
                let items = items.unwrap_or_else(|| {
                    cx.report(missing_block(keyword, "schema"));
                    Vec::new()
                });
                Stmt::Schema(Schema {
                    items,
                    range: range(e.span()),
                })
            });

        let named_block = |keyword: Kind, what: &'static str| {
            statement_keyword(keyword)
                .map_with(|_, e| e.span())
                .then(string(cx).or_not())
                .then(block.clone().or_not())
                .map_with(move |((keyword, name), body), e| {
                    if name.is_none() {
                        cx.report(
                            Diagnostic::new(
                                codes::MISSING_NAME,
                                range(keyword),
                                format!("this {what} has no name"),
                            )
                            .with_label(format!("expected a string after `{what}`"))
                            .with_help(format!("name it: `{what} \"what it checks\" {{ ... }}`")),
                        );
                    }
                    let body = body.unwrap_or_else(|| {
                        cx.report(missing_block(keyword, what));
                        Vec::new()
                    });
                    (name, body, range(e.span()))
                })
        };
        let test_stmt = named_block(Kind::Test, "test")
            .map(|(name, body, range)| Stmt::Test(Test { name, body, range }));
        let suite_stmt = named_block(Kind::Suite, "suite")
            .map(|(name, body, range)| Stmt::Suite(Suite { name, body, range }));

        // Positional arguments stay on the line of the statement or option they belong to.
        // A trigger's arguments stop at `{`, which opens its options; an option's arguments may
        // be object literals (`body json { ... }`).
        let same_line_arg = |allow_brace: bool| {
            any()
                .map_with(|k: Kind, e| (k, e.span()))
                .filter(move |(k, span)| {
                    (allow_brace || *k != Kind::LBrace) && !cx.starts_line(*span)
                })
                .rewind()
                .ignore_then(arg.clone())
        };
        // The kind word of `body json [1]`, `auth bearer x`, `tls insecure` is a plain word: no
        // postfix, so `json [1]` is not read as indexing.
        let kind_word = just(Kind::Ident)
            .map_with(|_, e| e.span())
            .filter(move |span| {
                OPTION_KIND_WORDS.contains(&cx.text(*span)) && !cx.starts_line(*span)
            })
            .then_ignore(just(Kind::Dot).not().rewind())
            .map(move |span| {
                let name = cx.name(span);
                let r = name.range;
                Expr {
                    kind: ExprKind::Path(Path {
                        segments: vec![name],
                        range: r,
                    }),
                    range: r,
                }
            });
        let option = ident(cx)
            .then(
                kind_word
                    .or_not()
                    .then(same_line_arg(true).repeated().collect::<Vec<_>>())
                    .map(|(kind, mut args)| {
                        if let Some(kind) = kind {
                            args.insert(0, kind);
                        }
                        args
                    }),
            )
            .then(just(Kind::Eq).ignore_then(expr.clone()).or_not())
            .map_with(|((name, args), value), e| Opt {
                name,
                args,
                value,
                range: range(e.span()),
            });
        let options = option
            .recover_with(via_parser(skip_statement(cx).to(None::<Opt>).map(|_| {
                Opt {
                    name: Name {
                        text: "".into(),
                        range: TextRange::default(),
                    },
                    args: Vec::new(),
                    value: None,
                    range: TextRange::default(),
                }
            })))
            .repeated()
            .collect::<Vec<_>>()
            .map(|opts| {
                opts.into_iter()
                    .filter(|o| !o.name.text.is_empty())
                    .collect::<Vec<_>>()
            })
            .delimited_by(just(Kind::LBrace), just(Kind::RBrace));
        let trigger_stmt = statement_keyword(Kind::Trigger)
            .ignore_then(word(cx).labelled("trigger kind"))
            .then(same_line_arg(false).repeated().collect::<Vec<_>>())
            .then(options.or_not())
            .map_with(|((kind, args), options), e| {
                Stmt::Trigger(Trigger {
                    kind,
                    args,
                    options: options.unwrap_or_default(),
                    range: range(e.span()),
                })
            });

        let expect_stmt = statement_keyword(Kind::Expect)
            .map_with(|_, e| e.span())
            .then(expr.clone())
            .then(just(Kind::Eq).map_with(|_, e| e.span()).then(expr.clone()).or_not())
            .then(block.clone().or_not())
            .map_with(move |(((keyword, lhs), single_eq), body), e| {
                let expr = match single_eq {
                    Some((eq, rhs)) => {
                        cx.report(single_equals(eq));
                        let r = lhs.range.cover(rhs.range);
                        Expr { kind: ExprKind::Binary(BinaryOp::Eq, Box::new(lhs), Box::new(rhs)), range: r }
                    }
                    None => lhs,
                };
                match body {
                    // `expect span[...] { ... }`: a span block needs no `expect`.
                    Some(body) => {
                        let keyword = range(keyword);
                        cx.report(
                            Diagnostic::new(codes::UNKNOWN_STATEMENT, keyword, "a span block takes no `expect`")
                                .with_label("remove this `expect`")
                                .with_help("a selector followed by `{ ... }` already asserts that every selected span satisfies the block")
                                .with_fix("remove `expect`", TextRange::new(keyword.start, expr.range.start), ""),
                        );
                        let (quantifier, selector) = match expr.kind {
                            ExprKind::Quantified(q, inner) => (Some(q), *inner),
                            _ => (None, expr),
                        };
                        Stmt::Block(SpanBlock { quantifier, selector, body, range: range(e.span()) })
                    }
                    None => Stmt::Expect(Expect { expr, range: range(e.span()) }),
                }
            });

        let binding = |keyword: Kind| {
            statement_keyword(keyword)
                .ignore_then(word(cx).map_with(move |name, e| {
                    if let Some(kw) = Kind::keyword(&name.text) {
                        cx.report(
                            Diagnostic::new(
                                codes::KEYWORD_AS_NAME,
                                range(e.span()),
                                format!("`{}` is a keyword", kw.describe()),
                            )
                            .with_label("cannot be used as a name")
                            .with_help(format!("pick another name, such as `{}_value`", name.text)),
                        );
                    }
                    name
                }))
                .then_ignore(just(Kind::Eq))
                .then(expr.clone())
                .map_with(|(name, value), e| Let {
                    name,
                    value,
                    range: range(e.span()),
                })
        };
        let let_stmt = binding(Kind::Let).map(Stmt::Let);
        let output_stmt = binding(Kind::Output).map(Stmt::Output);

        let wait_stmt = statement_keyword(Kind::Wait)
            .ignore_then(ident(cx).labelled("`until`, `timeout` or `settle`"))
            .then(expr.clone())
            .map_with(|(name, value), e| {
                Stmt::Wait(Opt {
                    name,
                    args: vec![value],
                    value: None,
                    range: range(e.span()),
                })
            });

        // A word that is not a statement, such as `assert`: one diagnostic, then skip the rest.
        let unknown_word = just(Kind::Ident)
            .map_with(|_, e| e.span())
            .then_ignore(
                any()
                    .filter(|k: &Kind| {
                        !matches!(
                            k,
                            Kind::LBrace
                                | Kind::LBracket
                                | Kind::Dot
                                | Kind::Colon
                                | Kind::Gt
                                | Kind::GtGt
                                | Kind::LParen
                        )
                    })
                    .rewind(),
            )
            .then_ignore(skip_rest(cx))
            .map_with(move |word_span, e| {
                cx.report(unknown_statement(
                    cx.src,
                    cx.text(word_span),
                    range(word_span),
                ));
                Stmt::Error(range(e.span()))
            });

        let expr_stmt = expr.clone().then(block.or_not()).map_with(move |(selector, body), e| match body {
            Some(body) => {
                let (quantifier, selector) = match selector.kind {
                    ExprKind::Quantified(q, inner) => (Some(q), *inner),
                    _ => (None, selector),
                };
                Stmt::Block(SpanBlock { quantifier, selector, body, range: range(e.span()) })
            }
            // A region the lexer or the delimiter pass already reported and replaced.
            None if selector.kind == ExprKind::Error => Stmt::Error(selector.range),
            None => {
                cx.report(
                    Diagnostic::new(codes::UNKNOWN_STATEMENT, selector.range, "an expression is not a statement")
                        .with_label("this value is computed and then ignored")
                        .with_help("assert it with `expect`, or give it a block to check each selected span")
                        .with_fix("insert `expect`", TextRange::empty(selector.range.start), "expect "),
                );
                Stmt::Expect(Expect { range: selector.range, expr: selector })
            }
        });

        // Most frequent first: every failed alternative costs a token comparison.
        choice((
            expect_stmt,
            let_stmt,
            trigger_stmt,
            test_stmt,
            output_stmt,
            wait_stmt,
            use_stmt,
            schema_stmt,
            suite_stmt,
            unknown_word,
            expr_stmt,
        ))
        .labelled("statement")
        .recover_with(via_parser(
            skip_statement(cx).map_with(|_, e| Stmt::Error(range(e.span()))),
        ))
        .boxed()
    });
    stmt.repeated().collect::<Vec<Stmt>>()
}

/// A keyword that starts a statement, unless a `.` follows: `test.case.name` is an attribute.
fn statement_keyword<'t, I, Er>(keyword: Kind) -> impl Parser<'t, I, Kind, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    just(keyword).then_ignore(just(Kind::Dot).not())
}

/// A balanced group `{...}`, `[...]` or `(...)`, or one token that is not a delimiter.
fn token_or_group<'t, I, Er>() -> impl Parser<'t, I, (), extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    recursive(|group| {
        let inner = group.repeated();
        choice((
            just(Kind::LBrace)
                .ignore_then(inner.clone())
                .then_ignore(just(Kind::RBrace)),
            just(Kind::LBracket)
                .ignore_then(inner.clone())
                .then_ignore(just(Kind::RBracket)),
            just(Kind::LParen)
                .ignore_then(inner)
                .then_ignore(just(Kind::RParen)),
            none_of([
                Kind::LBrace,
                Kind::RBrace,
                Kind::LBracket,
                Kind::RBracket,
                Kind::LParen,
                Kind::RParen,
            ])
            .ignored(),
        ))
    })
}

/// Skips tokens up to the next statement start: a statement keyword, or a name that begins a line.
fn skip_rest<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, (), extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    let boundary = any()
        .map_with(|k: Kind, e| (k, e.span()))
        .filter(move |(k, span)| {
            k.starts_statement() || (*k == Kind::Ident && cx.starts_line(*span))
        })
        .rewind();
    token_or_group().and_is(boundary.not()).repeated()
}

/// Recovery: skips at least one token (or group), then up to the next statement start.
fn skip_statement<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, (), extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    token_or_group().then(skip_rest(cx)).ignored()
}

/// `{ services ...  attribute ... }`
fn schema_block<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, Vec<SchemaItem>, extra::Err<Er>>
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    let keyword = move |text: &'static str| {
        just(Kind::Ident)
            .map_with(|_, e| e.span())
            .filter(move |span| cx.text(*span) == text)
            .labelled(text)
    };
    // `services a, b,` then `attribute ...` on the next line: the declaration words are never
    // service names, so a trailing comma does not swallow the next line.
    let service_name = ident(cx)
        .filter(|name: &Name| !matches!(name.text.as_str(), "services" | "attribute"))
        .or(string(cx).map(|lit| Name {
            text: lit.as_plain().unwrap_or("").into(),
            range: lit.range,
        }));
    let services = keyword("services")
        .ignore_then(
            service_name
                .separated_by(just(Kind::Comma))
                .at_least(1)
                .allow_trailing()
                .collect::<Vec<_>>(),
        )
        .map_with(|names, e| {
            SchemaItem::Services(Services {
                names,
                range: range(e.span()),
            })
        });
    let attribute = keyword("attribute")
        .ignore_then(path(cx))
        .then_ignore(just(Kind::Colon))
        .then(type_expr(cx))
        .then(string(cx).or_not())
        .map_with(|((name, ty), doc), e| {
            SchemaItem::Attribute(AttributeDecl {
                name,
                ty,
                doc,
                range: range(e.span()),
            })
        });
    let unknown = just(Kind::Ident)
        .map_with(|_, e| e.span())
        .filter(move |span| !matches!(cx.text(*span), "services" | "attribute"))
        .then_ignore(skip_rest(cx))
        .map_with(move |span, e| {
            let word = cx.text(span);
            let mut d = Diagnostic::new(
                codes::UNKNOWN_OPTION,
                range(span),
                format!("`{word}` is not a schema declaration"),
            )
            .with_label("expected `services` or `attribute`");
            if let Some(best) = crate::suggest::closest(word, &["services", "attribute"]) {
                d = d.with_help(format!("did you mean `{best}`?")).with_fix(
                    format!("replace with `{best}`"),
                    range(span),
                    best,
                );
            }
            cx.report(d);
            SchemaItem::Error(range(e.span()))
        });
    choice((services, attribute, unknown))
        .labelled("schema declaration")
        .recover_with(via_parser(
            skip_statement(cx).map_with(|_, e| SchemaItem::Error(range(e.span()))),
        ))
        .repeated()
        .collect::<Vec<_>>()
        .delimited_by(just(Kind::LBrace), just(Kind::RBrace))
}

/// `string`, `int[]`, `"a" | "b"`.
fn type_expr<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, TypeExpr, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    let named = ident(cx).map(TypeExpr::Named).foldl_with(
        just(Kind::LBracket).then(just(Kind::RBracket)).repeated(),
        |inner, _, e| TypeExpr::List(Box::new(inner), range(e.span())),
    );
    let member = string(cx).map(Some).or(any()
        .filter(|k: &Kind| !matches!(k, Kind::RBrace | Kind::String))
        .rewind()
        .or_not()
        .map(|_| None));
    let enumeration = string(cx)
        .then(
            just(Kind::Pipe)
                .map_with(|_, e| e.span())
                .then(member)
                .repeated()
                .collect::<Vec<_>>(),
        )
        .map_with(move |(first, rest), e| {
            let mut members = vec![first];
            for (pipe, member) in rest {
                match member {
                    Some(member) => members.push(member),
                    None => cx.report(
                        Diagnostic::new(
                            codes::INCOMPLETE_ENUM,
                            range(pipe),
                            "`|` must be followed by a string member",
                        )
                        .with_label("expected a string after this `|`")
                        .with_help("list the members as strings: `\"success\" | \"failure\"`"),
                    ),
                }
            }
            TypeExpr::Enum(members, range(e.span()))
        });
    choice((enumeration, named)).labelled("type")
}

fn missing_block(keyword: SimpleSpan, what: &str) -> Diagnostic {
    Diagnostic::new(
        codes::MISSING_BLOCK,
        range(keyword),
        format!("this {what} has no body"),
    )
    .with_label(format!("expected `{{` after the {what}'s header"))
    .with_help(format!(
        "write the {what}'s statements in braces: `{{ ... }}`"
    ))
}

fn unknown_statement(src: &str, word: &str, at: TextRange) -> Diagnostic {
    // `200 ms`: a unit separated from its number.
    let before = &src[..at.start as usize];
    let spaces = before.len() - before.trim_end_matches([' ', '\t']).len();
    if spaces > 0
        && crate::ast::DurationUnit::parse(word).is_some()
        && before.trim_end().ends_with(|c: char| c.is_ascii_digit())
    {
        let gap = TextRange::new(at.start - spaces as u32, at.start);
        return Diagnostic::new(
            codes::UNKNOWN_STATEMENT,
            at,
            format!("`{word}` is separated from its number"),
        )
        .with_label("a unit follows its number without a space")
        .with_help(format!(
            "write the duration without a space, e.g. `200{word}`"
        ))
        .with_fix("remove the space", gap, "");
    }
    let mut d = Diagnostic::new(
        codes::UNKNOWN_STATEMENT,
        at,
        format!("`{word}` does not start a statement"),
    )
    .with_label("unknown statement");
    let keywords = [
        "trigger", "expect", "let", "output", "wait", "span", "use", "schema", "test", "suite",
    ];
    let suggestion = STATEMENT_SYNONYMS
        .iter()
        .find(|(synonym, _)| synonym.eq_ignore_ascii_case(word))
        .map(|&(_, keyword)| keyword)
        .or_else(|| crate::suggest::closest(word, &keywords));
    match suggestion {
        Some(keyword) => {
            d = d.with_help(format!("did you mean `{keyword}`?")).with_fix(
                format!("replace with `{keyword}`"),
                at,
                keyword,
            );
        }
        None => {
            d = d.with_help("statements start with `trigger`, `expect`, `let`, `output`, `wait` or a span selector");
        }
    }
    d
}
