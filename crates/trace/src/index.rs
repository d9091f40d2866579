//! Indexes over a finished store: the parent/child tree (CSR children, roots, DFS pre/post
//! numbers for O(1) ancestor tests) and the lazily built per-key attribute indexes.
//!
//! Everything here is iterative: a trace may be a million spans deep.

use std::sync::OnceLock;

use hashbrown::HashMap;

use crate::intern::Sym;
use crate::model::columns::{AttrTable, SpanCols, csr, flags};
use crate::model::{NONE, SpanIdx};
use crate::value::{Value, ValuePool};

/// Cuts parent cycles (a span that is its own ancestor): on each cycle, the link from the
/// span reached last on the walk up to its parent is removed, and that span becomes a root
/// flagged `CYCLE_CUT`. Returns the cut spans, ascending.
pub(crate) fn cut_cycles(spans: &mut SpanCols) -> Vec<SpanIdx> {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let n = spans.len();
    let mut state = vec![NEW; n];
    let mut path: Vec<u32> = Vec::new();
    let mut cuts = Vec::new();
    for i in 0..n {
        if state[i] != NEW {
            continue;
        }
        let mut cur = i as u32;
        loop {
            if cur == NONE || state[cur as usize] == DONE {
                break;
            }
            if state[cur as usize] == ON_PATH {
                // `cur` is on the current path: the last span pushed points back into it.
                if let Some(&last) = path.last() {
                    spans.parent[last as usize] = NONE;
                    spans.flags[last as usize] |= flags::CYCLE_CUT;
                    cuts.push(SpanIdx(last));
                }
                break;
            }
            state[cur as usize] = ON_PATH;
            path.push(cur);
            cur = spans.parent[cur as usize];
        }
        for p in path.drain(..) {
            state[p as usize] = DONE;
        }
    }
    cuts.sort_unstable();
    cuts
}

/// The parent/child structure of a store.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tree {
    pub roots: Vec<SpanIdx>,
    child_off: Vec<u32>,
    children: Vec<SpanIdx>,
    pub pre: Vec<u32>,
    pub post: Vec<u32>,
}

impl Tree {
    /// Builds the children lists (by start time, then index), the roots (same order) and the
    /// pre/post numbering of an iterative DFS. `spans.parent` must be acyclic.
    pub fn build(spans: &SpanCols) -> Tree {
        let n = spans.len();
        let by_start = |a: &SpanIdx, b: &SpanIdx| {
            (spans.start[a.index()], a.0).cmp(&(spans.start[b.index()], b.0))
        };
        let mut child_off = vec![0u32; n + 1];
        let mut roots = Vec::new();
        for (i, &p) in spans.parent.iter().enumerate() {
            if p == NONE {
                roots.push(SpanIdx(i as u32));
            } else {
                child_off[p as usize + 1] += 1;
            }
        }
        for i in 0..n {
            child_off[i + 1] += child_off[i];
        }
        let mut fill = child_off.clone();
        let mut children = vec![SpanIdx(0); child_off[n] as usize];
        for (i, &p) in spans.parent.iter().enumerate() {
            if p != NONE {
                let slot = &mut fill[p as usize];
                children[*slot as usize] = SpanIdx(i as u32);
                *slot += 1;
            }
        }
        drop(fill);
        for i in 0..n {
            let r = csr(&child_off, i);
            if r.len() > 1 {
                children[r].sort_unstable_by(by_start);
            }
        }
        roots.sort_unstable_by(by_start);
        let mut tree = Tree {
            roots,
            child_off,
            children,
            pre: vec![0; n],
            post: vec![0; n],
        };
        tree.number();
        tree
    }

    fn number(&mut self) {
        let mut pre = 0u32;
        let mut post = 0u32;
        // (span, position of the next child to visit)
        let mut stack: Vec<(SpanIdx, u32)> = Vec::new();
        for ri in 0..self.roots.len() {
            let root = self.roots[ri];
            self.pre[root.index()] = pre;
            pre += 1;
            stack.push((root, self.child_off[root.index()]));
            while let Some(top) = stack.last_mut() {
                let (node, next) = *top;
                if next < self.child_off[node.index() + 1] {
                    top.1 += 1;
                    let c = self.children[next as usize];
                    self.pre[c.index()] = pre;
                    pre += 1;
                    stack.push((c, self.child_off[c.index()]));
                } else {
                    self.post[node.index()] = post;
                    post += 1;
                    stack.pop();
                }
            }
        }
    }

    #[inline]
    pub fn children(&self, i: SpanIdx) -> &[SpanIdx] {
        self.children
            .get(csr(&self.child_off, i.index()))
            .unwrap_or(&[])
    }

    #[inline]
    pub fn is_ancestor(&self, a: SpanIdx, b: SpanIdx) -> bool {
        let (a, b) = (a.index(), b.index());
        self.pre[a] < self.pre[b] && self.post[b] < self.post[a]
    }

    /// Depth-first walk from `starts`, yielding (span, depth relative to its start).
    pub fn walk<'a>(
        &'a self,
        starts: impl Iterator<Item = SpanIdx> + 'a,
    ) -> impl Iterator<Item = (SpanIdx, usize)> + 'a {
        let mut starts = starts;
        let mut stack: Vec<(SpanIdx, usize)> = Vec::new();
        std::iter::from_fn(move || {
            let (node, depth) = match stack.pop() {
                Some(x) => x,
                None => (starts.next()?, 0),
            };
            for &c in self.children(node).iter().rev() {
                stack.push((c, depth + 1));
            }
            Some((node, depth))
        })
    }

    pub fn heap_bytes(&self) -> usize {
        (self.roots.capacity()
            + self.child_off.capacity()
            + self.children.capacity()
            + self.pre.capacity()
            + self.post.capacity())
            * 4
    }
}

/// The postings of one span-attribute key: which spans have it, with which value.
#[derive(Clone, Debug)]
pub struct KeyIndex {
    spans: Box<[SpanIdx]>,
    values: Box<[Value]>,
    /// Positions into `spans`/`values`, sorted by (value, span) with [`Value::index_cmp`].
    by_value: Box<[u32]>,
}

impl KeyIndex {
    fn build(key: Sym, attr_off: &[u32], attrs: &AttrTable) -> Option<KeyIndex> {
        let mut spans = Vec::new();
        let mut values = Vec::new();
        for s in 0..attr_off.len().saturating_sub(1) {
            let r = csr(attr_off, s);
            if let Some(v) = attrs.find(r, key) {
                spans.push(SpanIdx(s as u32));
                values.push(v);
            }
        }
        if spans.is_empty() {
            return None;
        }
        let mut by_value: Vec<u32> = (0..spans.len() as u32).collect();
        by_value.sort_by(|&a, &b| {
            values[a as usize]
                .index_cmp(&values[b as usize])
                .then(a.cmp(&b))
        });
        Some(KeyIndex {
            spans: spans.into_boxed_slice(),
            values: values.into_boxed_slice(),
            by_value: by_value.into_boxed_slice(),
        })
    }

    /// Number of spans with the key.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Never true (an index exists only for keys some span has).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The spans with the key, ascending.
    pub fn spans(&self) -> &[SpanIdx] {
        &self.spans
    }

    /// (span, value) pairs, by span ascending.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (SpanIdx, Value)> + '_ {
        self.spans.iter().copied().zip(self.values.iter().copied())
    }

    /// The value a span has for the key.
    pub fn get(&self, span: SpanIdx) -> Option<Value> {
        let i = self.spans.binary_search(&span).ok()?;
        Some(self.values[i])
    }

    /// Spans whose value equals `value` (binary search for scalars; a scan comparing content
    /// for bytes/arrays/kvlists), ascending.
    pub fn spans_eq<'a>(
        &'a self,
        pool: &'a ValuePool,
        value: Value,
    ) -> impl Iterator<Item = SpanIdx> + 'a {
        let mut hits: Vec<SpanIdx> = if value.is_scalar() {
            let lo = self
                .by_value
                .partition_point(|&p| self.values[p as usize].index_cmp(&value).is_lt());
            let hi = self
                .by_value
                .partition_point(|&p| self.values[p as usize].index_cmp(&value).is_le());
            self.by_value[lo..hi]
                .iter()
                .map(|&p| self.spans[p as usize])
                .collect()
        } else {
            self.iter()
                .filter(|(_, v)| pool.value_eq(*v, value))
                .map(|(s, _)| s)
                .collect()
        };
        hits.sort_unstable();
        hits.into_iter()
    }

    fn heap_bytes(&self) -> usize {
        self.spans.len() * 4 + self.values.len() * 16 + self.by_value.len() * 4
    }
}

/// The directory of lazily built key indexes: one slot per distinct span-attribute key.
pub(crate) struct KeyDir {
    slots: HashMap<Sym, usize>,
    indexes: Box<[OnceLock<Option<KeyIndex>>]>,
}

impl KeyDir {
    pub fn new(attrs: &AttrTable) -> KeyDir {
        let mut slots = HashMap::default();
        for &k in &attrs.keys {
            let next = slots.len();
            slots.entry(k).or_insert(next);
        }
        let indexes = (0..slots.len()).map(|_| OnceLock::new()).collect();
        KeyDir { slots, indexes }
    }

    pub fn get(&self, key: Sym, attr_off: &[u32], attrs: &AttrTable) -> Option<&KeyIndex> {
        let slot = *self.slots.get(&key)?;
        self.indexes[slot]
            .get_or_init(|| KeyIndex::build(key, attr_off, attrs))
            .as_ref()
    }

    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * 17
            + self.indexes.len() * std::mem::size_of::<OnceLock<Option<KeyIndex>>>()
            + self
                .indexes
                .iter()
                .filter_map(|o| o.get().and_then(|k| k.as_ref()))
                .map(KeyIndex::heap_bytes)
                .sum::<usize>()
    }
}
