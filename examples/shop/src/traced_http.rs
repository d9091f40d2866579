//! HTTP with traces: an axum middleware that opens a SERVER span for each request (a child
//! of the incoming W3C `traceparent`), and a reqwest client that opens a CLIENT span for each
//! call and propagates its context.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use opentelemetry::trace::{FutureExt as _, SpanKind, Status, TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, KeyValue, global};
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use reqwest::Method;
use serde_json::Value;

use crate::telemetry::SCOPE;

/// The axum middleware: a SERVER span named `METHOD ROUTE` around the handler, with the
/// HTTP semantic-convention attributes. Install it with `route_layer`, so the route is known.
pub async fn server_span(req: Request, next: Next) -> Response {
    let parent = global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(req.headers())));
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let name = match &route {
        Some(r) => format!("{method} {r}"),
        None => method.clone(),
    };
    let mut attributes = vec![
        KeyValue::new("http.request.method", method),
        KeyValue::new("url.path", req.uri().path().to_owned()),
        KeyValue::new("url.scheme", "http"),
        KeyValue::new("network.protocol.version", "1.1"),
    ];
    if let Some(route) = route {
        attributes.push(KeyValue::new("http.route", route));
    }
    if let Some(query) = req.uri().query() {
        attributes.push(KeyValue::new("url.query", query.to_owned()));
    }
    if let Some((host, port)) = host_and_port(&req) {
        attributes.push(KeyValue::new("server.address", host));
        attributes.push(KeyValue::new("server.port", i64::from(port)));
    }
    let tracer = global::tracer(SCOPE);
    let span = tracer
        .span_builder(name)
        .with_kind(SpanKind::Server)
        .with_attributes(attributes)
        .start_with_context(&tracer, &parent);
    let cx = parent.with_span(span);
    let response = next.run(req).with_context(cx.clone()).await;
    let status = response.status().as_u16();
    let span = cx.span();
    span.set_attribute(KeyValue::new(
        "http.response.status_code",
        i64::from(status),
    ));
    if status >= 500 {
        span.set_attribute(KeyValue::new("error.type", status.to_string()));
        span.set_status(Status::error(format!("answered {status}")));
    }
    span.end();
    response
}

/// The request's `Host` header, split into host and port.
fn host_and_port(req: &Request) -> Option<(String, u16)> {
    let host = req.headers().get(http::header::HOST)?.to_str().ok()?;
    let (name, port) = host.rsplit_once(':')?;
    Some((name.to_owned(), port.parse().ok()?))
}

/// Why a traced call failed.
#[derive(Debug)]
pub enum CallError {
    /// The request could not be sent or its answer not read.
    Transport(String),
    /// The server answered with an error status.
    Status {
        /// The status code.
        status: u16,
        /// The answer's body.
        body: String,
    },
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Transport(e) => write!(f, "{e}"),
            CallError::Status { status, body } => write!(f, "answered {status}: {body}"),
        }
    }
}

/// A reqwest client whose calls are CLIENT spans, children of the current context, with the
/// W3C trace context injected into the request headers.
#[derive(Clone, Debug, Default)]
pub struct TracedClient {
    http: reqwest::Client,
}

impl TracedClient {
    /// A client with the shop's timeouts.
    pub fn new() -> Result<TracedClient, String> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(TracedClient { http })
    }

    /// Calls `base + path` with an optional JSON body and returns the status and the JSON
    /// answer (`null` for an empty body). `route` is the path template that names the span,
    /// e.g. `/orders/{id}`. A status of 400 or more is an error.
    pub async fn call(
        &self,
        method: Method,
        base: &str,
        route: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), CallError> {
        let url = format!("{base}{path}");
        let cx = start_client_span(&method, &url, route, &[]);
        let result = self.send(&cx, method, &url, body).await;
        finish_client_span(&cx, &result);
        result
    }

    /// Like [`call`](Self::call), but inside an already started span context (for example a
    /// PRODUCER span whose context the receiver must see).
    pub async fn send(
        &self,
        cx: &Context,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), CallError> {
        let mut headers = http::HeaderMap::new();
        global::get_text_map_propagator(|p| {
            p.inject_context(cx, &mut HeaderInjector(&mut headers))
        });
        let mut request = self.http.request(method, url).headers(headers);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| CallError::Transport(format!("calling {url}: {e}")))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| CallError::Transport(format!("reading the answer of {url}: {e}")))?;
        if status >= 400 {
            return Err(CallError::Status { status, body: text });
        }
        let value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|e| {
                CallError::Transport(format!("{url} answered with invalid JSON ({e}): {text}"))
            })?
        };
        Ok((status, value))
    }
}

/// Starts a CLIENT span for a call of `url` under the current context.
pub fn start_client_span(method: &Method, url: &str, route: &str, extra: &[KeyValue]) -> Context {
    let parent = Context::current();
    let mut attributes = vec![
        KeyValue::new("http.request.method", method.as_str().to_owned()),
        KeyValue::new("url.full", url.to_owned()),
        KeyValue::new("url.template", route.to_owned()),
    ];
    if let Ok(parsed) = reqwest::Url::parse(url) {
        if let Some(host) = parsed.host_str() {
            attributes.push(KeyValue::new("server.address", host.to_owned()));
        }
        if let Some(port) = parsed.port_or_known_default() {
            attributes.push(KeyValue::new("server.port", i64::from(port)));
        }
    }
    attributes.extend_from_slice(extra);
    let tracer = global::tracer(SCOPE);
    let span = tracer
        .span_builder(format!("{} {route}", method.as_str()))
        .with_kind(SpanKind::Client)
        .with_attributes(attributes)
        .start_with_context(&tracer, &parent);
    parent.with_span(span)
}

/// Records the outcome of a call on its CLIENT span and ends it.
pub fn finish_client_span(cx: &Context, result: &Result<(u16, Value), CallError>) {
    let span = cx.span();
    match result {
        Ok((status, _)) => {
            span.set_attribute(KeyValue::new(
                "http.response.status_code",
                i64::from(*status),
            ));
        }
        Err(CallError::Status { status, .. }) => {
            span.set_attribute(KeyValue::new(
                "http.response.status_code",
                i64::from(*status),
            ));
            span.set_attribute(KeyValue::new("error.type", status.to_string()));
            span.set_status(Status::error(format!("answered {status}")));
        }
        Err(CallError::Transport(message)) => {
            span.set_attribute(KeyValue::new("error.type", "transport"));
            span.set_status(Status::error(message.clone()));
        }
    }
    span.end();
}
