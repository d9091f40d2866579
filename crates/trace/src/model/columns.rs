//! The column tables shared by the builder and the finished store.
//!
//! Every variable-length list (attributes, events, links, children) is a range of one flat
//! table, described by an offsets column with one more entry than it has owners (CSR layout),
//! so a span costs no allocation of its own.

use std::ops::Range;

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

use crate::ids::{SpanId, TraceId};
use crate::intern::Sym;
use crate::model::kinds::{SpanKind, StatusCode};
use crate::value::Value;

/// Key/value pairs, two parallel columns (20 bytes a pair).
#[derive(Clone, Default, Debug)]
pub(crate) struct AttrTable {
    pub keys: Vec<Sym>,
    pub values: Vec<Value>,
}

impl AttrTable {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    #[inline]
    pub fn push(&mut self, k: Sym, v: Value) {
        self.keys.push(k);
        self.values.push(v);
    }

    pub fn truncate(&mut self, n: usize) {
        self.keys.truncate(n);
        self.values.truncate(n);
    }

    pub fn reserve(&mut self, n: usize) {
        self.keys.reserve_exact(n);
        self.values.reserve_exact(n);
    }

    /// Sorts `start..` by key and drops repeated keys (the first one stays). Returns the new
    /// length of the table.
    pub fn sort_dedup_tail(&mut self, start: usize, scratch: &mut Vec<(Sym, Value)>) -> usize {
        let keys = &mut self.keys[start..];
        if keys.windows(2).all(|w| w[0] < w[1]) {
            return self.keys.len();
        }
        scratch.clear();
        scratch.extend(
            self.keys[start..]
                .iter()
                .copied()
                .zip(self.values[start..].iter().copied()),
        );
        // Stable: of equal keys the first written stays first.
        scratch.sort_by_key(|p| p.0);
        scratch.dedup_by_key(|p| p.0);
        self.truncate(start);
        for &(k, v) in scratch.iter() {
            self.push(k, v);
        }
        self.keys.len()
    }

    /// The value of `key` within `range` (sorted by key).
    #[inline]
    pub fn find(&self, range: Range<usize>, key: Sym) -> Option<Value> {
        let keys = self.keys.get(range.clone())?;
        let i = keys.binary_search(&key).ok()?;
        self.values.get(range.start + i).copied()
    }

    pub fn slice(&self, range: Range<usize>) -> (&[Sym], &[Value]) {
        (
            self.keys.get(range.clone()).unwrap_or(&[]),
            self.values.get(range).unwrap_or(&[]),
        )
    }

    pub fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 4 + self.values.capacity() * 16
    }

    pub fn shrink_to_fit(&mut self) {
        self.keys.shrink_to_fit();
        self.values.shrink_to_fit();
    }
}

/// The range `off[i]..off[i + 1]` of a CSR offsets column (empty when out of range).
#[inline]
pub(crate) fn csr(off: &[u32], i: usize) -> Range<usize> {
    match (off.get(i), off.get(i + 1)) {
        (Some(&a), Some(&b)) => a as usize..b as usize,
        _ => 0..0,
    }
}

/// Span flags (one byte a span).
pub(crate) mod flags {
    /// The span names a parent that is not in the store.
    pub const ORPHAN: u8 = 1;
    /// The span's parent link closed a cycle and was cut.
    pub const CYCLE_CUT: u8 = 2;
}

/// The span table, one column a field.
#[derive(Clone, Debug)]
pub(crate) struct SpanCols {
    pub trace: Vec<u32>,
    pub span_id: Vec<SpanId>,
    pub parent: Vec<u32>,
    pub name: Vec<Sym>,
    pub kind: Vec<SpanKind>,
    pub status: Vec<StatusCode>,
    pub flags: Vec<u8>,
    pub status_msg: Vec<Sym>,
    pub start: Vec<u64>,
    pub end: Vec<u64>,
    pub scope: Vec<u32>,
    pub attr_off: Vec<u32>,
    pub event_off: Vec<u32>,
    pub link_off: Vec<u32>,
}

impl Default for SpanCols {
    fn default() -> Self {
        SpanCols {
            trace: Vec::new(),
            span_id: Vec::new(),
            parent: Vec::new(),
            name: Vec::new(),
            kind: Vec::new(),
            status: Vec::new(),
            flags: Vec::new(),
            status_msg: Vec::new(),
            start: Vec::new(),
            end: Vec::new(),
            scope: Vec::new(),
            attr_off: vec![0],
            event_off: vec![0],
            link_off: vec![0],
        }
    }
}

impl SpanCols {
    pub fn len(&self) -> usize {
        self.span_id.len()
    }

    pub fn reserve(&mut self, n: usize) {
        self.trace.reserve_exact(n);
        self.span_id.reserve_exact(n);
        self.parent.reserve_exact(n);
        self.name.reserve_exact(n);
        self.kind.reserve_exact(n);
        self.status.reserve_exact(n);
        self.flags.reserve_exact(n);
        self.status_msg.reserve_exact(n);
        self.start.reserve_exact(n);
        self.end.reserve_exact(n);
        self.scope.reserve_exact(n);
        self.attr_off.reserve_exact(n);
        self.event_off.reserve_exact(n);
        self.link_off.reserve_exact(n);
    }

    pub fn heap_bytes(&self) -> usize {
        self.trace.capacity() * 4
            + self.span_id.capacity() * 8
            + self.parent.capacity() * 4
            + self.name.capacity() * 4
            + self.kind.capacity()
            + self.status.capacity()
            + self.flags.capacity()
            + self.status_msg.capacity() * 4
            + self.start.capacity() * 8
            + self.end.capacity() * 8
            + self.scope.capacity() * 4
            + (self.attr_off.capacity() + self.event_off.capacity() + self.link_off.capacity()) * 4
    }

    pub fn shrink_to_fit(&mut self) {
        self.trace.shrink_to_fit();
        self.span_id.shrink_to_fit();
        self.parent.shrink_to_fit();
        self.name.shrink_to_fit();
        self.kind.shrink_to_fit();
        self.status.shrink_to_fit();
        self.flags.shrink_to_fit();
        self.status_msg.shrink_to_fit();
        self.start.shrink_to_fit();
        self.end.shrink_to_fit();
        self.scope.shrink_to_fit();
        self.attr_off.shrink_to_fit();
        self.event_off.shrink_to_fit();
        self.link_off.shrink_to_fit();
    }
}

/// Span events.
#[derive(Clone, Debug)]
pub(crate) struct EventCols {
    pub time: Vec<u64>,
    pub name: Vec<Sym>,
    pub attr_off: Vec<u32>,
    pub attrs: AttrTable,
}

impl Default for EventCols {
    fn default() -> Self {
        EventCols {
            time: Vec::new(),
            name: Vec::new(),
            attr_off: vec![0],
            attrs: AttrTable::default(),
        }
    }
}

impl EventCols {
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn truncate(&mut self, events: usize) {
        let attrs = self.attr_off.get(events).copied().unwrap_or(0) as usize;
        self.time.truncate(events);
        self.name.truncate(events);
        self.attr_off.truncate(events + 1);
        self.attrs.truncate(attrs);
    }

    pub fn heap_bytes(&self) -> usize {
        self.time.capacity() * 8
            + self.name.capacity() * 4
            + self.attr_off.capacity() * 4
            + self.attrs.heap_bytes()
    }

    pub fn shrink_to_fit(&mut self) {
        self.time.shrink_to_fit();
        self.name.shrink_to_fit();
        self.attr_off.shrink_to_fit();
        self.attrs.shrink_to_fit();
    }
}

/// Span links.
#[derive(Clone, Debug)]
pub(crate) struct LinkCols {
    pub trace_id: Vec<TraceId>,
    pub span_id: Vec<SpanId>,
    pub trace_state: Vec<Sym>,
    pub attr_off: Vec<u32>,
    pub attrs: AttrTable,
}

impl Default for LinkCols {
    fn default() -> Self {
        LinkCols {
            trace_id: Vec::new(),
            span_id: Vec::new(),
            trace_state: Vec::new(),
            attr_off: vec![0],
            attrs: AttrTable::default(),
        }
    }
}

impl LinkCols {
    pub fn len(&self) -> usize {
        self.span_id.len()
    }

    pub fn truncate(&mut self, links: usize) {
        let attrs = self.attr_off.get(links).copied().unwrap_or(0) as usize;
        self.trace_id.truncate(links);
        self.span_id.truncate(links);
        self.trace_state.truncate(links);
        self.attr_off.truncate(links + 1);
        self.attrs.truncate(attrs);
    }

    pub fn heap_bytes(&self) -> usize {
        self.trace_id.capacity() * 16
            + self.span_id.capacity() * 8
            + self.trace_state.capacity() * 4
            + self.attr_off.capacity() * 4
            + self.attrs.heap_bytes()
    }

    pub fn shrink_to_fit(&mut self) {
        self.trace_id.shrink_to_fit();
        self.span_id.shrink_to_fit();
        self.trace_state.shrink_to_fit();
        self.attr_off.shrink_to_fit();
        self.attrs.shrink_to_fit();
    }
}

/// A resource: stored once, shared by its spans.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResourceRow {
    pub attrs: (u32, u32),
    pub service: Sym,
    pub schema_url: Sym,
    pub hash: u64,
}

/// An instrumentation scope within a resource.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScopeRow {
    pub resource: u32,
    pub name: Sym,
    pub version: Sym,
    pub schema_url: Sym,
    pub attrs: (u32, u32),
    pub hash: u64,
}

/// Span lookup by (trace, span id): a swiss table of bare span indexes; the key is read back
/// from the span columns, so an entry costs about 5 bytes.
#[derive(Clone, Default)]
pub(crate) struct SpanIdIndex {
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl SpanIdIndex {
    #[inline]
    fn hash(&self, trace: u32, id: SpanId) -> u64 {
        self.hasher.hash_one((trace, u64::from_ne_bytes(id.0)))
    }

    pub fn find(&self, cols: &SpanCols, trace: u32, id: SpanId) -> Option<u32> {
        let h = self.hash(trace, id);
        self.table
            .find(h, |&i| {
                cols.span_id[i as usize] == id && cols.trace[i as usize] == trace
            })
            .copied()
    }

    /// Inserts span `idx` (its columns must be filled) unless its id is taken; returns the
    /// index of the span that holds the id then.
    pub fn insert(&mut self, cols: &SpanCols, idx: u32) -> Result<(), u32> {
        let (trace, id) = (cols.trace[idx as usize], cols.span_id[idx as usize]);
        let h = self.hash(trace, id);
        let hasher = &self.hasher;
        match self.table.entry(
            h,
            |&i| cols.span_id[i as usize] == id && cols.trace[i as usize] == trace,
            |&i| {
                hasher.hash_one((
                    cols.trace[i as usize],
                    u64::from_ne_bytes(cols.span_id[i as usize].0),
                ))
            },
        ) {
            hashbrown::hash_table::Entry::Occupied(e) => Err(*e.get()),
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(idx);
                Ok(())
            }
        }
    }

    pub fn reserve(&mut self, cols: &SpanCols, n: usize) {
        let hasher = &self.hasher;
        self.table.reserve(n, |&i| {
            hasher.hash_one((
                cols.trace[i as usize],
                u64::from_ne_bytes(cols.span_id[i as usize].0),
            ))
        });
    }

    pub fn heap_bytes(&self) -> usize {
        self.table.capacity() * 5
    }
}
