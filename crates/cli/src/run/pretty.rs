//! The pretty report: one line per test as it finishes (✓ ✗ –, with its duration and a
//! `[k/N]` progress counter), the details of each failure right under it (source excerpt,
//! expected against actual, the spans involved as a tree, the trace id), a summary last.

use super::RunInfo;
use crate::verdicts::{Shown, plural};
use std::time::Duration;
use tbt_diagnostics::render::{HumanOptions, SourceFile, render_human};
use tbt_diagnostics::{Diagnostic, LineIndex, codes};
use tbt_engine::Verdict;
use tbt_runner::wait::WaitEnd;
use tbt_runner::{Problem, TestOutcome};

/// Prints tests as they finish.
pub(crate) struct Live {
    total: usize,
    done: usize,
    color: bool,
}

impl Live {
    /// A printer for `total` tests.
    pub fn new(total: usize, color: bool) -> Self {
        Live {
            total,
            done: 0,
            color,
        }
    }

    /// Prints one finished test.
    pub fn finished(&mut self, outcome: &TestOutcome) {
        self.done += 1;
        let width = self.total.to_string().len();
        let progress = if self.total > 1 {
            format!("[{:>width$}/{}] ", self.done, self.total)
        } else {
            String::new()
        };
        print!("{progress}{}", test_block(outcome, self.color));
    }
}

/// `312ms`, `1.24s`, `2m 5s`.
pub(crate) fn duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1}ms")
    } else if ms < 1000.0 {
        format!("{ms:.0}ms")
    } else if ms < 60_000.0 {
        format!("{:.2}s", ms / 1000.0)
    } else {
        let s = d.as_secs();
        format!("{}m {}s", s / 60, s % 60)
    }
}

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// The test's title: `file › suite › name`.
pub(crate) fn title(o: &TestOutcome) -> String {
    let mut parts = vec![o.file.path.display().to_string()];
    if let Some(s) = &o.report.suite {
        parts.push(s.clone());
    }
    parts.push(o.report.name.clone());
    parts.join(" › ")
}

/// One test: its line and, when it failed, the details.
pub(crate) fn test_block(o: &TestOutcome, color: bool) -> String {
    let (mark, code) = match o.verdict {
        Verdict::Pass => ("✓", "32"),
        Verdict::Fail => ("✗", "31"),
        Verdict::Skip => ("–", "33"),
    };
    let mut out = format!(
        "{} {} {}\n",
        paint(mark, code, color),
        title(o),
        paint(&format!("({})", duration(o.timings.total)), "2", color)
    );
    // Outputs are part of a test's results (docs/language.md §5), passed or not.
    for (name, value) in &o.report.outputs {
        out.push_str(&format!("    output {name} = {value}\n"));
    }
    match o.verdict {
        Verdict::Fail => out.push_str(&details(o, color)),
        Verdict::Skip => {
            if let Some(note) = &o.report.note {
                out.push_str(&format!("    {note}\n"));
            }
        }
        Verdict::Pass => {}
    }
    o.redact(&out)
}

/// The details of a failed test.
pub(crate) fn details(o: &TestOutcome, color: bool) -> String {
    let plan = &o.file.plan;
    let file = o.file.path.display().to_string();
    let mut out = String::new();
    if let Some(problem) = &o.problem {
        let (code, range, label) = match problem {
            Problem::Input { message, range } => {
                (codes::TRIGGER_INPUT, Some(*range), message.clone())
            }
            Problem::Trigger { message, range } => (
                codes::TRIGGER_FAILED,
                Some(first_line(plan, *range)),
                message.clone(),
            ),
            Problem::Incomplete { message } => (
                codes::TRACE_INCOMPLETE,
                o.test().map(|t| first_line(plan, t.range)),
                message.clone(),
            ),
            Problem::Backend { message } => (
                codes::BACKEND_FAILED,
                o.test().map(|t| first_line(plan, t.range)),
                message.clone(),
            ),
        };
        let summary = match problem {
            Problem::Input { .. } => "a trigger input cannot be used",
            Problem::Trigger { .. } => "the trigger failed",
            Problem::Incomplete { .. } => "the trace was not complete",
            Problem::Backend { .. } => "the trace backend failed",
        };
        match range {
            Some(range) => {
                let d = Diagnostic::new(code, range, summary).with_label(label);
                out.push_str(&render_human(
                    SourceFile {
                        path: &file,
                        text: &plan.text,
                    },
                    &[d],
                    HumanOptions { color },
                ));
            }
            None => out.push_str(&format!("    {summary}: {label}\n")),
        }
    }
    if let Some(trace) = &o.trace {
        let shown = Shown {
            file: &file,
            trace_path: "",
            format: "",
            plan,
            trace,
            lines: LineIndex::new(&plan.text),
        };
        for a in &o.report.assertions {
            if a.verdict == Verdict::Fail {
                out.push_str(&shown.failure(a, color));
            }
        }
    }
    if let Some(id) = &o.trace_id {
        let spans: usize = o.services.values().sum();
        let services: Vec<String> = o
            .services
            .iter()
            .map(|(s, n)| format!("{s} ({n})"))
            .collect();
        let wait = match &o.wait_end {
            Some(WaitEnd::Complete) => "complete",
            Some(WaitEnd::UntilHeld) => "`wait until` held",
            Some(WaitEnd::TimedOut { .. }) => "timed out",
            None => "not waited for",
        };
        out.push_str(&format!(
            "    trace {id} · {} ({wait}){}\n",
            plural(spans, "span"),
            if services.is_empty() {
                String::new()
            } else {
                format!(": {}", services.join(", "))
            }
        ));
    }
    out.push('\n');
    out
}

fn first_line(
    plan: &tbt_plan::FilePlan,
    range: tbt_diagnostics::TextRange,
) -> tbt_diagnostics::TextRange {
    let text = plan.source(range);
    let len = text.find('\n').unwrap_or(text.len());
    let trimmed = text[..len]
        .trim_end()
        .trim_end_matches('{')
        .trim_end()
        .len();
    tbt_diagnostics::TextRange::new(range.start, range.start + trimmed.max(1) as u32)
}

/// The closing summary.
pub(crate) fn summary(outcomes: &[TestOutcome], info: &RunInfo) -> String {
    let n = |v: Verdict| outcomes.iter().filter(|o| o.verdict == v).count();
    let mut out = String::new();
    let failed: Vec<&TestOutcome> = outcomes
        .iter()
        .filter(|o| o.verdict == Verdict::Fail)
        .collect();
    if !failed.is_empty() && outcomes.len() > 1 {
        out.push_str("\nfailed:\n");
        for o in &failed {
            out.push_str(&format!("  ✗ {}\n", title(o)));
        }
    }
    out.push_str(&format!(
        "\n{}: {} passed, {} failed, {} skipped · {}\n",
        plural(outcomes.len(), "test"),
        n(Verdict::Pass),
        n(Verdict::Fail),
        n(Verdict::Skip),
        duration(info.duration),
    ));
    if let Some(stats) = &info.stats
        && stats.dropped_spans + stats.rejected_spans > 0
    {
        out.push_str(&format!(
            "receiver: {} spans of traces no test started (health checks, background work) dropped; {} invalid spans rejected{}\n",
            stats.dropped_spans,
            stats.rejected_spans,
            if stats.dropped_spans > 0 { " (--keep-unmatched keeps them)" } else { "" }
        ));
    }
    out
}
