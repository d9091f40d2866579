//! Counters: nothing the receiver gets is lost silently.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters, shared by both endpoints and the router.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) malformed_requests: AtomicU64,
    pub(crate) received_spans: AtomicU64,
    pub(crate) routed_spans: AtomicU64,
    pub(crate) dropped_spans: AtomicU64,
    pub(crate) kept_spans: AtomicU64,
    pub(crate) rejected_spans: AtomicU64,
}

impl Counters {
    pub(crate) fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            requests: get(&self.requests),
            malformed_requests: get(&self.malformed_requests),
            received_spans: get(&self.received_spans),
            routed_spans: get(&self.routed_spans),
            dropped_spans: get(&self.dropped_spans),
            kept_spans: get(&self.kept_spans),
            rejected_spans: get(&self.rejected_spans),
        }
    }
}

/// A snapshot of the receiver's counters.
///
/// Every span in a well-formed request is counted in `received_spans` and then in exactly
/// one of `rejected_spans`, `routed_spans`, `dropped_spans` or `kept_spans` (a span routed
/// to several subscribers of the same trace counts once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Export requests received on either endpoint, malformed ones included.
    pub requests: u64,
    /// Requests refused as a whole (bad encoding, too large, wrong content type, ...).
    pub malformed_requests: u64,
    /// Spans in well-formed requests.
    pub received_spans: u64,
    /// Spans delivered to at least one subscriber.
    pub routed_spans: u64,
    /// Spans of unsubscribed traces, dropped (`keep_unmatched` off).
    pub dropped_spans: u64,
    /// Spans of unsubscribed traces, kept (`keep_unmatched` on).
    pub kept_spans: u64,
    /// Spans rejected one by one as invalid (reported in `partial_success`).
    pub rejected_spans: u64,
}

/// The longest message a refusal carries; longer ones (prost names every enclosing field
/// of a deeply nested error) keep their start and end around an ellipsis.
pub(crate) const MAX_MESSAGE_CHARS: usize = 300;

/// Shortens `message` to at most [`MAX_MESSAGE_CHARS`] characters plus an ellipsis.
pub(crate) fn shorten(message: &str) -> String {
    let n = message.chars().count();
    if n <= MAX_MESSAGE_CHARS {
        return message.to_string();
    }
    let half = MAX_MESSAGE_CHARS / 2;
    let head: String = message.chars().take(half).collect();
    let tail: String = message.chars().skip(n - half).collect();
    format!("{head} … {tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn shorten_keeps_both_ends() {
        assert_eq!(super::shorten("short"), "short");
        let long = format!("a{}z", "é".repeat(1000));
        let s = super::shorten(&long);
        assert!(
            s.starts_with('a') && s.ends_with('z') && s.contains(" … "),
            "{s}"
        );
        assert_eq!(s.chars().count(), super::MAX_MESSAGE_CHARS + 3);
    }
}
