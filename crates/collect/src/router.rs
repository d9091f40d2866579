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
use crate::validate::span_error;

/// Locks a mutex, ignoring poisoning (the guarded data stays consistent: every critical
/// section only pushes or removes whole entries).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the runner needs of one delivered span to tell whether a trace looks complete,
/// without building a [`Trace`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpanSummary {
    /// The span id.
    pub span_id: [u8; 8],
    /// The parent span id; all zeros for a root span.
    pub parent_span_id: [u8; 8],
    /// The start time, in nanoseconds since the Unix epoch.
    pub start_unix_nano: u64,
    /// The end time, in nanoseconds since the Unix epoch.
    pub end_unix_nano: u64,
}

impl SpanSummary {
    /// Summarises a span that passed [`span_error`] (ids of the right length).
    fn of(sp: &Span) -> SpanSummary {
        SpanSummary {
            span_id: id8(&sp.span_id),
            parent_span_id: id8(&sp.parent_span_id),
            start_unix_nano: sp.start_time_unix_nano,
            end_unix_nano: sp.end_time_unix_nano,
        }
    }

    /// Whether the span is a root (it has no parent).
    pub fn is_root(&self) -> bool {
        self.parent_span_id == [0; 8]
    }
}

/// An 8-byte id; anything of another length (an absent parent) reads as all zeros.
fn id8(b: &[u8]) -> [u8; 8] {
    <[u8; 8]>::try_from(b).unwrap_or([0; 8])
}

/// What one subscription has received so far.
#[derive(Debug, Default)]
struct Delivered {
    batches: Vec<ResourceSpans>,
    summaries: Vec<SpanSummary>,
}

/// The state one subscription shares with the router.
#[derive(Debug)]
struct SubShared {
    delivered: Mutex<Delivered>,
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

/// The spans of a request rejected one by one: how many, and the first reason.
#[derive(Default)]
struct Rejections {
    count: u64,
    first: Option<String>,
}

impl Rejections {
    fn add(&mut self, at: impl FnOnce() -> String, why: String) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(format!("{}: {why}", at()));
        }
    }

    fn partial_success(self) -> Option<ExportTracePartialSuccess> {
        (self.count > 0).then(|| ExportTracePartialSuccess {
            rejected_spans: i64::try_from(self.count).unwrap_or(i64::MAX),
            error_message: format!(
                "{} span(s) rejected; the first, {}",
                self.count,
                self.first.unwrap_or_default()
            ),
        })
    }
}

fn trace_id_of(sp: &Span) -> TraceId {
    TraceId(<[u8; 16]>::try_from(&sp.trace_id[..]).unwrap_or([0; 16]))
}

/// Splits one scope's spans by trace id, dropping (and recording) invalid ones. The common
/// case, every span valid and of one trace, moves the spans without regrouping them.
fn split_spans(
    spans: Vec<Span>,
    at: &dyn Fn(usize) -> String,
    rejections: &mut Rejections,
) -> Vec<(TraceId, Vec<Span>)> {
    let uniform = match spans.first() {
        None => return Vec::new(),
        Some(first) => spans
            .iter()
            .all(|sp| sp.trace_id == first.trace_id && span_error(sp).is_none()),
    };
    if uniform {
        return vec![(trace_id_of(&spans[0]), spans)];
    }
    let mut groups: Vec<(TraceId, Vec<Span>)> = Vec::new();
    let mut index: HashMap<TraceId, usize> = HashMap::new();
    for (i, sp) in spans.into_iter().enumerate() {
        if let Some(why) = span_error(&sp) {
            rejections.add(|| at(i), why);
            continue;
        }
        let tid = trace_id_of(&sp);
        match groups.last_mut() {
            Some((t, group)) if *t == tid => group.push(sp),
            _ => match index.get(&tid) {
                Some(&g) => groups[g].1.push(sp),
                None => {
                    index.insert(tid, groups.len());
                    groups.push((tid, vec![sp]));
                }
            },
        }
    }
    groups
}

/// Hands out `value` once per item of `items`, cloning for all but the last.
fn share<T: Clone, U>(items: Vec<U>, value: T) -> impl Iterator<Item = (U, T)> {
    let n = items.len();
    let mut value = Some(value);
    items.into_iter().enumerate().filter_map(move |(i, item)| {
        let v = if i + 1 == n {
            value.take()
        } else {
            value.clone()
        };
        v.map(|v| (item, v))
    })
}

/// Splits one `ResourceSpans` by trace id into `out`, keeping the resource and scope of
/// every span.
fn split_resource(rs: ResourceSpans, ri: usize, rejections: &mut Rejections, out: &mut PerTrace) {
    let ResourceSpans {
        resource,
        scope_spans,
        schema_url,
    } = rs;
    let mut here: Vec<(TraceId, Vec<ScopeSpans>)> = Vec::new();
    for (si, ss) in scope_spans.into_iter().enumerate() {
        let ScopeSpans {
            scope,
            spans,
            schema_url,
        } = ss;
        let at = |pi: usize| format!("resource_spans[{ri}].scope_spans[{si}].spans[{pi}]");
        let groups = split_spans(spans, &at, rejections);
        for ((tid, spans), (scope, schema_url)) in share(groups, (scope, schema_url)) {
            let scope_spans = ScopeSpans {
                scope,
                spans,
                schema_url,
            };
            match here.iter_mut().find(|(t, _)| *t == tid) {
                Some((_, list)) => list.push(scope_spans),
                None => here.push((tid, vec![scope_spans])),
            }
        }
    }
    for ((tid, scope_spans), (resource, schema_url)) in share(here, (resource, schema_url)) {
        out.entry(tid).or_default().push(ResourceSpans {
            resource,
            scope_spans,
            schema_url,
        });
    }
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
        let received = count_spans(&req.resource_spans);
        let mut rejections = Rejections::default();
        let mut per_trace: PerTrace = HashMap::new();
        for (ri, rs) in req.resource_spans.into_iter().enumerate() {
            split_resource(rs, ri, &mut rejections, &mut per_trace);
        }
        Counters::add(&self.counters.received_spans, received);
        Counters::add(&self.counters.rejected_spans, rejections.count);
        for (tid, batches) in per_trace {
            self.deliver(tid, batches);
        }
        rejections.partial_success()
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
        for (sub, batches) in share(live, batches) {
            sub.push(batches, n);
        }
    }

    /// Registers a subscriber; kept unmatched spans of the trace move to it.
    pub(crate) fn subscribe(self: &Arc<Self>, tid: TraceId) -> Subscription {
        let (tx, rx) = watch::channel(0);
        let shared = Arc::new(SubShared {
            delivered: Mutex::new(Delivered::default()),
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
        {
            let mut d = lock(&self.delivered);
            let spans = batches
                .iter()
                .flat_map(|rs| &rs.scope_spans)
                .flat_map(|ss| &ss.spans);
            d.summaries.extend(spans.map(SpanSummary::of));
            d.batches.extend(batches);
        }
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
        lock(&self.shared.delivered).batches.clone()
    }

    /// A summary of every span delivered so far, in delivery order. Maintained as batches
    /// arrive, so it costs a copy, not a [`Trace`] build.
    pub fn span_summaries(&self) -> Vec<SpanSummary> {
        self.span_summaries_from(0)
    }

    /// The summaries of the spans delivered after the first `start` ones (empty when
    /// `start` is past the end): a poller that remembers how many it has seen only copies
    /// the new ones.
    pub fn span_summaries_from(&self, start: usize) -> Vec<SpanSummary> {
        let d = lock(&self.shared.delivered);
        d.summaries
            .get(start..)
            .map(<[_]>::to_vec)
            .unwrap_or_default()
    }

    /// The spans delivered so far, as a [`Trace`].
    pub fn snapshot(&self) -> Result<Trace, BuildError> {
        let d = lock(&self.shared.delivered);
        build(d.batches.iter())
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
