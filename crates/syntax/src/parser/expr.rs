//! Expressions: literals, paths, selectors and combinators, operators, ordering chains.

use super::{Cx, ParseError, range};
use crate::ast::*;
use crate::literal;
use crate::token::Kind;
use chumsky::input::ValueInput;
use chumsky::pratt::*;
use chumsky::prelude::*;
use tbt_diagnostics::{Diagnostic, codes};

fn boxed(expr: Expr) -> Box<Expr> {
    Box::new(expr)
}

/// A name token (not a keyword).
pub(crate) fn ident<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, Name, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    just(Kind::Ident).map_with(move |_, e| cx.name(e.span()))
}

/// A name or keyword token, as accepted after a `.` or `:`.
pub(crate) fn word<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, Name, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    any()
        .filter(|k: &Kind| *k == Kind::Ident || k.is_keyword())
        .map_with(move |_, e| cx.name(e.span()))
        .labelled("name")
}

/// A dotted path of names: `http.response.status_code`.
pub(crate) fn path<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, Path, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    // A keyword can start a path when a dot follows (`test.case.name` is an OpenTelemetry
    // attribute), except the keywords that start or continue expressions themselves.
    let keyword_head = any()
        .filter(|k: &Kind| {
            k.is_keyword()
                && !matches!(
                    k,
                    Kind::Span
                        | Kind::Not
                        | Kind::No
                        | Kind::Some
                        | Kind::Any
                        | Kind::Exactly
                        | Kind::True
                        | Kind::False
                )
        })
        .map_with(move |_, e| cx.name(e.span()))
        .then_ignore(just(Kind::Dot).rewind());
    ident(cx)
        .or(keyword_head)
        .map(|first| {
            let mut segments = Vec::with_capacity(4);
            segments.push(first);
            segments
        })
        .foldl(
            just(Kind::Dot).ignore_then(word(cx)).repeated(),
            |mut segments, segment| {
                segments.push(segment);
                segments
            },
        )
        .map_with(|segments, e| Path {
            segments,
            range: range(e.span()),
        })
}

/// A string literal token (terminated or not).
pub(crate) fn string<'t, I, Er>(
    cx: &'t Cx<'t>,
) -> impl Parser<'t, I, StringLit, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    select! {
        Kind::String = e => (e.span(), true),
        Kind::UnterminatedString = e => (e.span(), false),
    }
    .map(move |(span, terminated)| {
        let mut diags = Vec::new();
        let lit = literal::string(cx.text(span), range(span), terminated, &mut diags);
        for d in diags {
            cx.report(d);
        }
        lit
    })
}

/// Builds the full expression parser and the argument parser (a postfix expression without
/// binary operators, used for positional arguments of triggers and options).
pub(crate) fn parsers<'t, I, Er>(
    cx: &'t Cx<'t>,
) -> (
    impl Parser<'t, I, Expr, extra::Err<Er>> + Clone,
    impl Parser<'t, I, Expr, extra::Err<Er>> + Clone,
)
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    let expr = recursive(|expr| {
        let chain = chain(cx, expr.boxed());
        let operand = chain.pratt((
            infix(left(1), select! { Kind::Or => (), Kind::PipePipe => () }, |l, _, r, e| {
                binary(BinaryOp::Or, l, r, e.span())
            }),
            infix(left(2), select! { Kind::And => (), Kind::AmpAmp => () }, |l, _, r, e| {
                binary(BinaryOp::And, l, r, e.span())
            }),
            prefix(3, select! { Kind::Not => (), Kind::Bang => () }, |_, x, e| Expr {
                kind: ExprKind::Unary(UnaryOp::Not, boxed(x)),
                range: range(e.span()),
            }),
            infix(left(4), comparison(cx), |l, op, r, e| binary(op, l, r, e.span())),
            postfix(4, just(Kind::Exists), |x, _, e| Expr {
                kind: ExprKind::Exists(boxed(x)),
                range: range(e.span()),
            }),
            infix(left(5), select! { Kind::Plus => BinaryOp::Add, Kind::Minus => BinaryOp::Sub }, |l, op, r, e| {
                binary(op, l, r, e.span())
            }),
            infix(
                left(6),
                select! { Kind::Star => BinaryOp::Mul, Kind::Slash => BinaryOp::Div, Kind::Percent => BinaryOp::Rem },
                |l, op, r, e| binary(op, l, r, e.span()),
            ),
            prefix(7, just(Kind::Minus), |_, x, e| Expr {
                kind: ExprKind::Unary(UnaryOp::Neg, boxed(x)),
                range: range(e.span()),
            }),
        ));
        order(cx, operand)
    })
    .labelled("expression");
    let arg = chain(cx, expr.clone().boxed()).labelled("expression");
    (expr, arg)
}

/// `=` where `==` was meant.
pub(crate) fn single_equals(eq: SimpleSpan) -> Diagnostic {
    Diagnostic::new(codes::SINGLE_EQUALS, range(eq), "`=` is not a comparison")
        .with_label("did you mean `==`?")
        .with_help("compare with `==`; `=` only binds names and sets options")
        .with_fix("replace `=` with `==`", range(eq), "==")
}

fn binary(op: BinaryOp, l: Expr, r: Expr, span: SimpleSpan) -> Expr {
    Expr {
        kind: ExprKind::Binary(op, boxed(l), boxed(r)),
        range: range(span),
    }
}

fn comparison<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, BinaryOp, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    // `>` at the start of a line begins a relative selector, never a comparison.
    let greater = just(Kind::Gt)
        .map_with(|_, e| e.span())
        .filter(move |span| !cx.starts_line(*span))
        .to(BinaryOp::Gt);
    choice((
        select! {
            Kind::EqEq => BinaryOp::Eq,
            Kind::NotEq => BinaryOp::NotEq,
            Kind::Lt => BinaryOp::Lt,
            Kind::LtEq => BinaryOp::LtEq,
            Kind::GtEq => BinaryOp::GtEq,
            Kind::Contains => BinaryOp::Contains,
            Kind::Matches => BinaryOp::Matches,
            Kind::EqTilde => BinaryOp::Matches,
            Kind::In => BinaryOp::In,
        },
        greater,
        just(Kind::Not).then(just(Kind::In)).to(BinaryOp::NotIn),
    ))
}

/// `a -> b => c within 500ms`, or a plain expression.
fn order<'t, I, Er>(
    cx: &'t Cx<'t>,
    operand: impl Parser<'t, I, Expr, extra::Err<Er>> + Clone,
) -> impl Parser<'t, I, Expr, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    let op = select! { Kind::Arrow => OrderOp::Before, Kind::FatArrow => OrderOp::Calls };
    operand
        .clone()
        .then(op.then(operand.clone()).repeated().collect::<Vec<_>>())
        .then(just(Kind::Within).map_with(|_, e| e.span()).then(operand).or_not())
        .map_with(move |((first, rest), within), e| {
            if rest.is_empty() {
                if let Some((keyword, bound)) = within {
                    let help = match &first.kind {
                        ExprKind::Paren(inner) if matches!(inner.kind, ExprKind::Order { .. }) => {
                            "put `within` inside the parentheses, right after the chain: `(a -> b within 1s)`"
                        }
                        _ => "`within` bounds a chain such as `a -> b within 500ms`; to bound a duration, compare `duration`",
                    };
                    cx.report(
                        Diagnostic::new(codes::MISPLACED_WITHIN, range(keyword), "`within` needs an ordering chain")
                            .with_label("nothing here is ordered")
                            .with_help(help)
                            .with_fix("remove the bound", range(keyword).cover(bound.range), ""),
                    );
                }
                return first;
            }
            let mut steps = Vec::with_capacity(rest.len() + 1);
            let mut ops = Vec::with_capacity(rest.len());
            steps.push(first);
            for (op, step) in rest {
                ops.push(op);
                steps.push(step);
            }
            Expr {
                kind: ExprKind::Order { steps, ops, within: within.map(|(_, bound)| boxed(bound)) },
                range: range(e.span()),
            }
        })
}

/// A postfix expression followed by selector combinators: `span[a] > span[b] >> span[c]`.
fn chain<'t, I, Er>(
    cx: &'t Cx<'t>,
    expr: chumsky::Boxed<'t, 't, I, Expr, extra::Err<Er>>,
) -> impl Parser<'t, I, Expr, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    recursive(move |chain| {
        let combinator =
            select! { Kind::Gt => Combinator::Child, Kind::GtGt => Combinator::Descendant };
        let span_unit = postfix_ops(
            cx,
            expr.clone(),
            just(Kind::Span).map_with(|_, e| Expr {
                kind: ExprKind::Span,
                range: range(e.span()),
            }),
        );
        let relative = combinator
            .then(span_unit.clone())
            .map_with(|(combinator, right), e| Expr {
                kind: ExprKind::Combine {
                    left: None,
                    combinator,
                    right: boxed(right),
                },
                range: range(e.span()),
            });
        let quantifier = choice((
            just(Kind::No).map_with(|_, e| Quantifier::No(range(e.span()))),
            just(Kind::Some).map_with(|_, e| Quantifier::Some(range(e.span()))),
            just(Kind::Any).map_with(|_, e| Quantifier::Any(range(e.span()))),
            just(Kind::Exactly)
                .map_with(|_, e| e.span())
                .then(count(cx).or_not())
                .map(move |(span, n)| {
                    let n = n.unwrap_or_else(|| {
                        cx.report(
                            Diagnostic::new(codes::INVALID_QUANTIFIER, range(span), "`exactly` needs a count")
                                .with_label("how many spans?")
                                .with_help("write `exactly N span[...]`, e.g. `exactly 1 span[name == \"charge\"]`"),
                        );
                        Expr { kind: ExprKind::Error, range: range(span) }
                    });
                    let r = range(span).cover(n.range);
                    Quantifier::Exactly(boxed(n), r)
                }),
        ));
        let quantified =
            quantifier
                .then(chain.clone())
                .map_with(|(q, x): (Quantifier, Expr), e| Expr {
                    kind: ExprKind::Quantified(q, boxed(x)),
                    range: range(e.span()),
                });
        let unit = postfix_ops(cx, expr.clone(), primary(cx, expr.clone()));
        // A combinator continues a selector only on the same line: at the start of a line, `>`
        // and `>>` begin a new relative selector (a new statement).
        let continuing = any()
            .map_with(|k: Kind, e| (k, e.span()))
            .filter(move |(_, span)| !cx.starts_line(*span))
            .rewind()
            .ignore_then(combinator);
        // Most operands are plain units: try them first.
        choice((unit, relative, quantified))
            .foldl_with(
                continuing.then(span_unit).repeated(),
                |left, (combinator, right), e| Expr {
                    kind: ExprKind::Combine {
                        left: Some(boxed(left)),
                        combinator,
                        right: boxed(right),
                    },
                    range: range(e.span()),
                },
            )
            .boxed()
    })
}

/// An integer literal used as a count.
fn count<'t, I, Er>(cx: &'t Cx<'t>) -> impl Parser<'t, I, Expr, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    just(Kind::Number).map_with(move |_, e| {
        let mut diags = Vec::new();
        let mut kind = literal::number(cx.text(e.span()), range(e.span()), &mut diags);
        for d in diags {
            cx.report(d);
        }
        if let ExprKind::Float(_) = kind {
            cx.report(
                Diagnostic::new(
                    codes::INVALID_QUANTIFIER,
                    range(e.span()),
                    "a count must be a whole number",
                )
                .with_label("not an integer")
                .with_help("write `exactly N span[...]` with N an integer"),
            );
            kind = ExprKind::Error;
        }
        Expr {
            kind,
            range: range(e.span()),
        }
    })
}

/// Field access, indexing or filtering, and pseudo-classes after a primary.
fn postfix_ops<'t, I, Er>(
    cx: &'t Cx<'t>,
    expr: chumsky::Boxed<'t, 't, I, Expr, extra::Err<Er>>,
    base: impl Parser<'t, I, Expr, extra::Err<Er>> + Clone,
) -> impl Parser<'t, I, Expr, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    enum Post {
        Field(Name),
        Index(Expr),
        Pseudo(Pseudo),
    }
    let args = comma_list(expr.clone(), Kind::LParen, Kind::RParen);
    let field = just(Kind::Dot).ignore_then(word(cx)).map(Post::Field);
    // `span[name = "x"]`: report `=` and read it as `==`, so the rest of the file is checked.
    let predicate = expr
        .clone()
        .then(
            just(Kind::Eq)
                .map_with(|_, e| e.span())
                .then(expr.clone())
                .or_not(),
        )
        .map(move |(lhs, single_eq)| match single_eq {
            Some((eq, rhs)) => {
                cx.report(single_equals(eq));
                let r = lhs.range.cover(rhs.range);
                Expr {
                    kind: ExprKind::Binary(BinaryOp::Eq, boxed(lhs), boxed(rhs)),
                    range: r,
                }
            }
            None => lhs,
        });
    let index = predicate
        .or_not()
        .delimited_by(just(Kind::LBracket), just(Kind::RBracket))
        .map_with(move |inner, e| {
            Post::Index(inner.unwrap_or_else(|| {
                let span = e.span();
                cx.report(
                    Diagnostic::new(codes::EMPTY_SELECTOR, range(span), "empty brackets")
                        .with_label("expected a predicate or an index")
                        .with_help("to select every span, write `span` alone")
                        .with_fix("remove the brackets", range(span), ""),
                );
                Expr {
                    kind: ExprKind::Error,
                    range: range(span),
                }
            }))
        });
    let pseudo = just(Kind::Colon)
        .ignore_then(word(cx))
        .then(args.or_not())
        .map_with(|(name, args), e| {
            Post::Pseudo(Pseudo {
                name,
                args,
                range: range(e.span()),
            })
        });
    base.foldl_with(
        choice((field, index, pseudo)).repeated(),
        |base, post, e| {
            let kind = match post {
                Post::Field(name) => ExprKind::Field(boxed(base), name),
                Post::Index(index) => ExprKind::Index(boxed(base), boxed(index)),
                Post::Pseudo(pseudo) => ExprKind::Pseudo(boxed(base), pseudo),
            };
            Expr {
                kind,
                range: range(e.span()),
            }
        },
    )
}

/// `open item, item, ... close`, with an optional trailing comma.
fn comma_list<'t, I, Er>(
    item: chumsky::Boxed<'t, 't, I, Expr, extra::Err<Er>>,
    open: Kind,
    close: Kind,
) -> impl Parser<'t, I, Vec<Expr>, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    item.separated_by(just(Kind::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(open), just(close))
}

/// Literals, paths, calls, parentheses, lists, objects and `span`.
fn primary<'t, I, Er>(
    cx: &'t Cx<'t>,
    expr: chumsky::Boxed<'t, 't, I, Expr, extra::Err<Er>>,
) -> impl Parser<'t, I, Expr, extra::Err<Er>> + Clone
where
    I: ValueInput<'t, Token = Kind, Span = SimpleSpan>,
    Er: ParseError<'t, I>,
{
    let literal = select! {
        Kind::Number = e => (Kind::Number, e.span()),
        Kind::NumberWithSuffix = e => (Kind::NumberWithSuffix, e.span()),
        Kind::Regex = e => (Kind::Regex, e.span()),
        Kind::UnterminatedRegex = e => (Kind::UnterminatedRegex, e.span()),
        Kind::True = e => (Kind::True, e.span()),
        Kind::False = e => (Kind::False, e.span()),
        Kind::Span = e => (Kind::Span, e.span()),
        Kind::Error = e => (Kind::Error, e.span()),
    }
    .map(move |(kind, span)| {
        let text = cx.text(span);
        let r = range(span);
        let mut diags = Vec::new();
        let kind = match kind {
            Kind::Number => literal::number(text, r, &mut diags),
            Kind::NumberWithSuffix => literal::duration(text, r, &mut diags),
            Kind::Regex => ExprKind::Regex(literal::regex(text, r, true, &mut diags)),
            Kind::UnterminatedRegex => ExprKind::Regex(literal::regex(text, r, false, &mut diags)),
            Kind::True => ExprKind::Bool(true),
            Kind::False => ExprKind::Bool(false),
            Kind::Span => ExprKind::Span,
            _ => ExprKind::Error,
        };
        for d in diags {
            cx.report(d);
        }
        Expr { kind, range: r }
    });
    let string = string(cx).map(|lit| {
        let r = lit.range;
        Expr {
            kind: ExprKind::String(lit),
            range: r,
        }
    });
    let call_args = comma_list(expr.clone(), Kind::LParen, Kind::RParen);
    let path_or_call = path(cx)
        .then(call_args.or_not())
        .map_with(|(path, args), e| {
            let kind = match args {
                // There are no methods: `a.b(x)` is a call of `a.b`, which the type checker rejects.
                Some(args) => ExprKind::Call(
                    Name {
                        text: path.dotted().into(),
                        range: path.range,
                    },
                    args,
                ),
                None => ExprKind::Path(path),
            };
            Expr {
                kind,
                range: range(e.span()),
            }
        });
    let paren = expr
        .clone()
        .delimited_by(just(Kind::LParen), just(Kind::RParen))
        .map_with(|inner, e| Expr {
            kind: ExprKind::Paren(boxed(inner)),
            range: range(e.span()),
        });
    let list = comma_list(expr.clone(), Kind::LBracket, Kind::RBracket).map_with(|items, e| Expr {
        kind: ExprKind::List(items),
        range: range(e.span()),
    });
    let key = choice((
        super::expr::string(cx).map(|lit| (lit, false)),
        word(cx).map(|name| {
            (
                StringLit {
                    parts: vec![StringPart::Text(name.text.to_string())],
                    range: name.range,
                },
                true,
            )
        }),
    ));
    let object = key
        .then_ignore(just(Kind::Colon))
        .then(expr)
        .map(|((key, bare_key), value)| ObjectEntry {
            key,
            bare_key,
            value,
        })
        .separated_by(just(Kind::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Kind::LBrace), just(Kind::RBrace))
        .map_with(|entries, e| Expr {
            kind: ExprKind::Object(entries),
            range: range(e.span()),
        });
    choice((path_or_call, literal, string, paren, list, object))
}
