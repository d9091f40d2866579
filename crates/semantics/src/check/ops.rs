//! Binary operators: logic, comparisons, `contains`, `matches`, `in`, arithmetic; enum values
//! and durations without a unit.

use super::Checker;
use crate::ty::{EnumTy, Ty};
use tbt_diagnostics::{Diagnostic, codes};
use tbt_syntax::ast::{BinaryOp, Expr, ExprKind, Name, StringLit, UnaryOp};
use tbt_syntax::suggest::closest;

impl Checker<'_> {
    pub(super) fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Ty {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let what = format!("an operand of `{}`", op.as_str());
                let l = self.expr(lhs);
                self.expect_bool(lhs, &l, &what);
                let r = self.expr(rhs);
                self.expect_bool(rhs, &r, &what);
                Ty::Bool
            }
            BinaryOp::Eq
            | BinaryOp::NotEq
            | BinaryOp::Lt
            | BinaryOp::LtEq
            | BinaryOp::Gt
            | BinaryOp::GtEq => {
                self.comparison(op, lhs, rhs);
                Ty::Bool
            }
            BinaryOp::Contains => {
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                let ok = match &l {
                    t if t.is_dynamic() || r.is_dynamic() => true,
                    t if t.is_stringy() => r.is_stringy(),
                    Ty::List(item) => item.comparable(&r),
                    _ => false,
                };
                if !ok {
                    self.mismatch(
                        op,
                        lhs,
                        &l,
                        rhs,
                        &r,
                        "`contains` looks for a string in a string, or an item in a list",
                    );
                }
                Ty::Bool
            }
            BinaryOp::Matches => {
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                if let ExprKind::String(lit) = &rhs.kind {
                    self.regex_string(lit);
                }
                let ok = (l.is_stringy() || l.is_dynamic())
                    && (r == Ty::Regex || r.is_stringy() || r.is_dynamic());
                if !ok {
                    self.mismatch(
                        op,
                        lhs,
                        &l,
                        rhs,
                        &r,
                        "`matches` tests a string against a regex: `name matches /^GET /`",
                    );
                }
                Ty::Bool
            }
            BinaryOp::In | BinaryOp::NotIn => {
                self.membership(op, lhs, rhs);
                Ty::Bool
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                self.arithmetic(op, lhs, rhs)
            }
        }
    }

    fn comparison(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) {
        let (l, r) = self.operands(lhs, rhs);
        if l.is_dynamic() || r.is_dynamic() {
            return;
        }
        // A number next to a duration: the unit is missing.
        if l == Ty::Duration && r.is_numeric() && self.unitless(rhs)
            || r == Ty::Duration && l.is_numeric() && self.unitless(lhs)
        {
            return;
        }
        if op == BinaryOp::Eq || op == BinaryOp::NotEq {
            if let (Ty::Enum(e), ExprKind::String(lit)) = (&l, &rhs.kind) {
                self.enum_literal(e, lit, rhs, lhs);
            } else if let (ExprKind::String(lit), Ty::Enum(e)) = (&lhs.kind, &r) {
                self.enum_literal(e, lit, lhs, rhs);
            } else if let (Ty::Enum(e), ExprKind::Int(n)) = (&l, &rhs.kind) {
                self.enum_int(e, *n, rhs, lhs);
            }
            if self.is_service_name(lhs) {
                self.service_literal(rhs);
            } else if self.is_service_name(rhs) {
                self.service_literal(lhs);
            }
            if !l.comparable(&r) {
                self.mismatch(op, lhs, &l, rhs, &r, "");
            }
        } else if !l.ordered_with(&r) {
            self.mismatch(
                op,
                lhs,
                &l,
                rhs,
                &r,
                "`<`, `<=`, `>` and `>=` order numbers, durations, timestamps and strings",
            );
        }
    }

    /// Types both operands; a bare word next to an enum operand is a value of that enum.
    fn operands(&mut self, lhs: &Expr, rhs: &Expr) -> (Ty, Ty) {
        if self.bare_word(lhs).is_some() && self.bare_word(rhs).is_none() {
            let r = self.expr(rhs);
            let l = self.enum_word_or_expr(lhs, &r, rhs);
            (l, r)
        } else {
            let l = self.expr(lhs);
            let r = self.enum_word_or_expr(rhs, &l, lhs);
            (l, r)
        }
    }

    fn enum_word_or_expr(&mut self, e: &Expr, other: &Ty, other_expr: &Expr) -> Ty {
        // Next to an operand already reported, a bare word is probably an enum value: say
        // nothing more.
        if *other == Ty::Error && self.bare_word(e).is_some() {
            self.record(e.range, &Ty::Error);
            return Ty::Error;
        }
        if let Ty::Enum(en) = other
            && !en.is_int()
            && let Some(word) = self.bare_word(e)
        {
            self.enum_value(en, &word.text, e, Some(other_expr), true);
            self.record(e.range, other);
            return other.clone();
        }
        self.expr(e)
    }

    /// A single-segment path that is not a name, `env`, `response` or (in a span context) an
    /// intrinsic: a candidate enum value such as `error` in `status == error`.
    fn bare_word<'e>(&self, e: &'e Expr) -> Option<&'e Name> {
        let ExprKind::Path(path) = &e.kind else {
            return None;
        };
        let [word] = path.segments.as_slice() else {
            return None;
        };
        let text = word.text.as_str();
        let taken = self.scopes.lookup(text).is_some()
            || matches!(text, "env" | "response")
            || (self.place.span && tbt_semconv::intrinsic(text).is_some());
        (!taken).then_some(word)
    }

    fn enum_literal(&mut self, e: &EnumTy, lit: &StringLit, at: &Expr, other: &Expr) {
        if let Some(value) = lit.as_plain() {
            self.enum_value(e, value, at, Some(other), false);
        }
    }

    fn enum_int(&mut self, e: &EnumTy, value: i64, at: &Expr, other: &Expr) {
        if e.is_int() && !e.has_int(value) {
            let what = self.describe(other);
            self.report(
                Diagnostic::new(
                    codes::VALUE_NOT_IN_OPEN_ENUM,
                    at.range,
                    format!("`{value}` is not a known value of {what}"),
                )
                .with_label("not a known value")
                .with_help(format!("the known values are {}", e.members().join(", "))),
            );
        }
    }

    /// Checks that `value` (written at `at`, bare or quoted) is a member of `e`.
    fn enum_value(&mut self, e: &EnumTy, value: &str, at: &Expr, other: Option<&Expr>, bare: bool) {
        // An open enum whose only member is the `_OTHER` fallback (`error.type`) lists no values.
        if e.has_str(value) || !e.is_closed() && e.str_members().iter().all(|m| *m == "_OTHER") {
            return;
        }
        let what = other.map_or_else(|| "this enum".to_string(), |o| self.describe(o));
        let members = e.str_members();
        let (code, label) = if e.is_closed() {
            (codes::VALUE_NOT_IN_ENUM, "the comparison can never hold")
        } else {
            (codes::VALUE_NOT_IN_OPEN_ENUM, "not a known value")
        };
        let shown = if bare {
            value.to_string()
        } else {
            format!("\"{value}\"")
        };
        let mut d = Diagnostic::new(
            code,
            at.range,
            format!("`{shown}` is not a value of {what}"),
        )
        .with_label(label);
        let best = closest(value, &members).or_else(|| {
            members
                .iter()
                .copied()
                .find(|m| m.eq_ignore_ascii_case(value))
        });
        let all = e.members().join(", ");
        d = match best {
            Some(best) => {
                let replacement = if bare {
                    best.to_string()
                } else {
                    format!("\"{best}\"")
                };
                d.with_help(format!(
                    "did you mean `{replacement}`? the values are {all}"
                ))
                .with_fix(
                    format!("replace with `{replacement}`"),
                    at.range,
                    replacement,
                )
            }
            None if e.is_closed() => d.with_help(format!("the values are {all}")),
            None => d.with_help(format!(
                "the known values are {all}; other values are allowed but unusual"
            )),
        };
        self.report(d);
    }

    /// Whether `e` is the attribute `service.name` (in a span context).
    fn is_service_name(&self, e: &Expr) -> bool {
        self.place.span
            && matches!(&e.kind, ExprKind::Path(p) if p.segments.len() == 2 && p.segments[0].text == "service" && p.segments[1].text == "name")
    }

    /// `service.name == "x"`: `x` should be a declared service.
    fn service_literal(&mut self, e: &Expr) {
        if let ExprKind::String(lit) = &e.kind
            && let Some(value) = lit.as_plain()
        {
            let inner = tbt_diagnostics::TextRange::new(
                lit.range.start + 1,
                lit.range.end.saturating_sub(1).max(lit.range.start + 1),
            );
            self.service_named(value, inner, lit.range);
        }
    }

    fn membership(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) {
        let l = self.expr(lhs);
        if let (Ty::Enum(e), ExprKind::List(items)) = (&l, &rhs.kind)
            && !e.is_int()
        {
            for item in items {
                if let Some(word) = self.bare_word(item) {
                    self.enum_value(e, &word.text, item, Some(lhs), true);
                    self.record(item.range, &l);
                    continue;
                }
                let ty = self.expr(item);
                if let ExprKind::String(lit) = &item.kind {
                    self.enum_literal(e, lit, item, lhs);
                } else if !l.comparable(&ty) {
                    self.mismatch(
                        op,
                        lhs,
                        &l,
                        item,
                        &ty,
                        "the items of the list must be values of the left side's type",
                    );
                }
            }
            self.record(rhs.range, &Ty::list(l.clone()));
            return;
        }
        let r = self.expr(rhs);
        let ok = match &r {
            t if t.is_dynamic() || l.is_dynamic() => true,
            Ty::List(item) => {
                if **item == Ty::Duration && l.is_numeric()
                    || l == Ty::Duration && item.is_numeric()
                {
                    if let ExprKind::List(items) = &rhs.kind {
                        for item in items {
                            self.unitless(item);
                        }
                    }
                    true
                } else {
                    item.comparable(&l)
                }
            }
            _ => false,
        };
        if !ok {
            self.mismatch(
                op,
                lhs,
                &l,
                rhs,
                &r,
                "`in` tests whether a value is one of a list: `x in [1, 2]`",
            );
        }
    }

    fn arithmetic(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Ty {
        use BinaryOp::*;
        let l = self.expr(lhs);
        let r = self.expr(rhs);
        if l == Ty::Error || r == Ty::Error {
            return Ty::Error;
        }
        if l.is_dynamic() || r.is_dynamic() {
            return Ty::Json;
        }
        let num = |t: &Ty| t.is_numeric();
        let int = |t: &Ty| t.is_numeric() && *t != Ty::Double;
        let result = match (op, &l, &r) {
            (Div, a, b) if num(a) && num(b) => Some(Ty::Double),
            (_, a, b) if int(a) && int(b) => Some(Ty::Int),
            (_, a, b) if num(a) && num(b) => Some(Ty::Double),
            (Add | Sub, Ty::Duration, Ty::Duration) => Some(Ty::Duration),
            (Mul, Ty::Duration, n) | (Mul, n, Ty::Duration) if num(n) => Some(Ty::Duration),
            (Div, Ty::Duration, n) if num(n) => Some(Ty::Duration),
            (Div, Ty::Duration, Ty::Duration) => Some(Ty::Double),
            (Sub, Ty::Timestamp, Ty::Timestamp) => Some(Ty::Duration),
            (Add | Sub, Ty::Timestamp, Ty::Duration) | (Add, Ty::Duration, Ty::Timestamp) => {
                Some(Ty::Timestamp)
            }
            (Add, a, b) if a.is_stringy() && b.is_stringy() => Some(Ty::String),
            _ => None,
        };
        if let Some(ty) = result {
            return ty;
        }
        if matches!(op, Add | Sub) {
            let timed = |t: &Ty| matches!(t, Ty::Duration | Ty::Timestamp);
            if timed(&l) && num(&r) && self.unitless(rhs)
                || timed(&r) && num(&l) && self.unitless(lhs)
            {
                return if l == Ty::Timestamp || r == Ty::Timestamp {
                    Ty::Timestamp
                } else {
                    Ty::Duration
                };
            }
        }
        self.mismatch(
            op,
            lhs,
            &l,
            rhs,
            &r,
            "see `tbt explain E0101` for the arithmetic rules",
        );
        Ty::Error
    }

    /// If `e` is a number literal, reports it as a duration without a unit and returns true.
    pub(super) fn unitless(&mut self, e: &Expr) -> bool {
        let literal = match &e.kind {
            ExprKind::Int(_) | ExprKind::Float(_) => true,
            ExprKind::Unary(UnaryOp::Neg, x) => {
                matches!(x.kind, ExprKind::Int(_) | ExprKind::Float(_))
            }
            _ => false,
        };
        if !literal {
            return false;
        }
        let written = self.slice(e.range).to_string();
        self.report(
            Diagnostic::new(codes::DURATION_WITHOUT_UNIT, e.range, format!("`{written}` is a number, but a duration is needed here"))
                .with_label("no unit")
                .with_help(format!("add a unit: `{written}ms`, `{written}s` or `{written}us` (units: ns, us, ms, s, m, h)"))
                .with_fix("add `ms`", tbt_diagnostics::TextRange::empty(e.range.end), "ms"),
        );
        true
    }

    /// A type mismatch between the operands of `op`.
    fn mismatch(&mut self, op: BinaryOp, lhs: &Expr, l: &Ty, rhs: &Expr, r: &Ty, help: &str) {
        let left = self.describe(lhs);
        let help = if !help.is_empty() {
            help.to_string()
        } else if l.is_numeric() && r.is_stringy() && matches!(rhs.kind, ExprKind::String(_)) {
            format!("{left} is a number; compare it with a number, without quotes")
        } else {
            format!("both sides of `{}` must have comparable types", op.as_str())
        };
        self.report(
            Diagnostic::new(
                codes::TYPE_MISMATCH,
                rhs.range,
                format!("`{}` cannot combine `{l}` and `{r}`", op.as_str()),
            )
            .with_label(format!("this is {r:#}"))
            .with_secondary(lhs.range, format!("{left} is {l:#}"))
            .with_help(help),
        );
    }

    /// A short description of an operand for messages: its source text when short.
    fn describe(&self, e: &Expr) -> String {
        let text = self.slice(e.range);
        if !text.is_empty() && text.len() <= 40 && !text.contains('\n') {
            format!("`{text}`")
        } else {
            "this".to_string()
        }
    }
}
