//! Calls: the aggregates.

use super::Checker;
use super::expr::list;
use crate::resolve::FUNCTIONS;
use crate::ty::Ty;
use tbt_diagnostics::{Diagnostic, TextRange, codes};
use tbt_syntax::ast::{Expr, ExprKind, Name, UnaryOp};
use tbt_syntax::suggest::closest;

impl Checker<'_> {
    pub(super) fn call(&mut self, name: &Name, args: &[Expr], range: TextRange) -> Ty {
        let f = name.text.as_str();
        if !FUNCTIONS.contains(&f) {
            for arg in args {
                self.expr(arg);
            }
            let mut d = Diagnostic::new(
                codes::UNKNOWN_FUNCTION,
                name.range,
                format!("unknown function `{f}`"),
            )
            .with_label("not a function");
            d = match closest(f, FUNCTIONS) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")).with_fix(
                    format!("replace with `{best}`"),
                    name.range,
                    best,
                ),
                None => d.with_help(format!("the functions are {}", list(FUNCTIONS))),
            };
            self.report(d);
            return Ty::Error;
        }
        let expected = if f == "percentile" { 2 } else { 1 };
        if args.len() != expected {
            for arg in args {
                self.expr(arg);
            }
            let shape = if f == "percentile" {
                "write `percentile(values, q)`: the values and a percentile between 0 and 100"
                    .to_string()
            } else if f == "count" {
                "write `count(span[...])`".to_string()
            } else {
                format!("write `{f}(values)`, e.g. `{f}(span[...].duration)`")
            };
            self.report(
                Diagnostic::new(
                    codes::FUNCTION_ARGUMENTS,
                    range,
                    format!(
                        "`{f}` takes {expected} argument{}",
                        if expected == 1 { "" } else { "s" }
                    ),
                )
                .with_label(format!("{} given", args.len()))
                .with_help(shape),
            );
            return Ty::Error;
        }
        let arg = &args[0];
        let ty = self.expr(arg);
        if f == "count" {
            if ty != Ty::Selection && !ty.is_dynamic() && !matches!(ty, Ty::List(_)) {
                let help = "write a selection, `count(span[name == \"charge\"])`, or a list, `count(events)`";
                self.report(
                    Diagnostic::new(
                        codes::AGGREGATE_TYPE,
                        arg.range,
                        format!("`count` counts the spans of a selection or the items of a list, not {ty:#}"),
                    )
                    .with_label(format!("this is {ty:#}"))
                    .with_help(help),
                );
            }
            return Ty::Int;
        }
        if f == "percentile" {
            let q = &args[1];
            let q_ty = self.expr(q);
            let value = match &q.kind {
                ExprKind::Int(n) => Some(*n as f64),
                ExprKind::Float(x) => Some(*x),
                ExprKind::Unary(UnaryOp::Neg, _) => Some(-1.0),
                _ => None,
            };
            if !q_ty.is_numeric() && !q_ty.is_dynamic() {
                self.report(
                    Diagnostic::new(
                        codes::TYPE_MISMATCH,
                        q.range,
                        format!("a percentile is a number, not {q_ty:#}"),
                    )
                    .with_label(format!("this is {q_ty:#}"))
                    .with_help(
                        "write a number between 0 and 100: `percentile(span.duration, 99.9)`",
                    ),
                );
            } else if value.is_some_and(|v| !(0.0..=100.0).contains(&v)) {
                self.report(
                    Diagnostic::new(codes::FUNCTION_ARGUMENTS, q.range, "a percentile is between 0 and 100")
                        .with_label("out of range")
                        .with_help("`percentile(values, 99.9)` is the value below which 99.9% of the values fall"),
                );
            }
        }
        self.aggregate(f, arg, &ty)
    }

    fn aggregate(&mut self, f: &str, arg: &Expr, ty: &Ty) -> Ty {
        let item = match ty {
            Ty::List(item) => (**item).clone(),
            Ty::Json | Ty::Error => return ty.clone(),
            Ty::Selection => {
                self.report(
                    Diagnostic::new(
                        codes::AGGREGATE_TYPE,
                        arg.range,
                        format!("`{f}` aggregates values, not spans"),
                    )
                    .with_label("this is a span selection")
                    .with_help(format!(
                        "project a value of each span: `{f}(span[...].duration)`"
                    )),
                );
                return Ty::Error;
            }
            other => {
                self.report(
                    Diagnostic::new(
                        codes::AGGREGATE_TYPE,
                        arg.range,
                        format!("`{f}` aggregates a list of values, not {other:#}"),
                    )
                    .with_label(format!("this is {other:#}"))
                    .with_help(format!("aggregate a projection: `{f}(span[...].duration)`")),
                );
                return Ty::Error;
            }
        };
        let ordered = matches!(f, "min" | "max");
        match item {
            Ty::Duration => Ty::Duration,
            Ty::Timestamp if ordered => Ty::Timestamp,
            ref t if ordered && t.is_stringy() => Ty::String,
            Ty::Double => Ty::Double,
            ref t if t.is_numeric() => {
                if f == "avg" {
                    Ty::Double
                } else {
                    Ty::Int
                }
            }
            Ty::Json | Ty::Error => item,
            other => {
                let allowed = if ordered {
                    "numbers, durations, timestamps or strings"
                } else {
                    "numbers or durations"
                };
                self.report(
                    Diagnostic::new(
                        codes::AGGREGATE_TYPE,
                        arg.range,
                        format!("`{f}` of `{other}` values"),
                    )
                    .with_label(format!("these are `{other}` values"))
                    .with_help(format!(
                        "`{f}` aggregates {allowed}; to count spans, write `count(span[...])`"
                    )),
                );
                Ty::Error
            }
        }
    }
}
