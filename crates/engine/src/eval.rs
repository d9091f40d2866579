//! The expression evaluator.

use crate::error::{EvalError, R};
use crate::ops;
use crate::run::{Frame, Run};
use crate::set::by_start;
use crate::value::{Str, Val};
use std::rc::Rc;
use std::sync::Arc;
use tbt_plan::{Const, Expr, ExprKind, InterpPart, Intrinsic, Quant, Scope, Subject};
use tbt_trace::{SpanIdx, StatusCode};

impl<'a> Run<'_, 'a> {
    /// Evaluates an expression (growing the stack on demand: expressions nest deeply).
    pub(crate) fn eval(&mut self, e: &'a Expr, f: Frame<'_, 'a>) -> R<Val<'a>> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.eval_here(e, f))
    }

    fn eval_here(&mut self, e: &'a Expr, f: Frame<'_, 'a>) -> R<Val<'a>> {
        match &e.kind {
            ExprKind::Const(c) => Ok(constant(c)),
            ExprKind::Interp(parts) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        InterpPart::Text(t) => out.push_str(t),
                        InterpPart::Value(x) => {
                            let v = self.eval(x, f)?;
                            if v.is_missing() {
                                let shown = self.text(x);
                                return Err(EvalError::Fail(format!(
                                    "`{shown}` is missing, so it cannot be interpolated"
                                )));
                            }
                            out.push_str(&v.interpolated());
                        }
                    }
                }
                Ok(Val::string(out))
            }
            ExprKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(self.eval(x, f)?);
                }
                Ok(Val::List(Rc::new(out)))
            }
            ExprKind::Object(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (k, x) in entries {
                    out.push((Str::B(k.as_str()), self.eval(x, f)?));
                }
                Ok(Val::Object(Rc::new(out)))
            }
            ExprKind::Slot(slot) => self.slot(*slot),
            ExprKind::Env { name, secret } => self.env(name, *secret),
            ExprKind::Response(field) => self.response(field),
            ExprKind::Span(subject) => {
                let span = f.span.ok_or_else(no_span)?;
                Ok(self.subject(span, subject))
            }
            ExprKind::Item(name) => Ok(f.item.map_or(Val::Missing, |item| item.get(name))),
            ExprKind::Field(x, name) => {
                let base = self.eval(x, f)?;
                Ok(match base {
                    Val::Sel(set) => {
                        let subject = Subject::Attr(tbt_plan::AttrRef {
                            key: name.clone(),
                            scope: Scope::Any,
                        });
                        self.project(&set, &subject, true)
                    }
                    other => other.get(name),
                })
            }
            ExprKind::Index(x, i) => {
                let base = self.eval(x, f)?;
                let index = self.eval(i, f)?;
                Ok(match (&base, &index) {
                    (Val::List(items), Val::Int(n)) => usize::try_from(*n)
                        .ok()
                        .and_then(|n| items.get(n).cloned())
                        .unwrap_or(Val::Missing),
                    (_, Val::Str(key)) => base.get(key.as_str()),
                    _ => Val::Missing,
                })
            }
            ExprKind::ListFilter(x, pred) => {
                let base = self.eval(x, f)?;
                let Val::List(items) = base else {
                    return Ok(if base.is_missing() {
                        Val::Missing
                    } else {
                        Val::List(Rc::default())
                    });
                };
                let mut out = Vec::new();
                for item in items.iter() {
                    let inner = Frame {
                        span: f.span,
                        item: Some(item),
                    };
                    if self.eval(pred, inner)?.truthy() {
                        out.push(item.clone());
                    }
                }
                Ok(Val::List(Rc::new(out)))
            }
            ExprKind::Not(x) => Ok(Val::Bool(!self.eval(x, f)?.truthy())),
            ExprKind::Neg(x) => ops::negate(&self.eval(x, f)?),
            ExprKind::And(a, b) => {
                if !self.eval(a, f)?.truthy() {
                    return Ok(Val::Bool(false));
                }
                Ok(Val::Bool(self.eval(b, f)?.truthy()))
            }
            ExprKind::Or(a, b) => {
                if self.eval(a, f)?.truthy() {
                    return Ok(Val::Bool(true));
                }
                Ok(Val::Bool(self.eval(b, f)?.truthy()))
            }
            ExprKind::Cmp(op, a, b) => {
                let l = self.eval(a, f)?;
                let r = self.eval(b, f)?;
                Ok(Val::Bool(ops::compare(*op, &l, &r, &mut |p| {
                    self.regex(p)
                })?))
            }
            ExprKind::Arith(op, a, b) => {
                let l = self.eval(a, f)?;
                let r = self.eval(b, f)?;
                ops::arith(*op, &l, &r)
            }
            ExprKind::Exists(x) => Ok(Val::Bool(!self.eval(x, f)?.is_missing())),
            ExprKind::Quantified(q, s) => {
                let n = self.sel(s, f)?.len();
                Ok(Val::Bool(match q {
                    Quant::No => n == 0,
                    Quant::Some => n > 0,
                    Quant::Exactly(count) => match self.eval(count, f)? {
                        Val::Int(c) => i64::try_from(n).is_ok_and(|n| n == c),
                        _ => false,
                    },
                }))
            }
            ExprKind::Count(x) => Ok(match self.eval(x, f)? {
                Val::Sel(set) => Val::Int(set.len() as i64),
                Val::List(items) => Val::Int(items.len() as i64),
                Val::Object(entries) => Val::Int(entries.len() as i64),
                _ => Val::Missing,
            }),
            ExprKind::Aggregate { func, arg, q, hint } => {
                let values = self.eval(arg, f)?;
                let q = match q {
                    Some(q) => Some(self.eval(q, f)?),
                    None => None,
                };
                crate::agg::aggregate(*func, &values, q.as_ref(), *hint)
            }
            ExprKind::Project {
                sel,
                field,
                single,
                ordered,
            } => {
                let set = self.sel(sel, f)?;
                if *single {
                    return Ok(match set.ids().first() {
                        Some(&i) => self.subject(i, field),
                        None => Val::Missing,
                    });
                }
                Ok(self.project(&set, field, *ordered))
            }
            ExprKind::Selection(s) => Ok(Val::Sel(self.sel(s, f)?)),
            ExprKind::Order(order) => Ok(Val::Bool(self.order(order, f)?.holds)),
            ExprKind::Invalid(why) => Err(EvalError::Fail(format!("cannot evaluate: {why}"))),
        }
    }

    /// The values of `field` of the spans of `set` that have it.
    pub(crate) fn project(
        &mut self,
        set: &crate::set::SpanSet,
        field: &Subject,
        ordered: bool,
    ) -> Val<'a> {
        let spans = if ordered {
            by_start(self.trace(), set.ids())
        } else {
            set.ids().to_vec()
        };
        // Events and links are lists per span: across spans they are one list, so that
        // `span.events[name == "exception"]` filters events, not per-span lists.
        let flatten = matches!(
            field,
            Subject::Intrinsic(tbt_plan::Intrinsic::Events | tbt_plan::Intrinsic::Links)
        );
        let mut values = Vec::new();
        for i in spans {
            match self.subject(i, field) {
                Val::Missing => {}
                Val::List(items) if flatten => values.extend(items.iter().cloned()),
                v => values.push(v),
            }
        }
        Val::List(Rc::new(values))
    }

    /// An intrinsic or attribute of span `i`.
    pub(crate) fn subject(&mut self, i: u32, subject: &Subject) -> Val<'a> {
        match subject {
            Subject::Intrinsic(which) => self.intrinsic(i, *which),
            Subject::Attr(attr) => {
                let trace = self.trace();
                let Some(key) = self.eng.index.sym(&attr.key) else {
                    return Val::Missing;
                };
                let s = SpanIdx(i);
                let v = match attr.scope {
                    Scope::Any => trace.attr(s, key),
                    Scope::Span => trace.span_attr(s, key),
                    Scope::Resource => trace.resource_attr(s, key),
                };
                v.map_or(Val::Missing, |v| Val::from_trace(trace, v))
            }
        }
    }

    /// An intrinsic of span `i`.
    pub(crate) fn intrinsic(&self, i: u32, which: Intrinsic) -> Val<'a> {
        let trace = self.trace();
        let s = SpanIdx(i);
        match which {
            Intrinsic::Name => Val::str(trace.str(trace.name(s))),
            Intrinsic::Duration => Val::Duration(trace.duration_nanos(s) as i64),
            Intrinsic::Status => Val::str(status_name(trace.status(s))),
            Intrinsic::StatusMessage => Val::str(trace.str(trace.status_message(s))),
            Intrinsic::Kind => Val::str(trace.kind(s).as_str()),
            Intrinsic::Start => Val::Timestamp(trace.start(s) as i64),
            Intrinsic::End => Val::Timestamp(trace.end(s) as i64),
            Intrinsic::TraceId => Val::string(trace.trace_id(s).to_hex()),
            Intrinsic::SpanId => Val::string(trace.span_id(s).to_hex()),
            Intrinsic::ParentId => Val::string(
                trace
                    .span(s)
                    .parent_span_id()
                    .map(|p| p.to_hex())
                    .unwrap_or_default(),
            ),
            Intrinsic::Events => {
                let events = trace
                    .events(s)
                    .map(|e| {
                        let mut fields = vec![
                            (Str::B("name"), Val::str(e.name())),
                            (Str::B("time"), Val::Timestamp(e.time_unix_nano() as i64)),
                        ];
                        fields.extend(
                            e.attrs()
                                .iter()
                                .map(|(k, v)| (Str::B(trace.str(k)), Val::from_trace(trace, v))),
                        );
                        Val::Object(Rc::new(fields))
                    })
                    .collect();
                Val::List(Rc::new(events))
            }
            Intrinsic::Links => {
                let links = trace
                    .links(s)
                    .map(|l| {
                        let mut fields = vec![
                            (Str::B("trace_id"), Val::string(l.trace_id().to_hex())),
                            (Str::B("span_id"), Val::string(l.span_id().to_hex())),
                        ];
                        fields.extend(
                            l.attrs()
                                .iter()
                                .map(|(k, v)| (Str::B(trace.str(k)), Val::from_trace(trace, v))),
                        );
                        Val::Object(Rc::new(fields))
                    })
                    .collect();
                Val::List(Rc::new(links))
            }
        }
    }

    /// A compiled regex for a pattern given as a string (cached).
    pub(crate) fn regex(&mut self, pattern: &str) -> R<Arc<regex::Regex>> {
        if let Some(re) = self.regexes.get(pattern) {
            return Ok(re.clone());
        }
        let re = regex::Regex::new(pattern)
            .map(Arc::new)
            .map_err(|e| EvalError::Fail(format!("invalid regex {pattern:?}: {e}")))?;
        self.regexes.insert(pattern.to_string(), re.clone());
        Ok(re)
    }

    fn env(&mut self, name: &str, secret: bool) -> R<Val<'a>> {
        match self.eng.options.env.get(name) {
            Some(value) => {
                if secret && !value.is_empty() {
                    self.secrets.push(value.clone());
                }
                Ok(Val::string(value))
            }
            None => Err(EvalError::Fail(format!(
                "the environment variable `{name}` is not set"
            ))),
        }
    }

    fn response(&mut self, field: &str) -> R<Val<'a>> {
        let Some(response) = &self.eng.response else {
            return Err(EvalError::Skip(
                "no response: the trigger does not run offline (give one with --response)".into(),
            ));
        };
        if field.is_empty() {
            return Ok(response.clone());
        }
        if field == "json"
            && response.get("json").is_missing()
            && let Some(body) = response.get("body").as_str()
        {
            return match serde_json::from_str::<serde_json::Value>(body) {
                Ok(json) => Ok(Val::from_json(&json)),
                Err(_) => {
                    let shown: String = body.chars().take(200).collect();
                    Err(EvalError::Fail(format!(
                        "the response body is not JSON: {shown:?}"
                    )))
                }
            };
        }
        Ok(response.get(field))
    }
}

/// A constant as a value.
pub(crate) fn constant(c: &Const) -> Val<'_> {
    match c {
        Const::Int(n) => Val::Int(*n),
        Const::Double(x) => Val::Double(*x),
        Const::Bool(b) => Val::Bool(*b),
        Const::Str(s) => Val::str(s.as_str()),
        Const::Duration(d) => Val::Duration(*d),
        Const::Regex(re, _) => Val::Regex(re.clone()),
    }
}

fn status_name(s: StatusCode) -> &'static str {
    s.as_str()
}

fn no_span() -> EvalError {
    EvalError::Fail("an attribute was read where there is no current span".into())
}
