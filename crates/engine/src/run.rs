//! Running tests: bindings, `expect`, span blocks, suites.

use crate::Engine;
use crate::error::{EvalError, R};
use crate::report::{AssertionKind, AssertionReport, Verdict, Violation};
use crate::set::SpanSet;
use crate::value::Val;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use tbt_diagnostics::TextRange;
use tbt_plan::{BlockPlan, BlockQuantifier, ExprKind, FilePlan, SlotId, SlotKind, Step, TestPlan};
use tbt_trace::{SpanIdx, Trace, TraceId};

/// What the current span and list item are.
#[derive(Clone, Copy, Default)]
pub(crate) struct Frame<'f, 'a> {
    /// The current span.
    pub span: Option<u32>,
    /// The current list item (in `list[predicate]`).
    pub item: Option<&'f Val<'a>>,
}

impl Frame<'_, '_> {
    pub(crate) fn span(i: u32) -> Self {
        Frame {
            span: Some(i),
            item: None,
        }
    }
}

/// A slot's state in a run.
#[derive(Clone, Debug)]
pub(crate) enum Slot<'a> {
    /// Not bound yet (or bound by a test that did not run).
    Unset,
    /// A constant not evaluated yet: its index in the plan's constants.
    Pending(usize),
    /// Being evaluated (a cycle).
    Busy,
    /// A value.
    Val(Val<'a>),
    /// Its evaluation failed or was skipped.
    Err(EvalError),
}

/// The state of one test's run.
pub(crate) struct Run<'e, 'a> {
    pub eng: &'e Engine<'a>,
    pub slots: Vec<Slot<'a>>,
    pub cache: Vec<Option<Rc<SpanSet>>>,
    pub universe: Rc<SpanSet>,
    pub regexes: HashMap<String, Arc<regex::Regex>>,
    pub secrets: Vec<String>,
}

/// The outcome of a span block.
pub(crate) struct BlockOutcome {
    pub verdict: Verdict,
    pub message: String,
    pub selected: Rc<SpanSet>,
    pub violations: Vec<Violation>,
    pub violation_count: usize,
}

impl<'e, 'a> Run<'e, 'a> {
    pub(crate) fn new(eng: &'e Engine<'a>, slots: Vec<Slot<'a>>, universe: Rc<SpanSet>) -> Self {
        Run {
            eng,
            slots,
            cache: vec![None; eng.plan.selections as usize],
            universe,
            regexes: HashMap::new(),
            secrets: Vec::new(),
        }
    }

    pub(crate) fn trace(&self) -> &'a Trace {
        self.eng.trace
    }

    pub(crate) fn plan(&self) -> &'a FilePlan {
        self.eng.plan
    }

    /// The source text of a plan node (normalised when it has no range in this file).
    pub(crate) fn text(&self, e: &tbt_plan::Expr) -> String {
        let plan = self.plan();
        let src = plan.source(e.range);
        if src.is_empty() || e.range.is_empty() {
            tbt_plan::show_expr(plan, e)
        } else {
            src.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    }

    /// The source text of a selection.
    pub(crate) fn sel_text(&self, s: &tbt_plan::Sel) -> String {
        let plan = self.plan();
        let src = plan.source(s.range);
        if src.is_empty() {
            tbt_plan::show_sel(plan, s)
        } else {
            src.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    }

    /// The value of a slot (constants are evaluated on first use).
    pub(crate) fn slot(&mut self, slot: SlotId) -> R<Val<'a>> {
        let state = self
            .slots
            .get(slot as usize)
            .cloned()
            .unwrap_or(Slot::Unset);
        match state {
            Slot::Val(v) => Ok(v),
            Slot::Err(e) => Err(e),
            Slot::Busy => Err(EvalError::Fail("a constant that depends on itself".into())),
            Slot::Unset => {
                let info = self.plan().slots.get(slot as usize);
                let name = info.map_or("?", |s| s.name.as_str());
                Err(match info.map(|s| s.kind) {
                    Some(SlotKind::Output) => EvalError::Skip(format!(
                        "`{name}` is an output of an earlier test of the suite, which did not run"
                    )),
                    _ => EvalError::Fail(format!("`{name}` has no value here")),
                })
            }
            Slot::Pending(index) => {
                self.set_slot(slot, Slot::Busy);
                let plan = self.plan();
                let value = match plan.constants.get(index) {
                    Some(c) => self.eval(&c.value, Frame::default()),
                    None => Err(EvalError::Fail("an unknown constant".into())),
                };
                self.set_slot(
                    slot,
                    match &value {
                        Ok(v) => Slot::Val(v.clone()),
                        Err(e) => Slot::Err(e.clone()),
                    },
                );
                value
            }
        }
    }

    pub(crate) fn set_slot(&mut self, slot: SlotId, state: Slot<'a>) {
        if let Some(s) = self.slots.get_mut(slot as usize) {
            *s = state;
        }
    }

    pub(crate) fn bind(
        &mut self,
        slot: SlotId,
        value: &'a tbt_plan::Expr,
        f: Frame<'_, 'a>,
    ) -> Option<Val<'a>> {
        let state = match self.eval(value, f) {
            Ok(v) => Slot::Val(v),
            Err(e) => Slot::Err(e),
        };
        let shown = match &state {
            Slot::Val(v) => Some(v.clone()),
            _ => None,
        };
        self.set_slot(slot, state);
        shown
    }

    /// Runs a test's statements.
    pub(crate) fn test(
        &mut self,
        test: &'a TestPlan,
        outputs: &mut Vec<(String, String)>,
    ) -> Vec<AssertionReport> {
        let mut reports = Vec::new();
        for step in &test.body {
            match step {
                Step::Let(b) => {
                    self.bind(b.slot, &b.value, Frame::default());
                }
                Step::Output(b) => {
                    let shown = match self.bind(b.slot, &b.value, Frame::default()) {
                        Some(v) => v.display(),
                        None => "<unavailable>".into(),
                    };
                    outputs.push((b.name.to_string(), shown));
                }
                Step::Wait(_) => {}
                Step::Expect(e) => {
                    let report = match self.eval(&e.expr, Frame::default()) {
                        Ok(v) if v.truthy() => self.report(
                            e.id,
                            AssertionKind::Expect,
                            e.range,
                            Verdict::Pass,
                            String::new(),
                        ),
                        Ok(_) => self.failed_expect(e.id, e.range, &e.expr, Frame::default()),
                        Err(err) => self.errored(e.id, AssertionKind::Expect, e.range, err),
                    };
                    reports.push(report);
                }
                Step::Block(b) => {
                    let report = match self.block(b, Frame::default()) {
                        Ok(outcome) => {
                            let max = self.eng.options.max_spans;
                            let mut r = self.report(
                                b.id,
                                AssertionKind::Block,
                                b.range,
                                outcome.verdict,
                                outcome.message,
                            );
                            r.selected_count = outcome.selected.len();
                            r.selected = crate::set::by_start(self.trace(), outcome.selected.ids())
                                .into_iter()
                                .take(max)
                                .map(SpanIdx)
                                .collect();
                            r.violation_count = outcome.violation_count;
                            r.violations = outcome.violations;
                            r
                        }
                        Err(err) => self.errored(b.id, AssertionKind::Block, b.range, err),
                    };
                    reports.push(report);
                }
            }
        }
        for r in &mut reports {
            self.redact(r);
        }
        for (_, value) in outputs.iter_mut() {
            *value = self.redact_text(value);
        }
        reports
    }

    pub(crate) fn report(
        &self,
        id: u32,
        kind: AssertionKind,
        range: TextRange,
        verdict: Verdict,
        message: String,
    ) -> AssertionReport {
        AssertionReport {
            id,
            kind,
            range,
            verdict,
            message,
            values: Vec::new(),
            selected: Vec::new(),
            selected_count: 0,
            violations: Vec::new(),
            violation_count: 0,
        }
    }

    fn errored(
        &self,
        id: u32,
        kind: AssertionKind,
        range: TextRange,
        err: EvalError,
    ) -> AssertionReport {
        let verdict = match err {
            EvalError::Skip(_) => Verdict::Skip,
            EvalError::Fail(_) => Verdict::Fail,
        };
        self.report(id, kind, range, verdict, err.message().to_string())
    }

    /// Runs a span block with `f` as the enclosing frame.
    pub(crate) fn block(&mut self, b: &'a BlockPlan, f: Frame<'_, 'a>) -> R<BlockOutcome> {
        let selected = self.sel(&b.selection, f)?;
        let max = self.eng.options.max_spans;
        let quantified = !matches!(b.quantifier, BlockQuantifier::Every);
        let mut satisfied = Vec::new();
        let mut violations = Vec::new();
        let mut failing = 0usize;
        // Fast path: the body is a conjunction, applied column at a time; only the spans
        // reported are explained. A failing evaluation falls back to span by span, where it
        // becomes a violation of that span.
        let fast = match &b.conjuncts {
            Some(conjuncts) => match self.conjunction(selected.ids(), conjuncts, f) {
                Ok(sat) => Some(sat),
                Err(EvalError::Skip(why)) => return Err(EvalError::Skip(why)),
                Err(EvalError::Fail(_)) => None,
            },
            None => None,
        };
        if let Some(sat) = fast {
            let sat_set = SpanSet::sorted(sat);
            let failing_ids: Vec<u32> = selected
                .ids()
                .iter()
                .copied()
                .filter(|&i| !sat_set.contains(i))
                .collect();
            failing = failing_ids.len();
            satisfied = crate::set::by_start(self.trace(), sat_set.ids());
            let shown = first_by_start(self.trace(), &failing_ids, max);
            for s in shown {
                if violations.len() >= max {
                    break;
                }
                violations.extend(self.body(&b.body, Frame::span(s), quantified)?);
            }
        } else {
            let order = crate::set::by_start(self.trace(), selected.ids());
            for &s in &order {
                let found = self.body(&b.body, Frame::span(s), quantified)?;
                if found.is_empty() {
                    satisfied.push(s);
                } else {
                    failing += 1;
                    if violations.len() < max {
                        violations.extend(found);
                    }
                }
            }
        }
        let what = self.sel_text(&b.selection);
        let n = selected.len();
        let plural = |n: usize| if n == 1 { "span" } else { "spans" };
        let (verdict, message, violations, count) = match &b.quantifier {
            BlockQuantifier::Every if n == 0 => (
                Verdict::Fail,
                format!("`{what}` selected no span"),
                vec![],
                0,
            ),
            BlockQuantifier::Every if failing > 0 => (
                Verdict::Fail,
                format!("{failing} of {n} selected {} failed", plural(n)),
                violations,
                failing,
            ),
            BlockQuantifier::Every => (
                Verdict::Pass,
                format!("all {n} selected {} passed", plural(n)),
                vec![],
                0,
            ),
            BlockQuantifier::No if !satisfied.is_empty() => {
                let k = satisfied.len();
                let v = self.satisfying(&satisfied, b.range);
                (
                    Verdict::Fail,
                    format!(
                        "{k} selected {} satisfied the block, expected none",
                        plural(k)
                    ),
                    v,
                    k,
                )
            }
            BlockQuantifier::No => (
                Verdict::Pass,
                format!("none of the {n} selected {} satisfied the block", plural(n)),
                vec![],
                0,
            ),
            BlockQuantifier::Some if satisfied.is_empty() && n == 0 => (
                Verdict::Fail,
                format!("`{what}` selected no span"),
                vec![],
                0,
            ),
            BlockQuantifier::Some if satisfied.is_empty() => (
                Verdict::Fail,
                format!("none of the {n} selected {} satisfied the block", plural(n)),
                violations,
                failing,
            ),
            BlockQuantifier::Some => (
                Verdict::Pass,
                format!(
                    "{} of {n} selected {} satisfied the block",
                    satisfied.len(),
                    plural(n)
                ),
                vec![],
                0,
            ),
            BlockQuantifier::Exactly(expected) => {
                let expected = match self.eval(expected, f)? {
                    Val::Int(k) => k,
                    other => {
                        return Err(EvalError::Fail(format!(
                            "`exactly` needs an int, not {}",
                            other.type_name()
                        )));
                    }
                };
                let k = satisfied.len();
                if i64::try_from(k).is_ok_and(|k| k == expected) {
                    (
                        Verdict::Pass,
                        format!("{k} of {n} selected {} satisfied the block", plural(n)),
                        vec![],
                        0,
                    )
                } else if (k as i64) > expected {
                    let v = self.satisfying(&satisfied, b.range);
                    (
                        Verdict::Fail,
                        format!(
                            "{k} selected {} satisfied the block, expected {expected}",
                            plural(k)
                        ),
                        v,
                        k,
                    )
                } else {
                    (
                        Verdict::Fail,
                        format!(
                            "{k} selected {} satisfied the block, expected {expected}",
                            plural(k)
                        ),
                        violations,
                        failing,
                    )
                }
            }
        };
        Ok(BlockOutcome {
            verdict,
            message,
            selected,
            violations,
            violation_count: count,
        })
    }

    fn satisfying(&self, spans: &[u32], range: TextRange) -> Vec<Violation> {
        spans
            .iter()
            .take(self.eng.options.max_spans)
            .map(|&s| Violation {
                span: Some(SpanIdx(s)),
                range,
                message: "satisfies every statement of the block".into(),
                values: Vec::new(),
            })
            .collect()
    }

    /// Checks a block's statements for one span; returns the violations (empty: it holds).
    /// With `first_only`, stops at the first failing statement.
    fn body(&mut self, steps: &'a [Step], f: Frame<'_, 'a>, first_only: bool) -> R<Vec<Violation>> {
        let mut out = Vec::new();
        for step in steps {
            if first_only && !out.is_empty() {
                break;
            }
            match step {
                Step::Let(b) | Step::Output(b) => {
                    self.bind(b.slot, &b.value, f);
                }
                Step::Wait(_) => {}
                Step::Expect(e) => match self.eval(&e.expr, f) {
                    Ok(v) if v.truthy() => {}
                    Ok(_) => {
                        let x = self.explain(&e.expr, f);
                        out.push(Violation {
                            span: f.span.map(SpanIdx),
                            range: e.range,
                            message: x.message,
                            values: x.values,
                        });
                    }
                    Err(EvalError::Fail(m)) => out.push(Violation {
                        span: f.span.map(SpanIdx),
                        range: e.range,
                        message: m,
                        values: Vec::new(),
                    }),
                    Err(skip) => return Err(skip),
                },
                Step::Block(inner) => {
                    let outcome = self.block(inner, f)?;
                    if outcome.verdict != Verdict::Pass {
                        let mut message = outcome.message;
                        if let Some(first) = outcome.violations.first() {
                            message = format!("{message}: {}", first.message);
                        }
                        out.push(Violation {
                            span: f.span.map(SpanIdx),
                            range: inner.range,
                            message,
                            values: outcome
                                .violations
                                .first()
                                .map(|v| v.values.clone())
                                .unwrap_or_default(),
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    fn redact_text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), "***");
        }
        out
    }

    fn redact(&self, r: &mut AssertionReport) {
        if self.secrets.is_empty() {
            return;
        }
        r.message = self.redact_text(&r.message);
        for v in r
            .values
            .iter_mut()
            .chain(r.violations.iter_mut().flat_map(|v| v.values.iter_mut()))
        {
            v.value = self.redact_text(&v.value);
        }
        for v in &mut r.violations {
            v.message = self.redact_text(&v.message);
        }
    }
}

impl<'a> Engine<'a> {
    /// The spans a test runs on: for `trigger trace ID` with a literal id that the trace file
    /// holds, that trace's spans; otherwise every span.
    pub(crate) fn universe(&self, test: &'a TestPlan) -> (Rc<SpanSet>, Option<String>) {
        let all = || Rc::new(SpanSet::sorted((0..self.trace.len() as u32).collect()));
        let Some(trigger) = &test.trigger else {
            return (all(), None);
        };
        let Some(id) = &trigger.trace_id else {
            return (all(), None);
        };
        let ExprKind::Const(tbt_plan::Const::Str(hex)) = &id.kind else {
            return (all(), None);
        };
        let Some(tid) = TraceId::from_hex(hex) else {
            return (all(), None);
        };
        let Some(t) = self.trace.trace_ids().iter().position(|x| *x == tid) else {
            return (
                all(),
                Some(format!(
                    "trace {hex} is not in the trace file; the test ran on every span"
                )),
            );
        };
        if self.trace.trace_ids().len() == 1 {
            return (all(), None);
        }
        let spans = (0..self.trace.len() as u32)
            .filter(|&i| self.trace.trace_index(SpanIdx(i)) as usize == t)
            .collect();
        (Rc::new(SpanSet::sorted(spans)), None)
    }
}

/// The first `n` spans by start time (a partial sort).
fn first_by_start(trace: &Trace, ids: &[u32], n: usize) -> Vec<u32> {
    let mut keyed: Vec<_> = ids
        .iter()
        .map(|&i| (crate::set::start_key(trace, i), i))
        .collect();
    if keyed.len() > n {
        keyed.select_nth_unstable(n);
        keyed.truncate(n);
    }
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Shared by the engine for every test.
pub(crate) fn fresh_slots<'a>(plan: &FilePlan) -> Vec<Slot<'a>> {
    let mut slots = vec![Slot::Unset; plan.slots.len()];
    for (i, c) in plan.constants.iter().enumerate() {
        if let Some(s) = slots.get_mut(c.slot as usize) {
            *s = Slot::Pending(i);
        }
    }
    slots
}
