//! OTLP protobuf, through prost and the `opentelemetry-proto` types.
//!
//! `TracesData` and `ExportTraceServiceRequest` share one wire shape (`repeated ResourceSpans
//! = 1`). The importer walks that top level itself and decodes one `ResourceSpans` at a time
//! (so the decoded tree of a whole file is never held), after a quick pass over the wire
//! that counts spans and attributes to size the store exactly.
//!
//! The same `ResourceSpans` → builder code serves the live receiver:
//! [`TraceBuilder::add_resource_spans`], [`TraceBuilder::add_export_request`].

use std::fmt;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::common::v1::any_value::Value as PValue;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span, TracesData};
use prost::Message;

use crate::ids::{SpanId, TraceId};
use crate::import::{AttrTarget, ImportError};
use crate::intern::Sym;
use crate::model::{ScopeIdx, SpanInfo, SpanKind, StatusCode, Trace, TraceBuilder};
use crate::value::{Value, ValuePool};

/// A `ResourceSpans` field the model cannot take (a trace id that is not 16 bytes…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtoFieldError {
    /// The field path, e.g. `scope_spans[0].spans[3].span_id`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ProtoFieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.field, self.message)
    }
}

impl std::error::Error for ProtoFieldError {}

fn id_error(field: String, want: usize, got: usize) -> ProtoFieldError {
    ProtoFieldError {
        field,
        message: format!("expected {want} bytes, found {got}"),
    }
}

fn validate_span(sp: &Span, at: &dyn Fn(&str) -> String) -> Result<(), ProtoFieldError> {
    if sp.trace_id.len() != 16 {
        return Err(id_error(at("trace_id"), 16, sp.trace_id.len()));
    }
    if sp.span_id.len() != 8 {
        return Err(id_error(at("span_id"), 8, sp.span_id.len()));
    }
    if !sp.parent_span_id.is_empty() && sp.parent_span_id.len() != 8 {
        return Err(id_error(at("parent_span_id"), 8, sp.parent_span_id.len()));
    }
    for (li, l) in sp.links.iter().enumerate() {
        if l.trace_id.len() != 16 {
            return Err(id_error(
                at(&format!("links[{li}].trace_id")),
                16,
                l.trace_id.len(),
            ));
        }
        if l.span_id.len() != 8 {
            return Err(id_error(
                at(&format!("links[{li}].span_id")),
                8,
                l.span_id.len(),
            ));
        }
    }
    Ok(())
}

fn validate(rs: &ResourceSpans) -> Result<(), ProtoFieldError> {
    for (si, ss) in rs.scope_spans.iter().enumerate() {
        for (pi, sp) in ss.spans.iter().enumerate() {
            validate_span(sp, &|f| format!("scope_spans[{si}].spans[{pi}].{f}"))?;
        }
    }
    Ok(())
}

fn trace_id(b: &[u8]) -> TraceId {
    let mut out = [0u8; 16];
    if b.len() == 16 {
        out.copy_from_slice(b);
    }
    TraceId(out)
}

fn span_id(b: &[u8]) -> SpanId {
    let mut out = [0u8; 8];
    if b.len() == 8 {
        out.copy_from_slice(b);
    }
    SpanId(out)
}

/// Builds a pool value from a protobuf `AnyValue`.
pub(crate) fn any_value(pool: &mut ValuePool, v: Option<&AnyValue>) -> Value {
    match v.and_then(|v| v.value.as_ref()) {
        None => Value::Empty,
        Some(PValue::StringValue(s)) => Value::Str(pool.intern(s)),
        Some(PValue::BoolValue(b)) => Value::Bool(*b),
        Some(PValue::IntValue(i)) => Value::Int(*i),
        Some(PValue::DoubleValue(d)) => Value::Double(*d),
        Some(PValue::BytesValue(b)) => pool.bytes_value(b),
        Some(PValue::ArrayValue(a)) => {
            let vals: Vec<Value> = a.values.iter().map(|v| any_value(pool, Some(v))).collect();
            pool.array(&vals)
        }
        Some(PValue::KvlistValue(kv)) => {
            let vals: Vec<(Sym, Value)> = kv
                .values
                .iter()
                .map(|p| {
                    let k = pool.intern(&p.key);
                    (k, any_value(pool, p.value.as_ref()))
                })
                .collect();
            pool.kvlist(&vals)
        }
        // A profiles-only dictionary reference; meaningless in traces.
        Some(PValue::StringValueStrindex(_)) => Value::Empty,
    }
}

fn add_kvs(t: &mut impl AttrTarget, kvs: &[KeyValue]) {
    for kv in kvs {
        let pool = t.pool();
        let k = pool.intern(&kv.key);
        let v = any_value(pool, kv.value.as_ref());
        t.attr_sym(k, v);
    }
}

/// Adds one span (its ids already checked).
fn add_span(b: &mut TraceBuilder, scope: ScopeIdx, sp: &Span) {
    let (status, msg) = match &sp.status {
        Some(s) => (
            StatusCode::from_i32(s.code).unwrap_or_default(),
            &s.message[..],
        ),
        None => (StatusCode::Unset, ""),
    };
    let mut w = b.span(SpanInfo {
        trace_id: trace_id(&sp.trace_id),
        span_id: span_id(&sp.span_id),
        parent_span_id: span_id(&sp.parent_span_id),
        name: &sp.name,
        kind: SpanKind::from_i32(sp.kind).unwrap_or_default(),
        status,
        status_message: msg,
        start_unix_nano: sp.start_time_unix_nano,
        end_unix_nano: sp.end_time_unix_nano,
        trace_state: &sp.trace_state,
        scope,
    });
    add_kvs(&mut w, &sp.attributes);
    for e in &sp.events {
        w.event(&e.name, e.time_unix_nano, |s| add_kvs(s, &e.attributes));
    }
    for l in &sp.links {
        w.link(
            trace_id(&l.trace_id),
            span_id(&l.span_id),
            &l.trace_state,
            |s| add_kvs(s, &l.attributes),
        );
    }
    w.finish();
}

impl TraceBuilder {
    /// Adds one OTLP `ResourceSpans` batch (as the receiver gets them). The batch is checked
    /// first and added whole or not at all: ids of the wrong length are an error naming the
    /// field. Unknown enum numbers read as unspecified kind / unset status.
    pub fn add_resource_spans(&mut self, rs: &ResourceSpans) -> Result<(), ProtoFieldError> {
        validate(rs)?;
        let empty: &[KeyValue] = &[];
        let rattrs = rs.resource.as_ref().map_or(empty, |r| &r.attributes[..]);
        let res = self.resource(&rs.schema_url, |r| add_kvs(r, rattrs));
        for ss in &rs.scope_spans {
            let (name, version, sattrs) = match &ss.scope {
                Some(s) => (&s.name[..], &s.version[..], &s.attributes[..]),
                None => ("", "", empty),
            };
            let scope = self.scope(res, name, version, &ss.schema_url, |s| add_kvs(s, sattrs));
            for sp in &ss.spans {
                add_span(self, scope, sp);
            }
        }
        Ok(())
    }

    /// Adds every batch of a `TracesData`.
    pub fn add_traces_data(&mut self, td: &TracesData) -> Result<(), ProtoFieldError> {
        for rs in &td.resource_spans {
            self.add_resource_spans(rs)?;
        }
        Ok(())
    }

    /// Adds every batch of an `ExportTraceServiceRequest` (the OTLP/gRPC and OTLP/HTTP
    /// payload).
    pub fn add_export_request(
        &mut self,
        req: &ExportTraceServiceRequest,
    ) -> Result<(), ProtoFieldError> {
        for rs in &req.resource_spans {
            self.add_resource_spans(rs)?;
        }
        Ok(())
    }
}

// ---- wire walking ----

fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// One field of a message: (field number, payload of a length-delimited field).
fn next_field<'a>(buf: &'a [u8], pos: &mut usize) -> Result<(u64, Option<&'a [u8]>), String> {
    let start = *pos;
    let key = varint(buf, pos).ok_or_else(|| format!("truncated field key at byte {start}"))?;
    let (field, wt) = (key >> 3, key & 7);
    if field == 0 {
        return Err(format!("invalid field number 0 at byte {start}"));
    }
    match wt {
        0 => {
            varint(buf, pos).ok_or_else(|| format!("truncated varint at byte {start}"))?;
            Ok((field, None))
        }
        1 | 5 => {
            let n = if wt == 1 { 8 } else { 4 };
            if buf.len() - *pos < n {
                return Err(format!("truncated fixed-width field at byte {start}"));
            }
            *pos += n;
            Ok((field, None))
        }
        2 => {
            let len =
                varint(buf, pos).ok_or_else(|| format!("truncated length at byte {start}"))?;
            let avail = (buf.len() - *pos) as u64;
            if len > avail {
                return Err(format!(
                    "field {field} at byte {start} needs {len} bytes, {avail} left (truncated input?)"
                ));
            }
            let payload = &buf[*pos..*pos + len as usize];
            *pos += len as usize;
            Ok((field, Some(payload)))
        }
        _ => Err(format!(
            "invalid wire type {wt} for field {field} at byte {start}"
        )),
    }
}

/// Counts (spans, span attributes) on the wire; `None` when the wire is malformed (the
/// decoder then reports it).
fn count(bytes: &[u8]) -> Option<(usize, usize)> {
    let (mut spans, mut attrs) = (0usize, 0usize);
    let each = |buf: &[u8], want: u64, f: &mut dyn FnMut(&[u8]) -> Option<()>| -> Option<()> {
        let mut pos = 0;
        while pos < buf.len() {
            let (field, payload) = next_field(buf, &mut pos).ok()?;
            if field == want
                && let Some(p) = payload
            {
                f(p)?;
            }
        }
        Some(())
    };
    each(bytes, 1, &mut |rs| {
        each(rs, 2, &mut |ss| {
            each(ss, 2, &mut |span| {
                spans += 1;
                each(span, 9, &mut |_| {
                    attrs += 1;
                    Some(())
                })
            })
        })
    })?;
    Some((spans, attrs))
}

fn utf8(b: &[u8], field: &str) -> Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|_| format!("{field}: invalid UTF-8"))
}

/// Walks one `ResourceSpans` message and adds it, decoding its `Resource`, scopes and spans
/// one message at a time with prost (so each span's allocations are reused right away).
fn add_resource_spans_wire(b: &mut TraceBuilder, rs: &[u8]) -> Result<(), String> {
    let mut resource = Resource::default();
    let mut schema_url = String::new();
    let mut scope_spans: Vec<&[u8]> = Vec::new();
    let mut pos = 0;
    while pos < rs.len() {
        match next_field(rs, &mut pos)? {
            (1, Some(p)) => resource.merge(p).map_err(|e| format!("resource: {e}"))?,
            (2, Some(p)) => scope_spans.push(p),
            (3, Some(p)) => schema_url = utf8(p, "schema_url")?,
            (1..=3, None) => return Err("wrong wire type for a ResourceSpans field".into()),
            _ => {}
        }
    }
    let res = b.resource(&schema_url, |r| add_kvs(r, &resource.attributes));
    let mut spans: Vec<&[u8]> = Vec::new();
    let mut span = Span::default();
    for (si, ss) in scope_spans.into_iter().enumerate() {
        let mut scope = InstrumentationScope::default();
        let mut ss_schema = String::new();
        spans.clear();
        let mut pos = 0;
        while pos < ss.len() {
            match next_field(ss, &mut pos).map_err(|e| format!("scope_spans[{si}]: {e}"))? {
                (1, Some(p)) => scope
                    .merge(p)
                    .map_err(|e| format!("scope_spans[{si}].scope: {e}"))?,
                (2, Some(p)) => spans.push(p),
                (3, Some(p)) => ss_schema = utf8(p, "schema_url")?,
                (1..=3, None) => {
                    return Err(format!("scope_spans[{si}]: wrong wire type for a field"));
                }
                _ => {}
            }
        }
        let scope_idx = b.scope(res, &scope.name, &scope.version, &ss_schema, |s| {
            add_kvs(s, &scope.attributes)
        });
        for (pi, p) in spans.iter().enumerate() {
            span.clear();
            span.merge(*p)
                .map_err(|e| format!("scope_spans[{si}].spans[{pi}]: {e}"))?;
            validate_span(&span, &|f| format!("scope_spans[{si}].spans[{pi}].{f}"))
                .map_err(|e| format!("invalid {}: {}", e.field, e.message))?;
            add_span(b, scope_idx, &span);
        }
    }
    Ok(())
}

/// Imports a protobuf `TracesData`/`ExportTraceServiceRequest`. With `auto`, a failure on
/// the very first field says the input is in no known format.
pub(crate) fn import(bytes: &[u8], auto: bool) -> Result<Trace, ImportError> {
    let mut b = TraceBuilder::new();
    if let Some((spans, attrs)) = count(bytes) {
        b.reserve(spans, attrs);
    }
    let mut pos = 0;
    let mut index = 0usize;
    while pos < bytes.len() {
        let start = pos;
        let fail = |message: String| {
            if auto && start == 0 {
                let first = bytes.first().copied().unwrap_or(0);
                ImportError::UnknownFormat {
                    detail: format!(
                        "not JSON (first byte {:?} is not '{{' or '[') and not OTLP protobuf ({message})",
                        char::from(first)
                    ),
                }
            } else {
                ImportError::Protobuf {
                    message,
                    offset: start,
                }
            }
        };
        let (field, payload) = next_field(bytes, &mut pos).map_err(fail)?;
        let payload = match (field, payload) {
            (1, Some(p)) => p,
            _ => {
                return Err(fail(format!(
                    "unexpected top-level field {field}: TracesData / \
                     ExportTraceServiceRequest have only resource_spans (field 1)"
                )));
            }
        };
        // The top level framed well: from here on the input is OTLP protobuf, and errors
        // say what is wrong in it.
        add_resource_spans_wire(&mut b, payload).map_err(|e| ImportError::Protobuf {
            message: match e.strip_prefix("invalid ") {
                Some(rest) => format!("invalid resource_spans[{index}].{rest}"),
                None => format!("resource_spans[{index}].{e}"),
            },
            offset: start,
        })?;
        index += 1;
    }
    Ok(b.finish()?)
}
