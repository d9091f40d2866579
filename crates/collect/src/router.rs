//! Routing spans to subscribers by trace id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest,
};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use tbt_trace::{BuildError, Trace, TraceBuilder, TraceId};
use tokio::sync::watch;

use crate::stats::Counters;

/// Locks a mutex, ignoring poisoning (the guarded data stays consistent: every critical
/// section only pushes or removes whole entries).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The state one subscription shares with the router.
#[derive(Debug)]
struct SubShared {
    batches: Mutex<Vec<ResourceSpans>>,
    /// The number of spans delivered so far; bumped after each batch.
    spans: watch::Sender<u64>,
}

/// The router: subscriptions by trace id, plus the kept unmatched spans.
#[derive(Debug)]
pub(crate) struct Router {
    subs: Mutex<HashMap<TraceId, Vec<Weak<SubShared>>>>,
    unmatched: Mutex<HashMap<TraceId, Vec<ResourceSpans>>>,
    keep_unmatched: bool,
    pub(crate) counters: Counters,
}

/// Spans of one trace taken out of a request, still grouped by resource and scope.
type PerTrace = HashMap<TraceId, Vec<ResourceSpans>>;

fn span_error(sp: &Span) -> Option<String> {
    if sp.trace_id.len() != 16 {
        return Some(format!(
            "trace_id has {} bytes, expected 16",
            sp.trace_id.len()
        ));
    }
    if sp.span_id.len() != 8 {
        return Some(format!(
            "span_id has {} bytes, expected 8",
            sp.span_id.len()
        ));
    }
    if !sp.parent_span_id.is_empty() && sp.parent_span_id.len() != 8 {
        return Some(format!(
            "parent_span_id has {} bytes, expected 0 or 8",
            sp.parent_span_id.len()
        ));
    }
    for (i, l) in sp.links.iter().enumerate() {
        if l.trace_id.len() != 16 || l.span_id.len() != 8 {
            return Some(format!("links[{i}] has an id of the wrong length"));
        }
    }
    None
}

fn trace_id_of(sp: &Span) -> TraceId {
    let mut id = [0u8; 16];
    id.copy_from_slice(&sp.trace_id);
    TraceId(id)
}

impl Router {
    pub(crate) fn new(keep_unmatched: bool) -> Self {
        Router {
            subs: Mutex::new(HashMap::new()),
            unmatched: Mutex::new(HashMap::new()),
            keep_unmatched,
            counters: Counters::default(),
        }
    }

    /// Routes a decoded request. Returns the partial success to answer with (if any span
    /// was rejected).
    pub(crate) fn ingest(
        &self,
        req: ExportTraceServiceRequest,
    ) -> Option<ExportTracePartialSuccess> {
        let mut rejected = 0u64;
        let mut first_error = None;
        let mut received = 0u64;
        let mut per_trace: PerTrace = HashMap::new();
        for rs in req.resource_spans {
            let ResourceSpans {
                resource,
                scope_spans,
                schema_url,
            } = rs;
            // Split this resource's spans by trace id, keeping the scope grouping.
            let mut here: HashMap<TraceId, Vec<ScopeSpans>> = HashMap::new();
            for (si, ss) in scope_spans.into_iter().enumerate() {
                let ScopeSpans {
                    scope,
                    spans,
                    schema_url,
                } = ss;
                let mut by_trace: HashMap<TraceId, Vec<Span>> = HashMap::new();
                for (pi, sp) in spans.into_iter().enumerate() {
                    received += 1;
                    if let Some(e) = span_error(&sp) {
                        rejected += 1;
                        first_error
                            .get_or_insert_with(|| format!("scope_spans[{si}].spans[{pi}]: {e}"));
                        continue;
                    }
                    by_trace.entry(trace_id_of(&sp)).or_default().push(sp);
                }
                for (tid, spans) in by_trace {
                    here.entry(tid).or_default().push(ScopeSpans {
                        scope: scope.clone(),
                        spans,
                        schema_url: schema_url.clone(),
                    });
                }
            }
            for (tid, scope_spans) in here {
                per_trace.entry(tid).or_default().push(ResourceSpans {
                    resource: resource.clone(),
                    scope_spans,
                    schema_url: schema_url.clone(),
                });
            }
        }
        Counters::add(&self.counters.received_spans, received);
        Counters::add(&self.counters.rejected_spans, rejected);
        for (tid, batches) in per_trace {
            self.deliver(tid, batches);
        }
        (rejected > 0).then(|| ExportTracePartialSuccess {
            rejected_spans: i64::try_from(rejected).unwrap_or(i64::MAX),
            error_message: format!(
                "{rejected} span(s) rejected for invalid ids; first: {}",
                first_error.unwrap_or_default()
            ),
        })
    }

    fn deliver(&self, tid: TraceId, batches: Vec<ResourceSpans>) {
        let n = count_spans(&batches);
        let live: Vec<Arc<SubShared>> = {
            let mut subs = lock(&self.subs);
            let live = match subs.get_mut(&tid) {
                Some(list) => {
                    list.retain(|w| w.strong_count() > 0);
                    let live: Vec<_> = list.iter().filter_map(Weak::upgrade).collect();
                    if list.is_empty() {
                        subs.remove(&tid);
                    }
                    live
                }
                None => Vec::new(),
            };
            if live.is_empty() {
                // Still under the `subs` lock, so a concurrent `subscribe` either sees
                // these kept spans or was registered before we looked.
                if self.keep_unmatched {
                    lock(&self.unmatched)
                        .entry(tid)
                        .or_default()
                        .extend(batches);
                    Counters::add(&self.counters.kept_spans, n);
                } else {
                    Counters::add(&self.counters.dropped_spans, n);
                }
                return;
            }
            live
        };
        Counters::add(&self.counters.routed_spans, n);
        for sub in live {
            sub.push(batches.clone(), n);
        }
    }

    /// Registers a subscriber; kept unmatched spans of the trace move to it.
    pub(crate) fn subscribe(self: &Arc<Self>, tid: TraceId) -> Subscription {
        let (tx, rx) = watch::channel(0);
        let shared = Arc::new(SubShared {
            batches: Mutex::new(Vec::new()),
            spans: tx,
        });
        let kept = {
            let mut subs = lock(&self.subs);
            subs.entry(tid).or_default().push(Arc::downgrade(&shared));
            lock(&self.unmatched).remove(&tid)
        };
        if let Some(kept) = kept {
            let n = count_spans(&kept);
            self.counters
                .kept_spans
                .fetch_sub(n, std::sync::atomic::Ordering::Relaxed);
            Counters::add(&self.counters.routed_spans, n);
            shared.push(kept, n);
        }
        Subscription {
            trace_id: tid,
            shared,
            rx,
            router: Arc::downgrade(self),
        }
    }

    /// The kept spans of unsubscribed traces.
    pub(crate) fn unmatched(&self) -> Result<Trace, BuildError> {
        let kept = lock(&self.unmatched);
        build(kept.values().flatten())
    }

    fn unsubscribe(&self, tid: TraceId, sub: *const SubShared) {
        let mut subs = lock(&self.subs);
        if let Some(list) = subs.get_mut(&tid) {
            list.retain(|w| w.strong_count() > 0 && !std::ptr::eq(w.as_ptr(), sub));
            if list.is_empty() {
                subs.remove(&tid);
            }
        }
    }
}

impl SubShared {
    fn push(&self, batches: Vec<ResourceSpans>, n: u64) {
        lock(&self.batches).extend(batches);
        self.spans.send_modify(|c| *c += n);
    }
}

fn count_spans(batches: &[ResourceSpans]) -> u64 {
    batches
        .iter()
        .flat_map(|rs| &rs.scope_spans)
        .map(|ss| ss.spans.len() as u64)
        .sum()
}

fn build<'a>(batches: impl IntoIterator<Item = &'a ResourceSpans>) -> Result<Trace, BuildError> {
    let mut b = TraceBuilder::new();
    for rs in batches {
        // Every routed span passed the same id checks `add_resource_spans` makes.
        if b.add_resource_spans(rs).is_err() {
            continue;
        }
    }
    b.finish()
}

/// The spans of one trace, delivered as they arrive. Dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    trace_id: TraceId,
    shared: Arc<SubShared>,
    rx: watch::Receiver<u64>,
    router: Weak<Router>,
}

impl Subscription {
    /// The trace id subscribed to.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// The number of spans delivered so far.
    pub fn span_count(&self) -> u64 {
        *self.shared.spans.borrow()
    }

    /// The spans delivered so far, as OTLP batches (one per resource and request).
    pub fn batches(&self) -> Vec<ResourceSpans> {
        lock(&self.shared.batches).clone()
    }

    /// The spans delivered so far, as a [`Trace`].
    pub fn snapshot(&self) -> Result<Trace, BuildError> {
        let batches = lock(&self.shared.batches);
        build(batches.iter())
    }

    /// Waits until spans arrive that this subscription has not yet seen through
    /// `changed` (the first call returns at once if any span arrived since subscribing).
    /// Returns the span count so far.
    pub async fn changed(&mut self) -> u64 {
        // The sender lives in `self.shared`, so the channel never closes while we wait.
        let _ = self.rx.changed().await;
        *self.rx.borrow_and_update()
    }

    /// Waits until at least `n` spans have been delivered. Returns the span count.
    pub async fn wait_for(&mut self, n: u64) -> u64 {
        let seen = match self.rx.wait_for(|c| *c >= n).await {
            Ok(c) => Some(*c),
            Err(_) => None,
        };
        seen.unwrap_or_else(|| self.span_count())
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(router) = self.router.upgrade() {
            router.unsubscribe(self.trace_id, Arc::as_ptr(&self.shared));
        }
    }
}
