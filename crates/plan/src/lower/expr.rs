//! Expressions: literals, paths, operators, calls, quantifiers, ordering chains.

use super::{Cx, Lowerer};
use crate::ir::{
    AggFn, ArithOp, AttrRef, CmpOp, Const, Expr, ExprKind, InterpPart, Intrinsic, ItemHint,
    OrderOp, OrderPlan, Quant, Scope, Subject,
};
use smol_str::SmolStr;
use std::sync::Arc;
use tbt_diagnostics::TextRange;
use tbt_semantics::Ty;
use tbt_syntax::ast::{self, BinaryOp, ExprKind as Ast, StringPart, UnaryOp};

impl Lowerer<'_> {
    /// Lowers an expression used as a value.
    pub(super) fn value(&mut self, e: &ast::Expr, cx: Cx) -> Expr {
        let kind = self.value_kind(e, cx);
        Expr {
            kind,
            range: e.range,
        }
    }

    fn boxed(&mut self, e: &ast::Expr, cx: Cx) -> Box<Expr> {
        Box::new(self.value(e, cx))
    }

    fn value_kind(&mut self, e: &ast::Expr, cx: Cx) -> ExprKind {
        match &e.kind {
            Ast::Int(n) => ExprKind::Const(Const::Int(*n)),
            Ast::Float(x) => ExprKind::Const(Const::Double(*x)),
            Ast::Bool(b) => ExprKind::Const(Const::Bool(*b)),
            Ast::Duration { value, unit } => {
                let nanos = value * unit.nanos() as f64;
                if nanos.is_finite() && nanos.abs() < i64::MAX as f64 {
                    ExprKind::Const(Const::Duration(nanos.round() as i64))
                } else {
                    ExprKind::Invalid("a duration too long to represent".into())
                }
            }
            Ast::String(lit) => self.string(lit, cx),
            Ast::Regex(lit) => match compile(&lit.pattern, &lit.flags) {
                Ok(re) => {
                    let shown = format!("/{}/{}", lit.pattern, lit.flags);
                    ExprKind::Const(Const::Regex(Arc::new(re), shown.into()))
                }
                Err(e) => ExprKind::Invalid(format!("invalid regex: {e}")),
            },
            Ast::List(items) => ExprKind::List(items.iter().map(|x| self.value(x, cx)).collect()),
            Ast::Object(entries) => ExprKind::Object(
                entries
                    .iter()
                    .map(|entry| {
                        let key: SmolStr = entry.key.as_plain().unwrap_or("").into();
                        (key, self.value(&entry.value, cx))
                    })
                    .collect(),
            ),
            Ast::Path(path) => self.path(path, e.range, cx),
            Ast::Span | Ast::Index(..) | Ast::Pseudo(..) | Ast::Combine { .. }
                if self.is_selection(e) =>
            {
                match self.try_selection(e, cx) {
                    Some(sel) => ExprKind::Selection(Box::new(sel)),
                    None => ExprKind::Invalid("not a selection".into()),
                }
            }
            Ast::Span => ExprKind::Invalid("`span` here".into()),
            Ast::Field(..) => self.field(e, cx),
            Ast::Index(base, index) => {
                let list = self.boxed(base, cx);
                if self.is_predicate(index) {
                    let item_cx = Cx {
                        span: false,
                        item: true,
                        block: cx.block,
                    };
                    ExprKind::ListFilter(list, self.boxed(index, item_cx))
                } else {
                    ExprKind::Index(list, self.boxed(index, cx))
                }
            }
            Ast::Pseudo(..) | Ast::Combine { .. } => ExprKind::Invalid("not a selection".into()),
            Ast::Call(name, args) => self.call(name, args, cx),
            Ast::Unary(UnaryOp::Not, x) => ExprKind::Not(self.boxed(x, cx)),
            Ast::Unary(UnaryOp::Neg, x) => {
                let inner = self.value(x, cx);
                match inner.kind {
                    ExprKind::Const(Const::Int(n)) if n != i64::MIN => {
                        ExprKind::Const(Const::Int(-n))
                    }
                    ExprKind::Const(Const::Double(v)) => ExprKind::Const(Const::Double(-v)),
                    ExprKind::Const(Const::Duration(d)) => ExprKind::Const(Const::Duration(-d)),
                    _ => ExprKind::Neg(Box::new(inner)),
                }
            }
            Ast::Exists(x) => ExprKind::Exists(self.boxed(x, cx)),
            Ast::Binary(op, l, r) => self.binary(*op, l, r, cx),
            Ast::Quantified(q, x) => {
                let quant = match q {
                    ast::Quantifier::No(_) => Quant::No,
                    ast::Quantifier::Some(_) | ast::Quantifier::Any(_) => Quant::Some,
                    ast::Quantifier::Exactly(n, _) => Quant::Exactly(self.boxed(n, cx)),
                };
                ExprKind::Quantified(quant, Box::new(self.selection(x, cx)))
            }
            Ast::Order { steps, ops, within } => ExprKind::Order(OrderPlan {
                steps: steps.iter().map(|s| self.order_step(s, cx)).collect(),
                ops: ops
                    .iter()
                    .map(|op| match op {
                        ast::OrderOp::Before => OrderOp::Before,
                        ast::OrderOp::Calls => OrderOp::Calls,
                    })
                    .collect(),
                within: within.as_ref().map(|w| self.boxed(w, cx)),
            }),
            Ast::Paren(x) => self.value_kind(x, cx),
            Ast::Error => ExprKind::Invalid("an expression that did not parse".into()),
        }
    }

    /// Whether `e` is syntactically a selection (a named one included).
    fn is_selection(&mut self, e: &ast::Expr) -> bool {
        match &e.kind {
            Ast::Span | Ast::Pseudo(..) | Ast::Combine { .. } => true,
            Ast::Index(base, _) | Ast::Paren(base) => self.is_selection(base),
            Ast::Path(path) => match path.segments.as_slice() {
                [name] => self
                    .binding(name)
                    .is_some_and(|s| self.shared.selections.contains(&s)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether an index is a predicate (a list filter) rather than a position or key.
    fn is_predicate(&self, index: &ast::Expr) -> bool {
        if let Some(ty) = self.fcx.ty(index.range) {
            return *ty == Ty::Bool;
        }
        matches!(
            index.kind,
            Ast::Binary(
                BinaryOp::And
                    | BinaryOp::Or
                    | BinaryOp::Eq
                    | BinaryOp::NotEq
                    | BinaryOp::Lt
                    | BinaryOp::LtEq
                    | BinaryOp::Gt
                    | BinaryOp::GtEq
                    | BinaryOp::Contains
                    | BinaryOp::Matches
                    | BinaryOp::In
                    | BinaryOp::NotIn,
                ..
            ) | Ast::Exists(_)
                | Ast::Unary(UnaryOp::Not, _)
        )
    }

    fn string(&mut self, lit: &ast::StringLit, cx: Cx) -> ExprKind {
        if let Some(text) = lit.as_plain() {
            return ExprKind::Const(Const::Str(text.into()));
        }
        let parts = lit
            .parts
            .iter()
            .map(|part| match part {
                StringPart::Text(text) => InterpPart::Text(text.clone()),
                StringPart::Interpolation(path) => InterpPart::Value(Expr {
                    kind: self.path(path, path.range, cx),
                    range: path.range,
                }),
            })
            .collect();
        ExprKind::Interp(parts)
    }

    /// A dotted path: a binding (and fields of it), `env`, `response`, an attribute of the
    /// current span or list item, or an enum value.
    pub(super) fn path(&mut self, p: &ast::Path, range: TextRange, cx: Cx) -> ExprKind {
        let [first, rest @ ..] = p.segments.as_slice() else {
            return ExprKind::Invalid("an empty path".into());
        };
        if let Some(slot) = self.binding(first) {
            let base = Expr {
                kind: ExprKind::Slot(slot),
                range: first.range,
            };
            if rest.is_empty() {
                return base.kind;
            }
            if self.shared.selections.contains(&slot) {
                let sel = self.sel(crate::ir::SelKind::Slot(slot), first.range);
                return ExprKind::Project {
                    sel: Box::new(sel),
                    field: subject(&dotted(rest), Scope::Any),
                    single: false,
                    ordered: true,
                };
            }
            return fields(base, rest).kind;
        }
        match first.text.as_str() {
            "env" if !rest.is_empty() => {
                let secret = rest.len() == 2 && rest[0].text == "secret";
                let name = rest.last().map(|n| n.text.clone()).unwrap_or_default();
                return ExprKind::Env { name, secret };
            }
            "response" => {
                let Some((field, more)) = rest.split_first() else {
                    return ExprKind::Response(SmolStr::default());
                };
                let base = Expr {
                    kind: ExprKind::Response(field.text.clone()),
                    range: first.range.cover(field.range),
                };
                return fields(base, more).kind;
            }
            _ => {}
        }
        if cx.item {
            return ExprKind::Item(p.dotted().into());
        }
        // A bare word next to an enum operand is an enum value (`status == error`).
        if rest.is_empty()
            && self.fcx.target(range).is_none()
            && matches!(self.fcx.ty(range), Some(Ty::Enum(_)))
        {
            return ExprKind::Const(Const::Str(first.text.clone()));
        }
        if cx.span {
            if first.text == "resource" && !rest.is_empty() {
                return ExprKind::Span(subject(&dotted(rest), Scope::Resource));
            }
            return ExprKind::Span(subject(&p.dotted(), Scope::Any));
        }
        ExprKind::Invalid(format!("`{}` is not defined here", p.dotted()))
    }

    /// `a.b.c` after something that is not a plain path.
    fn field(&mut self, e: &ast::Expr, cx: Cx) -> ExprKind {
        let mut names: Vec<&ast::Name> = Vec::new();
        let mut base = e;
        while let Ast::Field(inner, name) = &base.kind {
            names.push(name);
            base = inner;
        }
        names.reverse();
        let owned: Vec<ast::Name> = names.iter().map(|n| (*n).clone()).collect();
        let key = dotted(&owned);
        if matches!(base.kind, Ast::Span) && cx.span {
            return ExprKind::Span(subject(&key, Scope::Span));
        }
        if self.is_selection(base)
            && let Some(sel) = self.try_selection(base, cx)
        {
            let single = matches!(&strip_parens(base).kind, Ast::Pseudo(_, p) if matches!(p.name.text.as_str(), "first" | "last" | "nth"));
            let field = match key.strip_prefix("resource.") {
                Some(rest) => subject(rest, Scope::Resource),
                None => match key.strip_prefix("span.") {
                    Some(rest) => subject(rest, Scope::Span),
                    None => subject(&key, Scope::Any),
                },
            };
            return ExprKind::Project {
                sel: Box::new(sel),
                field,
                single,
                ordered: true,
            };
        }
        let base = self.value(base, cx);
        fields(base, &owned).kind
    }

    fn binary(&mut self, op: BinaryOp, l: &ast::Expr, r: &ast::Expr, cx: Cx) -> ExprKind {
        let cmp = |op| Some(op);
        let compare = match op {
            BinaryOp::Eq => cmp(CmpOp::Eq),
            BinaryOp::NotEq => cmp(CmpOp::Ne),
            BinaryOp::Lt => cmp(CmpOp::Lt),
            BinaryOp::LtEq => cmp(CmpOp::Le),
            BinaryOp::Gt => cmp(CmpOp::Gt),
            BinaryOp::GtEq => cmp(CmpOp::Ge),
            BinaryOp::Contains => cmp(CmpOp::Contains),
            BinaryOp::Matches => cmp(CmpOp::Matches),
            BinaryOp::In => cmp(CmpOp::In),
            BinaryOp::NotIn => cmp(CmpOp::NotIn),
            _ => None,
        };
        if let Some(op) = compare {
            let lhs = self.boxed(l, cx);
            let mut rhs = self.boxed(r, cx);
            // A string literal after `matches` is a pattern: compile it once.
            if op == CmpOp::Matches
                && let ExprKind::Const(Const::Str(pattern)) = &rhs.kind
            {
                rhs.kind = match compile(pattern, "") {
                    Ok(re) => {
                        ExprKind::Const(Const::Regex(Arc::new(re), format!("{pattern:?}").into()))
                    }
                    Err(e) => ExprKind::Invalid(format!("invalid regex: {e}")),
                };
            }
            return ExprKind::Cmp(op, lhs, rhs);
        }
        let arith = match op {
            BinaryOp::Add => ArithOp::Add,
            BinaryOp::Sub => ArithOp::Sub,
            BinaryOp::Mul => ArithOp::Mul,
            BinaryOp::Div => ArithOp::Div,
            BinaryOp::Rem => ArithOp::Rem,
            BinaryOp::And => return ExprKind::And(self.boxed(l, cx), self.boxed(r, cx)),
            _ => return ExprKind::Or(self.boxed(l, cx), self.boxed(r, cx)),
        };
        ExprKind::Arith(arith, self.boxed(l, cx), self.boxed(r, cx))
    }

    fn call(&mut self, name: &ast::Name, args: &[ast::Expr], cx: Cx) -> ExprKind {
        let Some(arg) = args.first() else {
            return ExprKind::Invalid(format!("`{}` without arguments", name.text));
        };
        let f = name.text.as_str();
        if f == "count" {
            return ExprKind::Count(self.boxed(arg, cx));
        }
        let (func, q) = match f {
            "sum" => (AggFn::Sum, None),
            "min" => (AggFn::Min, None),
            "max" => (AggFn::Max, None),
            "avg" => (AggFn::Avg, None),
            "p50" | "p90" | "p95" | "p99" => {
                let q: i64 = f[1..].parse().unwrap_or(50);
                (
                    AggFn::Percentile,
                    Some(const_expr(Const::Int(q), name.range)),
                )
            }
            "percentile" => match args.get(1) {
                Some(q) => (AggFn::Percentile, Some(self.value(q, cx))),
                None => return ExprKind::Invalid("`percentile` without a percentile".into()),
            },
            _ => return ExprKind::Invalid(format!("unknown function `{f}`")),
        };
        let mut value = self.value(arg, cx);
        if let ExprKind::Project { ordered, .. } = &mut value.kind {
            *ordered = false;
        }
        let hint = match self.fcx.ty(arg.range) {
            Some(Ty::List(item)) => match &**item {
                Ty::Int => ItemHint::Int,
                Ty::Double => ItemHint::Double,
                Ty::Duration => ItemHint::Duration,
                Ty::Enum(e) if e.is_int() => ItemHint::Int,
                _ => ItemHint::Other,
            },
            _ => ItemHint::Other,
        };
        ExprKind::Aggregate {
            func,
            arg: Box::new(value),
            q: q.map(Box::new),
            hint,
        }
    }
}

/// The field chain `base.a.b`, as one dotted field (the engine tries the dotted key, then
/// each segment in turn: event attributes are flat keys such as `exception.type`).
fn fields(base: Expr, names: &[ast::Name]) -> Expr {
    let Some(last) = names.last() else {
        return base;
    };
    let range = base.range.cover(last.range);
    Expr {
        kind: ExprKind::Field(Box::new(base), dotted(names).into()),
        range,
    }
}

fn dotted(names: &[ast::Name]) -> String {
    names
        .iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

/// An intrinsic (unless the scope is the resource) or an attribute.
fn subject(key: &str, scope: Scope) -> Subject {
    if scope != Scope::Resource
        && let Some(i) = Intrinsic::from_name(key)
    {
        return Subject::Intrinsic(i);
    }
    Subject::Attr(AttrRef {
        key: key.into(),
        scope,
    })
}

fn strip_parens(e: &ast::Expr) -> &ast::Expr {
    match &e.kind {
        Ast::Paren(inner) => strip_parens(inner),
        _ => e,
    }
}

fn const_expr(c: Const, range: TextRange) -> Expr {
    Expr {
        kind: ExprKind::Const(c),
        range,
    }
}

/// Compiles a regex with the literal's flags (`i`, `m`, `s`, `x`).
pub(crate) fn compile(pattern: &str, flags: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(flags.contains('i'))
        .multi_line(flags.contains('m'))
        .dot_matches_new_line(flags.contains('s'))
        .ignore_whitespace(flags.contains('x'))
        .build()
}
