//! Turning one HTTP answer of a backend into "the trace", "not there (yet)" or an error.
//!
//! The bodies are read by the importers of `tbt-trace`; this module only decides what the
//! status and the body mean for each backend kind.

use std::time::Duration;

use prost::Message;
use tbt_trace::{ImportError, Trace, TraceId};

use crate::config::BackendKind;
use crate::error::{BackendError, BackendErrorKind, body_snippet};
use crate::tempopb::raw::TraceByIdResponse;

/// One HTTP answer.
pub(crate) struct Answer<'a> {
    /// The request URL, for messages.
    pub url: &'a str,
    /// The HTTP status code.
    pub status: u16,
    /// The reason phrase of the status, if it has a standard one.
    pub reason: Option<&'static str>,
    /// The `Content-Type`, if any.
    pub content_type: Option<&'a str>,
    /// `Retry-After` in seconds, if any.
    pub retry_after: Option<Duration>,
    /// The (decompressed) body.
    pub body: &'a [u8],
}

/// What the answer of `kind` for `trace_id` means: `Ok(None)` when the backend does not have
/// the trace (yet).
pub(crate) fn decode(
    kind: BackendKind,
    trace_id: TraceId,
    answer: &Answer<'_>,
) -> Result<Option<Trace>, BackendError> {
    match answer.status {
        200..=299 => {}
        404 => return Ok(None),
        status => return Err(http_error(kind, answer, status)),
    }
    let imported = match kind {
        BackendKind::Jaeger => tbt_trace::import_jaeger_api_v3(answer.body),
        BackendKind::JaegerV1 => tbt_trace::import_jaeger_json(answer.body),
        BackendKind::Tempo if is_json(answer.content_type) => {
            tbt_trace::import_otlp_json(answer.body)
        }
        BackendKind::Tempo => return decode_tempo_proto(kind, trace_id, answer),
    };
    match imported {
        Ok(trace) => checked(kind, trace_id, answer, trace),
        // Nothing at all in the body: no spans for this id yet.
        Err(ImportError::Empty) => Ok(None),
        Err(ImportError::Remote { message, .. }) if means_not_found(&message) => Ok(None),
        Err(ImportError::Remote { message, .. }) => Err(BackendError::new(
            BackendErrorKind::Remote,
            format!(
                "{} at {} answered HTTP {} with an error: {message}",
                kind.describe(),
                answer.url,
                answer.status
            ),
        )),
        Err(e) => Err(malformed(kind, answer, &e.to_string())),
    }
}

/// Tempo's protobuf `TraceByIDResponse`.
fn decode_tempo_proto(
    kind: BackendKind,
    trace_id: TraceId,
    answer: &Answer<'_>,
) -> Result<Option<Trace>, BackendError> {
    let response = TraceByIdResponse::decode(answer.body).map_err(|e| {
        malformed(
            kind,
            answer,
            &format!("not a protobuf tempopb.TraceByIDResponse: {e}"),
        )
    })?;
    let Some(encoded) = response.trace else {
        return Ok(None);
    };
    match tbt_trace::import_otlp_proto(&encoded) {
        Ok(trace) => checked(kind, trace_id, answer, trace),
        Err(ImportError::Empty) => Ok(None),
        Err(e) => Err(malformed(kind, answer, &format!("in the trace: {e}"))),
    }
}

/// `None` for a trace without spans; an error when the backend sent spans of other traces
/// only.
fn checked(
    kind: BackendKind,
    trace_id: TraceId,
    answer: &Answer<'_>,
    trace: Trace,
) -> Result<Option<Trace>, BackendError> {
    if trace.is_empty() {
        return Ok(None);
    }
    let ids = trace.trace_ids();
    if !ids.contains(&trace_id) {
        let found: Vec<String> = ids.iter().take(3).map(TraceId::to_hex).collect();
        return Err(malformed(
            kind,
            answer,
            &format!(
                "the spans belong to trace {}, not to the requested trace",
                found.join(", ")
            ),
        ));
    }
    Ok(Some(trace))
}

/// Whether a backend's error message says the trace does not exist (yet).
fn means_not_found(message: &str) -> bool {
    message.to_ascii_lowercase().contains("not found")
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        let media = ct.split(';').next().unwrap_or("").trim();
        media.eq_ignore_ascii_case("application/json") || media.ends_with("+json")
    })
}

fn http_error(kind: BackendKind, answer: &Answer<'_>, status: u16) -> BackendError {
    let reason = answer.reason.map(|r| format!(" {r}")).unwrap_or_default();
    let hint = match status {
        401 | 403 => " (check the credentials in [backend] headers)",
        429 => " (rate limited)",
        _ => "",
    };
    let mut error = BackendError::new(
        BackendErrorKind::Http { status },
        format!(
            "{} at {} answered HTTP {status}{reason}{hint}: {}",
            kind.describe(),
            answer.url,
            body_snippet(answer.body)
        ),
    );
    error.retry_after = answer.retry_after;
    error
}

fn malformed(kind: BackendKind, answer: &Answer<'_>, why: &str) -> BackendError {
    let expected = match kind {
        BackendKind::Jaeger => "a Jaeger api_v3 trace ({\"result\": <OTLP/JSON>})",
        BackendKind::JaegerV1 => "a Jaeger v1 trace ({\"data\": [trace]})",
        BackendKind::Tempo => "a Tempo trace (protobuf TraceByIDResponse)",
    };
    BackendError::new(
        BackendErrorKind::Malformed,
        format!(
            "{} at {} answered HTTP {} with a body that is not {expected}: {why}; the body begins: {}",
            kind.describe(),
            answer.url,
            answer.status,
            body_snippet(answer.body)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("application/json; charset=utf-8")));
        assert!(is_json(Some("application/vnd.tempo+json")));
        assert!(!is_json(Some("application/protobuf")));
        assert!(!is_json(None));
    }

    #[test]
    fn not_found_messages() {
        assert!(means_not_found("trace not found"));
        assert!(means_not_found("Trace Not Found"));
        assert!(!means_not_found("storage unavailable"));
    }
}
