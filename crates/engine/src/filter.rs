//! Filters: a conjunction of predicates applied column at a time, cheap first.
//!
//! Each conjunct is *bound* to the trace when the first candidate reaches it: its constant
//! side is evaluated once, strings are looked up in the trace's interner (a string the trace
//! does not have equals no span's value), `kind`/`status` sets become bit masks. Candidates
//! come from the filter's input, or, for a filter over every span whose access path names an
//! attribute, from that attribute's column: the spans that have it, with their values.

use crate::error::R;
use crate::index::KeyColumn;
use crate::ops;
use crate::run::{Frame, Run};
use crate::set::SpanSet;
use crate::value::Val;
use std::rc::Rc;
use tbt_plan::{
    Access, AttrRef, CmpOp, Conjunct, Intrinsic, PredClass, Scope, Sel, SelKind, Subject,
};
use tbt_trace::{SpanIdx, Sym, Trace, Value};

/// A conjunct bound to the trace.
enum Bound<'a> {
    /// `kind`/`status` in a set (bit per enum value).
    Flags { status: bool, mask: u8 },
    /// `name == "x"` / `name != "x"` on interned ids.
    NameEq { sym: Option<Sym>, negate: bool },
    /// An attribute compared with a constant.
    Attr {
        key: Option<Sym>,
        scope: Scope,
        op: CmpOp,
        value: Val<'a>,
        /// The constant's symbol, for string `==`/`!=`.
        sym: Option<Sym>,
        /// Results by string value (`matches`, `contains`, `<` on strings): interned values
        /// repeat, so each distinct one is tested once.
        memo: Memo,
    },
    /// A predicate decided per resource (an attribute only resources have).
    Resource { mask: Vec<bool> },
    /// An attribute's presence.
    Exists { key: Option<Sym>, scope: Scope },
    /// `duration`, `start` or `end` compared with a constant, in nanoseconds.
    Time {
        which: Intrinsic,
        op: CmpOp,
        nanos: i64,
    },
    /// Any other span value compared with a constant (memoised by name for `name`).
    Subject {
        subject: &'a Subject,
        op: CmpOp,
        value: Val<'a>,
        memo: Memo,
    },
    /// A predicate evaluated per span.
    General(&'a tbt_plan::Expr),
    /// Always true (an intrinsic exists on every span).
    True,
}

/// Results by interned string: 0 unknown, 1 true, 2 false.
#[derive(Default)]
struct Memo(Vec<u8>);

impl Memo {
    fn get(&self, s: Sym) -> Option<bool> {
        match self.0.get(s.0 as usize) {
            Some(1) => Some(true),
            Some(2) => Some(false),
            _ => None,
        }
    }

    fn set(&mut self, s: Sym, v: bool) {
        let i = s.0 as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, 0);
        }
        self.0[i] = if v { 1 } else { 2 };
    }
}

impl<'a> Run<'_, 'a> {
    pub(crate) fn filter(
        &mut self,
        input: &'a Sel,
        conjuncts: &'a [Conjunct],
        access: &'a Access,
        f: Frame<'_, 'a>,
    ) -> R<Rc<SpanSet>> {
        let trace = self.trace();
        let mut done = None;
        let mut cands: Vec<u32> = Vec::new();
        let mut from_column = false;
        if matches!(input.kind, SelKind::All)
            && let Access::AttrIndex { attr, conjunct } = access
            && let Some(c) = conjuncts.get(*conjunct)
        {
            match self.eng.index.sym(&attr.key) {
                // No span or resource has the key: every comparison with it is false.
                None => return Ok(Rc::new(SpanSet::default())),
                Some(key) if attr.scope == Scope::Span || !self.eng.index.resource_has(key) => {
                    let col = self.eng.index.column(key);
                    let mut bound = self.bind_conjunct(c, f)?;
                    cands = self.column_matches(&col, &mut bound)?;
                    if self.universe.len() != trace.len() {
                        cands.retain(|&i| self.universe.contains(i));
                    }
                    done = Some(*conjunct);
                    from_column = true;
                }
                Some(_) => {}
            }
        }
        if !from_column {
            cands = self.sel(input, f)?.ids().to_vec();
        }
        for (i, c) in conjuncts.iter().enumerate() {
            if Some(i) == done {
                continue;
            }
            if cands.is_empty() {
                break;
            }
            let mut bound = self.bind_conjunct(c, f)?;
            self.retain(&mut cands, &mut bound)?;
        }
        Ok(Rc::new(SpanSet::sorted(cands)))
    }

    /// The spans of `ids` that satisfy every conjunct (applied in order, column at a time).
    pub(crate) fn conjunction(
        &mut self,
        ids: &[u32],
        conjuncts: &'a [Conjunct],
        f: Frame<'_, 'a>,
    ) -> R<Vec<u32>> {
        let mut cands = ids.to_vec();
        for c in conjuncts {
            if cands.is_empty() {
                break;
            }
            let mut bound = self.bind_conjunct(c, f)?;
            self.retain(&mut cands, &mut bound)?;
        }
        Ok(cands)
    }

    /// Binds a conjunct: evaluates its constant side and resolves its strings.
    fn bind_conjunct(&mut self, c: &'a Conjunct, f: Frame<'_, 'a>) -> R<Bound<'a>> {
        let index = &self.eng.index;
        let trace = self.trace();
        Ok(match &c.class {
            PredClass::Exists(Subject::Intrinsic(_)) => Bound::True,
            PredClass::Exists(Subject::Attr(a)) => {
                let key = index.sym(&a.key);
                match key {
                    Some(k) if resource_only(index, k, a.scope) => Bound::Resource {
                        mask: trace
                            .resources()
                            .map(|r| r.attrs().get(k).is_some())
                            .collect(),
                    },
                    _ => Bound::Exists {
                        key,
                        scope: a.scope,
                    },
                }
            }
            PredClass::Compare { subject, op, value } => {
                let value = self.eval(
                    value,
                    Frame {
                        span: None,
                        item: f.item,
                    },
                )?;
                match subject {
                    Subject::Intrinsic(which @ (Intrinsic::Kind | Intrinsic::Status)) => {
                        match flag_mask(*which, *op, &value) {
                            Some(mask) => Bound::Flags {
                                status: *which == Intrinsic::Status,
                                mask,
                            },
                            None => Bound::Subject {
                                subject,
                                op: *op,
                                value,
                                memo: Memo::default(),
                            },
                        }
                    }
                    Subject::Intrinsic(Intrinsic::Name)
                        if matches!(op, CmpOp::Eq | CmpOp::Ne) && value.as_str().is_some() =>
                    {
                        Bound::NameEq {
                            sym: value.as_str().and_then(|s| self.eng.index.sym(s)),
                            negate: *op == CmpOp::Ne,
                        }
                    }
                    Subject::Intrinsic(
                        which @ (Intrinsic::Duration | Intrinsic::Start | Intrinsic::End),
                    ) if matches!(
                        (which, &value),
                        (Intrinsic::Duration, Val::Duration(_))
                            | (Intrinsic::Start | Intrinsic::End, Val::Timestamp(_))
                    ) && cmp_ord(*op, std::cmp::Ordering::Equal).is_some() =>
                    {
                        let nanos = match value {
                            Val::Duration(n) | Val::Timestamp(n) => n,
                            _ => 0,
                        };
                        Bound::Time {
                            which: *which,
                            op: *op,
                            nanos,
                        }
                    }
                    Subject::Intrinsic(_) => Bound::Subject {
                        subject,
                        op: *op,
                        value,
                        memo: Memo::default(),
                    },
                    Subject::Attr(AttrRef { key, scope }) => {
                        let sym = match (&value, op) {
                            (Val::Str(s), CmpOp::Eq | CmpOp::Ne) => index.sym(s.as_str()),
                            _ => None,
                        };
                        let key = index.sym(key);
                        let mut bound = Bound::Attr {
                            key,
                            scope: *scope,
                            op: *op,
                            value,
                            sym,
                            memo: Memo::default(),
                        };
                        if let Some(k) = key
                            && resource_only(index, k, *scope)
                        {
                            let mut mask = Vec::with_capacity(trace.resource_count());
                            for r in trace.resources() {
                                let keep = match r.attrs().get(k) {
                                    Some(v) => self.matches(trace, v, &mut bound)?,
                                    None => false,
                                };
                                mask.push(keep);
                            }
                            bound = Bound::Resource { mask };
                        }
                        bound
                    }
                }
            }
            PredClass::General => Bound::General(&c.expr),
        })
    }

    /// The spans of a column whose value satisfies a bound attribute predicate.
    fn column_matches(&mut self, col: &KeyColumn, b: &mut Bound<'a>) -> R<Vec<u32>> {
        let trace = self.trace();
        let mut out = Vec::new();
        match b {
            Bound::Exists { .. } => out.extend_from_slice(&col.spans),
            Bound::Attr { .. } => {
                for (&s, &v) in col.spans.iter().zip(&col.values) {
                    if self.matches(trace, v, b)? {
                        out.push(s);
                    }
                }
            }
            _ => {
                out.extend_from_slice(&col.spans);
                self.retain(&mut out, b)?;
            }
        }
        Ok(out)
    }

    /// Keeps the candidates that satisfy a bound predicate.
    fn retain(&mut self, cands: &mut Vec<u32>, b: &mut Bound<'a>) -> R<()> {
        let trace = self.trace();
        match b {
            Bound::True => {}
            Bound::Flags { status, mask } => cands.retain(|&i| {
                let bit = if *status {
                    trace.status(SpanIdx(i)) as u8
                } else {
                    trace.kind(SpanIdx(i)) as u8
                };
                *mask & (1 << bit) != 0
            }),
            Bound::NameEq { sym, negate } => match sym {
                Some(sym) => cands.retain(|&i| (trace.name(SpanIdx(i)) == *sym) != *negate),
                None if *negate => {}
                None => cands.clear(),
            },
            Bound::Resource { mask } => cands.retain(|&i| {
                mask.get(trace.resource(SpanIdx(i)).0 as usize)
                    .copied()
                    .unwrap_or(false)
            }),
            Bound::Exists { key, scope } => match key {
                Some(key) => cands.retain(|&i| attr(trace, i, *key, *scope).is_some()),
                None => cands.clear(),
            },
            Bound::Time { which, op, nanos } => {
                let (which, op, nanos) = (*which, *op, *nanos);
                cands.retain(|&i| {
                    let s = SpanIdx(i);
                    let v = match which {
                        Intrinsic::Duration => trace.duration_nanos(s) as i64,
                        Intrinsic::Start => trace.start(s) as i64,
                        _ => trace.end(s) as i64,
                    };
                    cmp_ord(op, v.cmp(&nanos)).unwrap_or(false)
                });
            }
            Bound::Attr { key, scope, .. } => {
                let Some(key) = *key else {
                    cands.clear();
                    return Ok(());
                };
                let scope = *scope;
                let mut out = Vec::with_capacity(cands.len());
                for &i in cands.iter() {
                    if let Some(v) = attr(trace, i, key, scope)
                        && self.matches(trace, v, b)?
                    {
                        out.push(i);
                    }
                }
                *cands = out;
            }
            Bound::Subject {
                subject,
                op,
                value,
                memo,
            } => {
                let mut out = Vec::with_capacity(cands.len());
                let by_name = matches!(subject, Subject::Intrinsic(Intrinsic::Name));
                for &i in cands.iter() {
                    let name = by_name.then(|| trace.name(SpanIdx(i)));
                    let known = name.and_then(|n| memo.get(n));
                    let keep = match known {
                        Some(k) => k,
                        None => {
                            let v = self.subject(i, subject);
                            let k = ops::compare(*op, &v, value, &mut |p| self.regex(p))?;
                            if let Some(n) = name {
                                memo.set(n, k);
                            }
                            k
                        }
                    };
                    if keep {
                        out.push(i);
                    }
                }
                *cands = out;
            }
            Bound::General(expr) => {
                let expr = *expr;
                let mut out = Vec::with_capacity(cands.len());
                for &i in cands.iter() {
                    if self
                        .eval(
                            expr,
                            Frame {
                                span: Some(i),
                                item: None,
                            },
                        )?
                        .truthy()
                    {
                        out.push(i);
                    }
                }
                *cands = out;
            }
        }
        Ok(())
    }

    /// Whether an attribute value satisfies a bound attribute predicate; string equality on
    /// interned ids, other string tests memoised by value.
    fn matches(&mut self, trace: &'a Trace, v: Value, b: &mut Bound<'a>) -> R<bool> {
        let Bound::Attr {
            op,
            value,
            sym,
            memo,
            ..
        } = b
        else {
            return Ok(false);
        };
        let op = *op;
        if let Value::Str(s) = v {
            if let (Val::Str(_), CmpOp::Eq | CmpOp::Ne) = (&*value, op) {
                return Ok((Some(s) == *sym) != (op == CmpOp::Ne));
            }
            if let Some(known) = memo.get(s) {
                return Ok(known);
            }
            let left = Val::from_trace(trace, v);
            let result = ops::compare(op, &left, value, &mut |p| self.regex(p))?;
            memo.set(s, result);
            return Ok(result);
        }
        if let (Value::Int(a), Val::Int(b)) = (v, &*value)
            && let Some(result) = cmp_ord(op, a.cmp(b))
        {
            return Ok(result);
        }
        let left = Val::from_trace(trace, v);
        ops::compare(op, &left, value, &mut |p| self.regex(p))
    }
}

/// Whether attribute `key` in `scope` can only come from resources: `resource.x`, or a key no
/// span has.
fn resource_only(index: &crate::index::TraceIndex<'_>, key: Sym, scope: Scope) -> bool {
    match scope {
        Scope::Resource => true,
        Scope::Any => !index.span_has(key),
        Scope::Span => false,
    }
}

/// The result of an ordering operator from an `Ordering` (`None` for other operators).
fn cmp_ord(op: CmpOp, o: std::cmp::Ordering) -> Option<bool> {
    use std::cmp::Ordering::*;
    Some(match op {
        CmpOp::Eq => o == Equal,
        CmpOp::Ne => o != Equal,
        CmpOp::Lt => o == Less,
        CmpOp::Le => o != Greater,
        CmpOp::Gt => o == Greater,
        CmpOp::Ge => o != Less,
        _ => return None,
    })
}

/// An attribute of span `i` in a scope.
fn attr(trace: &Trace, i: u32, key: Sym, scope: Scope) -> Option<Value> {
    let s = SpanIdx(i);
    match scope {
        Scope::Any => trace.attr(s, key),
        Scope::Span => trace.span_attr(s, key),
        Scope::Resource => trace.resource_attr(s, key),
    }
}

/// The bit mask of the `kind`/`status` values a comparison keeps, when it is a plain
/// (in)equality or membership test on names.
fn flag_mask(which: Intrinsic, op: CmpOp, value: &Val<'_>) -> Option<u8> {
    let bit = |name: &str| -> u8 {
        let code = if which == Intrinsic::Status {
            tbt_trace::StatusCode::from_name(name).map(|s| s as u8)
        } else {
            tbt_trace::SpanKind::from_name(name).map(|k| k as u8)
        };
        // Only exact lowercase names match (`status == "ERROR"` is false, as string equality).
        let exact = code.filter(|&c| {
            let canonical = if which == Intrinsic::Status {
                tbt_trace::StatusCode::from_i32(i32::from(c)).map(|s| s.as_str())
            } else {
                tbt_trace::SpanKind::from_i32(i32::from(c)).map(|k| k.as_str())
            };
            canonical == Some(name)
        });
        exact.map_or(0, |c| 1 << c)
    };
    let set = match value {
        Val::Str(s) => bit(s.as_str()),
        Val::List(items) => items
            .iter()
            .map(|v| v.as_str().map_or(0, bit))
            .fold(0, |a, b| a | b),
        _ => return None,
    };
    Some(match op {
        CmpOp::Eq | CmpOp::In => set,
        CmpOp::Ne | CmpOp::NotIn => !set,
        _ => return None,
    })
}
