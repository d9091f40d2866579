//! Ordering chains: `A -> B` ("happens before"), `A => B` ("calls"), `within D`.
//!
//! A chain holds when one sequence of spans s1 ∈ A, s2 ∈ B, ... relates each consecutive pair.
//! It is computed step by step over sets: the spans of each step that some span of the
//! previous step relates to, each with the latest start of a first span that reaches it
//! (maximising it minimises the chain's extent, which `within` bounds).
//!
//! `a -> b` holds when `a` is an ancestor of `b` (causal, whatever the clocks say); when `b`
//! is `a` or an ancestor of `a`, never; otherwise when `b` starts at or after `a` ends, less
//! the clock-skew tolerance: `start(b) >= end(a) - skew`. `a => b` holds when `a` is `b`'s
//! parent. A service in the middle of a chain is one visit to the service: in
//! `gateway => order-service => payment-service`, the order-service span that the gateway
//! calls (its server span) and the one that calls payment (a client span below it) may differ.

use crate::error::{EvalError, R};
use crate::run::{Frame, Run};
use crate::set::SpanSet;
use crate::value::Val;
use std::rc::Rc;
use tbt_plan::{OrderOp, OrderPlan, SelKind};
use tbt_trace::{SpanIdx, Trace};

/// The outcome of an ordering chain, with what explains it.
pub(crate) struct OrderOutcome {
    /// Whether the chain holds.
    pub holds: bool,
    /// The spans of each step.
    pub sets: Vec<Rc<SpanSet>>,
    /// The first step no span of the previous one leads to (when the chain breaks there).
    pub broken_at: Option<usize>,
    /// The shortest extent of a complete chain (for `within`).
    pub shortest: Option<i64>,
    /// The bound.
    pub within: Option<i64>,
}

/// A span reached by the chain so far, with the latest start of a first span leading to it.
type Reached = Vec<(u32, i64)>;

impl<'a> Run<'_, 'a> {
    pub(crate) fn order(&mut self, o: &'a OrderPlan, f: Frame<'_, 'a>) -> R<OrderOutcome> {
        let mut sets = Vec::with_capacity(o.steps.len());
        for step in &o.steps {
            sets.push(self.sel(step, f)?);
        }
        let within = match &o.within {
            Some(w) => match self.eval(w, f)? {
                Val::Duration(d) => Some(d),
                Val::Missing => None,
                other => {
                    return Err(EvalError::Fail(format!(
                        "`within` needs a duration, not {}",
                        other.type_name()
                    )));
                }
            },
            None => None,
        };
        let trace = self.trace();
        let skew = self.eng.options.clock_skew_nanos;
        let mut reached: Reached = sets
            .first()
            .map(|s| s.ids().iter().map(|&i| (i, start(trace, i))).collect())
            .unwrap_or_default();
        let mut broken_at = None;
        for (k, op) in o.ops.iter().enumerate() {
            let Some(next) = sets.get(k + 1) else { break };
            reached = match op {
                OrderOp::Calls => calls(trace, &reached, next),
                OrderOp::Before => before(trace, &reached, next, skew),
            };
            if reached.is_empty() {
                broken_at = Some(k + 1);
                break;
            }
            // A service step in the middle of a chain is a visit to that service: the call
            // it serves and the calls it makes are different spans (a server span and, below
            // it, client spans), so what comes next may follow any span of the same service
            // below the one reached.
            if k + 1 < o.ops.len()
                && let Some(step) = o.steps.get(k + 1)
                && matches!(step.kind, SelKind::Service(_))
            {
                reached = within_visit(trace, &reached, next);
            }
        }
        if sets.first().is_some_and(|s| s.is_empty()) {
            broken_at = Some(0);
        }
        let shortest = reached
            .iter()
            .map(|&(i, first_start)| end(trace, i) - first_start)
            .min();
        let holds = broken_at.is_none()
            && !reached.is_empty()
            && within.is_none_or(|d| shortest.is_some_and(|s| s <= d));
        Ok(OrderOutcome {
            holds,
            sets,
            broken_at,
            shortest,
            within,
        })
    }
}

fn start(trace: &Trace, i: u32) -> i64 {
    trace.start(SpanIdx(i)) as i64
}

fn end(trace: &Trace, i: u32) -> i64 {
    trace.end(SpanIdx(i)) as i64
}

/// `=>`: the spans of `next` whose parent was reached.
fn calls(trace: &Trace, reached: &Reached, next: &SpanSet) -> Reached {
    next.ids()
        .iter()
        .filter_map(|&b| {
            let p = trace.parent(SpanIdx(b))?.0;
            let k = reached.binary_search_by_key(&p, |r| r.0).ok()?;
            Some((b, reached[k].1))
        })
        .collect()
}

/// The reached spans of a service step, with every span of the same service below one of
/// them through spans of that service only (one visit to the service), each with the best first
/// start of the reached span above it.
fn within_visit(trace: &Trace, reached: &Reached, set: &SpanSet) -> Reached {
    let mut order: Vec<(u32, u32)> = set
        .ids()
        .iter()
        .map(|&i| (trace.pre_order(SpanIdx(i)), i))
        .collect();
    order.sort_unstable();
    let mut best: std::collections::HashMap<u32, i64> = reached.iter().copied().collect();
    for &(_, i) in &order {
        if best.contains_key(&i) {
            continue;
        }
        let inherited = trace
            .parent(SpanIdx(i))
            .and_then(|p| best.get(&p.0).copied());
        if let Some(b) = inherited {
            best.insert(i, b);
        }
    }
    let mut out: Reached = best.into_iter().collect();
    out.sort_unstable();
    out
}

/// `->`: the spans of `next` that descend from a reached span, or start after one ends.
fn before(trace: &Trace, reached: &Reached, next: &SpanSet, skew: i64) -> Reached {
    let by_ancestor = ancestor_best(trace, reached, next);
    // Reached spans by end, with the best first start among those ending so far.
    let mut by_end: Vec<(i64, u32, i64)> = reached
        .iter()
        .map(|&(a, best)| (end(trace, a), a, best))
        .collect();
    by_end.sort_unstable();
    let mut prefix: Vec<(i64, usize)> = Vec::with_capacity(by_end.len());
    for (k, &(_, _, best)) in by_end.iter().enumerate() {
        let top = match prefix.last() {
            Some(&(b, at)) if b >= best => (b, at),
            _ => (best, k),
        };
        prefix.push(top);
    }
    let mut out = Reached::new();
    for (pos, &b) in next.ids().iter().enumerate() {
        let start_b = start(trace, b);
        let limit = start_b.saturating_add(skew);
        let count = by_end.partition_point(|&(e, _, _)| e <= limit);
        let mut best = by_ancestor[pos];
        if count > 0 {
            let (candidate, at) = prefix[count - 1];
            let a = by_end[at].1;
            let valid = |a: u32| a != b && !trace.is_ancestor(SpanIdx(b), SpanIdx(a));
            let time_best = if valid(a) {
                Some(candidate)
            } else {
                by_end[..count]
                    .iter()
                    .filter(|&&(_, a, _)| valid(a))
                    .map(|&(_, _, best)| best)
                    .max()
            };
            best = best.max(time_best);
        }
        if let Some(best) = best {
            out.push((b, best));
        }
    }
    out
}

/// For each span of `next` (in its order), the best first start among its reached ancestors:
/// one sweep over both sets in pre-order with a stack of the reached spans that enclose the
/// current one.
fn ancestor_best(trace: &Trace, reached: &Reached, next: &SpanSet) -> Vec<Option<i64>> {
    let pre = |i: u32| trace.pre_order(SpanIdx(i));
    let post = |i: u32| trace.post_order(SpanIdx(i));
    let mut a: Vec<(u32, u32, i64)> = reached.iter().map(|&(i, best)| (pre(i), i, best)).collect();
    a.sort_unstable();
    let mut b: Vec<(u32, usize, u32)> = next
        .ids()
        .iter()
        .enumerate()
        .map(|(pos, &i)| (pre(i), pos, i))
        .collect();
    b.sort_unstable();
    let mut out = vec![None; next.len()];
    // (post, running best)
    let mut stack: Vec<(u32, i64)> = Vec::new();
    let (mut ia, mut ib) = (0, 0);
    while ib < b.len() {
        // A reached span at the same position as a span of `next` is the same span: it is not
        // its own ancestor, so the span of `next` goes first.
        let take_a = ia < a.len() && a[ia].0 < b[ib].0;
        let (cur_pre, cur) = if take_a {
            (a[ia].0, a[ia].1)
        } else {
            (b[ib].0, b[ib].2)
        };
        let _ = cur_pre;
        let cur_post = post(cur);
        while stack.last().is_some_and(|&(p, _)| p < cur_post) {
            stack.pop();
        }
        if take_a {
            let best = stack.last().map_or(a[ia].2, |&(_, m)| m.max(a[ia].2));
            stack.push((cur_post, best));
            ia += 1;
        } else {
            out[b[ib].1] = stack.last().map(|&(_, m)| m);
            ib += 1;
        }
    }
    out
}
