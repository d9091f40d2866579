//! Typed attribute values and the arena that holds their variable-size parts.
//!
//! A [`Value`] is 16 bytes and `Copy`: strings are interned [`Sym`]s, and bytes, arrays and
//! key/value lists live in a [`ValuePool`] side arena, referenced by index.

use std::cmp::Ordering;
use std::fmt;

use base64::Engine as _;

use crate::intern::{Interner, Sym};

/// Index of a byte string in a [`ValuePool`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BytesId(pub u32);

/// Index of an array in a [`ValuePool`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArrayId(pub u32);

/// Index of a key/value list in a [`ValuePool`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KvListId(pub u32);

/// A typed attribute value, as stored (16 bytes). Resolve its parts with
/// [`ValuePool::get`] or [`crate::Trace::value`].
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Value {
    /// An `AnyValue` with nothing set.
    #[default]
    Empty,
    /// A string, interned.
    Str(Sym),
    /// A 64-bit signed integer.
    Int(i64),
    /// A double.
    Double(f64),
    /// A boolean.
    Bool(bool),
    /// A byte string (in the pool).
    Bytes(BytesId),
    /// An array of values (in the pool).
    Array(ArrayId),
    /// A list of key/value pairs, in source order (in the pool).
    KvList(KvListId),
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);

impl Value {
    /// The type's name, as the query language spells it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Empty => "empty",
            Value::Str(_) => "string",
            Value::Int(_) => "int",
            Value::Double(_) => "double",
            Value::Bool(_) => "bool",
            Value::Bytes(_) => "bytes",
            Value::Array(_) => "array",
            Value::KvList(_) => "kvlist",
        }
    }

    /// The symbol of a string value.
    pub fn as_sym(&self) -> Option<Sym> {
        match *self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer of an int value.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The number of an int or double value, as f64.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Double(d) => Some(d),
            _ => None,
        }
    }

    /// The boolean of a bool value.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// True for values whose identity is their bits (not bytes/arrays/kvlists, which compare
    /// by content through [`ValuePool::value_eq`]).
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Value::Bytes(_) | Value::Array(_) | Value::KvList(_))
    }

    /// A total order on scalar values of one store (type first, then payload; strings by
    /// symbol id, not alphabetically; doubles by IEEE total order with -0.0 == 0.0). Used by
    /// the attribute indexes for binary search; composite values order by arena index.
    pub fn index_cmp(&self, other: &Value) -> Ordering {
        self.index_key().cmp(&other.index_key())
    }

    fn index_key(&self) -> (u8, u64) {
        match *self {
            Value::Empty => (0, 0),
            Value::Str(s) => (1, u64::from(s.0)),
            Value::Int(i) => (2, (i as u64) ^ (1 << 63)),
            Value::Double(d) => {
                let d = if d == 0.0 { 0.0 } else { d };
                let bits = d.to_bits() as i64;
                // IEEE total order as an unsigned key.
                let ordered = bits ^ ((((bits >> 63) as u64) >> 1) as i64);
                (3, (ordered as u64) ^ (1 << 63))
            }
            Value::Bool(b) => (4, u64::from(b)),
            Value::Bytes(BytesId(i)) => (5, u64::from(i)),
            Value::Array(ArrayId(i)) => (6, u64::from(i)),
            Value::KvList(KvListId(i)) => (7, u64::from(i)),
        }
    }
}

/// A value as an importer hands it to the builder: scalars borrowed from the input, or a
/// [`Value`] already built in the pool (arrays, key/value lists).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AttrValue<'a> {
    /// Nothing set.
    Empty,
    /// A string (interned by the builder).
    Str(&'a str),
    /// An integer.
    Int(i64),
    /// A double.
    Double(f64),
    /// A boolean.
    Bool(bool),
    /// Bytes (copied into the pool).
    Bytes(&'a [u8]),
    /// A value already in the pool (see [`ValuePool::array`], [`ValuePool::kvlist`]).
    Built(Value),
}

/// A resolved value, borrowing from its store.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueRef<'a> {
    /// Nothing set.
    Empty,
    /// A string.
    Str(&'a str),
    /// An integer.
    Int(i64),
    /// A double.
    Double(f64),
    /// A boolean.
    Bool(bool),
    /// Bytes.
    Bytes(&'a [u8]),
    /// An array; iterate it with [`ArrayRef::iter`].
    Array(ArrayRef<'a>),
    /// A key/value list; iterate it with [`KvListRef::iter`].
    KvList(KvListRef<'a>),
}

/// An array of a [`ValuePool`].
#[derive(Clone, Copy)]
pub struct ArrayRef<'a> {
    pool: &'a ValuePool,
    items: &'a [Value],
}

impl<'a> ArrayRef<'a> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// The raw elements.
    pub fn raw(&self) -> &'a [Value] {
        self.items
    }
    /// The resolved elements.
    pub fn iter(&self) -> impl Iterator<Item = ValueRef<'a>> + 'a {
        let pool = self.pool;
        self.items.iter().map(move |v| pool.get(*v))
    }
}

impl PartialEq for ArrayRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl fmt::Debug for ArrayRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A key/value list of a [`ValuePool`].
#[derive(Clone, Copy)]
pub struct KvListRef<'a> {
    pool: &'a ValuePool,
    keys: &'a [Sym],
    values: &'a [Value],
}

impl<'a> KvListRef<'a> {
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
    /// The resolved pairs, in source order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, ValueRef<'a>)> + 'a {
        let pool = self.pool;
        self.keys
            .iter()
            .zip(self.values)
            .map(move |(k, v)| (pool.strings.resolve(*k), pool.get(*v)))
    }
    /// The value of `key` (first match).
    pub fn get(&self, key: &str) -> Option<ValueRef<'a>> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

impl PartialEq for KvListRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl fmt::Debug for KvListRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Strings and variable-size values of one trace store.
#[derive(Clone, Default)]
pub struct ValuePool {
    pub(crate) strings: Interner,
    bytes: Vec<u8>,
    bytes_ends: Vec<u32>,
    items: Vec<Value>,
    array_ends: Vec<u32>,
    kv_keys: Vec<Sym>,
    kv_values: Vec<Value>,
    kv_ends: Vec<u32>,
    overflow: bool,
}

impl ValuePool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// The string table.
    pub fn strings(&self) -> &Interner {
        &self.strings
    }

    /// Interns a string.
    #[inline]
    pub fn intern(&mut self, s: &str) -> Sym {
        self.strings.intern(s)
    }

    /// The string of a symbol.
    #[inline]
    pub fn str(&self, sym: Sym) -> &str {
        self.strings.resolve(sym)
    }

    /// Builds a [`Value`] from a borrowed one.
    pub fn value(&mut self, v: AttrValue<'_>) -> Value {
        match v {
            AttrValue::Empty => Value::Empty,
            AttrValue::Str(s) => Value::Str(self.strings.intern(s)),
            AttrValue::Int(i) => Value::Int(i),
            AttrValue::Double(d) => Value::Double(d),
            AttrValue::Bool(b) => Value::Bool(b),
            AttrValue::Bytes(b) => self.bytes_value(b),
            AttrValue::Built(v) => v,
        }
    }

    /// Stores a byte string.
    pub fn bytes_value(&mut self, b: &[u8]) -> Value {
        let id = self.bytes_ends.len();
        self.bytes.extend_from_slice(b);
        match (u32::try_from(self.bytes.len()), u32::try_from(id)) {
            (Ok(end), Ok(id)) => {
                self.bytes_ends.push(end);
                Value::Bytes(BytesId(id))
            }
            _ => {
                self.overflow = true;
                self.bytes.truncate(self.bytes.len() - b.len());
                Value::Empty
            }
        }
    }

    /// Stores an array of values built in this pool.
    pub fn array(&mut self, items: &[Value]) -> Value {
        let id = self.array_ends.len();
        self.items.extend_from_slice(items);
        match (u32::try_from(self.items.len()), u32::try_from(id)) {
            (Ok(end), Ok(id)) => {
                self.array_ends.push(end);
                Value::Array(ArrayId(id))
            }
            _ => {
                self.overflow = true;
                self.items.truncate(self.items.len() - items.len());
                Value::Empty
            }
        }
    }

    /// Stores a key/value list (kept in the given order).
    pub fn kvlist(&mut self, pairs: &[(Sym, Value)]) -> Value {
        let id = self.kv_ends.len();
        self.kv_keys.extend(pairs.iter().map(|p| p.0));
        self.kv_values.extend(pairs.iter().map(|p| p.1));
        match (u32::try_from(self.kv_keys.len()), u32::try_from(id)) {
            (Ok(end), Ok(id)) => {
                self.kv_ends.push(end);
                Value::KvList(KvListId(id))
            }
            _ => {
                self.overflow = true;
                let keep = self.kv_keys.len() - pairs.len();
                self.kv_keys.truncate(keep);
                self.kv_values.truncate(keep);
                Value::Empty
            }
        }
    }

    /// True when some table passed its 4 GiB / 4 G-entry limit (the builder reports it).
    pub fn overflowed(&self) -> bool {
        self.overflow || self.strings.overflowed()
    }

    /// Resolves a value of this pool.
    pub fn get(&self, v: Value) -> ValueRef<'_> {
        match v {
            Value::Empty => ValueRef::Empty,
            Value::Str(s) => ValueRef::Str(self.strings.resolve(s)),
            Value::Int(i) => ValueRef::Int(i),
            Value::Double(d) => ValueRef::Double(d),
            Value::Bool(b) => ValueRef::Bool(b),
            Value::Bytes(id) => ValueRef::Bytes(self.bytes_of(id)),
            Value::Array(id) => ValueRef::Array(ArrayRef {
                pool: self,
                items: range_of(&self.items, &self.array_ends, id.0),
            }),
            Value::KvList(id) => ValueRef::KvList(KvListRef {
                pool: self,
                keys: range_of(&self.kv_keys, &self.kv_ends, id.0),
                values: range_of(&self.kv_values, &self.kv_ends, id.0),
            }),
        }
    }

    /// The bytes of a bytes value.
    pub fn bytes_of(&self, id: BytesId) -> &[u8] {
        range_of(&self.bytes, &self.bytes_ends, id.0)
    }

    /// Equality by content: scalars by bits (strings by symbol), bytes/arrays/kvlists deeply.
    pub fn value_eq(&self, a: Value, b: Value) -> bool {
        if a.is_scalar() && b.is_scalar() {
            a == b
        } else {
            self.get(a) == self.get(b)
        }
    }

    /// A displayable form of a value: strings quoted, bytes as `b64"…"`, arrays `[…]`,
    /// key/value lists `{k: v}`.
    pub fn display(&self, v: Value) -> DisplayValue<'_> {
        DisplayValue(self.get(v))
    }

    /// Heap bytes held (capacities), strings included.
    pub fn heap_bytes(&self) -> usize {
        self.strings.heap_bytes()
            + self.bytes.capacity()
            + self.bytes_ends.capacity() * 4
            + self.items.capacity() * 16
            + self.array_ends.capacity() * 4
            + self.kv_keys.capacity() * 4
            + self.kv_values.capacity() * 16
            + self.kv_ends.capacity() * 4
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.strings.shrink_to_fit();
        self.bytes.shrink_to_fit();
        self.bytes_ends.shrink_to_fit();
        self.items.shrink_to_fit();
        self.array_ends.shrink_to_fit();
        self.kv_keys.shrink_to_fit();
        self.kv_values.shrink_to_fit();
        self.kv_ends.shrink_to_fit();
    }
}

impl fmt::Debug for ValuePool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValuePool")
            .field("strings", &self.strings)
            .field("bytes_values", &self.bytes_ends.len())
            .field("arrays", &self.array_ends.len())
            .field("kvlists", &self.kv_ends.len())
            .finish()
    }
}

fn range_of<'a, T>(data: &'a [T], ends: &[u32], id: u32) -> &'a [T] {
    let i = id as usize;
    let Some(&end) = ends.get(i) else {
        return &[];
    };
    let start = if i == 0 { 0 } else { ends[i - 1] };
    data.get(start as usize..end as usize).unwrap_or(&[])
}

/// Display adapter for a resolved value (see [`ValuePool::display`]).
pub struct DisplayValue<'a>(pub ValueRef<'a>);

impl fmt::Display for DisplayValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self.0)
    }
}

fn write_value(f: &mut fmt::Formatter<'_>, v: ValueRef<'_>) -> fmt::Result {
    match v {
        ValueRef::Empty => f.write_str("<empty>"),
        ValueRef::Str(s) => write!(f, "{s:?}"),
        ValueRef::Int(i) => write!(f, "{i}"),
        ValueRef::Double(d) => {
            if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e16 {
                write!(f, "{d:.1}")
            } else {
                write!(f, "{d}")
            }
        }
        ValueRef::Bool(b) => write!(f, "{b}"),
        ValueRef::Bytes(b) => write!(
            f,
            "b64\"{}\"",
            base64::engine::general_purpose::STANDARD.encode(b)
        ),
        ValueRef::Array(a) => {
            f.write_str("[")?;
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_value(f, item)?;
            }
            f.write_str("]")
        }
        ValueRef::KvList(kv) => {
            f.write_str("{")?;
            for (i, (k, item)) in kv.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{k}: ")?;
                write_value(f, item)?;
            }
            f.write_str("}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_round_trip() {
        let mut p = ValuePool::new();
        let a = p.value(AttrValue::Str("x"));
        let b = p.value(AttrValue::Int(-3));
        let arr = p.array(&[a, b]);
        let k = p.intern("k");
        let bytes = p.value(AttrValue::Bytes(&[0, 0, 48, 57]));
        let kv = p.kvlist(&[(k, arr), (k, bytes)]);
        assert_eq!(
            p.display(kv).to_string(),
            r#"{k: ["x", -3], k: b64"AAAwOQ=="}"#
        );
        let arr2 = {
            let a = p.value(AttrValue::Str("x"));
            p.array(&[a, Value::Int(-3)])
        };
        assert!(p.value_eq(arr, arr2));
        assert_eq!(p.display(Value::Double(2.0)).to_string(), "2.0");
    }

    #[test]
    fn index_order() {
        let vals = [
            Value::Double(-1.5),
            Value::Double(f64::NEG_INFINITY),
            Value::Double(0.0),
            Value::Double(3.0),
        ];
        let mut v = vals.to_vec();
        v.sort_by(|a, b| a.index_cmp(b));
        assert_eq!(
            v,
            vec![
                Value::Double(f64::NEG_INFINITY),
                Value::Double(-1.5),
                Value::Double(0.0),
                Value::Double(3.0)
            ]
        );
        assert_eq!(
            Value::Double(-0.0).index_cmp(&Value::Double(0.0)),
            Ordering::Equal
        );
        let mut ints = vec![Value::Int(5), Value::Int(-7), Value::Int(0)];
        ints.sort_by(|a, b| a.index_cmp(b));
        assert_eq!(ints, vec![Value::Int(-7), Value::Int(0), Value::Int(5)]);
    }
}
