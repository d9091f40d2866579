//! Importers: bytes in one of the supported formats → [`Trace`], through [`TraceBuilder`](crate::TraceBuilder).
//!
//! | format | reader | detected by |
//! |---|---|---|
//! | OTLP protobuf (`TracesData` / `ExportTraceServiceRequest`) | [`import_otlp_proto`] | first non-blank byte not `{`/`[` |
//! | OTLP/JSON, strict and lenient (also Tempo's `{"batches"}` and `{"trace": …}`) | [`import_otlp_json`] | top-level `resourceSpans`, `batches` or `trace` |
//! | Jaeger api_v3 (`{"result": <OTLP/JSON>}`) | [`import_jaeger_api_v3`] | top-level `result` |
//! | Jaeger v1 query JSON (`{"data": [trace…]}` or one trace) | [`import_jaeger_json`] | top-level `data`, or `spans` |
//! | Zipkin v2 JSON (array of spans, or of traces) | [`import_zipkin_json`] | top-level array |
//!
//! [`import`] detects the format; its errors say which format was detected, which field was
//! wrong, and where (line and column for JSON, byte offset for protobuf). No input makes an
//! importer panic. JSON input may hold several documents one after another (JSON Lines, as
//! the collector's file exporter writes): their spans go into one store.

mod detect;
mod jaeger;
mod json_util;
mod otlp_json;
mod otlp_proto;
mod zipkin;

use std::fmt;

pub use detect::detect;
pub use otlp_proto::ProtoFieldError;

use crate::intern::Sym;
use crate::model::{AttrSink, BuildError, SpanWriter, Trace};
use crate::value::{Value, ValuePool};

/// A supported input format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// OTLP protobuf: `TracesData` or `ExportTraceServiceRequest` (same wire shape).
    OtlpProtobuf,
    /// OTLP/JSON (strict or lenient).
    OtlpJson,
    /// Jaeger query api_v3 HTTP response: `{"result": <OTLP/JSON>}`.
    JaegerApiV3,
    /// Jaeger query v1 JSON (`/api/traces/{id}`): `{"data": [trace…]}` or one trace object.
    JaegerV1,
    /// Zipkin v2 JSON: an array of spans (or of arrays of spans).
    ZipkinV2,
}

impl Format {
    /// A human name.
    pub fn name(self) -> &'static str {
        match self {
            Format::OtlpProtobuf => "OTLP protobuf",
            Format::OtlpJson => "OTLP/JSON",
            Format::JaegerApiV3 => "Jaeger api_v3 JSON",
            Format::JaegerV1 => "Jaeger v1 JSON",
            Format::ZipkinV2 => "Zipkin v2 JSON",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an import failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    /// The input is empty (or only whitespace).
    Empty,
    /// The input is in no supported format.
    UnknownFormat {
        /// What was seen.
        detail: String,
    },
    /// JSON that does not parse, or does not have the detected format's shape (a field of
    /// the wrong type or syntax, a missing field, a malformed id…). The message names the
    /// field.
    Json {
        /// The format detected when the error occurred (`None`: not known yet).
        format: Option<Format>,
        /// serde's message, naming the field.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// Protobuf that does not decode as OTLP traces.
    Protobuf {
        /// What went wrong (prost's message, or the invalid field).
        message: String,
        /// Byte offset of the top-level `ResourceSpans` message (or field) at fault.
        offset: usize,
    },
    /// Well-formed input with a field value the model cannot take.
    InvalidField {
        /// The format.
        format: Format,
        /// The field, as the format names it.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A format-specific importer was given another format.
    FormatMismatch {
        /// The importer's format.
        expected: Format,
        /// The detected format.
        found: Format,
    },
    /// The document is an error response (Jaeger `errors`, api_v3 `error`), not a trace.
    Remote {
        /// The format.
        format: Format,
        /// The error message it carries.
        message: String,
    },
    /// The store hit a 32-bit limit.
    Build(BuildError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Empty => f.write_str("empty input: no trace data"),
            ImportError::UnknownFormat { detail } => {
                write!(f, "unrecognized trace format: {detail}")
            }
            ImportError::Json {
                format,
                message,
                line,
                column,
            } => {
                let fmt = format.map_or("JSON", Format::name);
                write!(f, "{fmt}: {message} (line {line}, column {column})")
            }
            ImportError::Protobuf { message, offset } => {
                write!(f, "OTLP protobuf: {message} (at byte {offset})")
            }
            ImportError::InvalidField {
                format,
                field,
                message,
            } => write!(f, "{format}: invalid {field}: {message}"),
            ImportError::FormatMismatch { expected, found } => {
                write!(f, "expected {expected} input, but it looks like {found}")
            }
            ImportError::Remote { format, message } => {
                write!(f, "{format}: the document is an error response: {message}")
            }
            ImportError::Build(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ImportError {}

impl From<BuildError> for ImportError {
    fn from(e: BuildError) -> Self {
        ImportError::Build(e)
    }
}

/// Imports any supported format, detected from the bytes.
pub fn import(bytes: &[u8]) -> Result<Trace, ImportError> {
    import_detected(bytes).map(|(t, _)| t)
}

/// Imports any supported format and tells which one it was.
pub fn import_detected(bytes: &[u8]) -> Result<(Trace, Format), ImportError> {
    match detect::sniff(bytes)? {
        detect::Sniff::Json => detect::import_json(bytes),
        detect::Sniff::Protobuf => {
            otlp_proto::import(bytes, true).map(|t| (t, Format::OtlpProtobuf))
        }
        detect::Sniff::Ambiguous => detect::import_json(bytes).or_else(|json_err| {
            otlp_proto::import(bytes, true)
                .map(|t| (t, Format::OtlpProtobuf))
                .map_err(|_| json_err)
        }),
    }
}

/// Imports OTLP protobuf (`TracesData` or `ExportTraceServiceRequest`).
pub fn import_otlp_proto(bytes: &[u8]) -> Result<Trace, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    otlp_proto::import(bytes, false)
}

/// Imports OTLP/JSON (strict or lenient; see the module docs).
pub fn import_otlp_json(bytes: &[u8]) -> Result<Trace, ImportError> {
    import_json_as(bytes, Format::OtlpJson)
}

/// Imports a Jaeger api_v3 response (`{"result": <OTLP/JSON>}`).
pub fn import_jaeger_api_v3(bytes: &[u8]) -> Result<Trace, ImportError> {
    import_json_as(bytes, Format::JaegerApiV3)
}

/// Imports Jaeger v1 query JSON.
pub fn import_jaeger_json(bytes: &[u8]) -> Result<Trace, ImportError> {
    import_json_as(bytes, Format::JaegerV1)
}

/// Imports Zipkin v2 JSON.
pub fn import_zipkin_json(bytes: &[u8]) -> Result<Trace, ImportError> {
    import_json_as(bytes, Format::ZipkinV2)
}

fn import_json_as(bytes: &[u8], expected: Format) -> Result<Trace, ImportError> {
    if detect::is_blank(bytes) {
        return Err(ImportError::Empty);
    }
    let (trace, found) = detect::import_json(bytes)?;
    if found != expected {
        return Err(ImportError::FormatMismatch { expected, found });
    }
    Ok(trace)
}

/// Where importers put attributes: a span, or a resource/scope/event/link sink.
pub(crate) trait AttrTarget {
    fn pool(&mut self) -> &mut ValuePool;
    fn attr_sym(&mut self, key: Sym, value: Value);
}

impl AttrTarget for AttrSink<'_> {
    fn pool(&mut self) -> &mut ValuePool {
        AttrSink::pool(self)
    }
    fn attr_sym(&mut self, key: Sym, value: Value) {
        AttrSink::attr_sym(self, key, value)
    }
}

impl AttrTarget for SpanWriter<'_> {
    fn pool(&mut self) -> &mut ValuePool {
        SpanWriter::pool(self)
    }
    fn attr_sym(&mut self, key: Sym, value: Value) {
        SpanWriter::attr_sym(self, key, value)
    }
}
