//! Trigger failures: no response at all, with a one-line message that names the target.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::span::TriggerSpan;

/// Why a trigger produced no response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TriggerErrorKind {
    /// Nothing listens on the target's port.
    ConnectionRefused,
    /// The target's host name does not resolve.
    Dns,
    /// No response (or no exit) within the timeout.
    Timeout,
    /// The TLS handshake failed: an untrusted certificate, a rejected client certificate, or a
    /// bad certificate or key file.
    Tls,
    /// Reading a file the trigger needs, or the connection itself, failed.
    Io,
    /// The command could not be started (a missing program, no permission, a bad `cwd`).
    Spawn,
    /// The trigger description itself is wrong: a bad URL, method, header or argv.
    InvalidSpec,
    /// The `.proto` files or the server's reflection do not describe the method, or the
    /// message does not fit it.
    Proto,
    /// Anything else, such as a connection closed in the middle of the response.
    Other,
}

/// A trigger that produced no response.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerError {
    /// What went wrong, for the runner to decide how to report it.
    pub kind: TriggerErrorKind,
    /// One line that says what went wrong and names the target, such as
    /// `connection refused: POST http://127.0.0.1:9/x`.
    pub message: String,
    /// The trigger span when the request got as far as being attempted (the system may have
    /// started work before a timeout), with the error recorded on it; `None` when the spec
    /// was rejected before anything was sent.
    pub span: Option<Box<TriggerSpan>>,
}

impl TriggerError {
    /// An error without a span.
    pub fn new(kind: TriggerErrorKind, message: impl Into<String>) -> Self {
        TriggerError {
            kind,
            message: one_line(&message.into()),
            span: None,
        }
    }

    /// An [`TriggerErrorKind::InvalidSpec`] error.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(TriggerErrorKind::InvalidSpec, message)
    }

    /// Attaches the trigger span, recording the error on it.
    pub(crate) fn with_span(mut self, mut span: TriggerSpan) -> Self {
        span.error = Some(self.message.clone());
        span.attributes.push((
            "error.type".to_string(),
            serde_json::Value::String(self.kind.error_type().to_string()),
        ));
        self.span = Some(Box::new(span));
        self
    }
}

impl TriggerErrorKind {
    /// The short phrase that starts a message of this kind.
    pub(crate) fn phrase(self) -> &'static str {
        match self {
            TriggerErrorKind::ConnectionRefused => "connection refused",
            TriggerErrorKind::Dns => "cannot resolve host",
            TriggerErrorKind::Timeout => "timed out",
            TriggerErrorKind::Tls => "TLS handshake failed",
            TriggerErrorKind::Io => "I/O error",
            TriggerErrorKind::Spawn => "cannot start command",
            TriggerErrorKind::InvalidSpec => "invalid trigger",
            TriggerErrorKind::Proto => "protobuf schema error",
            TriggerErrorKind::Other => "request failed",
        }
    }

    /// The `error.type` attribute value of the trigger span.
    pub(crate) fn error_type(self) -> &'static str {
        match self {
            TriggerErrorKind::ConnectionRefused => "connection_refused",
            TriggerErrorKind::Dns => "dns",
            TriggerErrorKind::Timeout => "timeout",
            TriggerErrorKind::Tls => "tls",
            TriggerErrorKind::Io => "io",
            TriggerErrorKind::Spawn => "spawn",
            TriggerErrorKind::InvalidSpec => "invalid_spec",
            TriggerErrorKind::Proto => "proto",
            TriggerErrorKind::Other => "_OTHER",
        }
    }
}

impl fmt::Display for TriggerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for TriggerError {}

/// A transport failure our own connector reports with its kind already known.
#[derive(Debug)]
pub(crate) struct ConnectFailure {
    pub kind: TriggerErrorKind,
    pub detail: String,
}

impl fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl StdError for ConnectFailure {}

/// Classifies a transport error by walking its source chain: the kind, and a detail worth
/// showing (`None` when the kind says it all).
pub(crate) fn classify(err: &(dyn StdError + 'static)) -> (TriggerErrorKind, Option<String>) {
    let mut texts = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = classify_one(e) {
            return found;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(found) = classify_one(inner)
        {
            return found;
        }
        texts.push(e.to_string());
        current = e.source();
    }
    let all = texts.join(": ");
    let lower = all.to_ascii_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        return (TriggerErrorKind::Dns, None);
    }
    // Some layers box their causes in a way that hides the typed error from the chain.
    if lower.contains("invalid peer certificate")
        || lower.contains("received fatal alert")
        || lower.contains("peer is incompatible")
        || lower.contains("tls handshake")
    {
        return (TriggerErrorKind::Tls, Some(innermost(&texts)));
    }
    if lower.contains("timed out") || lower.contains("timeout") {
        return (TriggerErrorKind::Timeout, None);
    }
    (TriggerErrorKind::Other, Some(innermost(&texts)))
}

fn classify_one(e: &(dyn StdError + 'static)) -> Option<(TriggerErrorKind, Option<String>)> {
    if let Some(failure) = e.downcast_ref::<ConnectFailure>() {
        let detail = (!failure.detail.is_empty()).then(|| failure.detail.clone());
        return Some((failure.kind, detail));
    }
    if let Some(tls) = e.downcast_ref::<rustls::Error>() {
        return Some((TriggerErrorKind::Tls, Some(tls.to_string())));
    }
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        use std::io::ErrorKind;
        return match io.kind() {
            ErrorKind::ConnectionRefused => Some((TriggerErrorKind::ConnectionRefused, None)),
            ErrorKind::TimedOut => Some((TriggerErrorKind::Timeout, None)),
            _ => None,
        };
    }
    None
}

/// The most specific message of a chain: the last one that says something.
fn innermost(texts: &[String]) -> String {
    texts
        .iter()
        .rev()
        .find(|t| !t.trim().is_empty())
        .cloned()
        .unwrap_or_default()
}

/// `<phrase>: <target>` or `<phrase>: <target> (<detail>)`.
pub(crate) fn message(kind: TriggerErrorKind, target: &str, detail: Option<&str>) -> String {
    match detail {
        Some(detail) if !detail.is_empty() => format!("{}: {target} ({detail})", kind.phrase()),
        _ => format!("{}: {target}", kind.phrase()),
    }
}

/// `timed out after 5s: <target>`.
pub(crate) fn timeout_message(timeout: Duration, target: &str) -> String {
    format!("timed out after {}: {target}", format_duration(timeout))
}

/// A duration the way a `.tbt` file writes it: `250ms`, `5s`, `1.5s`, `2m`.
pub(crate) fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
        format!("{}us", d.as_micros())
    } else if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{}s", ms as f64 / 1000.0)
    }
}

/// Collapses line breaks so a message stays on one line.
pub(crate) fn one_line(text: &str) -> String {
    if !text.contains(['\n', '\r']) {
        return text.to_string();
    }
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_tbt_literals() {
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(format_duration(Duration::from_secs(5)), "5s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_duration(Duration::from_secs(120)), "2m");
        assert_eq!(format_duration(Duration::from_micros(20)), "20us");
    }

    #[test]
    fn messages_stay_on_one_line() {
        let e = TriggerError::invalid("first\nsecond\r\n\nthird");
        assert_eq!(e.message, "first / second / third");
    }

    #[test]
    fn io_errors_classify_by_kind() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(classify(&refused).0, TriggerErrorKind::ConnectionRefused);
        let wrapped = std::io::Error::other(ConnectFailure {
            kind: TriggerErrorKind::Dns,
            detail: String::new(),
        });
        assert_eq!(classify(&wrapped), (TriggerErrorKind::Dns, None));
        let other = std::io::Error::other("broken pipe");
        assert_eq!(
            classify(&other),
            (TriggerErrorKind::Other, Some("broken pipe".to_string()))
        );
    }
}
