//! [`Backend`]: one configured backend and its HTTP client; [`Backend::fetch`] is one request.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use tbt_trace::{Trace, TraceId};

use crate::config::{BackendConfig, BackendKind, PollConfig, header};
use crate::decode::{Answer, decode};
use crate::error::{BackendError, BackendErrorKind};

/// A trace backend, ready to query. Cheap to clone (the HTTP client's connection pool is
/// shared), and safe to use from many tasks at once.
#[derive(Clone, Debug)]
pub struct Backend {
    kind: BackendKind,
    /// The base URL without a trailing slash.
    base: String,
    client: reqwest::Client,
    pub(crate) poll: PollConfig,
    timeout: Duration,
}

impl Backend {
    /// A backend for `config`, validated (see [`BackendConfig::validate`]). Makes no request.
    pub fn new(config: &BackendConfig) -> Result<Self, BackendError> {
        config.validate()?;
        let base = config.base_url()?;
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            let (name, value) = header(name, value)?;
            headers.insert(name, value);
        }
        let timeout = config.request_timeout();
        let client = reqwest::Client::builder()
            .user_agent(concat!("tbt/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| {
                BackendError::config(format!("cannot set up the HTTP client: {}", causes(&e)))
            })?;
        Ok(Backend {
            kind: config.kind,
            base,
            client,
            poll: config.poll_config(),
            timeout,
        })
    }

    /// Which backend API this is.
    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    /// The URL that [`Backend::fetch`] requests for `trace_id`.
    pub fn trace_url(&self, trace_id: [u8; 16]) -> String {
        let hex = TraceId(trace_id).to_hex();
        let path = match self.kind {
            BackendKind::Jaeger => "api/v3/traces",
            BackendKind::JaegerV1 => "api/traces",
            BackendKind::Tempo => "api/v2/traces",
        };
        format!("{}/{path}/{hex}", self.base)
    }

    /// One request for `trace_id`. `Ok(None)` when the backend says the trace is not there
    /// (yet): HTTP 404, an empty result, or an error document that says "not found". A trace
    /// is returned as the backend has it, complete or not; Tempo's partial answers (past its
    /// size limit) included.
    pub async fn fetch(&self, trace_id: [u8; 16]) -> Result<Option<Trace>, BackendError> {
        let url = self.trace_url(trace_id);
        let accept = match self.kind {
            BackendKind::Jaeger | BackendKind::JaegerV1 => "application/json",
            BackendKind::Tempo => "application/protobuf",
        };
        let response = self
            .client
            .get(&url)
            .header(header::ACCEPT, HeaderValue::from_static(accept))
            .send()
            .await
            .map_err(|e| self.transport_error(&url, &e))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&url, &e))?;
        decode(
            self.kind,
            TraceId(trace_id),
            &Answer {
                url: &url,
                status: status.as_u16(),
                reason: status.canonical_reason(),
                content_type: content_type.as_deref(),
                retry_after,
                body: &body,
            },
        )
    }

    /// A failure to send the request or read the answer.
    fn transport_error(&self, url: &str, e: &reqwest::Error) -> BackendError {
        let who = self.kind.describe();
        if e.is_timeout() {
            return BackendError::new(
                BackendErrorKind::Timeout,
                format!(
                    "{who} at {url} did not answer within {:?} (`backend.timeout`)",
                    self.timeout
                ),
            );
        }
        let what = if e.is_connect() {
            "cannot connect to"
        } else if e.is_body() || e.is_decode() {
            "lost the answer of"
        } else {
            "cannot send the request to"
        };
        BackendError::new(
            BackendErrorKind::Connect,
            format!("{what} {who} at {url}: {}", causes(e)),
        )
    }
}

/// The causes of an error, innermost last, without the top level (reqwest's top level only
/// repeats the URL).
fn causes(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}
