//! Jaeger v1 query JSON (`/api/traces/{id}`: `{"data": [{"traceID", "spans", "processes"}]}`,
//! or a single trace object).
//!
//! Mapping (the OpenTelemetry collector's Jaeger→OTLP translation):
//! - process → resource: `serviceName` → `service.name`, process tags → resource attributes;
//! - `operationName` → name; `startTime`/`duration` (µs) → start/end (ns);
//! - tags → attributes, typed by `type` (`string`, `bool`, `int64`, `float64`, `binary`
//!   base64), except these, which become fields: `span.kind` → kind;
//!   `otel.status_code` (`OK`/`ERROR`) and `otel.status_description` → status; `error=true`
//!   → error status (when `otel.status_code` is absent); `otel.scope.name`/`otel.scope.version`
//!   (or `otel.library.*`) → scope; `w3c.tracestate` → trace state;
//! - references: the first `CHILD_OF` to the same trace is the parent, else the first
//!   `FOLLOWS_FROM` to the same trace; every other reference, and a `FOLLOWS_FROM` parent too,
//!   becomes a link with `opentracing.ref_type` = `child_of`/`follows_from`;
//! - logs → events: the `event` field is the event name, other fields its attributes.
//!
//! Ids are hex of up to 32 (trace) / 16 (span) digits; shorter ones are zero-extended on the
//! left, as Jaeger does.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::ids::{SpanId, TraceId};
use crate::import::AttrTarget;
use crate::import::json_util::{
    IdSyntax, LenientU64, Pairs, Scalar, Text, de_span_id, de_trace_id, decode_base64,
    nullable_vec, skip,
};
use crate::model::{ResourceIdx, SpanInfo, SpanKind, StatusCode, TraceBuilder};
use crate::value::{AttrValue, Value, ValuePool};

fn trace_id<'de, D: Deserializer<'de>>(d: D) -> Result<TraceId, D::Error> {
    de_trace_id(d, IdSyntax::HexPadded, "traceID")
}
fn span_id<'de, D: Deserializer<'de>>(d: D) -> Result<SpanId, D::Error> {
    de_span_id(d, IdSyntax::HexPadded, "spanID", false)
}
fn parent_id<'de, D: Deserializer<'de>>(d: D) -> Result<SpanId, D::Error> {
    de_span_id(d, IdSyntax::HexPadded, "parentSpanID", true)
}
fn ref_trace_id<'de, D: Deserializer<'de>>(d: D) -> Result<TraceId, D::Error> {
    de_trace_id(d, IdSyntax::HexPadded, "references[].traceID")
}
fn ref_span_id<'de, D: Deserializer<'de>>(d: D) -> Result<SpanId, D::Error> {
    de_span_id(d, IdSyntax::HexPadded, "references[].spanID", false)
}

/// A Jaeger span.
#[derive(Deserialize)]
pub(crate) struct SpanJ<'a> {
    #[serde(rename = "traceID", deserialize_with = "trace_id")]
    trace_id: TraceId,
    #[serde(rename = "spanID", deserialize_with = "span_id")]
    span_id: SpanId,
    #[serde(rename = "parentSpanID", default, deserialize_with = "parent_id")]
    parent_span_id: SpanId,
    #[serde(rename = "operationName", borrow, default)]
    operation_name: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    references: Vec<RefJ<'a>>,
    #[serde(rename = "startTime", default)]
    start_time: LenientU64,
    #[serde(default)]
    duration: LenientU64,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    tags: Vec<TagJ<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    logs: Vec<LogJ<'a>>,
    #[serde(rename = "processID", borrow, default)]
    process_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    process: Option<ProcessJ<'a>>,
}

#[derive(Deserialize)]
struct RefJ<'a> {
    #[serde(rename = "refType", borrow, default)]
    ref_type: Option<Text<'a>>,
    #[serde(rename = "traceID", deserialize_with = "ref_trace_id")]
    trace_id: TraceId,
    #[serde(rename = "spanID", deserialize_with = "ref_span_id")]
    span_id: SpanId,
}

#[derive(Deserialize)]
struct LogJ<'a> {
    #[serde(default)]
    timestamp: LenientU64,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    fields: Vec<TagJ<'a>>,
}

/// A Jaeger process.
#[derive(Deserialize)]
pub(crate) struct ProcessJ<'a> {
    #[serde(rename = "serviceName", borrow, default)]
    service_name: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    tags: Vec<TagJ<'a>>,
}

/// `processes`: process id → process, in document order.
pub(crate) type Processes<'a> = Pairs<Text<'a>, ProcessJ<'a>>;

#[derive(Deserialize)]
struct TraceJ<'a> {
    #[serde(borrow, default, deserialize_with = "nullable_vec")]
    spans: Vec<SpanJ<'a>>,
    #[serde(borrow, default)]
    processes: Option<Processes<'a>>,
}

/// A typed tag: `{"key", "type", "value"}` in any order (also the `vType`/`vStr`/… form).
struct TagJ<'a> {
    key: Text<'a>,
    ty: Option<Text<'a>>,
    value: Scalar<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for TagJ<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TagJ<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a tag object {\"key\", \"type\", \"value\"}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut key = None;
                let mut ty = None;
                let mut value = Scalar::Null;
                while let Some(k) = m.next_key::<Text<'de>>()? {
                    match k.as_str() {
                        "key" => key = Some(m.next_value::<Text<'de>>()?),
                        "type" | "vType" => ty = m.next_value::<Option<Text<'de>>>()?,
                        "value" | "vStr" | "vBool" | "vInt64" | "vFloat64" | "vBinary" => {
                            let v = m.next_value::<Scalar<'de>>()?;
                            if !matches!(v, Scalar::Null) {
                                value = v;
                            }
                        }
                        _ => skip(&mut m)?,
                    }
                }
                let key = key.ok_or_else(|| de::Error::missing_field("key"))?;
                Ok(TagJ { key, ty, value })
            }
        }
        d.deserialize_map(V)
    }
}

fn scalar_string(s: &Scalar<'_>) -> String {
    match s {
        Scalar::Str(s) => s.to_string(),
        Scalar::Null => String::new(),
        other => other.describe(),
    }
}

/// The typed value of a tag.
fn tag_value(pool: &mut ValuePool, t: &TagJ<'_>) -> Result<Value, String> {
    let bad = |want: &str| {
        format!(
            "tag {:?}: expected a {want} value, found {}",
            t.key.as_str(),
            t.value.describe()
        )
    };
    let ty = t.ty.as_ref().map(|t| t.as_str().to_ascii_lowercase());
    Ok(match ty.as_deref() {
        Some("string") => match &t.value {
            Scalar::Str(s) => Value::Str(pool.intern(s)),
            other => Value::Str(pool.intern(&scalar_string(other))),
        },
        Some("bool") | Some("boolean") => {
            Value::Bool(t.value.to_bool().ok_or_else(|| bad("bool"))?)
        }
        Some("int64") | Some("int") | Some("long") => {
            Value::Int(t.value.to_i64().ok_or_else(|| bad("int64"))?)
        }
        Some("float64") | Some("float") | Some("double") => {
            Value::Double(t.value.to_f64().ok_or_else(|| bad("float64"))?)
        }
        Some("binary") => match &t.value {
            Scalar::Str(s) => {
                pool.bytes_value(&decode_base64(s).ok_or_else(|| bad("base64 binary"))?)
            }
            _ => return Err(bad("base64 binary")),
        },
        Some(other) => {
            return Err(format!(
                "tag {:?}: unknown type {other:?} (expected string, bool, int64, float64 or binary)",
                t.key.as_str()
            ));
        }
        None => match &t.value {
            Scalar::Null => Value::Empty,
            Scalar::Str(s) => Value::Str(pool.intern(s)),
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::I64(i) => Value::Int(*i),
            Scalar::U64(u) => match i64::try_from(*u) {
                Ok(i) => Value::Int(i),
                Err(_) => Value::Double(*u as f64),
            },
            Scalar::F64(f) => Value::Double(*f),
        },
    })
}

fn add_tags(t: &mut impl AttrTarget, tags: &[TagJ<'_>]) -> Result<(), String> {
    for tag in tags {
        let pool = t.pool();
        let v = tag_value(pool, tag)?;
        let k = pool.intern(tag.key.as_str());
        t.attr_sym(k, v);
    }
    Ok(())
}

fn micros_to_nanos(us: u64, what: &str, span: SpanId) -> Result<u64, String> {
    us.checked_mul(1000)
        .ok_or_else(|| format!("span {span}: {what} {us} µs overflows nanoseconds"))
}

fn process_resource(b: &mut TraceBuilder, p: &ProcessJ<'_>) -> Result<ResourceIdx, String> {
    let mut err = Ok(());
    let r = b.resource("", |r| {
        if let Some(s) = &p.service_name {
            r.attr("service.name", AttrValue::Str(s.as_str()));
        }
        err = add_tags(r, &p.tags);
    });
    err.map(|()| r)
}

/// The fields some tags turn into.
#[derive(Default)]
struct Special<'t> {
    kind: Option<SpanKind>,
    status_code: Option<&'t str>,
    status_description: Option<&'t str>,
    error_true: bool,
    scope_name: &'t str,
    scope_version: &'t str,
    trace_state: &'t str,
}

/// Splits the span's tags into special fields and ordinary attributes (returns which tags
/// stay attributes).
fn classify<'t>(tags: &'t [TagJ<'_>]) -> (Special<'t>, Vec<bool>) {
    let mut sp = Special::default();
    let mut keep = vec![true; tags.len()];
    for (i, t) in tags.iter().enumerate() {
        let s = match &t.value {
            Scalar::Str(s) => Some(s.as_ref()),
            _ => None,
        };
        match (t.key.as_str(), s) {
            ("span.kind", Some(v)) => {
                if let Some(k) = SpanKind::from_name(v) {
                    sp.kind = Some(k);
                    keep[i] = false;
                }
            }
            ("otel.status_code", Some(v)) => {
                sp.status_code = Some(v);
                keep[i] = false;
            }
            ("otel.status_description" | "otel.status_message", Some(v)) => {
                sp.status_description = Some(v);
                keep[i] = false;
            }
            ("error", _) if t.value.to_bool() == Some(true) => {
                sp.error_true = true;
                keep[i] = false;
            }
            ("otel.scope.name" | "otel.library.name", Some(v)) => {
                sp.scope_name = v;
                keep[i] = false;
            }
            ("otel.scope.version" | "otel.library.version", Some(v)) => {
                sp.scope_version = v;
                keep[i] = false;
            }
            ("w3c.tracestate", Some(v)) => {
                sp.trace_state = v;
                keep[i] = false;
            }
            _ => {}
        }
    }
    (sp, keep)
}

/// Adds one Jaeger trace (its spans and processes) to the builder.
pub(crate) fn add_trace(
    b: &mut TraceBuilder,
    spans: &[SpanJ<'_>],
    processes: Option<&Processes<'_>>,
) -> Result<(), String> {
    let mut procs: Vec<(&str, ResourceIdx)> = Vec::new();
    if let Some(ps) = processes {
        for (id, p) in &ps.0 {
            procs.push((id.as_str(), process_resource(b, p)?));
        }
    }
    for s in spans {
        let resource = match (&s.process, &s.process_id) {
            (Some(p), _) => process_resource(b, p)?,
            (None, Some(pid)) if !pid.as_str().is_empty() => procs
                .iter()
                .find(|(id, _)| *id == pid.as_str())
                .map(|p| p.1)
                .ok_or_else(|| {
                    format!(
                        "span {}: processID {:?} is not in processes",
                        s.span_id,
                        pid.as_str()
                    )
                })?,
            _ => b.resource("", |_| {}),
        };
        let (special, keep) = classify(&s.tags);
        let scope = b.scope(
            resource,
            special.scope_name,
            special.scope_version,
            "",
            |_| {},
        );
        let status = if special.error_true {
            StatusCode::Error
        } else {
            match special.status_code.map(str::to_ascii_uppercase).as_deref() {
                Some("ERROR") => StatusCode::Error,
                Some("OK") => StatusCode::Ok,
                _ => StatusCode::Unset,
            }
        };
        let status_message = if status == StatusCode::Error {
            special.status_description.unwrap_or("")
        } else {
            ""
        };
        // The parent: first same-trace CHILD_OF, else first same-trace FOLLOWS_FROM.
        let is_follows = |r: &RefJ<'_>| {
            r.ref_type
                .as_ref()
                .is_some_and(|t| t.as_str().eq_ignore_ascii_case("FOLLOWS_FROM"))
        };
        let child_of = s
            .references
            .iter()
            .position(|r| r.trace_id == s.trace_id && !is_follows(r));
        let parent_ref = child_of.or_else(|| {
            s.references
                .iter()
                .position(|r| r.trace_id == s.trace_id && is_follows(r))
        });
        let parent_span_id = match parent_ref {
            Some(i) => s.references[i].span_id,
            None => s.parent_span_id,
        };
        let start = micros_to_nanos(s.start_time.0, "startTime", s.span_id)?;
        let end = s
            .start_time
            .0
            .checked_add(s.duration.0)
            .ok_or_else(|| format!("span {}: startTime + duration overflows", s.span_id))
            .and_then(|e| micros_to_nanos(e, "startTime + duration", s.span_id))?;
        let mut w = b.span(SpanInfo {
            trace_id: s.trace_id,
            span_id: s.span_id,
            parent_span_id,
            name: s.operation_name.as_ref().map_or("", Text::as_str),
            kind: special.kind.unwrap_or_default(),
            status,
            status_message,
            start_unix_nano: start,
            end_unix_nano: end,
            trace_state: special.trace_state,
            scope,
        });
        for (t, k) in s.tags.iter().zip(&keep) {
            if *k {
                let pool = w.pool();
                let v = tag_value(pool, t)?;
                let key = pool.intern(t.key.as_str());
                w.attr_sym(key, v);
            }
        }
        for log in &s.logs {
            let name = log
                .fields
                .iter()
                .find(|f| f.key.as_str() == "event")
                .and_then(|f| match &f.value {
                    Scalar::Str(s) => Some(s.as_ref()),
                    _ => None,
                })
                .unwrap_or("");
            let time = micros_to_nanos(log.timestamp.0, "log timestamp", s.span_id)?;
            let mut err = Ok(());
            w.event(name, time, |e| {
                let rest: Vec<&TagJ<'_>> = log
                    .fields
                    .iter()
                    .filter(|f| !(f.key.as_str() == "event" && matches!(f.value, Scalar::Str(_))))
                    .collect();
                for f in rest {
                    let pool = e.pool();
                    match tag_value(pool, f) {
                        Ok(v) => {
                            let k = pool.intern(f.key.as_str());
                            e.attr_sym(k, v);
                        }
                        Err(m) => err = Err(m),
                    }
                }
            });
            err?;
        }
        for (i, r) in s.references.iter().enumerate() {
            let follows = is_follows(r);
            if Some(i) == child_of {
                continue;
            }
            let ref_type = if follows { "follows_from" } else { "child_of" };
            w.link(r.trace_id, r.span_id, "", |l| {
                l.attr("opentracing.ref_type", AttrValue::Str(ref_type))
            });
        }
        w.finish();
    }
    Ok(())
}

/// Reads the `data` array of traces, adding each as soon as it is read.
pub(crate) struct TracesSeq<'b>(pub &'b mut TraceBuilder);

impl<'de> DeserializeSeed<'de> for TracesSeq<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TracesSeq<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of Jaeger traces")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(t) = seq.next_element::<TraceJ<'de>>()? {
            add_trace(self.0, &t.spans, t.processes.as_ref()).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}
