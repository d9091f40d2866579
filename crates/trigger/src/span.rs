//! The trigger span and the clock that times a trigger.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// What the runner records as the root span of the trace (service.name `tbt`): the client
/// span of the trigger, whose id is the [`TraceContext::span_id`](crate::TraceContext).
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerSpan {
    /// The span name per the semantic conventions: the HTTP method (`POST`, or `HTTP` for a
    /// custom method), `pkg.Service/Method`, or `exec <program>`.
    pub name: String,
    /// Whether the span kind is CLIENT (HTTP and gRPC); exec spans are INTERNAL.
    pub kind_client: bool,
    /// When the trigger started, in nanoseconds since the Unix epoch.
    pub start_unix_nano: u64,
    /// When the trigger ended, in nanoseconds since the Unix epoch.
    pub end_unix_nano: u64,
    /// Attributes per the semantic conventions: `http.request.method`, `url.full`,
    /// `server.address`, `server.port`, `http.response.status_code`; `rpc.system`,
    /// `rpc.service`, `rpc.method`, `rpc.grpc.status_code`; `process.command_args`,
    /// `process.exit.code`; `error.type` on failures.
    pub attributes: Vec<(String, serde_json::Value)>,
    /// The span's error status and message; `None` for an OK span.
    pub error: Option<String>,
}

impl TriggerSpan {
    /// Adds an attribute.
    pub(crate) fn attr(&mut self, key: &str, value: impl Into<serde_json::Value>) {
        self.attributes.push((key.to_string(), value.into()));
    }

    /// The value of an attribute, if set.
    pub fn attribute(&self, key: &str) -> Option<&serde_json::Value> {
        self.attributes
            .iter()
            .find_map(|(k, v)| (k == key).then_some(v))
    }
}

/// Times a trigger: wall-clock start for the span, monotonic duration for the response.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    start_unix_nano: u64,
    start: Instant,
}

impl Clock {
    /// Starts the clock now.
    pub fn start() -> Self {
        let start_unix_nano = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        Clock {
            start_unix_nano,
            start: Instant::now(),
        }
    }

    /// Stops the clock: a span from the start to now, and the elapsed milliseconds (with
    /// sub-millisecond precision) measured at the same instant.
    pub fn stop(&self, name: String, kind_client: bool) -> (TriggerSpan, f64) {
        let elapsed = self.start.elapsed();
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        let span = TriggerSpan {
            name,
            kind_client,
            start_unix_nano: self.start_unix_nano,
            end_unix_nano: self.start_unix_nano.saturating_add(nanos),
            attributes: Vec::new(),
            error: None,
        };
        (span, elapsed.as_secs_f64() * 1000.0)
    }
}

/// Milliseconds as a JSON number (`duration_ms`), falling back to 0 for a non-finite value.
pub(crate) fn ms_value(ms: f64) -> serde_json::Value {
    serde_json::Number::from_f64(ms).map_or(serde_json::Value::from(0), serde_json::Value::Number)
}
