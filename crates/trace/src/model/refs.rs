//! Borrowing handles: a span, an event, a link, a resource, a scope, an attribute list. They
//! resolve symbols to `&str` for callers that do not work with raw ids.

use std::fmt;

use crate::ids::{SpanId, TraceId};
use crate::intern::Sym;
use crate::model::columns::csr;
use crate::model::{ResourceIdx, ScopeIdx, SpanIdx, SpanKind, StatusCode, Trace};
use crate::value::{Value, ValuePool, ValueRef};

/// A list of attributes (sorted by key symbol), borrowing from its store.
#[derive(Clone, Copy)]
pub struct AttrList<'t> {
    pool: &'t ValuePool,
    keys: &'t [Sym],
    values: &'t [Value],
}

impl<'t> AttrList<'t> {
    pub(crate) fn new(pool: &'t ValuePool, keys: &'t [Sym], values: &'t [Value]) -> Self {
        AttrList { pool, keys, values }
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The raw pairs, sorted by key symbol.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (Sym, Value)> + 't {
        self.keys.iter().copied().zip(self.values.iter().copied())
    }

    /// The resolved pairs, sorted by key symbol.
    pub fn resolved(&self) -> impl ExactSizeIterator<Item = (&'t str, ValueRef<'t>)> + 't {
        let pool = self.pool;
        self.iter().map(move |(k, v)| (pool.str(k), pool.get(v)))
    }

    /// The resolved pairs sorted by key string (stable output for dumps and diffs).
    pub fn sorted(&self) -> Vec<(&'t str, Value)> {
        let mut v: Vec<(&'t str, Value)> =
            self.iter().map(|(k, v)| (self.pool.str(k), v)).collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// The value of `key` (binary search).
    pub fn get(&self, key: Sym) -> Option<Value> {
        let i = self.keys.binary_search(&key).ok()?;
        self.values.get(i).copied()
    }

    /// The value of `key` by string, resolved.
    pub fn get_str(&self, key: &str) -> Option<ValueRef<'t>> {
        let k = self.pool.strings().get(key)?;
        self.get(k).map(|v| self.pool.get(v))
    }
}

impl fmt::Debug for AttrList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in self.sorted() {
            m.entry(&k, &format_args!("{}", self.pool.display(v)));
        }
        m.finish()
    }
}

/// A span of a [`Trace`].
#[derive(Clone, Copy)]
pub struct SpanRef<'t> {
    trace: &'t Trace,
    idx: SpanIdx,
}

impl<'t> SpanRef<'t> {
    pub(crate) fn new(trace: &'t Trace, idx: SpanIdx) -> Self {
        SpanRef { trace, idx }
    }

    /// Its index.
    pub fn idx(&self) -> SpanIdx {
        self.idx
    }

    /// Its store.
    pub fn trace(&self) -> &'t Trace {
        self.trace
    }

    /// The name.
    pub fn name(&self) -> &'t str {
        self.trace.str(self.trace.name(self.idx))
    }

    /// The resource's `service.name` (empty when unset).
    pub fn service(&self) -> &'t str {
        self.trace.str(self.trace.service(self.idx))
    }

    /// The kind.
    pub fn kind(&self) -> SpanKind {
        self.trace.kind(self.idx)
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.trace.status(self.idx)
    }

    /// The status message (empty for none).
    pub fn status_message(&self) -> &'t str {
        self.trace.str(self.trace.status_message(self.idx))
    }

    /// Start, unix nanoseconds.
    pub fn start(&self) -> u64 {
        self.trace.start(self.idx)
    }

    /// End, unix nanoseconds.
    pub fn end(&self) -> u64 {
        self.trace.end(self.idx)
    }

    /// Duration in nanoseconds (0 when the end precedes the start).
    pub fn duration_nanos(&self) -> u64 {
        self.trace.duration_nanos(self.idx)
    }

    /// The trace id.
    pub fn trace_id(&self) -> TraceId {
        self.trace.trace_id(self.idx)
    }

    /// The span id.
    pub fn span_id(&self) -> SpanId {
        self.trace.span_id(self.idx)
    }

    /// The trace id, lowercase hex.
    pub fn trace_id_hex(&self) -> String {
        self.trace_id().to_string()
    }

    /// The span id, lowercase hex.
    pub fn span_id_hex(&self) -> String {
        self.span_id().to_string()
    }

    /// The W3C trace state (empty for none).
    pub fn trace_state(&self) -> &'t str {
        self.trace.str(self.trace.trace_state(self.idx))
    }

    /// The parent.
    pub fn parent(&self) -> Option<SpanRef<'t>> {
        self.trace
            .parent(self.idx)
            .map(|p| SpanRef::new(self.trace, p))
    }

    /// The parent's span id: the parent's, or the missing one an orphan names.
    pub fn parent_span_id(&self) -> Option<SpanId> {
        match self.parent() {
            Some(p) => Some(p.span_id()),
            None => self.trace.missing_parent_id(self.idx),
        }
    }

    /// True when the named parent is absent from the store.
    pub fn is_orphan(&self) -> bool {
        self.trace.is_orphan(self.idx)
    }

    /// The children, by start time.
    pub fn children(&self) -> impl ExactSizeIterator<Item = SpanRef<'t>> + 't {
        let t = self.trace;
        t.children(self.idx)
            .iter()
            .map(move |&c| SpanRef::new(t, c))
    }

    /// The span's own attributes.
    pub fn attrs(&self) -> AttrList<'t> {
        self.trace.span_attrs(self.idx)
    }

    /// Attribute `key`: the span's own, else its resource's.
    pub fn attr(&self, key: &str) -> Option<ValueRef<'t>> {
        self.trace.attr_by_name(self.idx, key)
    }

    /// The span's own attribute `key`.
    pub fn span_attr(&self, key: &str) -> Option<ValueRef<'t>> {
        self.attrs().get_str(key)
    }

    /// The resource's attribute `key`.
    pub fn resource_attr(&self, key: &str) -> Option<ValueRef<'t>> {
        self.resource().attrs().get_str(key)
    }

    /// The events.
    pub fn events(&self) -> impl ExactSizeIterator<Item = EventRef<'t>> + 't {
        self.trace.events(self.idx)
    }

    /// The links.
    pub fn links(&self) -> impl ExactSizeIterator<Item = LinkRef<'t>> + 't {
        self.trace.links(self.idx)
    }

    /// The emitting scope.
    pub fn scope(&self) -> ScopeRef<'t> {
        ScopeRef::new(self.trace, self.trace.scope(self.idx))
    }

    /// The emitting resource.
    pub fn resource(&self) -> ResourceRef<'t> {
        ResourceRef::new(self.trace, self.trace.resource(self.idx))
    }
}

impl fmt::Debug for SpanRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Span")
            .field("idx", &self.idx.0)
            .field("trace_id", &format_args!("{}", self.trace_id()))
            .field("span_id", &format_args!("{}", self.span_id()))
            .field(
                "parent",
                &format_args!(
                    "{}",
                    self.parent_span_id()
                        .map_or_else(|| "-".to_string(), |p| p.to_string())
                ),
            )
            .field("name", &self.name())
            .field("service", &self.service())
            .field("kind", &self.kind())
            .field("status", &self.status())
            .field("start", &self.start())
            .field("duration_nanos", &self.duration_nanos())
            .field("attrs", &self.attrs())
            .finish()
    }
}

/// An event of a span.
#[derive(Clone, Copy)]
pub struct EventRef<'t> {
    trace: &'t Trace,
    idx: usize,
}

impl<'t> EventRef<'t> {
    pub(crate) fn new(trace: &'t Trace, idx: usize) -> Self {
        EventRef { trace, idx }
    }

    /// The name.
    pub fn name(&self) -> &'t str {
        self.trace.str(self.name_sym())
    }

    /// The name, as a symbol.
    pub fn name_sym(&self) -> Sym {
        self.trace.events.name[self.idx]
    }

    /// The time, unix nanoseconds.
    pub fn time_unix_nano(&self) -> u64 {
        self.trace.events.time[self.idx]
    }

    /// The attributes.
    pub fn attrs(&self) -> AttrList<'t> {
        let e = &self.trace.events;
        let (k, v) = e.attrs.slice(csr(&e.attr_off, self.idx));
        AttrList::new(&self.trace.pool, k, v)
    }
}

impl fmt::Debug for EventRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("name", &self.name())
            .field("time", &self.time_unix_nano())
            .field("attrs", &self.attrs())
            .finish()
    }
}

/// A link of a span.
#[derive(Clone, Copy)]
pub struct LinkRef<'t> {
    trace: &'t Trace,
    idx: usize,
}

impl<'t> LinkRef<'t> {
    pub(crate) fn new(trace: &'t Trace, idx: usize) -> Self {
        LinkRef { trace, idx }
    }

    /// The linked trace id.
    pub fn trace_id(&self) -> TraceId {
        self.trace.links.trace_id[self.idx]
    }

    /// The linked span id.
    pub fn span_id(&self) -> SpanId {
        self.trace.links.span_id[self.idx]
    }

    /// The trace state (empty for none).
    pub fn trace_state(&self) -> &'t str {
        self.trace.str(self.trace.links.trace_state[self.idx])
    }

    /// The linked span, when it is in this store.
    pub fn target(&self) -> Option<SpanIdx> {
        self.trace.find_span(self.trace_id(), self.span_id())
    }

    /// The attributes.
    pub fn attrs(&self) -> AttrList<'t> {
        let l = &self.trace.links;
        let (k, v) = l.attrs.slice(csr(&l.attr_off, self.idx));
        AttrList::new(&self.trace.pool, k, v)
    }
}

impl fmt::Debug for LinkRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("trace_id", &format_args!("{}", self.trace_id()))
            .field("span_id", &format_args!("{}", self.span_id()))
            .field("attrs", &self.attrs())
            .finish()
    }
}

/// A resource of a [`Trace`].
#[derive(Clone, Copy)]
pub struct ResourceRef<'t> {
    trace: &'t Trace,
    idx: ResourceIdx,
}

impl<'t> ResourceRef<'t> {
    pub(crate) fn new(trace: &'t Trace, idx: ResourceIdx) -> Self {
        ResourceRef { trace, idx }
    }

    /// Its index.
    pub fn idx(&self) -> ResourceIdx {
        self.idx
    }

    /// `service.name` (empty when unset).
    pub fn service(&self) -> &'t str {
        self.trace.str(self.service_sym())
    }

    /// `service.name` as a symbol.
    pub fn service_sym(&self) -> Sym {
        self.trace
            .resources
            .get(self.idx.0 as usize)
            .map_or(Sym::EMPTY, |r| r.service)
    }

    /// The schema URL (empty for none).
    pub fn schema_url(&self) -> &'t str {
        self.trace.str(
            self.trace
                .resources
                .get(self.idx.0 as usize)
                .map_or(Sym::EMPTY, |r| r.schema_url),
        )
    }

    /// The attributes.
    pub fn attrs(&self) -> AttrList<'t> {
        let r = self
            .trace
            .resources
            .get(self.idx.0 as usize)
            .map_or(0..0, |r| r.attrs.0 as usize..r.attrs.1 as usize);
        let (k, v) = self.trace.resource_attrs.slice(r);
        AttrList::new(&self.trace.pool, k, v)
    }
}

impl fmt::Debug for ResourceRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resource")
            .field("idx", &self.idx.0)
            .field("attrs", &self.attrs())
            .finish()
    }
}

/// An instrumentation scope of a [`Trace`].
#[derive(Clone, Copy)]
pub struct ScopeRef<'t> {
    trace: &'t Trace,
    idx: ScopeIdx,
}

impl<'t> ScopeRef<'t> {
    pub(crate) fn new(trace: &'t Trace, idx: ScopeIdx) -> Self {
        ScopeRef { trace, idx }
    }

    fn row(&self) -> Option<&'t crate::model::columns::ScopeRow> {
        self.trace.scopes.get(self.idx.0 as usize)
    }

    /// Its index.
    pub fn idx(&self) -> ScopeIdx {
        self.idx
    }

    /// The name (empty when unset).
    pub fn name(&self) -> &'t str {
        self.trace.str(self.row().map_or(Sym::EMPTY, |s| s.name))
    }

    /// The version (empty when unset).
    pub fn version(&self) -> &'t str {
        self.trace.str(self.row().map_or(Sym::EMPTY, |s| s.version))
    }

    /// The schema URL of the scope's spans (empty for none).
    pub fn schema_url(&self) -> &'t str {
        self.trace
            .str(self.row().map_or(Sym::EMPTY, |s| s.schema_url))
    }

    /// The resource it belongs to.
    pub fn resource(&self) -> ResourceRef<'t> {
        ResourceRef::new(
            self.trace,
            ResourceIdx(self.row().map_or(0, |s| s.resource)),
        )
    }

    /// The attributes.
    pub fn attrs(&self) -> AttrList<'t> {
        let r = self
            .row()
            .map_or(0..0, |s| s.attrs.0 as usize..s.attrs.1 as usize);
        let (k, v) = self.trace.scope_attrs.slice(r);
        AttrList::new(&self.trace.pool, k, v)
    }
}

impl fmt::Debug for ScopeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("name", &self.name())
            .field("version", &self.version())
            .field("attrs", &self.attrs())
            .finish()
    }
}
