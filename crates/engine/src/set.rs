//! Sets of spans: sorted span indexes, with a membership bitset and a pre-order copy built on
//! first need.

use std::cell::OnceCell;
use tbt_trace::{SpanIdx, Trace};

/// A set of spans of one trace, as ascending span indexes.
#[derive(Debug, Default)]
pub struct SpanSet {
    ids: Vec<u32>,
    bits: OnceCell<Vec<u64>>,
    by_pre: OnceCell<Vec<u32>>,
}

impl SpanSet {
    /// A set from indexes in any order (duplicates removed).
    pub fn new(mut ids: Vec<u32>) -> SpanSet {
        if !ids.is_sorted() {
            ids.sort_unstable();
        }
        ids.dedup();
        SpanSet::sorted(ids)
    }

    /// A set from ascending, distinct indexes.
    pub fn sorted(ids: Vec<u32>) -> SpanSet {
        SpanSet {
            ids,
            bits: OnceCell::new(),
            by_pre: OnceCell::new(),
        }
    }

    /// The indexes, ascending.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// Number of spans.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether span `i` is in the set (binary search when small, a bitset when large).
    pub fn contains(&self, i: u32) -> bool {
        if self.ids.len() < 32 {
            return self.ids.binary_search(&i).is_ok();
        }
        let bits = self.bits.get_or_init(|| {
            let max = self.ids.last().copied().unwrap_or(0) as usize;
            let mut bits = vec![0u64; max / 64 + 1];
            for &x in &self.ids {
                bits[x as usize / 64] |= 1 << (x % 64);
            }
            bits
        });
        bits.get(i as usize / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// The spans sorted by their pre-order number (for subtree ranges).
    pub fn by_pre(&self, trace: &Trace) -> &[u32] {
        self.by_pre.get_or_init(|| {
            let mut v = self.ids.clone();
            v.sort_unstable_by_key(|&i| trace.pre_order(SpanIdx(i)));
            v
        })
    }

    /// The spans of this set that descend from `anchor`: a contiguous run in pre-order.
    pub fn descendants_of<'s>(
        &'s self,
        trace: &'s Trace,
        anchor: u32,
    ) -> impl Iterator<Item = u32> + 's {
        let a = SpanIdx(anchor);
        let pre = trace.pre_order(a);
        let post = trace.post_order(a);
        let by_pre = self.by_pre(trace);
        let start = by_pre.partition_point(|&x| trace.pre_order(SpanIdx(x)) <= pre);
        by_pre[start..]
            .iter()
            .copied()
            .take_while(move |&x| trace.post_order(SpanIdx(x)) < post)
    }
}

/// The start-time order of spans: start, then end, then span id.
pub fn start_key(trace: &Trace, i: u32) -> (u64, u64, [u8; 8]) {
    let s = SpanIdx(i);
    (trace.start(s), trace.end(s), trace.span_id(s).0)
}

/// Spans sorted by start time.
pub fn by_start(trace: &Trace, ids: &[u32]) -> Vec<u32> {
    let mut v = ids.to_vec();
    v.sort_by_cached_key(|&i| start_key(trace, i));
    v
}
