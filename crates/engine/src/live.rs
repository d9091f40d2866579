//! What `tbt run` needs beyond offline evaluation: the trigger's inputs evaluated before the
//! trace exists, the `wait` settings, `wait until` on a partial trace, and one test at a time
//! with the outputs of the earlier tests of its suite carried along as owned values.

use crate::error::EvalError;
use crate::report::{TestReport, Verdict};
use crate::run::{Frame, Run, Slot, fresh_slots};
use crate::set::SpanSet;
use crate::value::{Str, Val};
use crate::{Engine, SlotId};
use std::rc::Rc;
use std::sync::Arc;
use tbt_diagnostics::TextRange;
use tbt_plan::{ArgPlan, Expr, SlotKind, Step, TestPlan};

/// A value that outlives the trace it was computed on (trigger inputs, suite outputs).
#[derive(Clone, Debug, PartialEq)]
pub enum OwnedValue {
    /// Absent.
    Missing,
    /// JSON `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A double.
    Double(f64),
    /// A string.
    Str(String),
    /// A duration in nanoseconds.
    Duration(i64),
    /// A point in time, unix nanoseconds.
    Timestamp(i64),
    /// A list.
    List(Vec<OwnedValue>),
    /// An object (or a map), keys in order.
    Object(Vec<(String, OwnedValue)>),
    /// A regex, by its pattern.
    Regex(String),
}

impl OwnedValue {
    fn from_val(v: &Val<'_>) -> OwnedValue {
        match v {
            Val::Missing => OwnedValue::Missing,
            Val::Null => OwnedValue::Null,
            Val::Bool(b) => OwnedValue::Bool(*b),
            Val::Int(i) => OwnedValue::Int(*i),
            Val::Double(d) => OwnedValue::Double(*d),
            Val::Str(s) => OwnedValue::Str(s.as_str().to_string()),
            Val::Duration(d) => OwnedValue::Duration(*d),
            Val::Timestamp(t) => OwnedValue::Timestamp(*t),
            Val::List(items) => OwnedValue::List(items.iter().map(Self::from_val).collect()),
            Val::Object(entries) => OwnedValue::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), Self::from_val(v)))
                    .collect(),
            ),
            Val::Map(entries) => OwnedValue::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), Self::from_val(v)))
                    .collect(),
            ),
            Val::Regex(re) => OwnedValue::Regex(re.as_str().to_string()),
            // A selection is only meaningful on its own trace: carry how it was shown.
            Val::Sel(_) => OwnedValue::Str(v.display()),
        }
    }

    fn to_val<'a>(&self) -> Val<'a> {
        match self {
            OwnedValue::Missing => Val::Missing,
            OwnedValue::Null => Val::Null,
            OwnedValue::Bool(b) => Val::Bool(*b),
            OwnedValue::Int(i) => Val::Int(*i),
            OwnedValue::Double(d) => Val::Double(*d),
            OwnedValue::Str(s) => Val::string(s.clone()),
            OwnedValue::Duration(d) => Val::Duration(*d),
            OwnedValue::Timestamp(t) => Val::Timestamp(*t),
            OwnedValue::List(items) => Val::List(Rc::new(items.iter().map(Self::to_val).collect())),
            OwnedValue::Object(entries) => Val::Object(Rc::new(
                entries
                    .iter()
                    .map(|(k, v)| (Str::from(k.clone()), v.to_val()))
                    .collect(),
            )),
            OwnedValue::Regex(pattern) => match regex::Regex::new(pattern) {
                Ok(re) => Val::Regex(Arc::new(re)),
                Err(_) => Val::string(pattern.clone()),
            },
        }
    }

    /// The value as shown in reports (strings quoted, durations with a unit).
    pub fn display(&self) -> String {
        self.to_val().display()
    }

    /// The value as interpolated into a string (strings without quotes).
    pub fn text(&self) -> String {
        self.to_val().interpolated()
    }

    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            OwnedValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The type's name, for messages: `string`, `int`, `duration`, ...
    pub fn type_name(&self) -> &'static str {
        self.to_val().type_name()
    }

    /// The value as JSON: durations and timestamps as nanoseconds, regexes as their pattern,
    /// a missing value as `null`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            OwnedValue::Missing | OwnedValue::Null => J::Null,
            OwnedValue::Bool(b) => J::Bool(*b),
            OwnedValue::Int(i) => J::from(*i),
            OwnedValue::Double(d) => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
            OwnedValue::Str(s) | OwnedValue::Regex(s) => J::String(s.clone()),
            OwnedValue::Duration(n) | OwnedValue::Timestamp(n) => J::from(*n),
            OwnedValue::List(items) => J::Array(items.iter().map(Self::to_json).collect()),
            OwnedValue::Object(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// What the earlier tests of a suite pass to the next: their outputs, and the secret values
/// they read (so the next test's reports redact them too).
#[derive(Clone, Debug, Default)]
pub struct Carried {
    outputs: Vec<(SlotId, OwnedValue)>,
    failed: bool,
    /// Secret values read so far (`env.secret.NAME`); every report redacts them.
    pub secrets: Vec<String>,
}

impl Carried {
    /// Whether a test that passed these values along failed: the rest of its suite is skipped.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Marks the suite as failed (for a test that could not run: its trigger failed).
    pub fn mark_failed(&mut self) {
        self.failed = true;
    }

    /// The outputs by name, for reports.
    pub fn outputs<'p>(&'p self, plan: &'p tbt_plan::FilePlan) -> Vec<(&'p str, &'p OwnedValue)> {
        self.outputs
            .iter()
            .filter_map(|(slot, v)| Some((plan.slots.get(*slot as usize)?.name.as_str(), v)))
            .collect()
    }
}

/// A positional argument of a trigger or an option, evaluated.
#[derive(Clone, Debug, PartialEq)]
pub enum InputArg {
    /// A syntactic word: `GET`, `json`, `bearer`, `ca`.
    Word(String, TextRange),
    /// A value.
    Value(OwnedValue, TextRange),
}

impl InputArg {
    /// Where the argument is.
    pub fn range(&self) -> TextRange {
        match self {
            InputArg::Word(_, r) | InputArg::Value(_, r) => *r,
        }
    }
}

/// An option of a trigger, evaluated.
#[derive(Clone, Debug, PartialEq)]
pub struct InputOption {
    /// The option's name.
    pub name: String,
    /// Its positional arguments.
    pub args: Vec<InputArg>,
    /// The value after `=`, with its range.
    pub value: Option<(OwnedValue, TextRange)>,
    /// The option line's range.
    pub range: TextRange,
}

/// A trigger with every argument and option evaluated: what the runner turns into a request.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerInputs {
    /// `http`, `grpc`, `exec` or `trace`.
    pub kind: String,
    /// The trigger's range.
    pub range: TextRange,
    /// The positional arguments.
    pub args: Vec<InputArg>,
    /// The options, in order.
    pub options: Vec<InputOption>,
    /// The secret values the evaluation read: redact them wherever the inputs are shown.
    pub secrets: Vec<String>,
}

/// An input that could not be evaluated (an unset environment variable, a missing output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// What went wrong.
    pub message: String,
    /// The expression that failed.
    pub range: TextRange,
    /// Whether the input depends on something that did not run (an output of a skipped
    /// test): the test is skipped rather than failed.
    pub skipped: bool,
}

/// The `wait` statements of a test, evaluated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WaitSettings {
    /// `wait timeout`, in nanoseconds.
    pub timeout_nanos: Option<i64>,
    /// `wait settle`, in nanoseconds.
    pub settle_nanos: Option<i64>,
    /// The range of `wait until EXPR`, when the test has one.
    pub until: Option<TextRange>,
}

impl<'a> Engine<'a> {
    /// Slots for a test: constants pending, the carried outputs set.
    fn seeded(&self, carried: &Carried) -> Vec<Slot<'a>> {
        let mut slots = fresh_slots(self.plan);
        for (slot, value) in &carried.outputs {
            if let Some(s) = slots.get_mut(*slot as usize) {
                *s = Slot::Val(value.to_val());
            }
        }
        slots
    }

    /// A run of `test` with its `let`s bound as far as they can be (a `let` that needs the
    /// response or spans that have not arrived binds an error, reported only when used).
    fn prepared(
        &self,
        test: &'a TestPlan,
        carried: &Carried,
        universe: Rc<SpanSet>,
    ) -> Run<'_, 'a> {
        let mut run = Run::new(self, self.seeded(carried), universe);
        run.secrets.clone_from(&carried.secrets);
        for step in &test.body {
            if let Step::Let(b) = step {
                run.bind(b.slot, &b.value, Frame::default());
            }
        }
        run
    }

    fn every_span(&self) -> Rc<SpanSet> {
        Rc::new(SpanSet::sorted((0..self.trace.len() as u32).collect()))
    }

    /// Evaluates the trigger's arguments and options. Run it on an engine over an empty
    /// trace: the trigger runs before any span exists.
    pub fn trigger_inputs(
        &self,
        test: &'a TestPlan,
        carried: &Carried,
    ) -> Result<TriggerInputs, InputError> {
        let Some(trigger) = &test.trigger else {
            return Err(InputError {
                message: "the test has no trigger".into(),
                range: test.range,
                skipped: false,
            });
        };
        let mut run = self.prepared(test, carried, self.every_span());
        let value = |run: &mut Run<'_, 'a>, e: &'a Expr| -> Result<OwnedValue, InputError> {
            run.eval(e, Frame::default())
                .map(|v| OwnedValue::from_val(&v))
                .map_err(|err| InputError {
                    skipped: matches!(err, EvalError::Skip(_)),
                    message: err.message().to_string(),
                    range: e.range,
                })
        };
        let args_of = |run: &mut Run<'_, 'a>, args: &'a [ArgPlan]| {
            args.iter()
                .map(|a| match a {
                    ArgPlan::Word(w, r) => Ok(InputArg::Word(w.to_string(), *r)),
                    ArgPlan::Value(e) => Ok(InputArg::Value(value(run, e)?, e.range)),
                })
                .collect::<Result<Vec<_>, InputError>>()
        };
        let args = args_of(&mut run, &trigger.args)?;
        let mut options = Vec::with_capacity(trigger.options.len());
        for opt in &trigger.options {
            let args = args_of(&mut run, &opt.args)?;
            let value = match &opt.value {
                Some(e) => Some((value(&mut run, e)?, e.range)),
                None => None,
            };
            options.push(InputOption {
                name: opt.name.to_string(),
                args,
                value,
                range: opt.range,
            });
        }
        Ok(TriggerInputs {
            kind: trigger.kind.to_string(),
            range: trigger.range,
            args,
            options,
            secrets: run.secrets,
        })
    }

    /// Evaluates the test's `wait timeout` and `wait settle` (before the trigger runs).
    pub fn wait_settings(
        &self,
        test: &'a TestPlan,
        carried: &Carried,
    ) -> Result<WaitSettings, InputError> {
        let mut settings = WaitSettings::default();
        let waits: Vec<_> = test
            .body
            .iter()
            .filter_map(|s| match s {
                Step::Wait(w) => Some(w),
                _ => None,
            })
            .collect();
        if waits.is_empty() {
            return Ok(settings);
        }
        let mut run = self.prepared(test, carried, self.every_span());
        for w in waits {
            if w.what == "until" {
                settings.until = Some(w.range);
                continue;
            }
            let Some(e) = &w.value else { continue };
            let nanos = match run.eval(e, Frame::default()) {
                Ok(Val::Duration(n)) if n >= 0 => n,
                Ok(other) => {
                    return Err(InputError {
                        message: format!(
                            "`wait {}` needs a non-negative duration, not {}",
                            w.what,
                            other.display()
                        ),
                        range: e.range,
                        skipped: false,
                    });
                }
                Err(err) => {
                    return Err(InputError {
                        skipped: matches!(err, EvalError::Skip(_)),
                        message: err.message().to_string(),
                        range: e.range,
                    });
                }
            };
            match w.what.as_str() {
                "timeout" => settings.timeout_nanos = Some(nanos),
                "settle" => settings.settle_nanos = Some(nanos),
                _ => {}
            }
        }
        Ok(settings)
    }

    /// Whether the test's `wait until` condition holds on this engine's (partial) trace;
    /// `None` when the test has no `wait until`. A condition that cannot be evaluated yet
    /// (it reads a span that has not arrived) does not hold.
    pub fn until_holds(&self, test: &'a TestPlan, carried: &Carried) -> Option<bool> {
        let until = test.body.iter().find_map(|s| match s {
            Step::Wait(w) if w.what == "until" => w.value.as_ref(),
            _ => None,
        })?;
        let mut run = self.prepared(test, carried, self.every_span());
        Some(matches!(run.eval(until, Frame::default()), Ok(v) if v.truthy()))
    }

    /// Runs one test on this engine's trace, with the outputs of the earlier tests of its
    /// suite, and returns its report and what it passes to the next test of the suite. A test
    /// whose suite already failed is skipped.
    pub fn run_one(&self, test: &'a TestPlan, carried: &Carried) -> (TestReport, Carried) {
        if carried.failed {
            let report = self.skipped(test, "an earlier test of the suite failed");
            return (report, carried.clone());
        }
        let mut run = Run::new(self, self.seeded(carried), self.every_span());
        run.secrets.clone_from(&carried.secrets);
        let mut outputs = Vec::new();
        let assertions = run.test(test, &mut outputs);
        let verdict = verdict_of(&assertions);
        let mut next = carried.clone();
        next.failed = verdict == Verdict::Fail;
        for (i, info) in self.plan.slots.iter().enumerate() {
            if info.kind != SlotKind::Output {
                continue;
            }
            if let Some(Slot::Val(v)) = run.slots.get(i) {
                let slot = i as SlotId;
                next.outputs.retain(|(s, _)| *s != slot);
                next.outputs.push((slot, OwnedValue::from_val(v)));
            }
        }
        for s in &run.secrets {
            if !next.secrets.contains(s) {
                next.secrets.push(s.clone());
            }
        }
        let report = TestReport {
            name: test.name.clone(),
            suite: test.suite.clone(),
            range: test.range,
            verdict,
            note: None,
            assertions,
            outputs,
        };
        (report, next)
    }

    /// A report that skips every assertion of `test`, saying why.
    pub fn skipped(&self, test: &TestPlan, why: &str) -> TestReport {
        let assertions = test
            .body
            .iter()
            .filter_map(|step| match step {
                Step::Expect(e) => Some((e.id, crate::AssertionKind::Expect, e.range)),
                Step::Block(b) => Some((b.id, crate::AssertionKind::Block, b.range)),
                _ => None,
            })
            .map(|(id, kind, range)| crate::AssertionReport {
                id,
                kind,
                range,
                verdict: Verdict::Skip,
                message: why.into(),
                values: Vec::new(),
                selected: Vec::new(),
                selected_count: 0,
                violations: Vec::new(),
                violation_count: 0,
            })
            .collect();
        TestReport {
            name: test.name.clone(),
            suite: test.suite.clone(),
            range: test.range,
            verdict: Verdict::Skip,
            note: Some(why.into()),
            assertions,
            outputs: Vec::new(),
        }
    }
}

/// A test's verdict from its assertions' verdicts.
pub(crate) fn verdict_of(assertions: &[crate::AssertionReport]) -> Verdict {
    if assertions.iter().any(|a| a.verdict == Verdict::Fail) {
        Verdict::Fail
    } else if !assertions.is_empty() && assertions.iter().all(|a| a.verdict == Verdict::Skip) {
        Verdict::Skip
    } else {
        Verdict::Pass
    }
}
