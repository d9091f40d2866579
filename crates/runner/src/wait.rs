//! Waiting for a test's trace on the embedded receiver, without polling: the subscription wakes
//! the runner on every batch; between batches the runner sleeps until the settle window or the
//! timeout ends, whichever comes first.

use crate::complete::{Missing, SpanFacts, structural_with};
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use std::time::Duration;
use tbt_collect::Subscription;
use tbt_trace::{Trace, TraceBuilder};
use tokio::time::Instant;

/// How to wait.
#[derive(Clone, Debug)]
pub struct WaitParams {
    /// The longest wait.
    pub timeout: Duration,
    /// How long no span must arrive for a structurally complete trace to count as complete.
    pub settle: Duration,
    /// tbt's own trigger span, the parent of the system's first spans.
    pub trigger_span: Option<[u8; 8]>,
    /// Whether a span of the system must arrive.
    pub needs_spans: bool,
    /// Whether every span's parent must arrive (not for a stored trace, which may hold
    /// orphans).
    pub require_parents: bool,
}

/// How the wait ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitEnd {
    /// The trace was complete: no gaps, and quiet for the settle window.
    Complete,
    /// `wait until` held.
    UntilHeld,
    /// The timeout came first.
    TimedOut {
        /// Why the trace did not look complete, if it did not.
        missing: Option<Missing>,
        /// Whether the test had a `wait until` that never held.
        until_never_held: bool,
    },
}

/// The result of a wait.
#[derive(Clone, Debug)]
pub struct Waited {
    /// Every batch received for the trace, tbt's own span first (when there is one).
    pub batches: Vec<ResourceSpans>,
    /// How the wait ended.
    pub end: WaitEnd,
    /// How long it took.
    pub waited: Duration,
}

/// Builds a trace from batches. Batches the receiver accepted are valid; one that still fails
/// (it cannot, short of a bug) is skipped rather than losing the rest.
pub fn build(batches: &[ResourceSpans]) -> Trace {
    let mut b = TraceBuilder::new();
    for rs in batches {
        let _ = b.add_resource_spans(rs);
    }
    b.finish().unwrap_or_else(|_| Trace::empty())
}

/// Waits for the trace of `sub`. `own` is tbt's own trigger span, added to the trace;
/// `until` evaluates the test's `wait until` on the spans so far.
pub async fn wait(
    sub: &mut Subscription,
    params: &WaitParams,
    own: Option<ResourceSpans>,
    until: Option<&(dyn Fn(&Trace) -> bool + Send + Sync)>,
) -> Waited {
    let started = Instant::now();
    let deadline = started + params.timeout;
    let mut facts: Vec<SpanFacts> = Vec::new();
    if let Some(own) = &own {
        for s in own.scope_spans.iter().flat_map(|ss| &ss.spans) {
            facts.push(SpanFacts {
                span_id: s.span_id.as_slice().try_into().unwrap_or([0; 8]),
                parent_span_id: s.parent_span_id.as_slice().try_into().unwrap_or([0; 8]),
            });
        }
    }
    let own_count = facts.len();
    let mut seen = 0usize;
    let mut last_arrival = started;
    let mut until_held_once = false;
    let finish = |sub: &Subscription, end: WaitEnd| {
        let mut batches: Vec<ResourceSpans> = own.iter().cloned().collect();
        batches.extend(sub.batches());
        Waited {
            batches,
            end,
            waited: started.elapsed(),
        }
    };
    loop {
        // Take in what arrived since the last look.
        let fresh = sub.span_summaries_from(seen);
        if !fresh.is_empty() {
            seen += fresh.len();
            last_arrival = Instant::now();
            facts.extend(fresh.iter().map(|s| SpanFacts {
                span_id: s.span_id,
                parent_span_id: s.parent_span_id,
            }));
            if let Some(until) = until {
                let mut batches: Vec<ResourceSpans> = own.iter().cloned().collect();
                batches.extend(sub.batches());
                if until(&build(&batches)) {
                    until_held_once = true;
                }
            }
        }
        if until_held_once {
            return finish(sub, WaitEnd::UntilHeld);
        }
        let shape = structural_with(
            &facts,
            params.trigger_span,
            params.needs_spans,
            params.require_parents,
        );
        let now = Instant::now();
        let settled_at = last_arrival + params.settle;
        if until.is_none() && shape.is_ok() && now >= settled_at {
            return finish(sub, WaitEnd::Complete);
        }
        if now >= deadline {
            let missing = match shape {
                Ok(()) if until.is_some() => None,
                Ok(()) => None,
                Err(m) => Some(m),
            };
            return finish(
                sub,
                WaitEnd::TimedOut {
                    missing,
                    until_never_held: until.is_some(),
                },
            );
        }
        let wake = if until.is_none() && shape.is_ok() {
            settled_at.min(deadline)
        } else {
            deadline
        };
        tokio::select! {
            _ = sub.changed() => {}
            _ = tokio::time::sleep_until(wake) => {}
        }
        debug_assert!(facts.len() >= own_count);
    }
}
