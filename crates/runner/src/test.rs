//! One test: evaluate the trigger's inputs, subscribe to a fresh trace id, fire, wait for the
//! trace, evaluate.

use crate::complete::{Missing, SpanFacts, structural_with};
use crate::inputs::{Planned, planned};
use crate::wait::{WaitEnd, WaitParams, Waited, build, wait};
use crate::{PlannedFile, Settings, Source};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tbt_diagnostics::TextRange;
use tbt_engine::{Carried, Engine, EnvSource, Options, Response, TestReport, Verdict};
use tbt_plan::{Step, TestPlan};
use tbt_trace::{Trace, TraceId};
use tbt_trigger::TraceContext;

/// Why a test could not run as written, beyond its assertions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A trigger input could not be evaluated or has the wrong shape.
    Input {
        /// What is wrong.
        message: String,
        /// The expression.
        range: TextRange,
    },
    /// The trigger failed: connection refused, DNS, a timeout, TLS, a missing program.
    Trigger {
        /// The trigger's message.
        message: String,
        /// The trigger statement.
        range: TextRange,
    },
    /// The trace was not complete when the wait timed out (the assertions ran anyway).
    Incomplete {
        /// How many spans arrived, from which services, what was missing.
        message: String,
    },
    /// The trace backend failed.
    Backend {
        /// The backend's message.
        message: String,
    },
}

impl Problem {
    /// The same problem with every secret value of its message replaced by `***`.
    fn redacted(self, secrets: &[String]) -> Problem {
        match self {
            Problem::Input { message, range } => Problem::Input {
                message: redact(secrets, &message),
                range,
            },
            Problem::Trigger { message, range } => Problem::Trigger {
                message: redact(secrets, &message),
                range,
            },
            Problem::Incomplete { message } => Problem::Incomplete {
                message: redact(secrets, &message),
            },
            Problem::Backend { message } => Problem::Backend {
                message: redact(secrets, &message),
            },
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        match self {
            Problem::Input { message, .. }
            | Problem::Trigger { message, .. }
            | Problem::Incomplete { message }
            | Problem::Backend { message } => message,
        }
    }
}

/// Where a test's time went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    /// The trigger (the system's own latency, as tbt sees it).
    pub trigger: Duration,
    /// Waiting for the trace after the trigger returned.
    pub wait: Duration,
    /// Evaluating the assertions.
    pub eval: Duration,
    /// The whole test.
    pub total: Duration,
}

/// The outcome of one test.
#[derive(Debug)]
pub struct TestOutcome {
    /// The file, by its path.
    pub file: std::sync::Arc<PlannedFile>,
    /// The test's index in the file plan.
    pub index: usize,
    /// Pass, fail or skip.
    pub verdict: Verdict,
    /// The assertions' verdicts (empty when the test could not run).
    pub report: TestReport,
    /// Why the test could not run as written, if it could not.
    pub problem: Option<Problem>,
    /// The test's trace id (32 hex digits), once it had one.
    pub trace_id: Option<String>,
    /// The trace the assertions ran on.
    pub trace: Option<Trace>,
    /// The trigger's response (redacted), as `response.*` reads it.
    pub response: Option<serde_json::Map<String, serde_json::Value>>,
    /// How many spans arrived, by service (tbt's own trigger span excluded).
    pub services: BTreeMap<String, usize>,
    /// How the wait ended (`None` when the test did not wait).
    pub wait_end: Option<WaitEnd>,
    /// Where the time went.
    pub timings: Timings,
    /// Secret values to redact wherever the outcome is shown.
    pub secrets: Vec<String>,
    /// The outputs this test published, as JSON values (redacted).
    pub output_values: Vec<(String, serde_json::Value)>,
}

impl TestOutcome {
    /// The test's plan.
    pub fn test(&self) -> Option<&TestPlan> {
        self.file.plan.tests.get(self.index)
    }

    /// Replaces every secret value in `text` with `***`.
    pub fn redact(&self, text: &str) -> String {
        redact(&self.secrets, text)
    }
}

fn redact(secrets: &[String], text: &str) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if !s.is_empty() {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

fn blank(
    file: &std::sync::Arc<PlannedFile>,
    index: usize,
    verdict: Verdict,
    report: TestReport,
) -> TestOutcome {
    TestOutcome {
        file: file.clone(),
        index,
        verdict,
        report,
        problem: None,
        trace_id: None,
        trace: None,
        response: None,
        services: BTreeMap::new(),
        wait_end: None,
        timings: Timings::default(),
        secrets: Vec::new(),
        output_values: Vec::new(),
    }
}

fn empty_report(test: &TestPlan, verdict: Verdict, note: Option<String>) -> TestReport {
    TestReport {
        name: test.name.clone(),
        suite: test.suite.clone(),
        range: test.range,
        verdict,
        note,
        assertions: Vec::new(),
        outputs: Vec::new(),
    }
}

/// The outcome of a test that was not run.
pub(crate) fn not_run(file: &std::sync::Arc<PlannedFile>, index: usize, why: &str) -> TestOutcome {
    let report = match file.plan.tests.get(index) {
        Some(test) => {
            let empty = Trace::empty();
            let options = Options::default();
            Engine::new(&file.plan, &empty, &options).skipped(test, why)
        }
        None => TestReport {
            name: String::new(),
            suite: None,
            range: TextRange::default(),
            verdict: Verdict::Skip,
            note: Some(why.into()),
            assertions: Vec::new(),
            outputs: Vec::new(),
        },
    };
    blank(file, index, Verdict::Skip, report)
}

fn options(settings: &Settings, response: Option<Response>) -> Options {
    Options {
        clock_skew_nanos: settings.clock_skew_nanos,
        env: EnvSource::Map(settings.env.clone()),
        response,
        ..Options::default()
    }
}

/// Runs test `index` of `file`; returns its outcome and what it passes to the next test of
/// its suite.
pub(crate) async fn run_test(
    file: &std::sync::Arc<PlannedFile>,
    index: usize,
    carried: Carried,
    settings: &Settings,
    source: &Source,
) -> (TestOutcome, Carried) {
    let started = Instant::now();
    let Some(test) = file.plan.tests.get(index) else {
        return (not_run(file, index, "no such test"), carried);
    };
    if carried.failed() {
        return (
            not_run(file, index, "an earlier test of the suite failed"),
            carried,
        );
    }
    // 1. The trigger's inputs and the wait settings, before anything exists.
    let before = options(settings, None);
    let prepared = {
        let empty = Trace::empty();
        let engine = Engine::new(&file.plan, &empty, &before);
        engine
            .trigger_inputs(test, &carried)
            .and_then(|inputs| Ok((inputs, engine.wait_settings(test, &carried)?)))
    };
    let (inputs, waits) = match prepared {
        Ok(x) => x,
        Err(e) => {
            let verdict = if e.skipped {
                Verdict::Skip
            } else {
                Verdict::Fail
            };
            let mut outcome = blank(
                file,
                index,
                verdict,
                empty_report(test, verdict, Some(e.message.clone())),
            );
            outcome.problem = Some(Problem::Input {
                message: e.message,
                range: e.range,
            });
            outcome.timings.total = started.elapsed();
            let mut next = carried;
            next.mark_failed();
            return (outcome, next);
        }
    };
    let secrets: Vec<String> = carried
        .secrets
        .iter()
        .chain(&inputs.secrets)
        .cloned()
        .collect();
    let fail = |problem: Problem, secrets: &[String], carried: Carried| {
        let problem = problem.redacted(secrets);
        let message = problem.message().to_string();
        let mut outcome = blank(
            file,
            index,
            Verdict::Fail,
            empty_report(test, Verdict::Fail, Some(message)),
        );
        outcome.problem = Some(problem);
        outcome.secrets = secrets.to_vec();
        outcome.timings.total = started.elapsed();
        let mut next = carried;
        next.mark_failed();
        (outcome, next)
    };
    let target = match planned(&inputs, &file.dir) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                Problem::Input {
                    message: e.message,
                    range: e.range,
                },
                &secrets,
                carried,
            );
        }
    };
    let params = |trigger_span, require_parents| WaitParams {
        timeout: waits
            .timeout_nanos
            .map_or(settings.timeout, |n| Duration::from_nanos(n as u64)),
        settle: waits
            .settle_nanos
            .map_or(settings.settle, |n| Duration::from_nanos(n as u64)),
        trigger_span,
        needs_spans: true,
        require_parents,
    };
    // 2. Fire (or look up the existing trace): what the wait needs to know.
    let mut timings = Timings::default();
    let (trace_id, sub, own, response, trigger_span) = match target {
        Planned::Fire(spec) => {
            let ctx = TraceContext::random();
            // Subscribed before firing, so no span can arrive unseen.
            let sub = match source {
                Source::Receiver(r) => Some(r.subscribe(TraceId(ctx.trace_id))),
                Source::Backend(_) => None,
            };
            let fired_at = Instant::now();
            let fired = tbt_trigger::fire(&spec, &ctx).await;
            timings.trigger = fired_at.elapsed();
            let fired = match fired {
                Ok(f) => f,
                Err(e) => {
                    let mut out = fail(
                        Problem::Trigger {
                            message: e.message,
                            range: inputs.range,
                        },
                        &secrets,
                        carried,
                    );
                    out.0.trace_id = Some(hex(&ctx.trace_id));
                    out.0.timings.trigger = timings.trigger;
                    return out;
                }
            };
            let own = crate::own_span::resource_spans(ctx.trace_id, ctx.span_id, &fired.span);
            let response = Response {
                fields: fired.response,
            };
            (
                ctx.trace_id,
                sub,
                Some(own),
                Some(response),
                Some(ctx.span_id),
            )
        }
        Planned::Existing(trace_id) => {
            let sub = match source {
                Source::Receiver(r) => Some(r.subscribe(TraceId(trace_id))),
                Source::Backend(_) => None,
            };
            (trace_id, sub, None, None, None)
        }
    };
    // 3. Wait. A stored trace (`trigger trace`) is what it is, orphans included.
    let wait_started = Instant::now();
    let p = params(trigger_span, trigger_span.is_some());
    let until_options = options(settings, response.clone());
    let until_check = |trace: &Trace| {
        Engine::new(&file.plan, trace, &until_options)
            .until_holds(test, &carried)
            .unwrap_or(true)
    };
    let until: Option<&(dyn Fn(&Trace) -> bool + Send + Sync)> = if waits.until.is_some() {
        Some(&until_check)
    } else {
        None
    };
    let (trace, wait_end) = match (sub, source) {
        // Only the response is asserted on: no need to wait for spans.
        (_, _) if own.is_some() && !tbt_engine::reads_spans(&file.plan, test) => (
            build(&own.into_iter().collect::<Vec<_>>()),
            Some(WaitEnd::Complete),
        ),
        (Some(mut sub), _) => {
            let Waited { batches, end, .. } = wait(&mut sub, &p, own, until).await;
            (build(&batches), Some(end))
        }
        (None, Source::Backend(b)) => match poll_backend(b, trace_id, &p, until).await {
            Ok((trace, end)) => (trace, Some(end)),
            Err(message) => {
                let mut out = fail(Problem::Backend { message }, &secrets, carried);
                out.0.trace_id = Some(hex(&trace_id));
                return out;
            }
        },
        (None, Source::Receiver(_)) => (Trace::empty(), None),
    };
    timings.wait = wait_started.elapsed();
    // 4. Evaluate.
    let eval_started = Instant::now();
    let after = options(settings, response.clone());
    let (mut report, next) = Engine::new(&file.plan, &trace, &after).run_one(test, &carried);
    timings.eval = eval_started.elapsed();
    let services = services(&trace);
    let mut verdict = report.verdict;
    let mut problem = None;
    let mut next = next;
    if let Some(WaitEnd::TimedOut {
        missing,
        until_never_held,
    }) = &wait_end
    {
        let hint = match source {
            Source::Receiver(r) => r.http_addr().map(|a| {
                format!(
                    "is the system exporting to the receiver (OTEL_EXPORTER_OTLP_ENDPOINT=http://{a}) with the W3C trace context propagated?"
                )
            }),
            Source::Backend(_) => None,
        };
        let message = incomplete_message(
            hint.as_deref(),
            &trace,
            &services,
            missing.as_ref(),
            *until_never_held,
            test,
            &file.plan,
            &report,
            params(None, true).timeout,
        );
        problem = Some(Problem::Incomplete {
            message: redact(&secrets, &message),
        });
        verdict = Verdict::Fail;
        report.verdict = Verdict::Fail;
        next.mark_failed();
    }
    let all_secrets: Vec<String> = next.secrets.iter().chain(&secrets).cloned().collect();
    let response = response.map(|r| {
        let text = redact(
            &all_secrets,
            &serde_json::Value::Object(r.fields.clone()).to_string(),
        );
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => r.fields,
        }
    });
    timings.total = started.elapsed();
    let published: Vec<(String, serde_json::Value)> = next
        .outputs(&file.plan)
        .into_iter()
        .filter(|(name, _)| report.outputs.iter().any(|(n, _)| n == name))
        .map(|(name, value)| {
            let json = value.to_json();
            let text = redact(&all_secrets, &json.to_string());
            (
                name.to_string(),
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            )
        })
        .collect();
    let outcome = TestOutcome {
        file: file.clone(),
        index,
        verdict,
        report,
        problem,
        trace_id: Some(hex(&trace_id)),
        trace: Some(trace),
        response,
        services,
        wait_end,
        timings,
        secrets: all_secrets,
        output_values: published,
    };
    (outcome, next)
}

fn hex(id: &[u8]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// Spans per service, tbt's own excluded.
fn services(trace: &Trace) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for s in trace.spans() {
        let service = s.service();
        if service == crate::own_span::SERVICE_NAME {
            continue;
        }
        let name = if service.is_empty() {
            "(no service.name)"
        } else {
            service
        };
        *out.entry(name.to_string()).or_insert(0) += 1;
    }
    out
}

/// What a timed-out wait says: how many spans from which services, what was missing, the
/// `wait until` that never held and the selections that matched nothing.
#[allow(clippy::too_many_arguments)]
fn incomplete_message(
    hint: Option<&str>,
    trace: &Trace,
    services: &BTreeMap<String, usize>,
    missing: Option<&Missing>,
    until_never_held: bool,
    test: &TestPlan,
    plan: &tbt_plan::FilePlan,
    report: &TestReport,
    timeout: Duration,
) -> String {
    let total: usize = services.values().sum();
    let from = if services.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = services.iter().map(|(s, n)| format!("{s} ({n})")).collect();
        format!(" from {}", list.join(", "))
    };
    let mut lines = vec![format!(
        "the trace was not complete after {}: {} span{} arrived{from}",
        crate::server::humanize(timeout),
        total,
        if total == 1 { "" } else { "s" },
    )];
    let _ = trace;
    if until_never_held {
        let until = test.body.iter().find_map(|s| match s {
            Step::Wait(w) if w.what == "until" => Some(w.range),
            _ => None,
        });
        if let Some(range) = until {
            lines.push(format!("`{}` never held", one_line(plan.source(range))));
        }
    } else if let Some(m) = missing {
        match (m, hint) {
            (Missing::NoSpans, Some(hint)) if total == 0 => lines.push(hint.to_string()),
            (Missing::NoSpans, _) if total == 0 => {}
            _ => lines.push(m.describe()),
        }
    }
    let mut empty = Vec::new();
    for a in &report.assertions {
        if a.verdict == Verdict::Fail && a.selected_count == 0 {
            empty.push(format!("`{}`", one_line(plan.source(a.range))));
        }
    }
    if !empty.is_empty() {
        lines.push(format!("selected no span: {}", empty.join(", ")));
    }
    lines.join("; ")
}

fn one_line(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    first.trim_end_matches('{').trim_end().to_string()
}

/// What the completion check needs of each span of a fetched trace.
fn facts_of(trace: &Trace) -> Vec<SpanFacts> {
    trace
        .span_indices()
        .map(|i| SpanFacts {
            span_id: trace.span_id(i).0,
            parent_span_id: trace.span(i).parent_span_id().map_or([0; 8], |p| p.0),
        })
        .collect()
}

/// Polls a backend until the trace is structurally complete and stopped growing, or `until`
/// holds.
async fn poll_backend(
    backend: &tbt_backend::Backend,
    trace_id: [u8; 16],
    params: &WaitParams,
    until: Option<&(dyn Fn(&Trace) -> bool + Send + Sync)>,
) -> Result<(Trace, WaitEnd), String> {
    let deadline = tokio::time::Instant::now() + params.timeout;
    let mut last_count = None;
    let mut held = false;
    let polled = backend
        .poll(trace_id, deadline, |trace: &Trace| {
            if let Some(until) = until {
                held = until(trace);
                return held;
            }
            let facts = facts_of(trace);
            let stable = last_count == Some(facts.len());
            last_count = Some(facts.len());
            stable
                && structural_with(
                    &facts,
                    params.trigger_span,
                    params.needs_spans,
                    params.require_parents,
                )
                .is_ok()
        })
        .await
        .map_err(|e| e.message)?;
    let trace = polled.trace.unwrap_or_else(Trace::empty);
    let end = if polled.complete {
        if held {
            WaitEnd::UntilHeld
        } else {
            WaitEnd::Complete
        }
    } else {
        let facts = facts_of(&trace);
        WaitEnd::TimedOut {
            missing: structural_with(
                &facts,
                params.trigger_span,
                params.needs_spans,
                params.require_parents,
            )
            .err(),
            until_never_held: until.is_some(),
        }
    };
    Ok((trace, end))
}
