//! Format detection and the JSON driver.
//!
//! Protobuf vs JSON by the first non-blank byte (`{` or `[` is JSON). A protobuf message
//! starts with byte 0x0A (field 1, length-delimited), which is a newline in text; when its
//! length byte happens to be `{` or `[`, JSON is tried first and protobuf second.
//!
//! The JSON format is told by the top-level keys while the document is read (one pass, no
//! re-parse): `resourceSpans`/`resource_spans`/`batches` → OTLP/JSON (also inside Tempo v2's
//! `{"trace": …}`), `result` → Jaeger api_v3, `data` (or `spans`) → Jaeger v1, a top-level
//! array → Zipkin v2 (an array of spans, or of traces as `/api/v2/traces` answers).

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

use crate::import::json_util::{Text, skip};
use crate::import::{Format, ImportError, jaeger, otlp_json, otlp_proto, zipkin};
use crate::model::{Trace, TraceBuilder};

pub(crate) enum Sniff {
    Json,
    Protobuf,
    /// Starts with 0x0A then `{`/`[`: JSON with a leading newline, or protobuf.
    Ambiguous,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_bom_ws(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = b.iter().position(|&c| !is_ws(c)).unwrap_or(b.len());
    &b[start..]
}

pub(crate) fn is_blank(bytes: &[u8]) -> bool {
    skip_bom_ws(bytes).is_empty()
}

pub(crate) fn sniff(bytes: &[u8]) -> Result<Sniff, ImportError> {
    let rest = skip_bom_ws(bytes);
    let Some(&first) = rest.first() else {
        return Err(ImportError::Empty);
    };
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Err(ImportError::UnknownFormat {
            detail: "gzip-compressed data: decompress it first".into(),
        });
    }
    if first == b'{' || first == b'[' {
        // 0x0A then the JSON opener right away: could be a protobuf whose first length is
        // 123 or 91.
        if bytes.len() > 1 && bytes[0] == b'\n' && (bytes[1] == b'{' || bytes[1] == b'[') {
            return Ok(Sniff::Ambiguous);
        }
        return Ok(Sniff::Json);
    }
    Ok(Sniff::Protobuf)
}

/// Detects the format of `bytes` without building a store (JSON is scanned once for its
/// top-level keys; protobuf is checked to decode).
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    match sniff(bytes)? {
        Sniff::Protobuf => otlp_proto::import(bytes, true).map(|_| Format::OtlpProtobuf),
        Sniff::Json | Sniff::Ambiguous => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            match KeySniffer(None).deserialize(&mut de) {
                Ok(Some(f)) => Ok(f),
                Ok(None) => Err(unknown_json()),
                Err(e) => match sniff(bytes)? {
                    Sniff::Ambiguous => {
                        otlp_proto::import(bytes, true).map(|_| Format::OtlpProtobuf)
                    }
                    _ => Err(json_error(None, &e, 0, 0)),
                },
            }
        }
    }
}

fn unknown_json() -> ImportError {
    ImportError::UnknownFormat {
        detail: "a JSON object without any of the keys resourceSpans, batches, trace \
                 (OTLP/JSON), result (Jaeger api_v3), data or spans (Jaeger v1); nor a JSON \
                 array of Zipkin spans"
            .into(),
    }
}

/// Reads only the top-level keys. Inside a wrapper object (`result`, `trace`) it holds the
/// format the wrapper implies.
struct KeySniffer(Option<Format>);

impl<'de> DeserializeSeed<'de> for KeySniffer {
    type Value = Option<Format>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySniffer {
    type Value = Option<Format>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(k) = m.next_key::<Text<'de>>()? {
            let f = match (k.as_str(), self.0) {
                ("resourceSpans" | "resource_spans" | "batches", w) => {
                    Some(w.unwrap_or(Format::OtlpJson))
                }
                ("result" | "trace", None) => {
                    let wrapper = if k.as_str() == "result" {
                        Format::JaegerApiV3
                    } else {
                        Format::OtlpJson
                    };
                    if let Some(f) = m.next_value_seed(KeySniffer(Some(wrapper)))? {
                        found = found.or(Some(f));
                    }
                    continue;
                }
                ("data" | "spans", None) => Some(Format::JaegerV1),
                _ => None,
            };
            found = found.or(f);
            m.next_value::<IgnoredAny>()?;
        }
        Ok(found)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.0.is_none().then_some(Format::ZipkinV2))
    }
}

/// State of one JSON import.
struct Ctx<'b> {
    b: &'b mut TraceBuilder,
    format: Option<Format>,
    remote: Option<String>,
    unknown: bool,
}

impl Ctx<'_> {
    fn set(&mut self, f: Format) {
        self.format.get_or_insert(f);
    }
}

/// The top level of a JSON document, or the inside of a wrapper object (`result` of api_v3,
/// `trace` of Tempo's v2 API), whose format `nested` then names.
struct TopSeed<'c, 'b> {
    ctx: &'c mut Ctx<'b>,
    nested: Option<Format>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

fn error_message(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) => ["message", "msg", "error"]
            .iter()
            .find_map(|k| o.get(*k).and_then(|m| m.as_str()).map(str::to_owned))
            .unwrap_or_else(|| v.to_string()),
        other => other.to_string(),
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object (OTLP/JSON, Jaeger) or array (Zipkin)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        let mut jaeger_spans: Option<Vec<jaeger::SpanJ<'de>>> = None;
        let mut jaeger_procs: Option<jaeger::Processes<'de>> = None;
        while let Some(k) = m.next_key::<Text<'de>>()? {
            match (k.as_str(), self.nested) {
                ("resourceSpans" | "resource_spans" | "batches", nested) => {
                    ctx.set(nested.unwrap_or(Format::OtlpJson));
                    m.next_value_seed(otlp_json::ResourceSpansSeq(ctx.b))?;
                }
                ("result", None) => {
                    ctx.set(Format::JaegerApiV3);
                    m.next_value_seed(TopSeed {
                        ctx: &mut *ctx,
                        nested: Some(Format::JaegerApiV3),
                    })?;
                }
                ("trace", None) => {
                    ctx.set(Format::OtlpJson);
                    m.next_value_seed(TopSeed {
                        ctx: &mut *ctx,
                        nested: Some(Format::OtlpJson),
                    })?;
                }
                ("data", None) => {
                    ctx.set(Format::JaegerV1);
                    m.next_value_seed(jaeger::TracesSeq(ctx.b))?;
                }
                ("spans", None) => {
                    ctx.set(Format::JaegerV1);
                    jaeger_spans = Some(m.next_value()?);
                }
                ("processes", None) => {
                    jaeger_procs = Some(m.next_value()?);
                }
                ("error", _) => {
                    let v: serde_json::Value = m.next_value()?;
                    if !v.is_null() {
                        ctx.remote = Some(error_message(&v));
                        if ctx.format.is_none() {
                            ctx.set(self.nested.unwrap_or(Format::JaegerApiV3));
                        }
                    }
                }
                ("errors", None) => {
                    let v: serde_json::Value = m.next_value()?;
                    if let Some(list) = v.as_array().filter(|l| !l.is_empty()) {
                        let msgs: Vec<String> = list.iter().map(error_message).collect();
                        ctx.remote = Some(msgs.join("; "));
                        ctx.set(Format::JaegerV1);
                    }
                }
                _ => skip(&mut m)?,
            }
        }
        if let Some(spans) = jaeger_spans {
            jaeger::add_trace(ctx.b, &spans, jaeger_procs.as_ref()).map_err(de::Error::custom)?;
        }
        if ctx.format.is_none() && self.nested.is_none() {
            ctx.unknown = true;
            return Err(de::Error::custom("unrecognized JSON document"));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.nested.is_some() {
            return Err(de::Error::custom(
                "expected an OTLP/JSON object in the wrapper, found an array",
            ));
        }
        self.ctx.set(Format::ZipkinV2);
        while seq
            .next_element_seed(zipkin::SpansOrTraces(self.ctx.b))?
            .is_some()
        {}
        Ok(())
    }
}

fn json_error(
    format: Option<Format>,
    e: &serde_json::Error,
    line0: usize,
    col0: usize,
) -> ImportError {
    // serde_json appends " at line L column C" to custom messages; keep only the cause.
    let msg = e.to_string();
    let message = match msg.rfind(" at line ") {
        Some(p) => msg[..p].to_string(),
        None => msg,
    };
    let line = e.line() + line0;
    let column = if e.line() <= 1 {
        e.column() + col0
    } else {
        e.column()
    };
    ImportError::Json {
        format,
        message,
        line,
        column,
    }
}

/// Imports one JSON document into `b`; `(line0, col0)` shift error positions (documents of a
/// stream). Returns the format, or whether the error was trailing content after a complete
/// document (`Err(None)`).
fn import_doc(
    b: &mut TraceBuilder,
    doc: &[u8],
    line0: usize,
    col0: usize,
    single: bool,
) -> Result<Format, Option<ImportError>> {
    let mut de = serde_json::Deserializer::from_slice(doc);
    let mut ctx = Ctx {
        b,
        format: None,
        remote: None,
        unknown: false,
    };
    let r = TopSeed {
        ctx: &mut ctx,
        nested: None,
    }
    .deserialize(&mut de);
    if let Err(e) = r {
        if ctx.unknown {
            return Err(Some(unknown_json()));
        }
        return Err(Some(json_error(ctx.format, &e, line0, col0)));
    }
    if de.end().is_err() {
        if single {
            return Err(None);
        }
        return Err(Some(ImportError::Json {
            format: ctx.format,
            message: "trailing characters after the document".into(),
            line: line0 + 1,
            column: col0 + 1,
        }));
    }
    let format = ctx.format.unwrap_or(Format::OtlpJson);
    if let Some(message) = ctx.remote
        && ctx.b.is_empty()
    {
        return Err(Some(ImportError::Remote { format, message }));
    }
    Ok(format)
}

/// Imports JSON: one document, or several one after another (JSON Lines).
pub(crate) fn import_json(bytes: &[u8]) -> Result<(Trace, Format), ImportError> {
    let mut b = TraceBuilder::new();
    match import_doc(&mut b, bytes, 0, 0, true) {
        Ok(f) => return Ok((b.finish()?, f)),
        Err(Some(e)) => return Err(e),
        Err(None) => {}
    }
    // Several documents: find their bounds with a skipping pass, then read each.
    let mut b = TraceBuilder::new();
    let mut format = None;
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<IgnoredAny>();
    let mut start = 0;
    loop {
        match stream.next() {
            None => break,
            Some(Err(e)) => return Err(json_error(format, &e, 0, 0)),
            Some(Ok(_)) => {
                let end = stream.byte_offset();
                let doc = &bytes[start..end];
                let before = &bytes[..start];
                let line0 = before.iter().filter(|&&c| c == b'\n').count();
                let col0 = start
                    - before
                        .iter()
                        .rposition(|&c| c == b'\n')
                        .map_or(0, |p| p + 1);
                let f = import_doc(&mut b, doc, line0, col0, false)
                    .map_err(|e| e.unwrap_or(ImportError::Empty))?;
                if let Some(prev) = format
                    && prev != f
                {
                    return Err(ImportError::Json {
                        format: Some(prev),
                        message: format!("a later document of the stream is {f}"),
                        line: line0 + 1,
                        column: col0 + 1,
                    });
                }
                format = Some(f);
                start = end;
            }
        }
    }
    Ok((b.finish()?, format.unwrap_or(Format::OtlpJson)))
}
