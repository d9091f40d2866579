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
    /// Spans rejected for invalid ids (reported in `partial_success`).
    pub rejected_spans: u64,
}
