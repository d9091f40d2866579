//! Span kind and status code, as OTLP defines them (one byte each).

use std::fmt;

/// The OTLP span kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(u8)]
pub enum SpanKind {
    /// `SPAN_KIND_UNSPECIFIED` (0).
    #[default]
    Unspecified = 0,
    /// `SPAN_KIND_INTERNAL` (1).
    Internal = 1,
    /// `SPAN_KIND_SERVER` (2).
    Server = 2,
    /// `SPAN_KIND_CLIENT` (3).
    Client = 3,
    /// `SPAN_KIND_PRODUCER` (4).
    Producer = 4,
    /// `SPAN_KIND_CONSUMER` (5).
    Consumer = 5,
}

impl SpanKind {
    /// From the OTLP enum number; unknown numbers give `None`.
    pub fn from_i32(v: i32) -> Option<SpanKind> {
        Some(match v {
            0 => SpanKind::Unspecified,
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => return None,
        })
    }

    /// From a name: the OTLP enum name (`SPAN_KIND_SERVER`), or the short form in any case
    /// (`server`, `SERVER`), as OTLP/JSON variants, Jaeger's `span.kind` tag and Zipkin write it.
    pub fn from_name(s: &str) -> Option<SpanKind> {
        let short = s.strip_prefix("SPAN_KIND_").unwrap_or(s);
        Some(match short.to_ascii_lowercase().as_str() {
            "unspecified" => SpanKind::Unspecified,
            "internal" => SpanKind::Internal,
            "server" => SpanKind::Server,
            "client" => SpanKind::Client,
            "producer" => SpanKind::Producer,
            "consumer" => SpanKind::Consumer,
            _ => return None,
        })
    }

    /// The short lowercase name (`server`), as the query language spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }
}

impl fmt::Display for SpanKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The OTLP status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(u8)]
pub enum StatusCode {
    /// `STATUS_CODE_UNSET` (0).
    #[default]
    Unset = 0,
    /// `STATUS_CODE_OK` (1).
    Ok = 1,
    /// `STATUS_CODE_ERROR` (2).
    Error = 2,
}

impl StatusCode {
    /// From the OTLP enum number; unknown numbers give `None`.
    pub fn from_i32(v: i32) -> Option<StatusCode> {
        Some(match v {
            0 => StatusCode::Unset,
            1 => StatusCode::Ok,
            2 => StatusCode::Error,
            _ => return None,
        })
    }

    /// From a name: `STATUS_CODE_ERROR`, or `ERROR`/`error`/`Ok`/`unset` in any case.
    pub fn from_name(s: &str) -> Option<StatusCode> {
        let short = s.strip_prefix("STATUS_CODE_").unwrap_or(s);
        Some(match short.to_ascii_lowercase().as_str() {
            "unset" => StatusCode::Unset,
            "ok" => StatusCode::Ok,
            "error" => StatusCode::Error,
            _ => return None,
        })
    }

    /// The short lowercase name (`error`).
    pub fn as_str(self) -> &'static str {
        match self {
            StatusCode::Unset => "unset",
            StatusCode::Ok => "ok",
            StatusCode::Error => "error",
        }
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
