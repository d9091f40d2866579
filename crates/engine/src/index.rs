//! Per-trace indexes the engine builds on first need and keeps across tests: symbols of the
//! plan's strings, per-key attribute columns (every span that has a key, with its interned
//! value, built for all the plan's keys in one pass over the attributes), and which keys some
//! resource has.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use tbt_trace::{SpanIdx, Sym, Trace, Value};

/// The spans that have one span attribute, ascending, with their values.
#[derive(Debug, Default)]
pub struct KeyColumn {
    /// The spans, ascending.
    pub spans: Vec<u32>,
    /// Their values.
    pub values: Vec<Value>,
}

/// Indexes over one trace.
pub struct TraceIndex<'t> {
    /// The trace.
    pub trace: &'t Trace,
    syms: RefCell<HashMap<String, Option<Sym>, std::hash::BuildHasherDefault<FxHasher>>>,
    columns: RefCell<HashMap<Sym, Rc<KeyColumn>>>,
    resource_keys: RefCell<HashMap<Sym, bool>>,
    span_keys: std::cell::OnceCell<Vec<u64>>,
}

impl<'t> TraceIndex<'t> {
    /// Indexes of `trace` (nothing is built yet).
    pub fn new(trace: &'t Trace) -> Self {
        TraceIndex {
            trace,
            syms: RefCell::default(),
            columns: RefCell::default(),
            resource_keys: RefCell::default(),
            span_keys: std::cell::OnceCell::new(),
        }
    }

    /// The symbol of a string, if the trace has it anywhere (memoised).
    pub fn sym(&self, s: &str) -> Option<Sym> {
        if let Some(found) = self.syms.borrow().get(s) {
            return *found;
        }
        let found = self.trace.sym(s);
        self.syms.borrow_mut().insert(s.to_string(), found);
        found
    }

    /// Whether some resource has attribute `key`.
    pub fn resource_has(&self, key: Sym) -> bool {
        if let Some(&has) = self.resource_keys.borrow().get(&key) {
            return has;
        }
        let has = self.trace.resources().any(|r| r.attrs().get(key).is_some());
        self.resource_keys.borrow_mut().insert(key, has);
        has
    }

    /// Whether some span has attribute `key` as its own (known after the first [`Self::prepare`]).
    pub fn span_has(&self, key: Sym) -> bool {
        if self.span_keys.get().is_none() {
            self.prepare(&[]);
        }
        self.span_keys
            .get()
            .and_then(|bits| bits.get(key.0 as usize / 64))
            .is_some_and(|w| w & (1 << (key.0 % 64)) != 0)
    }

    /// Builds the columns of `keys` that are not built yet, in one pass over every span's
    /// attributes; the first call also notes which keys spans have at all.
    pub fn prepare(&self, keys: &[Sym]) {
        let missing: Vec<Sym> = {
            let built = self.columns.borrow();
            let mut v: Vec<Sym> = keys
                .iter()
                .copied()
                .filter(|k| !built.contains_key(k))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let need_keys = self.span_keys.get().is_none();
        if missing.is_empty() && !need_keys {
            return;
        }
        let chunks: Vec<&[Sym]> = if missing.is_empty() {
            vec![&[]]
        } else {
            missing.chunks(254).collect()
        };
        for (n, chunk) in chunks.into_iter().enumerate() {
            let mark = need_keys && n == 0;
            let max = chunk.iter().map(|k| k.0).max().unwrap_or(0) as usize;
            let mut slot = vec![u8::MAX; max + 1];
            for (i, k) in chunk.iter().enumerate() {
                slot[k.0 as usize] = i as u8;
            }
            let mut bits = if mark {
                vec![0u64; self.trace.pool().strings().len() / 64 + 1]
            } else {
                Vec::new()
            };
            let mut cols: Vec<KeyColumn> = chunk.iter().map(|_| KeyColumn::default()).collect();
            for i in 0..self.trace.len() as u32 {
                for (k, v) in self.trace.span_attrs(SpanIdx(i)).iter() {
                    if mark && let Some(w) = bits.get_mut(k.0 as usize / 64) {
                        *w |= 1 << (k.0 % 64);
                    }
                    if let Some(&s) = slot.get(k.0 as usize)
                        && s != u8::MAX
                    {
                        let col = &mut cols[s as usize];
                        col.spans.push(i);
                        col.values.push(v);
                    }
                }
            }
            if mark {
                let _ = self.span_keys.set(bits);
            }
            let mut built = self.columns.borrow_mut();
            for (k, col) in chunk.iter().zip(cols) {
                built.insert(*k, Rc::new(col));
            }
        }
    }

    /// The column of span attribute `key`.
    pub fn column(&self, key: Sym) -> Rc<KeyColumn> {
        if let Some(col) = self.columns.borrow().get(&key) {
            return col.clone();
        }
        self.prepare(&[key]);
        self.columns.borrow().get(&key).cloned().unwrap_or_default()
    }
}

/// A small, fast hasher for short keys (the FxHash of rustc).
#[derive(Default)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
