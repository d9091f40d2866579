//! Showing verdicts: the failed assertion as a source excerpt with expected and actual
//! values, the spans involved as a tree, and the JSON forms of ranges and spans. Shared by
//! `tbt eval` and `tbt run`.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use tbt_diagnostics::render::{HumanOptions, SourceFile, render_human};
use tbt_diagnostics::{Diagnostic, LineIndex, TextRange, codes};
use tbt_engine::{AssertionKind, AssertionReport};
use tbt_plan::FilePlan;
use tbt_trace::{SpanIdx, Trace};

/// What the output is about.
pub(crate) struct Shown<'s> {
    pub file: &'s str,
    pub trace_path: &'s str,
    pub format: &'s str,
    pub plan: &'s FilePlan,
    pub trace: &'s Trace,
    pub lines: LineIndex,
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

impl Shown<'_> {
    /// The first line of a statement, trimmed.
    pub(crate) fn source(&self, range: TextRange) -> String {
        let text = self.plan.source(range);
        let first = text
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .trim_end_matches('{')
            .trim_end();
        first.to_string()
    }

    /// The range of the first line of a statement.
    pub(crate) fn first_line(&self, range: TextRange) -> TextRange {
        let text = self.plan.source(range);
        let len = text.find('\n').unwrap_or(text.len());
        let trimmed = text[..len]
            .trim_end()
            .trim_end_matches('{')
            .trim_end()
            .len();
        TextRange::new(range.start, range.start + trimmed.max(1) as u32)
    }

    /// A failed assertion: the excerpt, the values, the violations and the spans involved.
    pub(crate) fn failure(&self, a: &AssertionReport, color: bool) -> String {
        let mut d = Diagnostic::new(
            codes::ASSERTION_FAILED,
            self.first_line(a.range),
            "assertion failed",
        )
        .with_label(a.message.clone());
        let mut seen = BTreeSet::new();
        for v in &a.violations {
            if v.range != a.range && seen.insert((v.range.start, v.range.end)) {
                d = d.with_secondary(self.first_line(v.range), v.message.clone());
            }
        }
        let mut out = render_human(
            SourceFile {
                path: self.file,
                text: &self.plan.text,
            },
            &[d],
            HumanOptions { color },
        );
        for v in &a.values {
            out.push_str(&format!("  {} = {}\n", v.expr, v.value));
        }
        if !a.violations.is_empty() {
            out.push_str("  violations:\n");
            for v in &a.violations {
                let span = v
                    .span
                    .map(|s| format!("span {}: ", self.trace.span_id(s)))
                    .unwrap_or_default();
                out.push_str(&format!("    {span}{}\n", v.message));
                for value in &v.values {
                    out.push_str(&format!("      {} = {}\n", value.expr, value.value));
                }
            }
        }
        let mut involved: Vec<SpanIdx> = a.violations.iter().filter_map(|v| v.span).collect();
        if involved.is_empty() {
            involved = a.selected.clone();
        }
        if !involved.is_empty() {
            let total = if a.violations.iter().any(|v| v.span.is_some()) {
                a.violation_count
            } else {
                a.selected_count
            };
            let more = total.saturating_sub(involved.len());
            out.push_str("  spans:\n");
            out.push_str(&self.tree(&involved));
            if more > 0 {
                out.push_str(&format!("    … and {more} more\n"));
            }
        }
        out.push('\n');
        out
    }

    /// The involved spans with their ancestors, as an indented tree; involved spans are
    /// marked with `◀`.
    pub(crate) fn tree(&self, involved: &[SpanIdx]) -> String {
        let t = self.trace;
        let mut shown: BTreeSet<(u32, u32)> = BTreeSet::new();
        for &s in involved {
            let mut cur = Some(s);
            while let Some(x) = cur {
                if !shown.insert((t.pre_order(x), x.0)) {
                    break;
                }
                cur = t.parent(x);
            }
        }
        let marked: BTreeSet<u32> = involved.iter().map(|s| s.0).collect();
        let mut out = String::new();
        for &(_, i) in &shown {
            let s = t.span(SpanIdx(i));
            let depth = t.depth(SpanIdx(i)).min(16);
            let service = match s.service() {
                "" => "?",
                x => x,
            };
            let status = match s.status() {
                tbt_trace::StatusCode::Error if !s.status_message().is_empty() => {
                    format!("error: {:?}", s.status_message())
                }
                st => st.as_str().to_string(),
            };
            out.push_str(&format!(
                "    {}- {service}: {} [{}, {status}] {} span={}{}\n",
                "  ".repeat(depth),
                s.name(),
                s.kind(),
                tbt_trace::format_duration(s.duration_nanos()),
                s.span_id(),
                if marked.contains(&i) { " ◀" } else { "" }
            ));
        }
        out
    }

    pub(crate) fn range(&self, range: TextRange) -> Value {
        let pos = |offset: u32| {
            let lc = self.lines.line_col(offset);
            json!({ "offset": offset, "line": lc.line + 1, "column": lc.col + 1 })
        };
        json!({ "start": pos(range.start), "end": pos(range.end) })
    }

    pub(crate) fn span(&self, s: SpanIdx) -> Value {
        let span = self.trace.span(s);
        json!({
            "trace_id": span.trace_id().to_string(),
            "span_id": span.span_id().to_string(),
            "service": span.service(),
            "name": span.name(),
        })
    }

    /// One assertion's verdict with its evidence, as JSON (the `assertions` items of
    /// `tbt eval --format json` and `tbt run --format json`).
    pub(crate) fn assertion_json(&self, a: &AssertionReport) -> Value {
        let values = |vs: &[tbt_engine::Operand]| -> Value {
            vs.iter()
                .map(|v| json!({ "expr": v.expr, "value": v.value }))
                .collect()
        };
        json!({
            "kind": match a.kind { AssertionKind::Expect => "expect", AssertionKind::Block => "block" },
            "verdict": a.verdict.as_str(),
            "source": self.source(a.range),
            "range": self.range(a.range),
            "message": a.message,
            "values": values(&a.values),
            "selected": {
                "count": a.selected_count,
                "spans": a.selected.iter().map(|&s| self.span(s)).collect::<Vec<_>>(),
            },
            "violations": {
                "count": a.violation_count.max(a.violations.len()),
                "items": a.violations.iter().map(|v| json!({
                    "span": v.span.map(|s| self.span(s)),
                    "range": self.range(v.range),
                    "message": v.message,
                    "values": values(&v.values),
                })).collect::<Vec<_>>(),
            },
        })
    }
}
