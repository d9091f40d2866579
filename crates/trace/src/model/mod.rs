//! The trace store: [`Trace`], its index types and its raw (by-index) accessors.
//!
//! A `Trace` holds one trace or any batch of spans from several traces: every span knows its
//! trace id, and parent links resolve within the same trace id. Storage is columnar: one
//! column per span field, attributes in one flat table sorted by key within each span,
//! events/links/children in side tables (CSR ranges), resources and scopes stored once.
//!
//! **Attribute lookup rule**: [`Trace::attr`] (and [`SpanRef::attr`]) answers with the span's
//! own attribute when it has the key, else with its resource's attribute. Use
//! [`Trace::span_attr`] / [`Trace::resource_attr`] to ask one level only. Scope attributes
//! are never consulted implicitly ([`ScopeRef::attrs`]).

mod builder;
pub(crate) mod columns;
mod kinds;
mod refs;

use std::fmt;
use std::sync::OnceLock;

pub use builder::{AttrSink, BuildError, SpanInfo, SpanOutcome, SpanWriter, TraceBuilder};
pub use kinds::{SpanKind, StatusCode};
pub use refs::{AttrList, EventRef, LinkRef, ResourceRef, ScopeRef, SpanRef};

use crate::ids::{SpanId, TraceId};
use crate::index::{KeyDir, KeyIndex, Tree};
use crate::intern::Sym;
use crate::value::{DisplayValue, Value, ValuePool, ValueRef};
use columns::{
    AttrTable, EventCols, LinkCols, ResourceRow, ScopeRow, SpanCols, SpanIdIndex, csr, flags,
};

/// "No span" in `u32` span columns (a root's parent).
pub const NONE: u32 = u32::MAX;

/// Index of a span in its [`Trace`] (insertion order).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
#[repr(transparent)]
pub struct SpanIdx(pub u32);

impl SpanIdx {
    /// As a `usize`, for indexing.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a resource in its [`Trace`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ResourceIdx(pub u32);

/// Index of an instrumentation scope in its [`Trace`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ScopeIdx(pub u32);

/// A span dropped because an earlier span had the same (trace id, span id).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DuplicateSpan {
    /// Its trace id.
    pub trace_id: TraceId,
    /// Its span id.
    pub span_id: SpanId,
    /// The span kept under that id.
    pub kept: SpanIdx,
}

/// A span whose parent id names no span of the store (it is a root of the tree).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Orphan {
    /// The span.
    pub span: SpanIdx,
    /// The parent span id it names.
    pub missing_parent: SpanId,
}

/// Heap bytes held by a [`Trace`], by part (capacities).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryUsage {
    /// Span columns (ids, names, kinds, times, offsets…).
    pub spans: usize,
    /// Span attributes (keys and values).
    pub attributes: usize,
    /// Events and links with their attributes.
    pub events_links: usize,
    /// Resources and scopes with their attributes.
    pub resources_scopes: usize,
    /// Interned strings and the value arena.
    pub strings_values: usize,
    /// Children lists, roots, pre/post order, the span-id index.
    pub indexes: usize,
}

impl MemoryUsage {
    /// The sum.
    pub fn total(&self) -> usize {
        self.spans
            + self.attributes
            + self.events_links
            + self.resources_scopes
            + self.strings_values
            + self.indexes
    }
}

/// A finished, immutable trace store. Build one with [`TraceBuilder`] or an importer
/// ([`crate::import()`]). `Send + Sync`; lazily built indexes are thread-safe.
pub struct Trace {
    pub(crate) pool: ValuePool,
    pub(crate) trace_ids: Vec<TraceId>,
    pub(crate) trace_map: hashbrown::HashMap<TraceId, u32>,
    pub(crate) spans: SpanCols,
    pub(crate) attrs: AttrTable,
    pub(crate) events: EventCols,
    pub(crate) links: LinkCols,
    pub(crate) resources: Vec<ResourceRow>,
    pub(crate) resource_attrs: AttrTable,
    pub(crate) scopes: Vec<ScopeRow>,
    pub(crate) scope_attrs: AttrTable,
    pub(crate) trace_states: Vec<(u32, Sym)>,
    pub(crate) tree: Tree,
    pub(crate) id_index: SpanIdIndex,
    pub(crate) orphans: Vec<(SpanIdx, SpanId)>,
    pub(crate) cycles: Vec<SpanIdx>,
    pub(crate) duplicates: Vec<DuplicateSpan>,
    pub(crate) key_dir: OnceLock<KeyDir>,
}

impl Trace {
    /// An empty store.
    pub fn empty() -> Trace {
        // An empty builder cannot fail.
        TraceBuilder::new()
            .finish()
            .unwrap_or_else(|_| unreachable!())
    }

    // ---- store-wide ----

    /// Number of spans.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there is no span.
    pub fn is_empty(&self) -> bool {
        self.spans.len() == 0
    }

    /// All span indexes, in insertion order.
    pub fn span_indices(&self) -> impl ExactSizeIterator<Item = SpanIdx> + use<> {
        (0..self.spans.len() as u32).map(SpanIdx)
    }

    /// All spans, in insertion order.
    pub fn spans(&self) -> impl ExactSizeIterator<Item = SpanRef<'_>> + '_ {
        self.span_indices().map(move |i| SpanRef::new(self, i))
    }

    /// A span by index. Panics when out of range (indexes come from this store).
    pub fn span(&self, i: SpanIdx) -> SpanRef<'_> {
        assert!(i.index() < self.len(), "span index {} out of range", i.0);
        SpanRef::new(self, i)
    }

    /// The distinct trace ids, in order of first appearance.
    pub fn trace_ids(&self) -> &[TraceId] {
        &self.trace_ids
    }

    /// The string of a symbol.
    #[inline]
    pub fn str(&self, s: Sym) -> &str {
        self.pool.str(s)
    }

    /// The symbol of a string, if any span, resource, scope or value uses it.
    pub fn sym(&self, s: &str) -> Option<Sym> {
        self.pool.strings().get(s)
    }

    /// The interner and value arena.
    pub fn pool(&self) -> &ValuePool {
        &self.pool
    }

    /// Resolves a value of this store.
    pub fn value(&self, v: Value) -> ValueRef<'_> {
        self.pool.get(v)
    }

    /// A displayable form of a value of this store.
    pub fn display_value(&self, v: Value) -> DisplayValue<'_> {
        self.pool.display(v)
    }

    /// The span with these ids, if present.
    pub fn find_span(&self, trace_id: TraceId, span_id: SpanId) -> Option<SpanIdx> {
        let t = *self.trace_map.get(&trace_id)?;
        self.id_index.find(&self.spans, t, span_id).map(SpanIdx)
    }

    /// Spans dropped as repeats of an earlier span's (trace id, span id).
    pub fn duplicates(&self) -> &[DuplicateSpan] {
        &self.duplicates
    }

    /// Spans whose parent is absent (they are roots).
    pub fn orphans(&self) -> impl ExactSizeIterator<Item = Orphan> + '_ {
        self.orphans.iter().map(|&(span, missing_parent)| Orphan {
            span,
            missing_parent,
        })
    }

    /// Spans whose parent link closed a cycle and was cut (they are roots).
    pub fn cycle_cuts(&self) -> &[SpanIdx] {
        &self.cycles
    }

    /// Number of resources.
    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }

    /// A resource.
    pub fn resource_ref(&self, r: ResourceIdx) -> ResourceRef<'_> {
        ResourceRef::new(self, r)
    }

    /// All resources.
    pub fn resources(&self) -> impl ExactSizeIterator<Item = ResourceRef<'_>> + '_ {
        (0..self.resources.len() as u32).map(move |r| ResourceRef::new(self, ResourceIdx(r)))
    }

    /// Number of scopes.
    pub fn scope_count(&self) -> usize {
        self.scopes.len()
    }

    /// A scope.
    pub fn scope_ref(&self, s: ScopeIdx) -> ScopeRef<'_> {
        ScopeRef::new(self, s)
    }

    /// Heap bytes held, by part.
    pub fn memory_usage(&self) -> MemoryUsage {
        MemoryUsage {
            spans: self.spans.heap_bytes()
                + self.trace_ids.capacity() * 16
                + self.trace_map.capacity() * 21
                + self.trace_states.capacity() * 8,
            attributes: self.attrs.heap_bytes(),
            events_links: self.events.heap_bytes() + self.links.heap_bytes(),
            resources_scopes: self.resources.capacity() * std::mem::size_of::<ResourceRow>()
                + self.scopes.capacity() * std::mem::size_of::<ScopeRow>()
                + self.resource_attrs.heap_bytes()
                + self.scope_attrs.heap_bytes(),
            strings_values: self.pool.heap_bytes(),
            indexes: self.tree.heap_bytes()
                + self.id_index.heap_bytes()
                + self.orphans.capacity() * 12
                + self.key_dir.get().map_or(0, KeyDir::heap_bytes),
        }
    }

    // ---- span fields, by index ----

    /// The trace id of a span.
    #[inline]
    pub fn trace_id(&self, i: SpanIdx) -> TraceId {
        self.trace_ids[self.spans.trace[i.index()] as usize]
    }

    /// The position of a span's trace id in [`Trace::trace_ids`].
    #[inline]
    pub fn trace_index(&self, i: SpanIdx) -> u32 {
        self.spans.trace[i.index()]
    }

    /// The span id.
    #[inline]
    pub fn span_id(&self, i: SpanIdx) -> SpanId {
        self.spans.span_id[i.index()]
    }

    /// The name.
    #[inline]
    pub fn name(&self, i: SpanIdx) -> Sym {
        self.spans.name[i.index()]
    }

    /// The kind.
    #[inline]
    pub fn kind(&self, i: SpanIdx) -> SpanKind {
        self.spans.kind[i.index()]
    }

    /// The status code.
    #[inline]
    pub fn status(&self, i: SpanIdx) -> StatusCode {
        self.spans.status[i.index()]
    }

    /// The status message ([`Sym::EMPTY`] for none).
    #[inline]
    pub fn status_message(&self, i: SpanIdx) -> Sym {
        self.spans.status_msg[i.index()]
    }

    /// Start, unix nanoseconds.
    #[inline]
    pub fn start(&self, i: SpanIdx) -> u64 {
        self.spans.start[i.index()]
    }

    /// End, unix nanoseconds.
    #[inline]
    pub fn end(&self, i: SpanIdx) -> u64 {
        self.spans.end[i.index()]
    }

    /// End minus start (0 when the end precedes the start).
    #[inline]
    pub fn duration_nanos(&self, i: SpanIdx) -> u64 {
        self.end(i).saturating_sub(self.start(i))
    }

    /// The W3C trace state ([`Sym::EMPTY`] for none).
    pub fn trace_state(&self, i: SpanIdx) -> Sym {
        match self.trace_states.binary_search_by_key(&i.0, |p| p.0) {
            Ok(p) => self.trace_states[p].1,
            Err(_) => Sym::EMPTY,
        }
    }

    /// The scope that emitted the span.
    #[inline]
    pub fn scope(&self, i: SpanIdx) -> ScopeIdx {
        ScopeIdx(self.spans.scope[i.index()])
    }

    /// The resource that emitted the span.
    #[inline]
    pub fn resource(&self, i: SpanIdx) -> ResourceIdx {
        ResourceIdx(
            self.scopes
                .get(self.spans.scope[i.index()] as usize)
                .map_or(0, |s| s.resource),
        )
    }

    /// The span's `service.name` (its resource's; [`Sym::EMPTY`] when unset). Precomputed
    /// per resource: two small-table reads.
    #[inline]
    pub fn service(&self, i: SpanIdx) -> Sym {
        self.resources
            .get(self.resource(i).0 as usize)
            .map_or(Sym::EMPTY, |r| r.service)
    }

    // ---- attributes ----

    /// The span's own attributes, sorted by key symbol.
    pub fn span_attrs(&self, i: SpanIdx) -> AttrList<'_> {
        let (keys, values) = self.attrs.slice(csr(&self.spans.attr_off, i.index()));
        AttrList::new(&self.pool, keys, values)
    }

    /// The span's own attribute `key`.
    #[inline]
    pub fn span_attr(&self, i: SpanIdx, key: Sym) -> Option<Value> {
        self.attrs.find(csr(&self.spans.attr_off, i.index()), key)
    }

    /// The attribute `key` of the span's resource.
    pub fn resource_attr(&self, i: SpanIdx, key: Sym) -> Option<Value> {
        let r = self.resources.get(self.resource(i).0 as usize)?;
        self.resource_attrs
            .find(r.attrs.0 as usize..r.attrs.1 as usize, key)
    }

    /// The span's attribute `key`, else its resource's (see the module docs).
    #[inline]
    pub fn attr(&self, i: SpanIdx, key: Sym) -> Option<Value> {
        self.span_attr(i, key)
            .or_else(|| self.resource_attr(i, key))
    }

    /// [`Trace::attr`] by key string, resolved.
    pub fn attr_by_name(&self, i: SpanIdx, key: &str) -> Option<ValueRef<'_>> {
        let k = self.sym(key)?;
        self.attr(i, k).map(|v| self.pool.get(v))
    }

    // ---- events and links ----

    /// Number of events of a span.
    pub fn event_count(&self, i: SpanIdx) -> usize {
        csr(&self.spans.event_off, i.index()).len()
    }

    /// The span's events, in source order.
    pub fn events(&self, i: SpanIdx) -> impl ExactSizeIterator<Item = EventRef<'_>> + '_ {
        csr(&self.spans.event_off, i.index()).map(move |e| EventRef::new(self, e))
    }

    /// Number of links of a span.
    pub fn link_count(&self, i: SpanIdx) -> usize {
        csr(&self.spans.link_off, i.index()).len()
    }

    /// The span's links, in source order.
    pub fn links(&self, i: SpanIdx) -> impl ExactSizeIterator<Item = LinkRef<'_>> + '_ {
        csr(&self.spans.link_off, i.index()).map(move |l| LinkRef::new(self, l))
    }

    // ---- tree ----

    /// The parent (None for roots, including orphans and cut cycles).
    #[inline]
    pub fn parent(&self, i: SpanIdx) -> Option<SpanIdx> {
        let p = self.spans.parent[i.index()];
        (p != NONE).then_some(SpanIdx(p))
    }

    /// True when the span names a parent that is absent from the store.
    #[inline]
    pub fn is_orphan(&self, i: SpanIdx) -> bool {
        self.spans.flags[i.index()] & flags::ORPHAN != 0
    }

    /// The parent id an orphan names.
    pub fn missing_parent_id(&self, i: SpanIdx) -> Option<SpanId> {
        if !self.is_orphan(i) {
            return None;
        }
        self.orphans
            .binary_search_by_key(&i, |o| o.0)
            .ok()
            .map(|p| self.orphans[p].1)
    }

    /// The children, by start time (then insertion order).
    #[inline]
    pub fn children(&self, i: SpanIdx) -> &[SpanIdx] {
        self.tree.children(i)
    }

    /// The roots (no parent, absent parent, or cut cycle), by start time.
    pub fn roots(&self) -> &[SpanIdx] {
        &self.tree.roots
    }

    /// True when `a` is a proper ancestor of `b` (O(1), from the DFS numbering).
    #[inline]
    pub fn is_ancestor(&self, a: SpanIdx, b: SpanIdx) -> bool {
        self.tree.is_ancestor(a, b)
    }

    /// The span's number in a depth-first pre-order walk of the forest.
    #[inline]
    pub fn pre_order(&self, i: SpanIdx) -> u32 {
        self.tree.pre[i.index()]
    }

    /// The span's number in a depth-first post-order walk of the forest.
    #[inline]
    pub fn post_order(&self, i: SpanIdx) -> u32 {
        self.tree.post[i.index()]
    }

    /// The span's depth (roots are 0). Walks up the parents.
    pub fn depth(&self, i: SpanIdx) -> usize {
        let mut d = 0;
        let mut cur = i;
        while let Some(p) = self.parent(cur) {
            d += 1;
            cur = p;
        }
        d
    }

    /// The whole forest depth-first (roots and children by start time), with depths.
    pub fn walk(&self) -> impl Iterator<Item = (SpanIdx, usize)> + '_ {
        self.tree.walk(self.tree.roots.iter().copied())
    }

    /// The subtree of `root` depth-first, `root` first at depth 0.
    pub fn walk_from(&self, root: SpanIdx) -> impl Iterator<Item = (SpanIdx, usize)> + '_ {
        self.tree.walk(std::iter::once(root))
    }

    // ---- lazy attribute indexes ----

    /// The index of span attribute `key` (span attributes only, not resource ones), built on
    /// first use and kept. `None` when no span has the key.
    pub fn key_index(&self, key: Sym) -> Option<&KeyIndex> {
        self.key_dir.get_or_init(|| KeyDir::new(&self.attrs)).get(
            key,
            &self.spans.attr_off,
            &self.attrs,
        )
    }

    /// Spans with attribute `key`, by the lookup rule (own, else resource), ascending.
    pub fn spans_with_attr(&self, key: Sym) -> Vec<SpanIdx> {
        let own = self.key_index(key).map_or(&[][..], |k| k.spans());
        let res_has: Vec<bool> = self
            .resources
            .iter()
            .map(|r| {
                self.resource_attrs
                    .find(r.attrs.0 as usize..r.attrs.1 as usize, key)
                    .is_some()
            })
            .collect();
        if !res_has.iter().any(|&b| b) {
            return own.to_vec();
        }
        self.span_indices()
            .filter(|&i| {
                res_has
                    .get(self.resource(i).0 as usize)
                    .copied()
                    .unwrap_or(false)
                    || own.binary_search(&i).is_ok()
            })
            .collect()
    }

    /// Spans whose attribute `key` equals `value`, by the lookup rule (own, else resource),
    /// ascending. Uses the key index; equality as [`ValuePool::value_eq`].
    pub fn spans_where_eq(&self, key: Sym, value: Value) -> Vec<SpanIdx> {
        let mut out: Vec<SpanIdx> = match self.key_index(key) {
            Some(k) => k.spans_eq(&self.pool, value).collect(),
            None => Vec::new(),
        };
        let res_match: Vec<bool> = self
            .resources
            .iter()
            .map(|r| {
                self.resource_attrs
                    .find(r.attrs.0 as usize..r.attrs.1 as usize, key)
                    .is_some_and(|v| self.pool.value_eq(v, value))
            })
            .collect();
        if res_match.iter().any(|&b| b) {
            let own = self.key_index(key);
            out.extend(self.span_indices().filter(|&i| {
                res_match
                    .get(self.resource(i).0 as usize)
                    .copied()
                    .unwrap_or(false)
                    && own.is_none_or(|k| k.get(i).is_none())
            }));
            out.sort_unstable();
        }
        out
    }
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace")
            .field("spans", &self.len())
            .field("traces", &self.trace_ids)
            .field("roots", &self.tree.roots.len())
            .field("resources", &self.resources.len())
            .field("scopes", &self.scopes.len())
            .field("orphans", &self.orphans.len())
            .field("duplicates", &self.duplicates.len())
            .field("strings", &self.pool.strings().len())
            .finish()
    }
}

impl fmt::Display for Trace {
    /// The indented tree of [`Trace::dump`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::dump::write_dump(f, self)
    }
}
