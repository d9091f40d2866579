//! Selections: joins on the span tree, pseudo-classes, relative selectors.
//!
//! - `A > B`: when A is much smaller than B, the children of A's spans are probed in B;
//!   otherwise B's spans are kept when their parent is in A.
//! - `A >> B`: A's spans are reduced to the outermost ones (sorted by pre-order number, a
//!   span inside the previous kept one is dropped); each span of B is then kept when the last
//!   outermost span before it in pre-order contains it (post-order number).
//! - `>> B` from a span: B's spans in pre-order, from the first after the span while they are
//!   inside it. `:has(R)` for relative chains is computed backwards from R's last step
//!   (parents, ancestors), once for all candidate spans.

use crate::error::{EvalError, R};
use crate::run::{Frame, Run};
use crate::set::{SpanSet, start_key};
use crate::value::Val;
use std::rc::Rc;
use tbt_plan::{Sel, SelKind};
use tbt_trace::{SpanIdx, Trace};

impl<'a> Run<'_, 'a> {
    /// Evaluates a selection (cached per test when it does not depend on the current span).
    pub(crate) fn sel(&mut self, s: &'a Sel, f: Frame<'_, 'a>) -> R<Rc<SpanSet>> {
        if s.cacheable
            && let Some(Some(hit)) = self.cache.get(s.id as usize)
        {
            return Ok(hit.clone());
        }
        let set = self.compute(s, f)?;
        if s.cacheable
            && let Some(slot) = self.cache.get_mut(s.id as usize)
        {
            *slot = Some(set.clone());
        }
        Ok(set)
    }

    fn compute(&mut self, s: &'a Sel, f: Frame<'_, 'a>) -> R<Rc<SpanSet>> {
        let trace = self.trace();
        Ok(Rc::new(match &s.kind {
            SelKind::All => return Ok(self.universe.clone()),
            SelKind::Service(name) => match self.eng.index.sym(name) {
                Some(sym) => SpanSet::sorted(
                    self.universe
                        .ids()
                        .iter()
                        .copied()
                        .filter(|&i| trace.service(SpanIdx(i)) == sym)
                        .collect(),
                ),
                None => SpanSet::default(),
            },
            SelKind::Slot(slot) => match self.slot(*slot)? {
                Val::Sel(set) => return Ok(set),
                _ => SpanSet::default(),
            },
            SelKind::Filter {
                input,
                conjuncts,
                access,
            } => return self.filter(input, conjuncts, access, f),
            SelKind::Child { parent, child } => {
                let p = self.sel(parent, f)?;
                let c = self.sel(child, f)?;
                child_join(trace, &p, &c)
            }
            SelKind::Descendant {
                ancestor,
                descendant,
            } => {
                let a = self.sel(ancestor, f)?;
                let d = self.sel(descendant, f)?;
                descendant_join(trace, &a, &d)
            }
            SelKind::RelChild(x) => {
                let anchor = anchor(f)?;
                let set = self.sel(x, f)?;
                SpanSet::new(
                    trace
                        .children(SpanIdx(anchor))
                        .iter()
                        .map(|c| c.0)
                        .filter(|&c| set.contains(c))
                        .collect(),
                )
            }
            SelKind::RelDescendant(x) => {
                let anchor = anchor(f)?;
                let set = self.sel(x, f)?;
                SpanSet::new(set.descendants_of(trace, anchor).collect())
            }
            SelKind::First(x) | SelKind::Last(x) => {
                let set = self.sel(x, f)?;
                let keyed = set.ids().iter().map(|&i| (start_key(trace, i), i));
                let pick = if matches!(s.kind, SelKind::First(_)) {
                    keyed.min()
                } else {
                    keyed.max()
                };
                SpanSet::sorted(pick.map(|(_, i)| i).into_iter().collect())
            }
            SelKind::Nth(x, n) => {
                let set = self.sel(x, f)?;
                let n = match self.eval(n, f)? {
                    Val::Int(n) => n,
                    _ => 0,
                };
                let index = usize::try_from(n - 1).ok().filter(|&k| k < set.len());
                match index {
                    Some(k) => {
                        let mut keyed: Vec<_> = set
                            .ids()
                            .iter()
                            .map(|&i| (start_key(trace, i), i))
                            .collect();
                        keyed.select_nth_unstable(k);
                        SpanSet::sorted(vec![keyed[k].1])
                    }
                    None => SpanSet::default(),
                }
            }
            SelKind::Root(x) => {
                let set = self.sel(x, f)?;
                SpanSet::sorted(
                    set.ids()
                        .iter()
                        .copied()
                        .filter(|&i| trace.span(SpanIdx(i)).parent_span_id().is_none())
                        .collect(),
                )
            }
            SelKind::Leaf(x) => {
                let set = self.sel(x, f)?;
                SpanSet::sorted(
                    set.ids()
                        .iter()
                        .copied()
                        .filter(|&i| trace.children(SpanIdx(i)).is_empty())
                        .collect(),
                )
            }
            SelKind::Has(x, rel) => {
                let set = self.sel(x, f)?;
                if let Some(anchors) = self.anchors(rel, None, f)? {
                    SpanSet::sorted(
                        set.ids()
                            .iter()
                            .copied()
                            .filter(|&i| anchors.contains(i))
                            .collect(),
                    )
                } else {
                    let mut keep = Vec::new();
                    for &i in set.ids() {
                        let from = Frame {
                            span: Some(i),
                            item: None,
                        };
                        if !self.sel(rel, from)?.is_empty() {
                            keep.push(i);
                        }
                    }
                    SpanSet::sorted(keep)
                }
            }
            SelKind::Not(x, other) => {
                let set = self.sel(x, f)?;
                let mut keep = Vec::new();
                if other.cacheable {
                    let excluded = self.sel(other, f)?;
                    keep.extend(set.ids().iter().copied().filter(|&i| !excluded.contains(i)));
                } else {
                    for &i in set.ids() {
                        let from = Frame {
                            span: Some(i),
                            item: None,
                        };
                        if !self.sel(other, from)?.contains(i) {
                            keep.push(i);
                        }
                    }
                }
                SpanSet::sorted(keep)
            }
            SelKind::Dynamic(e) => match self.eval(e, f)? {
                Val::Sel(set) => return Ok(set),
                Val::Missing => SpanSet::default(),
                other => {
                    return Err(EvalError::Fail(format!(
                        "expected a span selection, found {}",
                        other.type_name()
                    )));
                }
            },
        }))
    }

    /// The spans from which the relative selection `rel` selects a span (of `target`, when
    /// given), computed backwards for chains of relative steps; `None` when `rel` has another
    /// shape (then it is evaluated from each candidate).
    fn anchors(
        &mut self,
        rel: &'a Sel,
        target: Option<&SpanSet>,
        f: Frame<'_, 'a>,
    ) -> R<Option<SpanSet>> {
        let trace = self.trace();
        let restrict = |set: &SpanSet, target: Option<&SpanSet>| -> SpanSet {
            match target {
                Some(t) => SpanSet::sorted(
                    set.ids()
                        .iter()
                        .copied()
                        .filter(|&i| t.contains(i))
                        .collect(),
                ),
                None => SpanSet::sorted(set.ids().to_vec()),
            }
        };
        Ok(match &rel.kind {
            SelKind::RelChild(x) if x.cacheable => {
                let z = restrict(&*self.sel(x, f)?, target);
                Some(parents(trace, &z))
            }
            SelKind::RelDescendant(x) if x.cacheable => {
                let z = restrict(&*self.sel(x, f)?, target);
                Some(ancestors(trace, &z))
            }
            SelKind::Child { parent, child } if child.cacheable => {
                let z = restrict(&*self.sel(child, f)?, target);
                let up = parents(trace, &z);
                self.anchors(parent, Some(&up), f)?
            }
            SelKind::Descendant {
                ancestor,
                descendant,
            } if descendant.cacheable => {
                let z = restrict(&*self.sel(descendant, f)?, target);
                let up = ancestors(trace, &z);
                self.anchors(ancestor, Some(&up), f)?
            }
            _ => None,
        })
    }
}

fn anchor(f: Frame<'_, '_>) -> R<u32> {
    f.span.ok_or_else(|| {
        EvalError::Fail("a relative selector (`> span`, `>> span`) needs a current span".into())
    })
}

/// Spans of `child` whose parent is in `parent`.
pub(crate) fn child_join(trace: &Trace, parent: &SpanSet, child: &SpanSet) -> SpanSet {
    if parent.len().saturating_mul(4) < child.len() {
        SpanSet::new(
            parent
                .ids()
                .iter()
                .flat_map(|&p| trace.children(SpanIdx(p)).iter().map(|c| c.0))
                .filter(|&c| child.contains(c))
                .collect(),
        )
    } else {
        SpanSet::sorted(
            child
                .ids()
                .iter()
                .copied()
                .filter(|&c| {
                    trace
                        .parent(SpanIdx(c))
                        .is_some_and(|p| parent.contains(p.0))
                })
                .collect(),
        )
    }
}

/// The outermost spans of a set (none inside another), as (pre, post) sorted by pre.
pub(crate) fn outermost(trace: &Trace, set: &SpanSet) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &i in set.by_pre(trace) {
        let (pre, post) = (trace.pre_order(SpanIdx(i)), trace.post_order(SpanIdx(i)));
        if out.last().is_some_and(|&(_, last_post)| post < last_post) {
            continue;
        }
        out.push((pre, post));
    }
    out
}

/// Spans of `desc` with an ancestor in `anc`.
pub(crate) fn descendant_join(trace: &Trace, anc: &SpanSet, desc: &SpanSet) -> SpanSet {
    let outer = outermost(trace, anc);
    SpanSet::sorted(
        desc.ids()
            .iter()
            .copied()
            .filter(|&d| {
                let (pre, post) = (trace.pre_order(SpanIdx(d)), trace.post_order(SpanIdx(d)));
                let k = outer.partition_point(|&(p, _)| p < pre);
                k > 0 && post < outer[k - 1].1
            })
            .collect(),
    )
}

/// The parents of a set's spans.
fn parents(trace: &Trace, set: &SpanSet) -> SpanSet {
    SpanSet::new(
        set.ids()
            .iter()
            .filter_map(|&i| trace.parent(SpanIdx(i)).map(|p| p.0))
            .collect(),
    )
}

/// Every proper ancestor of a set's spans (each span visited once).
fn ancestors(trace: &Trace, set: &SpanSet) -> SpanSet {
    let mut seen = vec![false; trace.len()];
    let mut out = Vec::new();
    for &i in set.ids() {
        let mut cur = trace.parent(SpanIdx(i));
        while let Some(p) = cur {
            if seen[p.index()] {
                break;
            }
            seen[p.index()] = true;
            out.push(p.0);
            cur = trace.parent(p);
        }
    }
    SpanSet::new(out)
}
