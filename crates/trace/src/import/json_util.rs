//! Small serde helpers shared by the JSON readers: borrowed strings, lenient numbers, ids,
//! enums given as numbers or names, null-tolerant lists.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use base64::Engine as _;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::ids::{SpanId, TraceId, decode_hex_exact, decode_hex_padded, decode_id_lenient};
use crate::model::{SpanKind, StatusCode};

/// A JSON string, borrowed from the input when it has no escapes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Text::default())
            }
        }
        d.deserialize_str(V)
    }
}

/// A JSON scalar of any type, as tag values and lenient fields come.
#[derive(Debug, Clone, Default)]
pub(crate) enum Scalar<'a> {
    #[default]
    Null,
    Str(Cow<'a, str>),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number, boolean or null")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar::I64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Scalar::U64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Scalar::F64(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
                Err(de::Error::custom("expected a scalar, found an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
                Err(de::Error::custom("expected a scalar, found an object"))
            }
        }
        d.deserialize_any(V)
    }
}

impl Scalar<'_> {
    /// As an i64: integers, integral floats, decimal strings.
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Scalar::I64(i) => Some(*i),
            Scalar::U64(u) => i64::try_from(*u).ok(),
            Scalar::F64(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            Scalar::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// As a u64: non-negative integers, integral floats, decimal strings.
    pub fn to_u64(&self) -> Option<u64> {
        match self {
            Scalar::I64(i) => u64::try_from(*i).ok(),
            Scalar::U64(u) => Some(*u),
            Scalar::F64(f) if f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19 => Some(*f as u64),
            Scalar::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// As an f64: numbers, decimal strings, and the proto3 JSON names `NaN`, `Infinity`,
    /// `-Infinity`.
    pub fn to_f64(&self) -> Option<f64> {
        match self {
            Scalar::I64(i) => Some(*i as f64),
            Scalar::U64(u) => Some(*u as f64),
            Scalar::F64(f) => Some(*f),
            Scalar::Str(s) => match s.trim() {
                "NaN" => Some(f64::NAN),
                "Infinity" => Some(f64::INFINITY),
                "-Infinity" => Some(f64::NEG_INFINITY),
                t => t.parse().ok(),
            },
            _ => None,
        }
    }

    /// As a bool: booleans and `"true"`/`"false"`.
    pub fn to_bool(&self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(*b),
            Scalar::Str(s) => match s.trim() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A short description for error messages.
    pub fn describe(&self) -> String {
        match self {
            Scalar::Null => "null".into(),
            Scalar::Str(s) => format!("{:?}", truncate(s, 60)),
            Scalar::I64(i) => i.to_string(),
            Scalar::U64(u) => u.to_string(),
            Scalar::F64(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// At most `n` bytes of `s` (on a char boundary), for error messages.
pub(crate) fn truncate(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A u64 given as a number or a decimal string (OTLP/JSON writes int64 as strings).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LenientU64(pub u64);

impl<'de> Deserialize<'de> for LenientU64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Scalar::deserialize(d)?;
        match s {
            Scalar::Null => Ok(LenientU64(0)),
            _ => s.to_u64().map(LenientU64).ok_or_else(|| {
                de::Error::custom(format!(
                    "expected an unsigned integer (number or decimal string), found {}",
                    s.describe()
                ))
            }),
        }
    }
}

/// A span kind given as the enum number or its name (`SPAN_KIND_SERVER`, `server`).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct KindField(pub SpanKind);

impl<'de> Deserialize<'de> for KindField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Scalar::deserialize(d)?;
        let k = match &s {
            Scalar::Null => Some(SpanKind::Unspecified),
            Scalar::Str(name) => SpanKind::from_name(name),
            other => other
                .to_i64()
                .and_then(|i| i32::try_from(i).ok())
                .and_then(SpanKind::from_i32),
        };
        k.map(KindField).ok_or_else(|| {
            de::Error::custom(format!(
                "invalid span kind {}: expected 0-5 or a name like SPAN_KIND_SERVER",
                s.describe()
            ))
        })
    }
}

/// A status code given as the enum number or its name (`STATUS_CODE_ERROR`, `ERROR`).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct StatusField(pub StatusCode);

impl<'de> Deserialize<'de> for StatusField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Scalar::deserialize(d)?;
        let k = match &s {
            Scalar::Null => Some(StatusCode::Unset),
            Scalar::Str(name) => StatusCode::from_name(name),
            other => other
                .to_i64()
                .and_then(|i| i32::try_from(i).ok())
                .and_then(StatusCode::from_i32),
        };
        k.map(StatusField).ok_or_else(|| {
            de::Error::custom(format!(
                "invalid status code {}: expected 0-2 or a name like STATUS_CODE_ERROR",
                s.describe()
            ))
        })
    }
}

/// How an id field is spelled.
#[derive(Clone, Copy)]
pub(crate) enum IdSyntax {
    /// OTLP/JSON: exactly 2N hex digits, or base64 of N bytes.
    Otlp,
    /// Jaeger/Zipkin: 1..=2N hex digits, leading zeros implied.
    HexPadded,
    /// Exactly 2N hex digits (Zipkin span ids), or 2M for the short form when `alt` is set.
    HexExact,
}

/// Parses an id string into `out`; an empty string means "absent" when `optional`.
/// Errors name the field.
pub(crate) fn parse_id<E: de::Error>(
    s: &str,
    out: &mut [u8],
    syntax: IdSyntax,
    field: &str,
    optional: bool,
) -> Result<(), E> {
    if s.is_empty() && optional {
        out.fill(0);
        return Ok(());
    }
    let ok = match syntax {
        IdSyntax::Otlp => decode_id_lenient(s, out),
        IdSyntax::HexPadded => decode_hex_padded(s.as_bytes(), out),
        IdSyntax::HexExact => {
            // A 16-byte id may also be given in its 64-bit (16 hex digit) form.
            decode_hex_exact(s.as_bytes(), out)
                || (out.len() == 16 && s.len() == 16 && decode_hex_padded(s.as_bytes(), out))
        }
    };
    if ok {
        return Ok(());
    }
    let expect = match syntax {
        IdSyntax::Otlp => format!(
            "{} hex digits (or base64 of {} bytes)",
            out.len() * 2,
            out.len()
        ),
        IdSyntax::HexPadded => format!("1 to {} hex digits", out.len() * 2),
        IdSyntax::HexExact if out.len() == 16 => "16 or 32 hex digits".to_string(),
        IdSyntax::HexExact => format!("{} hex digits", out.len() * 2),
    };
    Err(E::custom(format!(
        "invalid {field}: expected {expect}, found {:?} ({} characters)",
        truncate(s, 64),
        s.len()
    )))
}

struct IdVisitor<const N: usize> {
    syntax: IdSyntax,
    field: &'static str,
    optional: bool,
}

impl<'de, const N: usize> Visitor<'de> for IdVisitor<N> {
    type Value = [u8; N];
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} as a string", self.field)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let mut out = [0u8; N];
        parse_id(v, &mut out, self.syntax, self.field, self.optional)?;
        Ok(out)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.optional {
            Ok([0; N])
        } else {
            Err(E::custom(format!("invalid {}: null", self.field)))
        }
    }
}

pub(crate) fn de_trace_id<'de, D: Deserializer<'de>>(
    d: D,
    syntax: IdSyntax,
    field: &'static str,
) -> Result<TraceId, D::Error> {
    d.deserialize_any(IdVisitor::<16> {
        syntax,
        field,
        optional: false,
    })
    .map(TraceId)
}

pub(crate) fn de_span_id<'de, D: Deserializer<'de>>(
    d: D,
    syntax: IdSyntax,
    field: &'static str,
    optional: bool,
) -> Result<SpanId, D::Error> {
    d.deserialize_any(IdVisitor::<8> {
        syntax,
        field,
        optional,
    })
    .map(SpanId)
}

/// Decodes standard base64 (padding optional), or URL-safe base64, as exporters vary.
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines.iter().find_map(|e| e.decode(s.as_bytes()).ok())
}

/// A list that may be given as `null` (read as empty).
pub(crate) fn nullable_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A JSON object read as a list of (key, value) pairs, in order; `null` reads as empty.
#[derive(Debug)]
pub(crate) struct Pairs<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for Pairs<K, V> {
    fn default() -> Self {
        Pairs(Vec::new())
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Pairs<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for Vis<K, V> {
            type Value = Pairs<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::with_capacity(m.size_hint().unwrap_or(0).min(1024));
                while let Some(k) = m.next_key()? {
                    v.push((k, m.next_value()?));
                }
                Ok(Pairs(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Pairs::default())
            }
        }
        d.deserialize_any(Vis(PhantomData))
    }
}

/// Skips a value (for keys a reader does not use).
pub(crate) fn skip<'de, A: MapAccess<'de>>(m: &mut A) -> Result<(), A::Error> {
    m.next_value::<IgnoredAny>().map(|_| ())
}
