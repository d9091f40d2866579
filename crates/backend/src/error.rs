//! [`BackendError`]: what went wrong talking to a trace backend, and whether trying again may
//! help.

use std::fmt;
use std::time::Duration;

/// What kind of failure a [`BackendError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackendErrorKind {
    /// The `[backend]` configuration is invalid (unknown key or kind, bad URL, header or
    /// duration). Never retried.
    Config,
    /// The backend could not be reached, or the connection broke before a full answer.
    /// Retried while polling.
    Connect,
    /// The backend did not answer within the request timeout. Retried while polling.
    Timeout,
    /// The backend answered with an unexpected HTTP status. Retried while polling when the
    /// status is 429 or 5xx; any other status is final.
    Http {
        /// The HTTP status code.
        status: u16,
    },
    /// The backend answered 2xx with a body that is not a trace in the backend's format
    /// (not JSON, the wrong shape, truncated protobuf, or another trace). Never retried.
    Malformed,
    /// The backend answered 2xx with an error document (Jaeger `errors`, api_v3 `error`)
    /// that does not mean "not found". Never retried.
    Remote,
}

/// A failure to fetch a trace from a backend. The message is complete on its own: it names
/// the URL, the HTTP status and a snippet of the body where there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendError {
    /// What kind of failure this is.
    pub kind: BackendErrorKind,
    /// A complete, human-readable description.
    pub message: String,
    /// The backend's `Retry-After`, when it sent one with a 429 or 503.
    pub(crate) retry_after: Option<Duration>,
}

impl BackendError {
    /// An error of `kind` with `message`.
    pub fn new(kind: BackendErrorKind, message: impl Into<String>) -> Self {
        BackendError {
            kind,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A configuration error.
    pub(crate) fn config(message: impl Into<String>) -> Self {
        BackendError::new(BackendErrorKind::Config, message)
    }

    /// Whether the same request may succeed later: connection failures, timeouts, HTTP 429
    /// and 5xx. [`Backend::poll`](crate::Backend::poll) retries these within its deadline.
    pub fn is_transient(&self) -> bool {
        match self.kind {
            BackendErrorKind::Connect | BackendErrorKind::Timeout => true,
            BackendErrorKind::Http { status } => status == 429 || (500..600).contains(&status),
            BackendErrorKind::Config | BackendErrorKind::Malformed | BackendErrorKind::Remote => {
                false
            }
        }
    }

    /// How long the backend asked us to wait (`Retry-After` of a 429 or 503), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BackendError {}

/// At most this many characters of a body go into an error message.
const SNIPPET_CHARS: usize = 200;

/// A short, one-line excerpt of a response body for an error message: the first
/// [`SNIPPET_CHARS`] characters with runs of whitespace collapsed, `(empty body)`, or the size
/// of a binary body.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty body)".to_owned();
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return format!("({} bytes of binary data)", body.len());
    };
    let mut out = String::new();
    let mut chars = 0;
    let mut words = text.split_whitespace().peekable();
    if words.peek().is_none() {
        return "(blank body)".to_owned();
    }
    for word in words {
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars == SNIPPET_CHARS {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_one_short_line() {
        assert_eq!(body_snippet(b""), "(empty body)");
        assert_eq!(body_snippet(b" \n "), "(blank body)");
        assert_eq!(
            body_snippet(&[0xff, 0x00, 0x12]),
            "(3 bytes of binary data)"
        );
        assert_eq!(body_snippet(b"{\n  \"a\":\t1\n}\n"), "{ \"a\": 1 }");
        let long = "x".repeat(500);
        let s = body_snippet(long.as_bytes());
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn transient_kinds() {
        let e = |kind| BackendError::new(kind, "");
        assert!(e(BackendErrorKind::Connect).is_transient());
        assert!(e(BackendErrorKind::Timeout).is_transient());
        assert!(e(BackendErrorKind::Http { status: 429 }).is_transient());
        assert!(e(BackendErrorKind::Http { status: 503 }).is_transient());
        assert!(!e(BackendErrorKind::Http { status: 401 }).is_transient());
        assert!(!e(BackendErrorKind::Http { status: 404 }).is_transient());
        assert!(!e(BackendErrorKind::Malformed).is_transient());
        assert!(!e(BackendErrorKind::Config).is_transient());
        assert!(!e(BackendErrorKind::Remote).is_transient());
    }
}
