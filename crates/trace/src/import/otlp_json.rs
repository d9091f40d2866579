//! OTLP/JSON: a typed serde tree, read one `ResourceSpans` at a time straight into the
//! builder (so the tree of a whole file is never held).
//!
//! Strict OTLP/JSON (hex ids, int64 as strings, enum numbers, camelCase) is read, and so are
//! the variants exporters emit: base64 ids, enum names (`SPAN_KIND_SERVER`,
//! `STATUS_CODE_ERROR`), int64 as numbers, Tempo's `batches` for `resourceSpans`, the old
//! `instrumentationLibrarySpans`/`instrumentationLibrary`, proto field names
//! (`resource_spans`, `trace_id`…), `null` lists.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::ids::{SpanId, TraceId};
use crate::import::AttrTarget;
use crate::import::json_util::{
    IdSyntax, KindField, LenientU64, Scalar, StatusField, Text, de_span_id, de_trace_id,
    decode_base64, nullable_vec, skip,
};
use crate::intern::Sym;
use crate::model::{SpanInfo, StatusCode, TraceBuilder};
use crate::value::{Value, ValuePool};

fn otlp_trace_id<'de, D: Deserializer<'de>>(d: D) -> Result<TraceId, D::Error> {
    de_trace_id(d, IdSyntax::Otlp, "traceId")
}
fn otlp_span_id<'de, D: Deserializer<'de>>(d: D) -> Result<SpanId, D::Error> {
    de_span_id(d, IdSyntax::Otlp, "spanId", false)
}
fn otlp_parent_id<'de, D: Deserializer<'de>>(d: D) -> Result<SpanId, D::Error> {
    de_span_id(d, IdSyntax::Otlp, "parentSpanId", true)
}
fn link_trace_id<'de, D: Deserializer<'de>>(d: D) -> Result<TraceId, D::Error> {
    de_trace_id(d, IdSyntax::Otlp, "link traceId")
}
fn link_span_id<'de, D: Deserializer<'de>>(d: D) -> Result<SpanId, D::Error> {
    de_span_id(d, IdSyntax::Otlp, "link spanId", false)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceSpansJ<'a> {
    #[serde(borrow, default)]
    resource: Option<ResourceJ<'a>>,
    #[serde(
        borrow,
        default,
        alias = "scope_spans",
        alias = "instrumentationLibrarySpans",
        alias = "instrumentation_library_spans",
        deserialize_with = "nullable_vec"
    )]
    scope_spans: Vec<ScopeSpansJ<'a>>,
    #[serde(borrow, default, alias = "schema_url")]
    schema_url: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct ResourceJ<'a> {
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    attributes: Vec<KeyValueJ<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeSpansJ<'a> {
    #[serde(
        borrow,
        default,
        alias = "instrumentationLibrary",
        alias = "instrumentation_library"
    )]
    scope: Option<ScopeJ<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    spans: Vec<SpanJ<'a>>,
    #[serde(borrow, default, alias = "schema_url")]
    schema_url: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct ScopeJ<'a> {
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(borrow, default)]
    version: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    attributes: Vec<KeyValueJ<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpanJ<'a> {
    #[serde(alias = "trace_id", deserialize_with = "otlp_trace_id")]
    trace_id: TraceId,
    #[serde(alias = "span_id", deserialize_with = "otlp_span_id")]
    span_id: SpanId,
    #[serde(default, alias = "parent_span_id", deserialize_with = "otlp_parent_id")]
    parent_span_id: SpanId,
    #[serde(borrow, default, alias = "trace_state")]
    trace_state: Option<Text<'a>>,
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(default)]
    kind: KindField,
    #[serde(default, alias = "start_time_unix_nano")]
    start_time_unix_nano: LenientU64,
    #[serde(default, alias = "end_time_unix_nano")]
    end_time_unix_nano: LenientU64,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    attributes: Vec<KeyValueJ<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    events: Vec<EventJ<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    links: Vec<LinkJ<'a>>,
    #[serde(borrow, default)]
    status: Option<StatusJ<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventJ<'a> {
    #[serde(default, alias = "time_unix_nano")]
    time_unix_nano: LenientU64,
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    attributes: Vec<KeyValueJ<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkJ<'a> {
    #[serde(alias = "trace_id", deserialize_with = "link_trace_id")]
    trace_id: TraceId,
    #[serde(alias = "span_id", deserialize_with = "link_span_id")]
    span_id: SpanId,
    #[serde(borrow, default, alias = "trace_state")]
    trace_state: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    attributes: Vec<KeyValueJ<'a>>,
}

#[derive(Deserialize)]
struct StatusJ<'a> {
    #[serde(default)]
    code: StatusField,
    #[serde(borrow, default)]
    message: Option<Text<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct KeyValueJ<'a> {
    #[serde(borrow)]
    key: Text<'a>,
    #[serde(borrow, default)]
    value: Option<AnyValueJ<'a>>,
}

/// An OTLP/JSON `AnyValue`.
pub(crate) enum AnyValueJ<'a> {
    Empty,
    Str(Cow<'a, str>),
    Int(i64),
    Double(f64),
    Bool(bool),
    Bytes(Vec<u8>),
    Array(Vec<AnyValueJ<'a>>),
    KvList(Vec<KeyValueJ<'a>>),
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
struct ValuesJ<T> {
    #[serde(default = "Vec::new", deserialize_with = "nullable_vec")]
    values: Vec<T>,
}

impl<'de: 'a, 'a> Deserialize<'de> for AnyValueJ<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyValueJ<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an AnyValue object like {\"stringValue\": \"x\"}")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(AnyValueJ::Empty)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = AnyValueJ::Empty;
                while let Some(k) = m.next_key::<Text<'de>>()? {
                    let key = k.as_str();
                    match key {
                        "stringValue" | "string_value" => {
                            if let Some(t) = m.next_value::<Option<Text<'de>>>()? {
                                out = AnyValueJ::Str(t.0);
                            }
                        }
                        "intValue" | "int_value" => {
                            let s = m.next_value::<Scalar<'de>>()?;
                            if !matches!(s, Scalar::Null) {
                                out = AnyValueJ::Int(s.to_i64().ok_or_else(|| {
                                    de::Error::custom(format!(
                                        "invalid intValue {}: expected an int64 (number or decimal string)",
                                        s.describe()
                                    ))
                                })?);
                            }
                        }
                        "doubleValue" | "double_value" => {
                            let s = m.next_value::<Scalar<'de>>()?;
                            if !matches!(s, Scalar::Null) {
                                out = AnyValueJ::Double(s.to_f64().ok_or_else(|| {
                                    de::Error::custom(format!(
                                        "invalid doubleValue {}: expected a number",
                                        s.describe()
                                    ))
                                })?);
                            }
                        }
                        "boolValue" | "bool_value" => {
                            let s = m.next_value::<Scalar<'de>>()?;
                            if !matches!(s, Scalar::Null) {
                                out = AnyValueJ::Bool(s.to_bool().ok_or_else(|| {
                                    de::Error::custom(format!(
                                        "invalid boolValue {}: expected true or false",
                                        s.describe()
                                    ))
                                })?);
                            }
                        }
                        "bytesValue" | "bytes_value" => {
                            if let Some(t) = m.next_value::<Option<Text<'de>>>()? {
                                out = AnyValueJ::Bytes(decode_base64(t.as_str()).ok_or_else(
                                    || {
                                        de::Error::custom(format!(
                                            "invalid bytesValue {:?}: expected base64",
                                            crate::import::json_util::truncate(t.as_str(), 60)
                                        ))
                                    },
                                )?);
                            }
                        }
                        "arrayValue" | "array_value" => {
                            if let Some(a) = m.next_value::<Option<ValuesJ<AnyValueJ<'de>>>>()? {
                                out = AnyValueJ::Array(a.values);
                            }
                        }
                        "kvlistValue" | "kvlist_value" => {
                            if let Some(a) = m.next_value::<Option<ValuesJ<KeyValueJ<'de>>>>()? {
                                out = AnyValueJ::KvList(a.values);
                            }
                        }
                        _ => skip(&mut m)?,
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

/// Builds a pool value from an OTLP/JSON value.
pub(crate) fn any_value(pool: &mut ValuePool, v: Option<&AnyValueJ<'_>>) -> Value {
    match v {
        None | Some(AnyValueJ::Empty) => Value::Empty,
        Some(AnyValueJ::Str(s)) => Value::Str(pool.intern(s)),
        Some(AnyValueJ::Int(i)) => Value::Int(*i),
        Some(AnyValueJ::Double(d)) => Value::Double(*d),
        Some(AnyValueJ::Bool(b)) => Value::Bool(*b),
        Some(AnyValueJ::Bytes(b)) => pool.bytes_value(b),
        Some(AnyValueJ::Array(items)) => {
            let vals: Vec<Value> = items.iter().map(|i| any_value(pool, Some(i))).collect();
            pool.array(&vals)
        }
        Some(AnyValueJ::KvList(pairs)) => {
            let vals: Vec<(Sym, Value)> = pairs
                .iter()
                .map(|kv| {
                    let k = pool.intern(kv.key.as_str());
                    (k, any_value(pool, kv.value.as_ref()))
                })
                .collect();
            pool.kvlist(&vals)
        }
    }
}

fn add_attrs(t: &mut impl AttrTarget, attrs: &[KeyValueJ<'_>]) {
    for kv in attrs {
        let pool = t.pool();
        let k = pool.intern(kv.key.as_str());
        let v = any_value(pool, kv.value.as_ref());
        t.attr_sym(k, v);
    }
}

fn text<'a>(t: &'a Option<Text<'_>>) -> &'a str {
    t.as_ref().map_or("", Text::as_str)
}

fn add_resource_spans(b: &mut TraceBuilder, rs: &ResourceSpansJ<'_>) {
    let attrs = rs.resource.as_ref().map_or(&[][..], |r| &r.attributes[..]);
    let res = b.resource(text(&rs.schema_url), |r| add_attrs(r, attrs));
    for ss in &rs.scope_spans {
        let (name, version, sattrs) = match &ss.scope {
            Some(s) => (text(&s.name), text(&s.version), &s.attributes[..]),
            None => ("", "", &[][..]),
        };
        let scope = b.scope(res, name, version, text(&ss.schema_url), |s| {
            add_attrs(s, sattrs)
        });
        for sp in &ss.spans {
            let (status, status_message) = match &sp.status {
                Some(s) => (s.code.0, text(&s.message)),
                None => (StatusCode::Unset, ""),
            };
            let mut w = b.span(SpanInfo {
                trace_id: sp.trace_id,
                span_id: sp.span_id,
                parent_span_id: sp.parent_span_id,
                name: text(&sp.name),
                kind: sp.kind.0,
                status,
                status_message,
                start_unix_nano: sp.start_time_unix_nano.0,
                end_unix_nano: sp.end_time_unix_nano.0,
                trace_state: text(&sp.trace_state),
                scope,
            });
            add_attrs(&mut w, &sp.attributes);
            for e in &sp.events {
                w.event(text(&e.name), e.time_unix_nano.0, |s| {
                    add_attrs(s, &e.attributes)
                });
            }
            for l in &sp.links {
                w.link(l.trace_id, l.span_id, text(&l.trace_state), |s| {
                    add_attrs(s, &l.attributes)
                });
            }
            w.finish();
        }
    }
}

/// Reads a `resourceSpans` array, adding each element to the builder as soon as it is read.
pub(crate) struct ResourceSpansSeq<'b>(pub &'b mut TraceBuilder);

impl<'de> DeserializeSeed<'de> for ResourceSpansSeq<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ResourceSpansSeq<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of ResourceSpans")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(rs) = seq.next_element::<ResourceSpansJ<'de>>()? {
            add_resource_spans(self.0, &rs);
        }
        Ok(())
    }
}
