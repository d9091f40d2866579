//! Expressions, selectors and types to documents.
//!
//! The tree came from the parser, so printing its tokens in order, with canonical spacing,
//! gives back the same tree: no parenthesis is added or removed ([`ExprKind::Paren`] keeps the
//! ones that were written), and literals, names and paths are copied from the source text.

use crate::doc::Doc;
use tbt_diagnostics::TextRange;
use tbt_syntax::ast::*;

/// When less stack than this is left, recursion continues on a new segment.
const RED_ZONE: usize = 64 * 1024;
/// The size of each new stack segment.
const STACK_GROWTH: usize = 1024 * 1024;

/// Prints expressions of one source text.
#[derive(Clone, Copy)]
pub(crate) struct Exprs<'a> {
    /// The source text, for literals and names printed verbatim.
    pub(crate) src: &'a str,
}

impl<'a> Exprs<'a> {
    /// The source text of `range`, verbatim.
    pub(crate) fn slice(&self, range: TextRange) -> &'a str {
        self.src.get(range.to_usize()).unwrap_or("")
    }

    fn verbatim(&self, range: TextRange) -> Doc<'a> {
        Doc::text(self.slice(range))
    }

    /// A name as written.
    pub(crate) fn name(&self, name: &Name) -> Doc<'a> {
        match self.src.get(name.range.to_usize()) {
            Some(text) if text == name.text => Doc::text(text),
            _ => Doc::owned(name.text.to_string()),
        }
    }

    /// A dotted path, without spaces around the dots.
    pub(crate) fn path(&self, path: &Path) -> Doc<'a> {
        let mut parts = Vec::with_capacity(path.segments.len() * 2);
        for (i, segment) in path.segments.iter().enumerate() {
            if i > 0 {
                parts.push(Doc::text("."));
            }
            parts.push(self.name(segment));
        }
        Doc::Concat(parts)
    }

    /// `open items close`, items separated by `, `, no spaces inside the brackets.
    fn delimited(&self, open: &'static str, items: &[Expr], close: &'static str) -> Doc<'a> {
        if items.is_empty() {
            return Doc::concat([Doc::text(open), Doc::text(close)]);
        }
        Doc::concat([
            Doc::text(open),
            Doc::concat([
                Doc::SoftLine,
                Doc::comma_separated(items.iter().map(|x| self.expr(x))),
            ])
            .nest(),
            Doc::SoftLine,
            Doc::text(close),
        ])
        .group()
    }

    /// A quantifier: `no`, `some`, `any`, `exactly N`.
    pub(crate) fn quantifier(&self, quantifier: &Quantifier) -> Doc<'a> {
        match quantifier {
            Quantifier::No(_) => Doc::text("no"),
            Quantifier::Some(_) => Doc::text("some"),
            Quantifier::Any(_) => Doc::text("any"),
            Quantifier::Exactly(n, _) => Doc::concat([Doc::text("exactly "), self.expr(n)]),
        }
    }

    /// An expression.
    pub(crate) fn expr(&self, expr: &Expr) -> Doc<'a> {
        // Expressions nest without delimiters (`not not not ...`, `a + b + c + ...`), as deep as
        // the parser accepts: grow the stack rather than overflow it.
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || self.expr_inner(expr))
    }

    fn expr_inner(&self, expr: &Expr) -> Doc<'a> {
        match &expr.kind {
            // Literals keep their spelling: `1_000`, `1.50`, `1.5s`, escapes, regex flags.
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Duration { .. }
            | ExprKind::String(_)
            | ExprKind::Regex(_)
            | ExprKind::Error => self.verbatim(expr.range),
            ExprKind::Bool(value) => Doc::text(if *value { "true" } else { "false" }),
            ExprKind::List(items) => self.delimited("[", items, "]"),
            ExprKind::Object(entries) => self.object(entries),
            ExprKind::Path(path) => self.path(path),
            ExprKind::Span => Doc::text("span"),
            ExprKind::Field(base, name) => {
                Doc::concat([self.expr(base), Doc::text("."), self.name(name)])
            }
            ExprKind::Index(base, index) => Doc::concat([
                self.expr(base),
                self.delimited("[", std::slice::from_ref(index), "]"),
            ]),
            ExprKind::Pseudo(base, pseudo) => {
                let mut parts = vec![self.expr(base), Doc::text(":"), self.name(&pseudo.name)];
                if let Some(args) = &pseudo.args {
                    parts.push(self.delimited("(", args, ")"));
                }
                Doc::Concat(parts)
            }
            ExprKind::Combine {
                left,
                combinator,
                right,
            } => {
                let tail = Doc::concat([
                    Doc::text(combinator.as_str()),
                    Doc::text(" "),
                    self.expr(right),
                ]);
                match left {
                    Some(left) => Doc::concat([self.expr(left), Doc::Line, tail]).group(),
                    None => tail,
                }
            }
            ExprKind::Call(name, args) => {
                Doc::concat([self.name(name), self.delimited("(", args, ")")])
            }
            ExprKind::Unary(UnaryOp::Not, operand) => {
                Doc::concat([Doc::text("not "), self.expr(operand)])
            }
            ExprKind::Unary(UnaryOp::Neg, operand) => {
                // `-` right before `>` would lex as `->`.
                let sign = if starts_with_combinator(operand) {
                    "- "
                } else {
                    "-"
                };
                Doc::concat([Doc::text(sign), self.expr(operand)])
            }
            ExprKind::Exists(operand) => Doc::concat([self.expr(operand), Doc::text(" exists")]),
            ExprKind::Binary(op, left, right) => Doc::concat([
                self.expr(left),
                Doc::concat([
                    Doc::Line,
                    Doc::text(op.as_str()),
                    Doc::text(" "),
                    self.expr(right),
                ])
                .nest(),
            ])
            .group(),
            ExprKind::Quantified(quantifier, operand) => Doc::concat([
                self.quantifier(quantifier),
                Doc::text(" "),
                self.expr(operand),
            ]),
            ExprKind::Order { steps, ops, within } => {
                let mut rest = Vec::new();
                for (i, step) in steps.iter().enumerate().skip(1) {
                    let op = ops.get(i - 1).map_or("->", |op| op.as_str());
                    rest.extend([Doc::Line, Doc::text(op), Doc::text(" "), self.expr(step)]);
                }
                if let Some(bound) = within {
                    rest.extend([Doc::Line, Doc::text("within "), self.expr(bound)]);
                }
                let first = steps.first().map_or(Doc::text(""), |step| self.expr(step));
                Doc::concat([first, Doc::Concat(rest).nest()]).group()
            }
            ExprKind::Paren(inner) => Doc::concat([
                Doc::text("("),
                Doc::concat([Doc::SoftLine, self.expr(inner)]).nest(),
                Doc::SoftLine,
                Doc::text(")"),
            ])
            .group(),
        }
    }

    /// `{ "key": value, key: value }`, or `{}`.
    fn object(&self, entries: &[ObjectEntry]) -> Doc<'a> {
        if entries.is_empty() {
            return Doc::text("{}");
        }
        let entries = entries.iter().map(|entry| {
            // A bare key is a name, a quoted key a string literal: both are copied as written.
            Doc::concat([
                self.verbatim(entry.key.range),
                Doc::text(": "),
                self.expr(&entry.value),
            ])
        });
        Doc::concat([
            Doc::text("{"),
            Doc::concat([Doc::Line, Doc::comma_separated(entries)]).nest(),
            Doc::Line,
            Doc::text("}"),
        ])
        .group()
    }

    /// A schema type: `string`, `int[]`, `"a" | "b"`.
    pub(crate) fn type_expr(&self, ty: &TypeExpr) -> Doc<'a> {
        match ty {
            TypeExpr::Named(name) => self.name(name),
            TypeExpr::List(inner, _) => Doc::concat([self.type_expr(inner), Doc::text("[]")]),
            TypeExpr::Enum(members, _) => {
                let mut parts = Vec::with_capacity(members.len() * 2);
                for (i, member) in members.iter().enumerate() {
                    if i > 0 {
                        parts.push(Doc::Line);
                        parts.push(Doc::text("| "));
                    }
                    parts.push(self.verbatim(member.range));
                }
                Doc::Concat(parts).group()
            }
            TypeExpr::Error(range) => self.verbatim(*range),
        }
    }
}

/// Whether the printed expression begins with a combinator (`>` or `>>`).
fn starts_with_combinator(mut expr: &Expr) -> bool {
    loop {
        expr = match &expr.kind {
            ExprKind::Combine { left: None, .. } => return true,
            ExprKind::Combine {
                left: Some(first), ..
            }
            | ExprKind::Field(first, _)
            | ExprKind::Index(first, _)
            | ExprKind::Pseudo(first, _)
            | ExprKind::Exists(first)
            | ExprKind::Binary(_, first, _) => first,
            ExprKind::Order { steps, .. } => match steps.first() {
                Some(first) => first,
                None => return false,
            },
            _ => return false,
        };
    }
}
