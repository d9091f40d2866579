//! When is a trace complete? Without polling: the receiver wakes the runner on every batch,
//! and the runner asks this module whether the spans received so far form a whole trace.
//!
//! A trace is **structurally complete** when
//! - at least one span besides the trigger's own has arrived (for a trigger that expects the
//!   system to answer with spans),
//! - every span's parent has arrived, or is the trigger span, or the span is a root,
//! - the trigger's children have ended (a received span has always ended: OpenTelemetry
//!   exports ended spans only, so this holds once they are there).
//!
//! It is **complete** when it is structurally complete and no span has arrived for the settle
//! window: a late child of a span that has already arrived (an asynchronous consumer) would
//! otherwise be missed.

use std::collections::{HashMap, HashSet};

/// What the completion check needs to know about a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanFacts {
    /// The span's id.
    pub span_id: [u8; 8],
    /// Its parent's id; all zeros for a root.
    pub parent_span_id: [u8; 8],
}

/// Why a trace is not structurally complete yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    /// No span of the system has arrived.
    NoSpans,
    /// These parents are referenced but have not arrived (at most 10 listed), with the number
    /// of spans waiting for them.
    Parents(Vec<([u8; 8], usize)>),
}

impl Missing {
    /// A sentence for reports.
    pub fn describe(&self) -> String {
        match self {
            Missing::NoSpans => "no span of the system under test arrived".into(),
            Missing::Parents(parents) => {
                let shown: Vec<String> = parents
                    .iter()
                    .map(|(id, n)| {
                        format!(
                            "{} (parent of {n} span{})",
                            hex(id),
                            if *n == 1 { "" } else { "s" }
                        )
                    })
                    .collect();
                format!(
                    "{} never arrived: {}",
                    if parents.len() == 1 {
                        "a parent span"
                    } else {
                        "parent spans"
                    },
                    shown.join(", ")
                )
            }
        }
    }
}

fn hex(id: &[u8]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks structural completeness. `trigger_span` is the id of tbt's own trigger span (the
/// parent of the system's first spans), when the test has one; `needs_spans` says whether at
/// least one span of the system must arrive.
pub fn structural(
    spans: &[SpanFacts],
    trigger_span: Option<[u8; 8]>,
    needs_spans: bool,
) -> Result<(), Missing> {
    structural_with(spans, trigger_span, needs_spans, true)
}

/// [`structural`], optionally without the parent rule: a stored trace (`trigger trace`) is
/// what it is, orphans included, and only has to stop growing.
pub fn structural_with(
    spans: &[SpanFacts],
    trigger_span: Option<[u8; 8]>,
    needs_spans: bool,
    require_parents: bool,
) -> Result<(), Missing> {
    let own = |s: &SpanFacts| Some(s.span_id) == trigger_span;
    if spans.iter().all(own) {
        return if needs_spans || spans.is_empty() {
            Err(Missing::NoSpans)
        } else {
            Ok(())
        };
    }
    if !require_parents {
        return Ok(());
    }
    let ids: HashSet<[u8; 8]> = spans.iter().map(|s| s.span_id).collect();
    let mut missing: HashMap<[u8; 8], usize> = HashMap::new();
    for s in spans {
        let p = s.parent_span_id;
        if p == [0; 8] || Some(p) == trigger_span || ids.contains(&p) {
            continue;
        }
        *missing.entry(p).or_default() += 1;
    }
    if missing.is_empty() {
        return Ok(());
    }
    let mut list: Vec<_> = missing.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list.truncate(10);
    Err(Missing::Parents(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: u8, parent: u8) -> SpanFacts {
        SpanFacts {
            span_id: [id; 8],
            parent_span_id: [parent; 8],
        }
    }

    #[test]
    fn needs_a_span_of_the_system() {
        assert_eq!(structural(&[], Some([9; 8]), true), Err(Missing::NoSpans));
        assert_eq!(
            structural(&[s(9, 0)], Some([9; 8]), true),
            Err(Missing::NoSpans)
        );
        assert_eq!(structural(&[], None, false), Err(Missing::NoSpans));
    }

    #[test]
    fn children_of_the_trigger_and_roots_are_complete() {
        assert_eq!(
            structural(&[s(1, 9), s(2, 1), s(3, 1)], Some([9; 8]), true),
            Ok(())
        );
        assert_eq!(structural(&[s(1, 0), s(2, 1)], None, true), Ok(()));
    }

    #[test]
    fn a_missing_parent_is_named() {
        let got = structural(&[s(1, 9), s(2, 7), s(3, 7), s(4, 8)], Some([9; 8]), true);
        assert_eq!(got, Err(Missing::Parents(vec![([7; 8], 2), ([8; 8], 1)])));
        let text = got.err().map(|m| m.describe()).unwrap_or_default();
        assert_eq!(
            text,
            "parent spans never arrived: 0707070707070707 (parent of 2 spans), 0808080808080808 (parent of 1 span)"
        );
    }
}
