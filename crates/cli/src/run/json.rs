//! `tbt run --format json`: one versioned document (schema in docs/run.md).

use super::RunInfo;
use crate::verdicts::Shown;
use serde_json::{Value, json};
use tbt_diagnostics::LineIndex;
use tbt_engine::Verdict;
use tbt_runner::wait::WaitEnd;
use tbt_runner::{Problem, TestOutcome};

/// The version of the document's schema.
pub const VERSION: u32 = 1;

fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// The whole report.
pub(crate) fn document(outcomes: &[TestOutcome], info: &RunInfo) -> Value {
    let tests: Vec<Value> = outcomes.iter().map(test).collect();
    let n = |v: Verdict| outcomes.iter().filter(|o| o.verdict == v).count();
    json!({
        "version": VERSION,
        "tool": format!("tbt {}", env!("CARGO_PKG_VERSION")),
        "started_at_unix_ms": info.started_unix_ms,
        "duration_ms": ms(info.duration),
        "source": info.source,
        "receiver": info.stats.as_ref().map(|s| json!({
            "requests": s.requests,
            "malformed_requests": s.malformed_requests,
            "received_spans": s.received_spans,
            "routed_spans": s.routed_spans,
            "dropped_spans": s.dropped_spans,
            "kept_spans": s.kept_spans,
            "rejected_spans": s.rejected_spans,
        })),
        "tests": tests,
        "summary": {
            "total": outcomes.len(),
            "passed": n(Verdict::Pass),
            "failed": n(Verdict::Fail),
            "skipped": n(Verdict::Skip),
        },
    })
}

fn test(o: &TestOutcome) -> Value {
    let plan = &o.file.plan;
    let file = o.file.path.display().to_string();
    let lines = LineIndex::new(&plan.text);
    let empty = tbt_trace::Trace::empty();
    let shown = Shown {
        file: &file,
        trace_path: "",
        format: "",
        plan,
        trace: o.trace.as_ref().unwrap_or(&empty),
        lines,
    };
    let problem = o.problem.as_ref().map(|p| {
        let (kind, range) = match p {
            Problem::Input { range, .. } => ("input", Some(*range)),
            Problem::Trigger { range, .. } => ("trigger", Some(*range)),
            Problem::Incomplete { .. } => ("incomplete", None),
            Problem::Backend { .. } => ("backend", None),
        };
        json!({
            "kind": kind,
            "message": o.redact(p.message()),
            "range": range.map(|r| shown.range(r)),
        })
    });
    let wait = match &o.wait_end {
        Some(WaitEnd::Complete) => json!({ "end": "complete" }),
        Some(WaitEnd::UntilHeld) => json!({ "end": "until" }),
        Some(WaitEnd::TimedOut {
            missing,
            until_never_held,
        }) => json!({
            "end": "timeout",
            "missing": missing.as_ref().map(|m| m.describe()),
            "until_never_held": until_never_held,
        }),
        None => Value::Null,
    };
    let outputs: serde_json::Map<String, Value> = o
        .report
        .outputs
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(o.redact(v))))
        .collect();
    let doc = json!({
        "file": file,
        "name": o.report.name,
        "suite": o.report.suite,
        "verdict": o.verdict.as_str(),
        "note": o.report.note,
        "range": shown.range(o.report.range),
        "trace_id": o.trace_id,
        "spans": o.services.values().sum::<usize>(),
        "services": o.services,
        "wait": wait,
        "problem": problem,
        "timings_ms": {
            "total": ms(o.timings.total),
            "trigger": ms(o.timings.trigger),
            "wait": ms(o.timings.wait),
            "eval": ms(o.timings.eval),
        },
        "response": o.response,
        "outputs": outputs,
        "output_values": o.output_values.iter().cloned().collect::<serde_json::Map<String, Value>>(),
        "assertions": o.report.assertions.iter().map(|a| shown.assertion_json(a)).collect::<Vec<_>>(),
    });
    // One last pass so no secret survives in any string of the test.
    if o.secrets.is_empty() {
        doc
    } else {
        serde_json::from_str(&o.redact(&doc.to_string())).unwrap_or(doc)
    }
}
