//! Evidence for a failed `expect`: which part failed, the operands' values, the spans
//! involved.

use crate::report::{AssertionKind, AssertionReport, Operand, Verdict};
use crate::run::{Frame, Run};
use crate::set::by_start;
use tbt_diagnostics::TextRange;
use tbt_plan::{Expr, ExprKind, Quant, Sel};
use tbt_trace::SpanIdx;

/// What explains a false expression.
pub(crate) struct Explanation {
    pub message: String,
    pub values: Vec<Operand>,
    pub spans: Vec<u32>,
    pub span_count: usize,
}

impl<'a> Run<'_, 'a> {
    /// The report of an `expect` whose expression was false.
    pub(crate) fn failed_expect(
        &mut self,
        id: u32,
        range: TextRange,
        e: &'a Expr,
        f: Frame<'_, 'a>,
    ) -> AssertionReport {
        let x = self.explain(e, f);
        let mut r = self.report(id, AssertionKind::Expect, range, Verdict::Fail, x.message);
        r.values = x.values;
        let ordered = by_start(self.trace(), &x.spans);
        r.selected = ordered
            .into_iter()
            .take(self.eng.options.max_spans)
            .map(SpanIdx)
            .collect();
        r.selected_count = x.span_count;
        r
    }

    /// Explains why `e` is false.
    pub(crate) fn explain(&mut self, e: &'a Expr, f: Frame<'_, 'a>) -> Explanation {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.explain_here(e, f))
    }

    fn explain_here(&mut self, e: &'a Expr, f: Frame<'_, 'a>) -> Explanation {
        let mut x = Explanation {
            message: String::new(),
            values: Vec::new(),
            spans: Vec::new(),
            span_count: 0,
        };
        let shown = |r: &mut Self, e: &'a Expr| -> String {
            match r.eval(e, f) {
                Ok(v) => v.display(),
                Err(err) => format!("<{}>", err.message()),
            }
        };
        match &e.kind {
            ExprKind::Cmp(op, a, b) => {
                let (va, vb) = (shown(self, a), shown(self, b));
                let (ta, tb) = (self.text(a), self.text(b));
                x.message = if va == "<missing>" {
                    format!("`{ta}` is <missing>, expected {} {tb}", op.as_str())
                } else if vb == "<missing>" {
                    format!("`{tb}` is <missing>")
                } else if is_literal(b) {
                    format!("`{ta}` is {va}, expected {} {tb}", op.as_str())
                } else {
                    format!(
                        "`{ta}` is {va}, `{tb}` is {vb}, expected `{ta}` {} `{tb}`",
                        op.as_str()
                    )
                };
                for (t, v, lit) in [(ta, va, is_literal(a)), (tb, vb, is_literal(b))] {
                    if !lit {
                        x.values.push(Operand { expr: t, value: v });
                    }
                }
                for side in [a, b] {
                    if let Some(sel) = selection_in(side) {
                        self.spans_of(sel, f, &mut x);
                        break;
                    }
                }
            }
            ExprKind::And(a, b) => {
                let first_false = match self.eval(a, f) {
                    Ok(v) if v.truthy() => b,
                    _ => a,
                };
                return self.explain(first_false, f);
            }
            ExprKind::Or(a, b) => {
                let (xa, xb) = (self.explain(a, f), self.explain(b, f));
                x.message = format!("neither holds: {}; {}", xa.message, xb.message);
                x.values = xa.values.into_iter().chain(xb.values).collect();
                x.spans = xa.spans;
                x.span_count = xa.span_count;
            }
            ExprKind::Not(inner) => {
                let t = self.text(inner);
                x.message = format!("`{t}` holds, expected it not to");
                if let ExprKind::Cmp(_, a, b) = &inner.kind {
                    for side in [a, b] {
                        if !is_literal(side) {
                            let v = shown(self, side);
                            x.values.push(Operand {
                                expr: self.text(side),
                                value: v,
                            });
                        }
                    }
                }
            }
            ExprKind::Exists(inner) => {
                let t = self.text(inner);
                x.message = format!("`{t}` is <missing>");
            }
            ExprKind::Quantified(q, s) => {
                let what = self.sel_text(s);
                let n = self.sel(s, f).map(|set| set.len()).unwrap_or(0);
                x.message = match q {
                    Quant::No => format!("`{what}` selected {n} {}, expected none", spans_word(n)),
                    Quant::Some => format!("`{what}` selected no span"),
                    Quant::Exactly(k) => {
                        let k = shown(self, k);
                        format!(
                            "`{what}` selected {n} {}, expected exactly {k}",
                            spans_word(n)
                        )
                    }
                };
                self.spans_of(s, f, &mut x);
            }
            ExprKind::Order(o) => {
                if let Ok(outcome) = self.order(o, f) {
                    let step = |r: &Self, k: usize| {
                        o.steps.get(k).map(|s| r.sel_text(s)).unwrap_or_default()
                    };
                    x.message = match outcome.broken_at {
                        Some(0) => format!("`{}` selected no span", step(self, 0)),
                        Some(k) if outcome.sets.get(k).is_some_and(|s| s.is_empty()) => {
                            format!("`{}` selected no span", step(self, k))
                        }
                        Some(k) => {
                            let op = o.ops.get(k - 1).copied();
                            let relation = match op {
                                Some(tbt_plan::OrderOp::Calls) => "is a child of",
                                _ => "comes after",
                            };
                            let reached = if k == 1 {
                                step(self, 0)
                            } else {
                                format!("the chain up to `{}`", step(self, k - 1))
                            };
                            format!(
                                "no span of `{}` {relation} a span of {}",
                                step(self, k),
                                if k == 1 {
                                    format!("`{reached}`")
                                } else {
                                    reached
                                }
                            )
                        }
                        None => match (outcome.shortest, outcome.within) {
                            (Some(s), Some(d)) => format!(
                                "the shortest chain takes {}, more than {}",
                                crate::value::duration(s),
                                crate::value::duration(d)
                            ),
                            _ => "the chain does not hold".into(),
                        },
                    };
                    for (k, set) in outcome.sets.iter().enumerate() {
                        x.values.push(Operand {
                            expr: step(self, k),
                            value: format!("{} {}", set.len(), spans_word(set.len())),
                        });
                    }
                    if let Some(first) = outcome.sets.first() {
                        x.span_count = first.len();
                        x.spans = first.ids().to_vec();
                    }
                } else {
                    x.message = "the chain could not be evaluated".into();
                }
            }
            _ => {
                let t = self.text(e);
                let v = shown(self, e);
                x.message = if v == "false" {
                    format!("`{t}` is false")
                } else {
                    format!("`{t}` is {v}")
                };
            }
        }
        x
    }

    fn spans_of(&mut self, s: &'a Sel, f: Frame<'_, 'a>, x: &mut Explanation) {
        if let Ok(set) = self.sel(s, f) {
            x.span_count = set.len();
            x.spans = set.ids().to_vec();
        }
    }
}

fn spans_word(n: usize) -> &'static str {
    if n == 1 { "span" } else { "spans" }
}

fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Const(_) => true,
        ExprKind::List(items) => items.iter().all(is_literal),
        _ => false,
    }
}

/// The first selection an operand evaluates (for the spans behind `count(...)`, `max(...)`).
fn selection_in(e: &Expr) -> Option<&Sel> {
    match &e.kind {
        ExprKind::Selection(s) | ExprKind::Project { sel: s, .. } | ExprKind::Quantified(_, s) => {
            Some(s)
        }
        ExprKind::Count(x) | ExprKind::Neg(x) | ExprKind::Field(x, _) => selection_in(x),
        ExprKind::Aggregate { arg, .. } => selection_in(arg),
        ExprKind::Arith(_, a, b) => selection_in(a).or_else(|| selection_in(b)),
        _ => None,
    }
}
