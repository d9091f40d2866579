//! Run-time values. Strings borrow from the trace or the plan where they can (`'a`); lists,
//! objects and span sets are reference-counted, so copying a value is cheap.

use crate::set::SpanSet;
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;
use tbt_trace::{Trace, Value, ValueRef};

/// A string: borrowed from the trace or the plan, or owned.
#[derive(Clone, Debug)]
pub enum Str<'a> {
    /// Borrowed.
    B(&'a str),
    /// Owned.
    O(Rc<str>),
}

impl Str<'_> {
    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            Str::B(s) => s,
            Str::O(s) => s,
        }
    }
}

impl From<String> for Str<'_> {
    fn from(s: String) -> Self {
        Str::O(Rc::from(s))
    }
}

/// A value.
#[derive(Clone, Debug, Default)]
pub enum Val<'a> {
    /// An absent attribute, field or aggregate of nothing: every comparison with it is false.
    #[default]
    Missing,
    /// JSON `null` (or an empty attribute value): present, equal only to itself.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Double(f64),
    /// A string (also enum values such as `error`, `server`).
    Str(Str<'a>),
    /// A duration in nanoseconds.
    Duration(i64),
    /// A point in time, unix nanoseconds.
    Timestamp(i64),
    /// A list.
    List(Rc<Vec<Val<'a>>>),
    /// An object: JSON, a key/value attribute, an event or a link.
    Object(Rc<Vec<(Str<'a>, Val<'a>)>>),
    /// A map with case-insensitive keys (`response.headers`).
    Map(Rc<Vec<(String, Val<'a>)>>),
    /// A compiled regex.
    Regex(Arc<regex::Regex>),
    /// A set of spans.
    Sel(Rc<SpanSet>),
}

impl<'a> Val<'a> {
    /// A borrowed string.
    pub fn str(s: &'a str) -> Val<'a> {
        Val::Str(Str::B(s))
    }

    /// An owned string.
    pub fn string(s: String) -> Val<'a> {
        Val::Str(Str::from(s))
    }

    /// Whether the value is missing.
    pub fn is_missing(&self) -> bool {
        matches!(self, Val::Missing)
    }

    /// `true` only for `Bool(true)`: a missing or non-boolean value does not hold.
    pub fn truthy(&self) -> bool {
        matches!(self, Val::Bool(true))
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The number of a numeric value.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Val::Int(i) => Some(i as f64),
            Val::Double(d) => Some(d),
            _ => None,
        }
    }

    /// The name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Missing => "missing",
            Val::Null => "null",
            Val::Bool(_) => "bool",
            Val::Int(_) => "int",
            Val::Double(_) => "double",
            Val::Str(_) => "string",
            Val::Duration(_) => "duration",
            Val::Timestamp(_) => "timestamp",
            Val::List(_) => "list",
            Val::Object(_) => "object",
            Val::Map(_) => "map",
            Val::Regex(_) => "regex",
            Val::Sel(_) => "span selection",
        }
    }

    /// The value of `key` in an object or map. A dotted key is looked up whole first, then
    /// segment by segment (`a.b` is `{"a.b": x}` or `{"a": {"b": x}}`).
    pub fn get(&self, key: &str) -> Val<'a> {
        let whole = self.entry(key);
        if !whole.is_missing() || !key.contains('.') {
            return whole;
        }
        let mut at = 0;
        while let Some(dot) = key[at..].find('.') {
            let split = at + dot;
            let head = self.entry(&key[..split]);
            if !head.is_missing() {
                let rest = head.get(&key[split + 1..]);
                if !rest.is_missing() {
                    return rest;
                }
            }
            at = split + 1;
        }
        Val::Missing
    }

    fn entry(&self, key: &str) -> Val<'a> {
        match self {
            Val::Object(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == key)
                .map_or(Val::Missing, |(_, v)| v.clone()),
            Val::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map_or(Val::Missing, |(_, v)| v.clone()),
            _ => Val::Missing,
        }
    }

    /// An attribute value of `trace` as a value.
    pub fn from_trace(trace: &'a Trace, v: Value) -> Val<'a> {
        Self::from_ref(trace.value(v), trace, v)
    }

    fn from_ref(r: ValueRef<'a>, trace: &'a Trace, raw: Value) -> Val<'a> {
        match r {
            ValueRef::Empty => Val::Null,
            ValueRef::Str(s) => Val::str(s),
            ValueRef::Int(i) => Val::Int(i),
            ValueRef::Double(d) => Val::Double(d),
            ValueRef::Bool(b) => Val::Bool(b),
            ValueRef::Bytes(_) => {
                let shown = trace.display_value(raw).to_string();
                let inner = shown
                    .strip_prefix("b64\"")
                    .and_then(|s| s.strip_suffix('"'))
                    .unwrap_or(&shown)
                    .to_string();
                Val::string(inner)
            }
            ValueRef::Array(a) => Val::List(Rc::new(
                a.raw().iter().map(|v| Val::from_trace(trace, *v)).collect(),
            )),
            ValueRef::KvList(kv) => Val::Object(Rc::new(
                kv.iter().map(|(k, v)| (Str::B(k), json_like(v))).collect(),
            )),
        }
    }

    /// A JSON value (the response) as a value.
    pub fn from_json(v: &serde_json::Value) -> Val<'a> {
        match v {
            serde_json::Value::Null => Val::Null,
            serde_json::Value::Bool(b) => Val::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Val::Int(i),
                None => Val::Double(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Val::string(s.clone()),
            serde_json::Value::Array(items) => {
                Val::List(Rc::new(items.iter().map(Val::from_json).collect()))
            }
            serde_json::Value::Object(map) => Val::Object(Rc::new(
                map.iter()
                    .map(|(k, v)| (Str::from(k.clone()), Val::from_json(v)))
                    .collect(),
            )),
        }
    }

    /// The value as shown in reports: strings quoted, durations with a unit, timestamps in
    /// RFC 3339, lists and objects abbreviated, `<missing>` for a missing value.
    pub fn display(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    /// The value as interpolated into a string: strings without quotes.
    pub fn interpolated(&self) -> String {
        match self {
            Val::Str(s) => s.as_str().to_string(),
            other => other.display(),
        }
    }

    fn write(&self, out: &mut String, depth: usize) {
        const MAX_ITEMS: usize = 10;
        match self {
            Val::Missing => out.push_str("<missing>"),
            Val::Null => out.push_str("null"),
            Val::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Val::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Val::Double(d) => {
                if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e16 {
                    let _ = write!(out, "{d:.1}");
                } else {
                    let _ = write!(out, "{d}");
                }
            }
            Val::Str(s) => {
                let _ = write!(out, "{:?}", s.as_str());
            }
            Val::Duration(d) => out.push_str(&duration(*d)),
            Val::Timestamp(t) => out.push_str(&timestamp(*t)),
            Val::List(items) => {
                out.push('[');
                for (i, item) in items.iter().take(MAX_ITEMS).enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if depth > 3 {
                        out.push('…');
                    } else {
                        item.write(out, depth + 1);
                    }
                }
                if items.len() > MAX_ITEMS {
                    let _ = write!(out, ", … ({} in all)", items.len());
                }
                out.push(']');
            }
            Val::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().take(MAX_ITEMS).enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{:?}: ", k.as_str());
                    if depth > 3 {
                        out.push('…');
                    } else {
                        v.write(out, depth + 1);
                    }
                }
                if entries.len() > MAX_ITEMS {
                    let _ = write!(out, ", … ({} in all)", entries.len());
                }
                out.push('}');
            }
            Val::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().take(MAX_ITEMS).enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{k:?}: ");
                    v.write(out, depth + 1);
                }
                out.push('}');
            }
            Val::Regex(re) => {
                let _ = write!(out, "/{}/", re.as_str());
            }
            Val::Sel(set) => {
                let n = set.len();
                let _ = write!(out, "{n} span{}", if n == 1 { "" } else { "s" });
            }
        }
    }
}

/// A nested attribute value: key/value lists keep their nesting.
fn json_like(v: ValueRef<'_>) -> Val<'_> {
    match v {
        ValueRef::Empty => Val::Null,
        ValueRef::Str(s) => Val::str(s),
        ValueRef::Int(i) => Val::Int(i),
        ValueRef::Double(d) => Val::Double(d),
        ValueRef::Bool(b) => Val::Bool(b),
        ValueRef::Bytes(b) => {
            Val::List(Rc::new(b.iter().map(|x| Val::Int(i64::from(*x))).collect()))
        }
        ValueRef::Array(a) => Val::List(Rc::new(a.iter().map(json_like).collect())),
        ValueRef::KvList(kv) => Val::Object(Rc::new(
            kv.iter().map(|(k, v)| (Str::B(k), json_like(v))).collect(),
        )),
    }
}

/// A duration as shown: `1.5ms`, `-200µs`, `0ns`.
pub fn duration(nanos: i64) -> String {
    let shown = tbt_trace::format_duration(nanos.unsigned_abs());
    if nanos < 0 {
        format!("-{shown}")
    } else {
        shown
    }
}

/// Unix nanoseconds as RFC 3339 UTC: `2024-01-31T05:28:29.209712Z`.
pub fn timestamp(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let base = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if frac == 0 {
        format!("{base}Z")
    } else {
        let digits = format!("{frac:09}");
        format!("{base}.{}Z", digits.trim_end_matches('0'))
    }
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            timestamp(1_706_678_909_209_712_000),
            "2024-01-31T05:28:29.209712Z"
        );
    }

    #[test]
    fn durations_keep_their_sign() {
        assert_eq!(duration(-1_500_000), "-1.5ms");
        assert_eq!(duration(0), "0ns");
    }
}
