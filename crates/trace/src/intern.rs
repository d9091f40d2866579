//! String interning: every name, key and string value of a trace store is kept once.
//!
//! The interner keeps all bytes in one `String` and an end offset per symbol; its hash table
//! stores bare `u32` ids (the string is found again through the offsets), so a unique string
//! costs its bytes plus about 9 bytes of bookkeeping.

use std::fmt;
use std::hash::BuildHasher;

use hashbrown::DefaultHashBuilder;
use hashbrown::HashTable;

/// An interned string of one trace store. Compare symbols of the same store by id; resolve
/// them with [`crate::Trace::str`] (or [`Interner::resolve`]).
///
/// `Sym::EMPTY` (id 0) is always the empty string, so "absent" names and messages are free.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Sym(pub u32);

impl Sym {
    /// The empty string, pre-interned in every store.
    pub const EMPTY: Sym = Sym(0);

    /// The raw id.
    #[inline]
    pub fn id(self) -> u32 {
        self.0
    }

    /// True for [`Sym::EMPTY`].
    #[inline]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sym({})", self.0)
    }
}

/// The string table of one trace store.
#[derive(Clone)]
pub struct Interner {
    buf: String,
    /// `ends[i]` is the end offset of symbol `i` in `buf`; its start is `ends[i - 1]` (or 0).
    ends: Vec<u32>,
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
    overflow: bool,
}

impl Default for Interner {
    fn default() -> Self {
        Self::new()
    }
}

impl Interner {
    /// An interner holding only the empty string ([`Sym::EMPTY`]).
    pub fn new() -> Self {
        let mut me = Interner {
            buf: String::new(),
            ends: Vec::new(),
            table: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            overflow: false,
        };
        me.intern("");
        me
    }

    /// Interns `s`, returning its symbol (the same one for equal strings).
    ///
    /// The table holds at most 4 GiB of text; past that it returns [`Sym::EMPTY`] and
    /// [`Interner::overflowed`] turns true (the builder reports it as an error).
    pub fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() && !self.ends.is_empty() {
            return Sym::EMPTY;
        }
        let hash = self.hasher.hash_one(s);
        let (buf, ends) = (&self.buf, &self.ends);
        if let Some(&id) = self.table.find(hash, |&id| resolve_in(buf, ends, id) == s) {
            return Sym(id);
        }
        let Some(end) = self
            .buf
            .len()
            .checked_add(s.len())
            .and_then(|e| u32::try_from(e).ok())
        else {
            self.overflow = true;
            return Sym::EMPTY;
        };
        let Ok(id) = u32::try_from(self.ends.len()) else {
            self.overflow = true;
            return Sym::EMPTY;
        };
        self.buf.push_str(s);
        self.ends.push(end);
        let (buf, ends, hasher) = (&self.buf, &self.ends, &self.hasher);
        self.table
            .insert_unique(hash, id, |&id| hasher.hash_one(resolve_in(buf, ends, id)));
        Sym(id)
    }

    /// The symbol of `s` if it was interned (no insertion): a query literal that is not in
    /// the table matches no span.
    pub fn get(&self, s: &str) -> Option<Sym> {
        if s.is_empty() {
            return Some(Sym::EMPTY);
        }
        let hash = self.hasher.hash_one(s);
        self.table
            .find(hash, |&id| resolve_in(&self.buf, &self.ends, id) == s)
            .map(|&id| Sym(id))
    }

    /// The string of `sym`. A symbol from another store may resolve to an unrelated string, or
    /// to `""` when out of range.
    #[inline]
    pub fn resolve(&self, sym: Sym) -> &str {
        resolve_in(&self.buf, &self.ends, sym.0)
    }

    /// Number of distinct strings (including the empty one).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Never true: the empty string is always interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Total bytes of interned text.
    pub fn text_bytes(&self) -> usize {
        self.buf.len()
    }

    /// True once an insertion was refused because the table is full (4 GiB of text).
    pub fn overflowed(&self) -> bool {
        self.overflow
    }

    /// Heap bytes held (capacities, not lengths).
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity()
            + self.ends.capacity() * 4
            // A swiss table keeps one control byte per bucket besides the slot.
            + self.table.capacity() * 5
    }

    /// Releases spare capacity (called when a store is finished).
    pub fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
        self.ends.shrink_to_fit();
        let (buf, ends, hasher) = (&self.buf, &self.ends, &self.hasher);
        self.table
            .shrink_to_fit(|&id| hasher.hash_one(resolve_in(buf, ends, id)));
    }
}

#[inline]
fn resolve_in<'a>(buf: &'a str, ends: &[u32], id: u32) -> &'a str {
    let i = id as usize;
    let Some(&end) = ends.get(i) else {
        return "";
    };
    let start = if i == 0 { 0 } else { ends[i - 1] };
    buf.get(start as usize..end as usize).unwrap_or("")
}

impl fmt::Debug for Interner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interner")
            .field("strings", &self.len())
            .field("text_bytes", &self.text_bytes())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once() {
        let mut i = Interner::new();
        assert_eq!(i.intern(""), Sym::EMPTY);
        let a = i.intern("alpha");
        let b = i.intern("beta");
        assert_ne!(a, b);
        assert_eq!(i.intern("alpha"), a);
        assert_eq!(i.resolve(a), "alpha");
        assert_eq!(i.resolve(b), "beta");
        assert_eq!(i.get("beta"), Some(b));
        assert_eq!(i.get("gamma"), None);
        for n in 0..10_000 {
            let s = format!("k{n}");
            let sym = i.intern(&s);
            assert_eq!(i.resolve(sym), s);
        }
        assert_eq!(i.get("k77").map(|s| i.resolve(s)), Some("k77"));
        i.shrink_to_fit();
        assert_eq!(i.get("k9999").map(|s| i.resolve(s)), Some("k9999"));
    }
}
