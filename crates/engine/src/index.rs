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
    syms: RefCell<HashMap<String, Option<Sym>>>,
    columns: RefCell<HashMap<Sym, Rc<KeyColumn>>>,
    resource_keys: RefCell<HashMap<Sym, bool>>,
}

impl<'t> TraceIndex<'t> {
    /// Indexes of `trace` (nothing is built yet).
    pub fn new(trace: &'t Trace) -> Self {
        TraceIndex {
            trace,
            syms: RefCell::default(),
            columns: RefCell::default(),
            resource_keys: RefCell::default(),
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

    /// Builds the columns of `keys` that are not built yet, in one pass over every span's
    /// attributes.
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
        if missing.is_empty() {
            return;
        }
        for chunk in missing.chunks(254) {
            let max = chunk.iter().map(|k| k.0).max().unwrap_or(0) as usize;
            let mut slot = vec![u8::MAX; max + 1];
            for (i, k) in chunk.iter().enumerate() {
                slot[k.0 as usize] = i as u8;
            }
            let mut cols: Vec<KeyColumn> = chunk.iter().map(|_| KeyColumn::default()).collect();
            for i in 0..self.trace.len() as u32 {
                for (k, v) in self.trace.span_attrs(SpanIdx(i)).iter() {
                    if let Some(&s) = slot.get(k.0 as usize)
                        && s != u8::MAX
                    {
                        let col = &mut cols[s as usize];
                        col.spans.push(i);
                        col.values.push(v);
                    }
                }
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
