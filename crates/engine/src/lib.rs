//! The tbt query engine: runs the [plans](tbt_plan) of tests over a [`Trace`] and gives each
//! assertion a verdict (pass, fail, skip) with evidence: the spans selected, the spans that
//! violated it, the operands' values, the source range.
//!
//! The engine never sees the syntax tree. It evaluates selections set at a time over the
//! trace's columns: filters apply their cost-ordered conjuncts column at a time, starting from
//! a per-key attribute column when the plan says so; `>` and `>>` are joins on parent indexes
//! and pre/post-order numbers; selections that do not depend on the current span are computed
//! once per test.
//!
//! Semantics (docs/language.md): a missing value makes every comparison false; ints and
//! doubles compare numerically, doubles with a relative tolerance of 1e-9; a span block needs
//! a non-empty selection; `a -> b` holds when `a` is an ancestor of `b`, or (when `b` is
//! neither `a` nor an ancestor of `a`) when `b` starts at or after `a` ends less
//! [`Options::clock_skew_nanos`]; `a => b` when `a` is `b`'s parent.
//!
//! ```
//! # use tbt_trace::*;
//! // A trace with one server span.
//! let mut b = TraceBuilder::new();
//! let res = b.resource("", |r| r.attr("service.name", AttrValue::Str("shop")));
//! let scope = b.scope(res, "", "", "", |_| {});
//! b.span(SpanInfo { trace_id: TraceId([1; 16]), span_id: SpanId([1; 8]), name: "GET /",
//!     kind: SpanKind::Server, end_unix_nano: 5_000_000, ..SpanInfo::new(scope) }).finish();
//! let trace = b.finish().unwrap();
//!
//! // A checked file, planned.
//! let mut db = tbt_db::RootDatabase::new();
//! let file = db.set_file(std::path::Path::new("/t.tbt"), r#"test "t" {
//!   trigger trace "01010101010101010101010101010101"
//!   expect exactly 1 span[kind == server and duration < 10ms]
//! }"#.into());
//! assert!(tbt_db::check(&db, file).diagnostics.is_empty());
//! let plan = tbt_plan::plan_file(&db, file);
//!
//! let options = tbt_engine::Options::default();
//! let reports = tbt_engine::Engine::new(&plan, &trace, &options).run(|_| true);
//! assert_eq!(reports[0].verdict, tbt_engine::Verdict::Pass);
//! ```

#![warn(missing_docs)]

mod agg;
mod error;
mod eval;
mod explain;
mod filter;
mod index;
mod live;
mod ops;
mod order;
mod report;
mod run;
mod sel;
mod set;
mod value;

pub use error::EvalError;
pub use live::{
    Carried, InputArg, InputError, InputOption, OwnedValue, TriggerInputs, WaitSettings,
};
pub use ops::{TOLERANCE, close};
pub use report::{AssertionKind, AssertionReport, Operand, TestReport, Verdict, Violation};
pub use value::{duration as format_duration, timestamp as format_timestamp};

use index::TraceIndex;
use run::{Run, Slot, fresh_slots};
use std::collections::HashMap;
use tbt_plan::{FilePlan, SlotId, SlotKind, TestPlan};
use tbt_trace::{Sym, Trace};
use value::Val;

/// Where `env.NAME` comes from.
#[derive(Clone, Debug, Default)]
pub enum EnvSource {
    /// The process environment.
    #[default]
    Process,
    /// An explicit map (tests, embedding).
    Map(HashMap<String, String>),
}

impl EnvSource {
    /// The value of a variable.
    pub fn get(&self, name: &str) -> Option<String> {
        match self {
            EnvSource::Process => std::env::var(name).ok(),
            EnvSource::Map(map) => map.get(name).cloned(),
        }
    }
}

/// A recorded response, as `tbt eval --response FILE` reads it: a JSON object with any of
/// `status`, `headers` (an object of strings), `body` (a string), `json` (any JSON; by default
/// the body parsed), `duration_ms` (a number), and the fields of other triggers (`exit_code`,
/// `stdout`, `stderr`, `metadata`, `message`).
#[derive(Clone, Debug, Default)]
pub struct Response {
    /// The object.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

impl Response {
    /// Reads a response object; anything but an object is an error.
    pub fn from_json(value: serde_json::Value) -> Result<Response, String> {
        match value {
            serde_json::Value::Object(fields) => Ok(Response { fields }),
            other => Err(format!(
                "a response is a JSON object such as {{\"status\": 200, \"body\": \"...\"}}, not {}",
                match other {
                    serde_json::Value::Array(_) => "an array",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Number(_) => "a number",
                    _ => "this value",
                }
            )),
        }
    }

    fn to_val<'a>(&self) -> Val<'a> {
        let mut out: Vec<(value::Str<'a>, Val<'a>)> = Vec::new();
        for (k, v) in &self.fields {
            let val = match (k.as_str(), v) {
                ("headers" | "metadata", serde_json::Value::Object(map)) => {
                    Val::Map(std::rc::Rc::new(
                        map.iter()
                            .map(|(name, v)| {
                                let shown = match v {
                                    serde_json::Value::String(s) => s.clone(),
                                    serde_json::Value::Array(items) => items
                                        .iter()
                                        .map(|i| {
                                            i.as_str().map_or_else(|| i.to_string(), str::to_string)
                                        })
                                        .collect::<Vec<_>>()
                                        .join(", "),
                                    other => other.to_string(),
                                };
                                (name.to_ascii_lowercase(), Val::string(shown))
                            })
                            .collect(),
                    ))
                }
                ("duration_ms", serde_json::Value::Number(n)) => {
                    Val::Duration((n.as_f64().unwrap_or(0.0) * 1e6).round() as i64)
                }
                _ => Val::from_json(v),
            };
            let key = if k == "duration_ms" {
                "duration".to_string()
            } else {
                k.clone()
            };
            out.push((value::Str::from(key), val));
        }
        Val::Object(std::rc::Rc::new(out))
    }
}

/// How the engine runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The clock-skew tolerance of `->` between spans that are not ancestor and descendant,
    /// in nanoseconds: `b` comes after `a` when `start(b) >= end(a) - skew`. Default 0.
    pub clock_skew_nanos: i64,
    /// Where `env.NAME` comes from.
    pub env: EnvSource,
    /// The trigger's response, when known (offline evaluation skips `response.*` without one).
    pub response: Option<Response>,
    /// The most spans and violations listed per assertion (the counts are always complete).
    pub max_spans: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clock_skew_nanos: 0,
            env: EnvSource::Process,
            response: None,
            max_spans: 10,
        }
    }
}

/// Runs the tests of one plan over one trace. Indexes built for one test serve the next.
pub struct Engine<'a> {
    plan: &'a FilePlan,
    trace: &'a Trace,
    options: &'a Options,
    index: TraceIndex<'a>,
    response: Option<Val<'a>>,
}

impl<'a> Engine<'a> {
    /// An engine for `plan` over `trace`.
    pub fn new(plan: &'a FilePlan, trace: &'a Trace, options: &'a Options) -> Self {
        let engine = Engine {
            plan,
            trace,
            options,
            index: TraceIndex::new(trace),
            response: options.response.as_ref().map(Response::to_val),
        };
        engine.prepare();
        engine
    }

    /// Builds, in one pass, the attribute columns the plan's filters start from.
    fn prepare(&self) {
        let mut keys: Vec<Sym> = Vec::new();
        let mut visit = |sel: &tbt_plan::Sel| {
            if let tbt_plan::SelKind::Filter {
                access: tbt_plan::Access::AttrIndex { attr, .. },
                ..
            } = &sel.kind
                && let Some(k) = self.index.sym(&attr.key)
            {
                keys.push(k);
            }
        };
        for test in &self.plan.tests {
            plan_walk::steps(&test.body, &mut visit);
        }
        for c in &self.plan.constants {
            plan_walk::expr(&c.value, &mut visit);
        }
        self.index.prepare(&keys);
    }

    /// Runs the tests `select` accepts, in order. Tests of a suite see the outputs of the
    /// earlier tests of that suite; after a failing one, the rest of the suite is skipped.
    pub fn run(&self, select: impl Fn(&TestPlan) -> bool) -> Vec<TestReport> {
        let mut reports = Vec::new();
        let mut suite_state: Option<(String, Vec<Slot<'a>>, bool)> = None;
        for test in &self.plan.tests {
            if !select(test) {
                continue;
            }
            let mut slots = fresh_slots(self.plan);
            let mut failed_before = false;
            if let (Some(suite), Some((current, carried, failed))) = (&test.suite, &suite_state)
                && suite == current
            {
                for (i, info) in self.plan.slots.iter().enumerate() {
                    if info.kind == SlotKind::Output
                        && let (Some(dst), Some(src)) = (slots.get_mut(i), carried.get(i))
                        && !matches!(src, Slot::Unset)
                    {
                        *dst = src.clone();
                    }
                }
                failed_before = *failed;
            }
            if failed_before {
                reports.push(self.skipped(test, "an earlier test of the suite failed"));
                continue;
            }
            let (universe, note) = self.universe(test);
            let mut run = Run::new(self, slots, universe);
            let mut outputs = Vec::new();
            let assertions = run.test(test, &mut outputs);
            let verdict = live::verdict_of(&assertions);
            if let Some(suite) = &test.suite {
                suite_state = Some((suite.clone(), run.slots, verdict == Verdict::Fail));
            } else {
                suite_state = None;
            }
            reports.push(TestReport {
                name: test.name.clone(),
                suite: test.suite.clone(),
                range: test.range,
                verdict,
                note,
                assertions,
                outputs,
            });
        }
        reports
    }
}

/// Whether a test reads spans: a span block, a selection, an ordering, or a constant that
/// holds one. A test that only asserts on the response does not need to wait for a trace.
pub fn reads_spans(plan: &FilePlan, test: &TestPlan) -> bool {
    let mut found = false;
    plan_walk::steps(&test.body, &mut |_| found = true);
    if found
        || test.body.iter().any(|s| match s {
            tbt_plan::Step::Block(_) => true,
            tbt_plan::Step::Wait(w) => w.what == "until",
            _ => false,
        })
    {
        return true;
    }
    let mut uses_slots = false;
    for step in &test.body {
        let e = match step {
            tbt_plan::Step::Let(b) | tbt_plan::Step::Output(b) => &b.value,
            tbt_plan::Step::Expect(e) => &e.expr,
            _ => continue,
        };
        uses_slots |= mentions_slot(e);
    }
    if uses_slots {
        for c in &plan.constants {
            plan_walk::expr(&c.value, &mut |_| found = true);
        }
    }
    found
}

fn mentions_slot(e: &tbt_plan::Expr) -> bool {
    if matches!(e.kind, tbt_plan::ExprKind::Slot(_)) {
        return true;
    }
    let mut any = false;
    e.for_each_operand(&mut |x| any |= mentions_slot(x));
    any
}

/// Walks a plan's selections (for the columns to prepare).
mod plan_walk {
    use tbt_plan::{BlockQuantifier, Expr, ExprKind, Quant, Sel, SelKind, Step};

    pub fn steps(steps: &[Step], f: &mut dyn FnMut(&Sel)) {
        for step in steps {
            match step {
                Step::Let(b) | Step::Output(b) => expr(&b.value, f),
                Step::Expect(e) => expr(&e.expr, f),
                Step::Block(b) => {
                    sel(&b.selection, f);
                    if let BlockQuantifier::Exactly(n) = &b.quantifier {
                        expr(n, f);
                    }
                    self::steps(&b.body, f);
                }
                Step::Wait(_) => {}
            }
        }
    }

    pub fn expr(e: &Expr, f: &mut dyn FnMut(&Sel)) {
        e.for_each_operand(&mut |x| expr(x, f));
        match &e.kind {
            ExprKind::Quantified(q, s) => {
                if let Quant::Exactly(n) = q {
                    expr(n, f);
                }
                sel(s, f);
            }
            ExprKind::Project { sel: s, .. } | ExprKind::Selection(s) => sel(s, f),
            ExprKind::Order(o) => {
                o.steps.iter().for_each(|s| sel(s, f));
                if let Some(w) = &o.within {
                    expr(w, f);
                }
            }
            _ => {}
        }
    }

    pub fn sel(s: &Sel, f: &mut dyn FnMut(&Sel)) {
        f(s);
        match &s.kind {
            SelKind::Filter {
                input, conjuncts, ..
            } => {
                sel(input, f);
                conjuncts.iter().for_each(|c| expr(&c.expr, f));
            }
            SelKind::Child {
                parent: a,
                child: b,
            }
            | SelKind::Descendant {
                ancestor: a,
                descendant: b,
            }
            | SelKind::Has(a, b)
            | SelKind::Not(a, b) => {
                sel(a, f);
                sel(b, f);
            }
            SelKind::RelChild(x)
            | SelKind::RelDescendant(x)
            | SelKind::First(x)
            | SelKind::Last(x)
            | SelKind::Root(x)
            | SelKind::Leaf(x) => sel(x, f),
            SelKind::Nth(x, n) => {
                sel(x, f);
                expr(n, f);
            }
            SelKind::Dynamic(e) => expr(e, f),
            SelKind::All | SelKind::Service(_) | SelKind::Slot(_) => {}
        }
    }
}
