//! Zipkin v2 JSON: an array of spans (`/api/v2/trace/{id}`), or of traces
//! (`/api/v2/traces`).
//!
//! Mapping (after the OpenTelemetry collector's Zipkin receiver):
//! - `localEndpoint.serviceName` → resource `service.name` (one resource per service);
//! - `kind` (`CLIENT`, `SERVER`, `PRODUCER`, `CONSUMER`; absent → unspecified);
//! - `timestamp`/`duration` (µs) → start/end (ns);
//! - `tags` → string attributes, except: `otel.status_code` and `otel.status_description`
//!   → status; `error` → error status with the tag's value as message (unless it is empty or
//!   `true`); `otel.scope.name`/`otel.scope.version` (or `otel.library.*`) → scope;
//! - `remoteEndpoint` → `peer.service`, `network.peer.address`, `network.peer.port`;
//! - `annotations` → events named by their `value`.
//!
//! Ids: `traceId` has 16 or 32 hex digits, `id`/`parentId` 16. A `shared: true` server span
//! (B3's one id per RPC) repeats its client's id: it is dropped as a duplicate and counted in
//! [`crate::Trace::duplicates`], like any repeated id.

use std::fmt;

use serde::Deserialize;
use serde::Deserializer;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::ids::{SpanId, TraceId};
use crate::import::json_util::{
    IdSyntax, LenientU64, Pairs, Scalar, Text, de_span_id, de_trace_id, nullable_vec,
};
use crate::model::{SpanInfo, SpanKind, StatusCode, TraceBuilder};
use crate::value::AttrValue;

fn trace_id<'de, D: Deserializer<'de>>(d: D) -> Result<TraceId, D::Error> {
    de_trace_id(d, IdSyntax::HexExact, "traceId")
}
fn span_id<'de, D: Deserializer<'de>>(d: D) -> Result<SpanId, D::Error> {
    de_span_id(d, IdSyntax::HexExact, "id", false)
}
fn parent_id<'de, D: Deserializer<'de>>(d: D) -> Result<SpanId, D::Error> {
    de_span_id(d, IdSyntax::HexExact, "parentId", true)
}

/// A Zipkin v2 span.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SpanJ<'a> {
    #[serde(deserialize_with = "trace_id")]
    trace_id: TraceId,
    #[serde(deserialize_with = "span_id")]
    id: SpanId,
    #[serde(default, deserialize_with = "parent_id")]
    parent_id: SpanId,
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(borrow, default)]
    kind: Option<Text<'a>>,
    #[serde(default)]
    timestamp: LenientU64,
    #[serde(default)]
    duration: LenientU64,
    #[serde(borrow, default)]
    local_endpoint: Option<EndpointJ<'a>>,
    #[serde(borrow, default)]
    remote_endpoint: Option<EndpointJ<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    annotations: Vec<AnnotationJ<'a>>,
    #[serde(borrow, default)]
    tags: Pairs<Text<'a>, Scalar<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EndpointJ<'a> {
    #[serde(borrow, default)]
    service_name: Option<Text<'a>>,
    #[serde(borrow, default)]
    ipv4: Option<Text<'a>>,
    #[serde(borrow, default)]
    ipv6: Option<Text<'a>>,
    #[serde(default)]
    port: Option<LenientU64>,
}

#[derive(Deserialize)]
struct AnnotationJ<'a> {
    #[serde(default)]
    timestamp: LenientU64,
    #[serde(borrow, default)]
    value: Option<Text<'a>>,
}

fn micros(us: u64, what: &str, id: SpanId) -> Result<u64, String> {
    us.checked_mul(1000)
        .ok_or_else(|| format!("span {id}: {what} {us} µs overflows nanoseconds"))
}

fn str_of<'a>(s: &'a Scalar<'_>) -> Option<&'a str> {
    match s {
        Scalar::Str(s) => Some(s.as_ref()),
        _ => None,
    }
}

/// Adds one Zipkin span.
pub(crate) fn add_span(b: &mut TraceBuilder, s: &SpanJ<'_>) -> Result<(), String> {
    let service = s
        .local_endpoint
        .as_ref()
        .and_then(|e| e.service_name.as_ref())
        .map(Text::as_str);
    let resource = b.resource("", |r| {
        if let Some(svc) = service {
            r.attr("service.name", AttrValue::Str(svc));
        }
    });
    let kind = match s.kind.as_ref().map(Text::as_str) {
        None | Some("") => SpanKind::Unspecified,
        Some(k) => match k.to_ascii_uppercase().as_str() {
            "CLIENT" => SpanKind::Client,
            "SERVER" => SpanKind::Server,
            "PRODUCER" => SpanKind::Producer,
            "CONSUMER" => SpanKind::Consumer,
            _ => {
                return Err(format!(
                    "span {}: invalid kind {k:?} (expected CLIENT, SERVER, PRODUCER or CONSUMER)",
                    s.id
                ));
            }
        },
    };
    let mut status = StatusCode::Unset;
    let mut status_code_tag = None;
    let mut status_desc = "";
    let mut error_msg: Option<&str> = None;
    let mut scope_name = "";
    let mut scope_version = "";
    let mut keep = vec![true; s.tags.0.len()];
    for (i, (k, v)) in s.tags.0.iter().enumerate() {
        let sv = str_of(v);
        match (k.as_str(), sv) {
            ("otel.status_code", Some(c)) => status_code_tag = Some(c),
            ("otel.status_description" | "otel.status_message", Some(d)) => status_desc = d,
            ("error", _) => error_msg = Some(sv.unwrap_or("")),
            ("otel.scope.name" | "otel.library.name", Some(n)) => scope_name = n,
            ("otel.scope.version" | "otel.library.version", Some(n)) => scope_version = n,
            _ => continue,
        }
        keep[i] = false;
    }
    match status_code_tag.map(str::to_ascii_uppercase).as_deref() {
        Some("ERROR") => status = StatusCode::Error,
        Some("OK") => status = StatusCode::Ok,
        _ if error_msg.is_some() => status = StatusCode::Error,
        _ => {}
    }
    let status_message = if status != StatusCode::Error {
        ""
    } else if !status_desc.is_empty() {
        status_desc
    } else {
        match error_msg {
            Some(m) if !m.is_empty() && m != "true" => m,
            _ => "",
        }
    };
    let scope = b.scope(resource, scope_name, scope_version, "", |_| {});
    let start = micros(s.timestamp.0, "timestamp", s.id)?;
    let end = s
        .timestamp
        .0
        .checked_add(s.duration.0)
        .ok_or_else(|| format!("span {}: timestamp + duration overflows", s.id))
        .and_then(|e| micros(e, "timestamp + duration", s.id))?;
    let mut w = b.span(SpanInfo {
        trace_id: s.trace_id,
        span_id: s.id,
        parent_span_id: s.parent_id,
        name: s.name.as_ref().map_or("", Text::as_str),
        kind,
        status,
        status_message,
        start_unix_nano: start,
        end_unix_nano: end,
        trace_state: "",
        scope,
    });
    for ((k, v), keep) in s.tags.0.iter().zip(keep) {
        if !keep {
            continue;
        }
        let value = match v {
            Scalar::Str(s) => AttrValue::Str(s),
            Scalar::Bool(b) => AttrValue::Bool(*b),
            Scalar::I64(i) => AttrValue::Int(*i),
            Scalar::U64(u) => match i64::try_from(*u) {
                Ok(i) => AttrValue::Int(i),
                Err(_) => AttrValue::Double(*u as f64),
            },
            Scalar::F64(f) => AttrValue::Double(*f),
            Scalar::Null => AttrValue::Empty,
        };
        w.attr(k.as_str(), value);
    }
    if let Some(r) = &s.remote_endpoint {
        if let Some(svc) = &r.service_name {
            w.attr("peer.service", AttrValue::Str(svc.as_str()));
        }
        if let Some(ip) = r.ipv4.as_ref().or(r.ipv6.as_ref()) {
            w.attr("network.peer.address", AttrValue::Str(ip.as_str()));
        }
        if let Some(port) = r.port {
            w.attr(
                "network.peer.port",
                AttrValue::Int(i64::try_from(port.0).unwrap_or(i64::MAX)),
            );
        }
    }
    for a in &s.annotations {
        let t = micros(a.timestamp.0, "annotation timestamp", s.id)?;
        w.event(a.value.as_ref().map_or("", Text::as_str), t, |_| {});
    }
    w.finish();
    Ok(())
}

/// One element of the top-level array: a span, or a trace (an array of spans, as
/// `/api/v2/traces` answers). Adds what it reads.
pub(crate) struct SpansOrTraces<'b>(pub &'b mut TraceBuilder);

impl<'de> DeserializeSeed<'de> for SpansOrTraces<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SpansOrTraces<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Zipkin span object, or an array of them")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let span = SpanJ::deserialize(MapAccessDeserializer::new(map))?;
        add_span(self.0, &span).map_err(de::Error::custom)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(span) = seq.next_element::<SpanJ<'de>>()? {
            add_span(self.0, &span).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}
