//! `trigger http`: one request with reqwest (rustls), trace context in the headers.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde_json::{Map, Value};

use crate::error::{self, TriggerError, TriggerErrorKind};
use crate::span::{Clock, ms_value};
use crate::{Fired, HttpAuth, HttpBody, HttpSpec, TlsOptions, TraceContext};

/// Sends the request and reads the whole response.
pub(crate) async fn fire(spec: &HttpSpec, ctx: &TraceContext) -> Result<Fired, TriggerError> {
    let method = parse_method(&spec.method)?;
    let url = build_url(spec)?;
    let target = format!("{} {}", spec.method, redacted(&url));
    let mut headers = build_headers(spec, ctx)?;
    let body = build_body(spec, &mut headers, &target).await?;
    let client = client_for(&spec.tls, spec.redirects, &target)?;

    let mut request = client
        .request(method, url.clone())
        .headers(headers)
        .timeout(spec.timeout);
    if let Some(body) = body {
        request = request.body(body);
    }
    request = match &spec.auth {
        Some(HttpAuth::Basic { user, password }) => request.basic_auth(user, Some(password)),
        Some(HttpAuth::Bearer(token)) => request.bearer_auth(token),
        None => request,
    };

    let clock = Clock::start();
    let outcome = send(request).await;
    let (mut span, duration_ms) = clock.stop(span_name(&spec.method), true);
    add_request_attributes(&mut span, &spec.method, &url);
    let (status, headers, bytes) = match outcome {
        Ok(parts) => parts,
        Err(err) => return Err(request_error(&err, spec, &target).with_span(span)),
    };

    span.attr("http.response.status_code", status);
    if status >= 400 {
        span.attr("error.type", status.to_string());
        span.error = Some(format!("HTTP {status}"));
    }
    Ok(Fired {
        response: response_object(status, headers, &bytes, duration_ms),
        span,
    })
}

/// Sends the request and reads the body, both within the request's timeout.
async fn send(
    request: reqwest::RequestBuilder,
) -> Result<(u16, HeaderMap, bytes::Bytes), reqwest::Error> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    Ok((status, headers, bytes))
}

fn parse_method(method: &str) -> Result<Method, TriggerError> {
    Method::from_bytes(method.as_bytes()).map_err(|_| {
        TriggerError::invalid(format!(
            "invalid HTTP method {method:?}: a method is a token such as GET or PURGE"
        ))
    })
}

/// The URL with the spec's query parameters appended.
fn build_url(spec: &HttpSpec) -> Result<Url, TriggerError> {
    let mut url = Url::parse(&spec.url)
        .map_err(|e| TriggerError::invalid(format!("invalid URL {:?}: {e}", spec.url)))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(TriggerError::invalid(format!(
            "invalid URL {:?}: the scheme must be http or https, not {}",
            spec.url,
            url.scheme()
        )));
    }
    if !spec.query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in &spec.query {
            pairs.append_pair(name, value);
        }
    }
    Ok(url)
}

/// The URL without credentials, as `url.full` and error messages show it.
fn redacted(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut shown = url.clone();
    let _ = shown.set_username("REDACTED");
    if url.password().is_some() {
        let _ = shown.set_password(Some("REDACTED"));
    }
    shown.to_string()
}

fn build_headers(spec: &HttpSpec, ctx: &TraceContext) -> Result<HeaderMap, TriggerError> {
    let mut headers = HeaderMap::new();
    for (name, value) in &spec.headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| TriggerError::invalid(format!("invalid HTTP header name {name:?}")))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            TriggerError::invalid(format!(
                "invalid value for HTTP header {name:?}: {value:?} (control characters are not allowed)"
            ))
        })?;
        headers.append(header, value);
    }
    if spec.auth.is_some() {
        headers.remove(AUTHORIZATION);
    }
    // Our context wins over a user's: it is the trace the runner waits for.
    let traceparent = HeaderValue::from_str(&ctx.traceparent())
        .map_err(|_| TriggerError::invalid("invalid traceparent"))?;
    headers.insert(HeaderName::from_static("traceparent"), traceparent);
    headers.remove("tracestate");
    if !ctx.tracestate.is_empty() {
        let state = HeaderValue::from_str(&ctx.tracestate).map_err(|_| {
            TriggerError::invalid(format!("invalid tracestate {:?}", ctx.tracestate))
        })?;
        headers.insert(HeaderName::from_static("tracestate"), state);
    }
    Ok(headers)
}

/// The body bytes; sets the body kind's default `content-type` unless a header set one.
async fn build_body(
    spec: &HttpSpec,
    headers: &mut HeaderMap,
    target: &str,
) -> Result<Option<Vec<u8>>, TriggerError> {
    let Some(body) = &spec.body else {
        return Ok(None);
    };
    let (bytes, content_type) = match body {
        HttpBody::Json(value) => (value.to_string().into_bytes(), "application/json"),
        HttpBody::Text(text) => (text.clone().into_bytes(), "text/plain; charset=utf-8"),
        HttpBody::Form(pairs) => {
            let encoded = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs.iter())
                .finish();
            (encoded.into_bytes(), "application/x-www-form-urlencoded")
        }
        HttpBody::File(path) => {
            let bytes = tokio::fs::read(path).await.map_err(|e| {
                TriggerError::new(
                    TriggerErrorKind::Io,
                    format!("cannot read body file {}: {e}: {target}", path.display()),
                )
            })?;
            (bytes, "application/octet-stream")
        }
    };
    if !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    Ok(Some(bytes))
}

/// Clients are reused across triggers with the same TLS options and redirect limit, so
/// connections and the trust store are set up once.
fn client_for(
    tls: &TlsOptions,
    redirects: u32,
    target: &str,
) -> Result<reqwest::Client, TriggerError> {
    type Cache = Mutex<HashMap<(TlsOptions, u32), reqwest::Client>>;
    static CLIENTS: OnceLock<Cache> = OnceLock::new();
    let cache = CLIENTS.get_or_init(Default::default);
    let key = (tls.clone(), redirects);
    if let Some(client) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(client.clone());
    }
    let client = build_client(tls, redirects, target)?;
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, client.clone());
    Ok(client)
}

fn build_client(
    tls: &TlsOptions,
    redirects: u32,
    target: &str,
) -> Result<reqwest::Client, TriggerError> {
    let policy = if redirects == 0 {
        reqwest::redirect::Policy::none()
    } else {
        reqwest::redirect::Policy::limited(redirects as usize)
    };
    let mut builder = reqwest::Client::builder().redirect(policy);
    // Only https:// URLs use it; building it for http:// too would report a bad
    // certificate file even when it does not matter, so skip the work when nothing is set.
    if tls.is_set() {
        let config = crate::tls::client_config(tls, &[b"http/1.1"], target)?;
        builder = builder.tls_backend_preconfigured(config);
    }
    builder.build().map_err(|e| {
        TriggerError::new(
            TriggerErrorKind::Tls,
            format!("cannot set up the HTTP client: {e}: {target}"),
        )
    })
}

fn request_error(err: &reqwest::Error, spec: &HttpSpec, target: &str) -> TriggerError {
    if err.is_timeout() {
        return TriggerError::new(
            TriggerErrorKind::Timeout,
            error::timeout_message(spec.timeout, target),
        );
    }
    if err.is_redirect() {
        return TriggerError::new(
            TriggerErrorKind::Other,
            format!(
                "more than {} redirect(s): {target} (raise `redirects` to follow more)",
                spec.redirects
            ),
        );
    }
    let (kind, detail) = error::classify(err);
    TriggerError::new(kind, error::message(kind, target, detail.as_deref()))
}

/// Methods the HTTP semantic conventions know; any other is `_OTHER`.
const KNOWN_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

fn span_name(method: &str) -> String {
    if KNOWN_METHODS.contains(&method) {
        method.to_string()
    } else {
        "HTTP".to_string()
    }
}

fn add_request_attributes(span: &mut crate::TriggerSpan, method: &str, url: &Url) {
    if KNOWN_METHODS.contains(&method) {
        span.attr("http.request.method", method);
    } else {
        span.attr("http.request.method", "_OTHER");
        span.attr("http.request.method_original", method);
    }
    span.attr("url.full", redacted(url));
    if let Some(host) = url.host_str() {
        span.attr(
            "server.address",
            host.trim_start_matches('[').trim_end_matches(']'),
        );
    }
    if let Some(port) = url.port_or_known_default() {
        span.attr("server.port", port);
    }
}

/// The response object: `status`, `headers`, `body`, `json` when the body parses,
/// `duration_ms`.
fn response_object(
    status: u16,
    headers: HeaderMap,
    body: &[u8],
    duration_ms: f64,
) -> Map<String, Value> {
    let mut joined: Map<String, Value> = Map::new();
    for (name, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match joined.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                joined.insert(name.as_str().to_string(), Value::String(value));
            }
        }
    }
    let text = String::from_utf8_lossy(body).into_owned();
    let json = serde_json::from_str::<Value>(&text).ok();
    let mut response = Map::new();
    response.insert("status".into(), Value::from(status));
    response.insert("headers".into(), Value::Object(joined));
    response.insert("body".into(), Value::String(text));
    if let Some(json) = json {
        response.insert("json".into(), json);
    }
    response.insert("duration_ms".into(), ms_value(duration_ms));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_url_full() {
        let url = Url::parse("https://alice:secret@example.com/x?q=1").unwrap();
        assert_eq!(
            redacted(&url),
            "https://REDACTED:REDACTED@example.com/x?q=1"
        );
        let plain = Url::parse("http://example.com/").unwrap();
        assert_eq!(redacted(&plain), "http://example.com/");
    }

    #[test]
    fn custom_methods_follow_the_semantic_conventions() {
        assert_eq!(span_name("POST"), "POST");
        assert_eq!(span_name("PURGE"), "HTTP");
    }

    #[test]
    fn bad_specs_are_rejected_before_sending() {
        let ctx = TraceContext::random();
        let mut spec = HttpSpec::new("GET", "ftp://example.com/");
        assert!(
            build_url(&spec)
                .unwrap_err()
                .message
                .contains("scheme must be http")
        );
        spec.url = "not a url".into();
        assert_eq!(
            build_url(&spec).unwrap_err().kind,
            TriggerErrorKind::InvalidSpec
        );
        assert!(parse_method("GE T").is_err());
        spec.headers = vec![("bad name".into(), "v".into())];
        assert!(build_headers(&spec, &ctx).is_err());
        spec.headers = vec![("x-ok".into(), "line\nbreak".into())];
        assert!(build_headers(&spec, &ctx).is_err());
    }
}
