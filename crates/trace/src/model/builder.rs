//! [`TraceBuilder`]: the one way spans get into a [`Trace`], for every importer and for the
//! live OTLP receiver (which feeds `ResourceSpans` batches as they arrive, then calls
//! [`TraceBuilder::finish`]).
//!
//! ```
//! use tbt_trace::{AttrValue, SpanId, SpanInfo, SpanKind, TraceBuilder, TraceId};
//!
//! let mut b = TraceBuilder::new();
//! let res = b.resource("", |r| r.attr("service.name", AttrValue::Str("checkout")));
//! let scope = b.scope(res, "my.lib", "1.0", "", |_| {});
//! let mut span = b.span(SpanInfo {
//!     trace_id: TraceId([1; 16]),
//!     span_id: SpanId([2; 8]),
//!     name: "GET /cart",
//!     kind: SpanKind::Server,
//!     end_unix_nano: 1_000,
//!     ..SpanInfo::new(scope)
//! });
//! span.attr("http.response.status_code", AttrValue::Int(200));
//! span.event("cache miss", 10, |e| e.attr("key", AttrValue::Str("cart:1")));
//! span.finish();
//! let trace = b.finish().unwrap();
//! assert_eq!(trace.len(), 1);
//! assert_eq!(trace.span(tbt_trace::SpanIdx(0)).service(), "checkout");
//! ```

use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::ids::{SpanId, TraceId};
use crate::intern::Sym;
use crate::model::columns::{
    AttrTable, EventCols, LinkCols, ResourceRow, ScopeRow, SpanCols, SpanIdIndex,
};
use crate::model::kinds::{SpanKind, StatusCode};
use crate::model::{DuplicateSpan, ResourceIdx, ScopeIdx, SpanIdx, Trace};
use crate::value::{AttrValue, Value, ValuePool};

/// The fixed fields of a span, handed to [`TraceBuilder::span`].
#[derive(Clone, Copy, Debug)]
pub struct SpanInfo<'a> {
    /// The trace id.
    pub trace_id: TraceId,
    /// The span id (unique within its trace; repeats are dropped and counted).
    pub span_id: SpanId,
    /// The parent's span id, [`SpanId::ZERO`] for none.
    pub parent_span_id: SpanId,
    /// The span name.
    pub name: &'a str,
    /// The kind.
    pub kind: SpanKind,
    /// The status code.
    pub status: StatusCode,
    /// The status message (empty for none).
    pub status_message: &'a str,
    /// Start, unix nanoseconds.
    pub start_unix_nano: u64,
    /// End, unix nanoseconds.
    pub end_unix_nano: u64,
    /// The W3C trace state (empty for none).
    pub trace_state: &'a str,
    /// The scope (and so the resource) that emitted the span.
    pub scope: ScopeIdx,
}

impl SpanInfo<'_> {
    /// Defaults for every field but the scope: zero ids, empty name, unspecified kind, unset
    /// status, zero times. Fill the rest with struct update syntax.
    pub fn new(scope: ScopeIdx) -> SpanInfo<'static> {
        SpanInfo {
            trace_id: TraceId::ZERO,
            span_id: SpanId::ZERO,
            parent_span_id: SpanId::ZERO,
            name: "",
            kind: SpanKind::Unspecified,
            status: StatusCode::Unset,
            status_message: "",
            start_unix_nano: 0,
            end_unix_nano: 0,
            trace_state: "",
            scope,
        }
    }
}

/// What became of a span given to the builder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanOutcome {
    /// Stored at this index.
    Added(SpanIdx),
    /// Dropped: the span with this index already has the same (trace id, span id). The
    /// duplicate is counted in [`Trace::duplicates`].
    Duplicate(SpanIdx),
    /// Dropped: the store reached a 32-bit limit; [`TraceBuilder::finish`] will fail.
    Rejected,
}

/// Why [`TraceBuilder::finish`] failed: only limits of the compact layout can.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// More than `u32::MAX - 1` spans, events, links or attributes, or more than 4 GiB of
    /// distinct strings or bytes values, in one store.
    TooLarge(&'static str),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::TooLarge(what) => write!(
                f,
                "trace store too large: {what} exceeds the 32-bit index limit"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// Adds attributes to a resource, scope, event or link (see the closures of
/// [`TraceBuilder::resource`], [`SpanWriter::event`], …).
pub struct AttrSink<'a> {
    pool: &'a mut ValuePool,
    table: &'a mut AttrTable,
}

impl AttrSink<'_> {
    /// Adds `key = value`. Of repeated keys the first one stays.
    pub fn attr(&mut self, key: &str, value: AttrValue<'_>) {
        let k = self.pool.intern(key);
        let v = self.pool.value(value);
        self.table.push(k, v);
    }

    /// Adds a pair whose key and value are already in the pool.
    pub fn attr_sym(&mut self, key: Sym, value: Value) {
        self.table.push(key, value);
    }

    /// The pool, to build arrays and key/value lists.
    pub fn pool(&mut self) -> &mut ValuePool {
        self.pool
    }
}

/// Collects the spans of one store. See the module docs.
pub struct TraceBuilder {
    pub(crate) pool: ValuePool,
    trace_ids: Vec<TraceId>,
    trace_map: hashbrown::HashMap<TraceId, u32>,
    last_trace: Option<(TraceId, u32)>,
    pub(crate) spans: SpanCols,
    parent_ids: Vec<SpanId>,
    attrs: AttrTable,
    events: EventCols,
    links: LinkCols,
    resources: Vec<ResourceRow>,
    resource_attrs: AttrTable,
    resource_dedup: HashTable<u32>,
    scopes: Vec<ScopeRow>,
    scope_attrs: AttrTable,
    scope_dedup: HashTable<u32>,
    trace_states: Vec<(u32, Sym)>,
    id_index: SpanIdIndex,
    duplicates: Vec<DuplicateSpan>,
    scratch: Vec<(Sym, Value)>,
    hasher: DefaultHashBuilder,
    too_large: Option<&'static str>,
}

impl Default for TraceBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TraceBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceBuilder")
            .field("spans", &self.spans.len())
            .field("traces", &self.trace_ids.len())
            .field("resources", &self.resources.len())
            .field("scopes", &self.scopes.len())
            .field("duplicates", &self.duplicates.len())
            .finish()
    }
}

impl TraceBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        TraceBuilder {
            pool: ValuePool::new(),
            trace_ids: Vec::new(),
            trace_map: hashbrown::HashMap::default(),
            last_trace: None,
            spans: SpanCols::default(),
            parent_ids: Vec::new(),
            attrs: AttrTable::default(),
            events: EventCols::default(),
            links: LinkCols::default(),
            resources: Vec::new(),
            resource_attrs: AttrTable::default(),
            resource_dedup: HashTable::new(),
            scopes: Vec::new(),
            scope_attrs: AttrTable::default(),
            scope_dedup: HashTable::new(),
            trace_states: Vec::new(),
            id_index: SpanIdIndex::default(),
            duplicates: Vec::new(),
            scratch: Vec::new(),
            hasher: DefaultHashBuilder::default(),
            too_large: None,
        }
    }

    /// Reserves room for `spans` more spans carrying `attrs` attributes in all (exactly: the
    /// protobuf importer counts them first, so the store ends without spare capacity).
    pub fn reserve(&mut self, spans: usize, attrs: usize) {
        self.spans.reserve(spans);
        self.parent_ids.reserve_exact(spans);
        self.attrs.reserve(attrs);
        self.id_index.reserve(&self.spans, spans);
    }

    /// Spans stored so far.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when no span is stored yet.
    pub fn is_empty(&self) -> bool {
        self.spans.len() == 0
    }

    /// Duplicates dropped so far.
    pub fn duplicate_count(&self) -> usize {
        self.duplicates.len()
    }

    /// The pool (interner and value arena).
    pub fn pool(&mut self) -> &mut ValuePool {
        &mut self.pool
    }

    /// Interns a string.
    pub fn intern(&mut self, s: &str) -> Sym {
        self.pool.intern(s)
    }

    /// Adds a resource, or returns the equal one already stored (same attributes and schema
    /// URL): resources are stored once however many batches repeat them.
    pub fn resource(
        &mut self,
        schema_url: &str,
        attrs: impl FnOnce(&mut AttrSink<'_>),
    ) -> ResourceIdx {
        let start = self.resource_attrs.len();
        attrs(&mut AttrSink {
            pool: &mut self.pool,
            table: &mut self.resource_attrs,
        });
        let end = self
            .resource_attrs
            .sort_dedup_tail(start, &mut self.scratch);
        let schema_url = self.pool.intern(schema_url);
        let mut h = self.hasher.build_hasher();
        schema_url.hash(&mut h);
        hash_attrs(&mut h, &self.resource_attrs, start..end);
        let hash = h.finish();
        let (resources, table, pool) = (&self.resources, &self.resource_attrs, &self.pool);
        if let Some(&found) = self.resource_dedup.find(hash, |&r| {
            let row = &resources[r as usize];
            row.hash == hash
                && row.schema_url == schema_url
                && attrs_eq(
                    pool,
                    table,
                    row.attrs.0 as usize..row.attrs.1 as usize,
                    start..end,
                )
        }) {
            self.resource_attrs.truncate(start);
            return ResourceIdx(found);
        }
        let service_key = self.pool.intern("service.name");
        let service = match self.resource_attrs.find(start..end, service_key) {
            Some(Value::Str(s)) => s,
            _ => Sym::EMPTY,
        };
        let (Ok(id), Ok(a), Ok(b)) = (
            u32::try_from(self.resources.len()),
            u32::try_from(start),
            u32::try_from(end),
        ) else {
            self.too_large = Some("resources");
            return ResourceIdx(0);
        };
        self.resources.push(ResourceRow {
            attrs: (a, b),
            service,
            schema_url,
            hash,
        });
        let resources = &self.resources;
        self.resource_dedup
            .insert_unique(hash, id, |&r| resources[r as usize].hash);
        ResourceIdx(id)
    }

    /// Adds an instrumentation scope of `resource`, or returns the equal one already stored.
    pub fn scope(
        &mut self,
        resource: ResourceIdx,
        name: &str,
        version: &str,
        schema_url: &str,
        attrs: impl FnOnce(&mut AttrSink<'_>),
    ) -> ScopeIdx {
        let start = self.scope_attrs.len();
        attrs(&mut AttrSink {
            pool: &mut self.pool,
            table: &mut self.scope_attrs,
        });
        let end = self.scope_attrs.sort_dedup_tail(start, &mut self.scratch);
        let name = self.pool.intern(name);
        let version = self.pool.intern(version);
        let schema_url = self.pool.intern(schema_url);
        let mut h = self.hasher.build_hasher();
        (resource.0, name, version, schema_url).hash(&mut h);
        hash_attrs(&mut h, &self.scope_attrs, start..end);
        let hash = h.finish();
        let (scopes, table, pool) = (&self.scopes, &self.scope_attrs, &self.pool);
        if let Some(&found) = self.scope_dedup.find(hash, |&s| {
            let row = &scopes[s as usize];
            row.hash == hash
                && row.resource == resource.0
                && row.name == name
                && row.version == version
                && row.schema_url == schema_url
                && attrs_eq(
                    pool,
                    table,
                    row.attrs.0 as usize..row.attrs.1 as usize,
                    start..end,
                )
        }) {
            self.scope_attrs.truncate(start);
            return ScopeIdx(found);
        }
        let (Ok(id), Ok(a), Ok(b)) = (
            u32::try_from(self.scopes.len()),
            u32::try_from(start),
            u32::try_from(end),
        ) else {
            self.too_large = Some("scopes");
            return ScopeIdx(0);
        };
        self.scopes.push(ScopeRow {
            resource: resource.0,
            name,
            version,
            schema_url,
            attrs: (a, b),
            hash,
        });
        let scopes = &self.scopes;
        self.scope_dedup
            .insert_unique(hash, id, |&s| scopes[s as usize].hash);
        ScopeIdx(id)
    }

    /// Starts a span. Add its attributes, events and links through the writer, then call
    /// [`SpanWriter::finish`]; a writer dropped unfinished leaves no trace in the store.
    pub fn span<'b>(&'b mut self, info: SpanInfo<'_>) -> SpanWriter<'b> {
        let name = self.pool.intern(info.name);
        let status_msg = self.pool.intern(info.status_message);
        let trace_state = self.pool.intern(info.trace_state);
        SpanWriter {
            ckpt_attrs: self.attrs.len(),
            ckpt_events: self.events.len(),
            ckpt_links: self.links.len(),
            b: self,
            trace_id: info.trace_id,
            span_id: info.span_id,
            parent_span_id: info.parent_span_id,
            name,
            kind: info.kind,
            status: info.status,
            status_msg,
            start: info.start_unix_nano,
            end: info.end_unix_nano,
            trace_state,
            scope: info.scope,
            done: false,
        }
    }

    fn trace_index(&mut self, id: TraceId) -> u32 {
        if let Some((last, ix)) = self.last_trace
            && last == id
        {
            return ix;
        }
        let next = self.trace_ids.len() as u32;
        let ix = *self.trace_map.entry(id).or_insert(next);
        if ix == next {
            self.trace_ids.push(id);
        }
        self.last_trace = Some((id, ix));
        ix
    }

    /// Ends the store: resolves parents (spans whose parent is absent become roots, flagged as
    /// orphans), cuts parent cycles, builds the children index and the pre/post order, and
    /// releases spare capacity.
    pub fn finish(mut self) -> Result<Trace, BuildError> {
        if let Some(what) = self.too_large {
            return Err(BuildError::TooLarge(what));
        }
        if self.pool.overflowed() {
            return Err(BuildError::TooLarge("interned strings or bytes values"));
        }
        let n = self.spans.len();
        let mut orphans = Vec::new();
        let mut parent = Vec::with_capacity(n);
        for i in 0..n {
            let pid = self.parent_ids[i];
            if pid.is_zero() {
                parent.push(crate::model::NONE);
                continue;
            }
            match self.id_index.find(&self.spans, self.spans.trace[i], pid) {
                Some(p) => parent.push(p),
                None => {
                    parent.push(crate::model::NONE);
                    self.spans.flags[i] |= crate::model::columns::flags::ORPHAN;
                    orphans.push((SpanIdx(i as u32), pid));
                }
            }
        }
        drop(std::mem::take(&mut self.parent_ids));
        self.spans.parent = parent;
        self.spans.shrink_to_fit();
        self.attrs.shrink_to_fit();
        self.events.shrink_to_fit();
        self.links.shrink_to_fit();
        self.resource_attrs.shrink_to_fit();
        self.scope_attrs.shrink_to_fit();
        self.resources.shrink_to_fit();
        self.scopes.shrink_to_fit();
        self.trace_ids.shrink_to_fit();
        self.trace_map.shrink_to_fit();
        self.trace_states.shrink_to_fit();
        self.pool.shrink_to_fit();
        let cycles = crate::index::cut_cycles(&mut self.spans);
        let tree = crate::index::Tree::build(&self.spans);
        Ok(Trace {
            pool: self.pool,
            trace_ids: self.trace_ids,
            trace_map: self.trace_map,
            spans: self.spans,
            attrs: self.attrs,
            events: self.events,
            links: self.links,
            resources: self.resources,
            resource_attrs: self.resource_attrs,
            scopes: self.scopes,
            scope_attrs: self.scope_attrs,
            trace_states: self.trace_states,
            tree,
            id_index: self.id_index,
            orphans,
            cycles,
            duplicates: self.duplicates,
            key_dir: std::sync::OnceLock::new(),
        })
    }
}

fn hash_attrs(h: &mut impl Hasher, t: &AttrTable, r: std::ops::Range<usize>) {
    let (keys, values) = t.slice(r);
    keys.len().hash(h);
    for (k, v) in keys.iter().zip(values) {
        k.hash(h);
        if v.is_scalar() {
            // Scalars hash by bits; composites only by type (equality is by content).
            match *v {
                Value::Str(s) => s.hash(h),
                Value::Int(i) => i.hash(h),
                Value::Double(d) => d.to_bits().hash(h),
                Value::Bool(b) => b.hash(h),
                _ => {}
            }
        }
        v.type_name().hash(h);
    }
}

fn attrs_eq(
    pool: &ValuePool,
    t: &AttrTable,
    a: std::ops::Range<usize>,
    b: std::ops::Range<usize>,
) -> bool {
    let (ka, va) = t.slice(a);
    let (kb, vb) = t.slice(b);
    ka == kb && va.iter().zip(vb).all(|(x, y)| pool.value_eq(*x, *y))
}

/// Writes one span; see [`TraceBuilder::span`].
pub struct SpanWriter<'b> {
    b: &'b mut TraceBuilder,
    ckpt_attrs: usize,
    ckpt_events: usize,
    ckpt_links: usize,
    trace_id: TraceId,
    span_id: SpanId,
    parent_span_id: SpanId,
    name: Sym,
    kind: SpanKind,
    status: StatusCode,
    status_msg: Sym,
    start: u64,
    end: u64,
    trace_state: Sym,
    scope: ScopeIdx,
    done: bool,
}

impl SpanWriter<'_> {
    /// Adds a span attribute. Of repeated keys the first one stays.
    pub fn attr(&mut self, key: &str, value: AttrValue<'_>) {
        let k = self.b.pool.intern(key);
        let v = self.b.pool.value(value);
        self.b.attrs.push(k, v);
    }

    /// Adds a span attribute whose key and value are already in the pool.
    pub fn attr_sym(&mut self, key: Sym, value: Value) {
        self.b.attrs.push(key, value);
    }

    /// The pool, to build arrays and key/value lists.
    pub fn pool(&mut self) -> &mut ValuePool {
        &mut self.b.pool
    }

    /// Adds an event; `attrs` adds its attributes.
    pub fn event(
        &mut self,
        name: &str,
        time_unix_nano: u64,
        attrs: impl FnOnce(&mut AttrSink<'_>),
    ) {
        let name = self.b.pool.intern(name);
        let ev = &mut self.b.events;
        let start = ev.attrs.len();
        attrs(&mut AttrSink {
            pool: &mut self.b.pool,
            table: &mut ev.attrs,
        });
        let end = ev.attrs.sort_dedup_tail(start, &mut self.b.scratch);
        ev.time.push(time_unix_nano);
        ev.name.push(name);
        ev.attr_off.push(end as u32);
    }

    /// Adds a link; `attrs` adds its attributes.
    pub fn link(
        &mut self,
        trace_id: TraceId,
        span_id: SpanId,
        trace_state: &str,
        attrs: impl FnOnce(&mut AttrSink<'_>),
    ) {
        let ts = self.b.pool.intern(trace_state);
        let l = &mut self.b.links;
        let start = l.attrs.len();
        attrs(&mut AttrSink {
            pool: &mut self.b.pool,
            table: &mut l.attrs,
        });
        let end = l.attrs.sort_dedup_tail(start, &mut self.b.scratch);
        l.trace_id.push(trace_id);
        l.span_id.push(span_id);
        l.trace_state.push(ts);
        l.attr_off.push(end as u32);
    }

    /// Stores the span, or drops it (and counts it) when its (trace id, span id) is taken.
    pub fn finish(mut self) -> SpanOutcome {
        self.done = true;
        let b = &mut *self.b;
        let idx = b.spans.len();
        let limits = [
            (idx, "spans"),
            (b.attrs.len(), "span attributes"),
            (b.events.len(), "events"),
            (b.events.attrs.len(), "event attributes"),
            (b.links.len(), "links"),
            (b.links.attrs.len(), "link attributes"),
        ];
        if let Some((_, what)) = limits.iter().find(|(n, _)| *n >= u32::MAX as usize - 1) {
            b.too_large = Some(what);
            self.rollback();
            return SpanOutcome::Rejected;
        }
        let attr_end = b.attrs.sort_dedup_tail(self.ckpt_attrs, &mut b.scratch);
        let trace = b.trace_index(self.trace_id);
        let s = &mut b.spans;
        s.trace.push(trace);
        s.span_id.push(self.span_id);
        s.name.push(self.name);
        s.kind.push(self.kind);
        s.status.push(self.status);
        s.flags.push(0);
        s.status_msg.push(self.status_msg);
        s.start.push(self.start);
        s.end.push(self.end);
        s.scope.push(self.scope.0);
        s.attr_off.push(attr_end as u32);
        s.event_off.push(b.events.len() as u32);
        s.link_off.push(b.links.len() as u32);
        match b.id_index.insert(&b.spans, idx as u32) {
            Ok(()) => {
                b.parent_ids.push(self.parent_span_id);
                if !self.trace_state.is_empty() {
                    b.trace_states.push((idx as u32, self.trace_state));
                }
                SpanOutcome::Added(SpanIdx(idx as u32))
            }
            Err(first) => {
                let s = &mut b.spans;
                s.trace.pop();
                s.span_id.pop();
                s.name.pop();
                s.kind.pop();
                s.status.pop();
                s.flags.pop();
                s.status_msg.pop();
                s.start.pop();
                s.end.pop();
                s.scope.pop();
                s.attr_off.pop();
                s.event_off.pop();
                s.link_off.pop();
                b.duplicates.push(DuplicateSpan {
                    trace_id: self.trace_id,
                    span_id: self.span_id,
                    kept: SpanIdx(first),
                });
                self.rollback();
                SpanOutcome::Duplicate(SpanIdx(first))
            }
        }
    }

    fn rollback(&mut self) {
        self.b.attrs.truncate(self.ckpt_attrs);
        self.b.events.truncate(self.ckpt_events);
        self.b.links.truncate(self.ckpt_links);
    }
}

impl Drop for SpanWriter<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.rollback();
        }
    }
}
