//! The HTTP endpoint: `POST /v1/traces`, OTLP protobuf or JSON, optionally gzip.

use std::io::Read;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use tokio::net::TcpListener;

use crate::router::Router;
use crate::stats::Counters;

#[derive(Clone)]
struct AppState {
    router: Arc<Router>,
    max_request_bytes: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Protobuf,
    Json,
}

/// Why a request was refused as a whole.
struct Refusal(StatusCode, String);

/// `google.rpc.Status`, the body OTLP/HTTP prescribes for refusals.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

impl Refusal {
    /// The answer: a `google.rpc.Status` in the request's encoding, or plain text when
    /// the encoding is unknown.
    fn respond(self, enc: Option<Encoding>) -> Response {
        let Refusal(status, message) = self;
        let message = crate::stats::shorten(&message);
        // The matching gRPC code: RESOURCE_EXHAUSTED for 413, UNIMPLEMENTED for a wrong
        // path or method, INVALID_ARGUMENT for anything else.
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => 8,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => 12,
            _ => 3,
        };
        match enc {
            Some(Encoding::Protobuf) => (
                status,
                [(header::CONTENT_TYPE, "application/x-protobuf")],
                RpcStatus { code, message }.encode_to_vec(),
            )
                .into_response(),
            Some(Encoding::Json) => (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::json!({ "code": code, "message": message }).to_string(),
            )
                .into_response(),
            None => (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                message,
            )
                .into_response(),
        }
    }
}

/// Builds the axum app for `POST /v1/traces`.
pub(crate) fn app(router: Arc<Router>, max_request_bytes: usize) -> axum::Router {
    let state = AppState {
        router,
        max_request_bytes,
    };
    axum::Router::new()
        .route("/v1/traces", post(export).fallback(wrong_method))
        .fallback(wrong_path)
        .layer(DefaultBodyLimit::max(max_request_bytes))
        .with_state(state)
}

/// Serves HTTP on `listener` until `shutdown` resolves.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Arc<Router>,
    max_request_bytes: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(router, max_request_bytes))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let counters = &state.router.counters;
    Counters::add(&counters.requests, 1);
    let enc = encoding(&headers);
    match decode(&state, &headers, body) {
        Ok((req, enc)) => {
            let partial_success = state.router.ingest(req);
            let resp = ExportTraceServiceResponse { partial_success };
            match enc {
                Encoding::Protobuf => (
                    [(header::CONTENT_TYPE, "application/x-protobuf")],
                    resp.encode_to_vec(),
                )
                    .into_response(),
                Encoding::Json => match json_answer(&resp) {
                    Ok(v) => ([(header::CONTENT_TYPE, "application/json")], v).into_response(),
                    Err(e) => {
                        Refusal(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).respond(None)
                    }
                },
            }
        }
        Err(r) => {
            Counters::add(&counters.malformed_requests, 1);
            r.respond(enc.ok())
        }
    }
}

/// Any method but POST on `/v1/traces`: 405, counted.
async fn wrong_method(
    State(state): State<AppState>,
    method: axum::http::Method,
    headers: HeaderMap,
) -> Response {
    let mut resp = refuse_unrouted(
        &state,
        &headers,
        Refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("method {method} not allowed: OTLP traces are exported with POST /v1/traces"),
        ),
    );
    resp.headers_mut()
        .insert(header::ALLOW, axum::http::HeaderValue::from_static("POST"));
    resp
}

/// Any other path: 404, counted.
async fn wrong_path(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    refuse_unrouted(
        &state,
        &headers,
        Refusal(
            StatusCode::NOT_FOUND,
            format!(
                "no OTLP endpoint at {}: this receiver takes traces at POST /v1/traces",
                uri.path()
            ),
        ),
    )
}

/// Counts and answers a request that reached no export handler.
fn refuse_unrouted(state: &AppState, headers: &HeaderMap, refusal: Refusal) -> Response {
    Counters::add(&state.router.counters.requests, 1);
    Counters::add(&state.router.counters.malformed_requests, 1);
    refusal.respond(encoding(headers).ok())
}

/// The request's encoding, from its content type.
fn encoding(headers: &HeaderMap) -> Result<Encoding, Refusal> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "application/x-protobuf" | "application/protobuf" => Ok(Encoding::Protobuf),
        "application/json" => Ok(Encoding::Json),
        _ => Err(Refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "unsupported content type {ct:?}: expected application/x-protobuf or application/json"
            ),
        )),
    }
}

fn decode(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(ExportTraceServiceRequest, Encoding), Refusal> {
    let enc = encoding(headers)?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(state.max_request_bytes)
        } else {
            Refusal(e.status(), format!("cannot read the request body: {e}"))
        }
    })?;
    let content_encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .trim()
        .to_ascii_lowercase();
    let raw: Vec<u8> = match content_encoding.as_str() {
        "" | "identity" => {
            if body.len() > state.max_request_bytes {
                return Err(too_large(state.max_request_bytes));
            }
            body.to_vec()
        }
        "gzip" => gunzip(&body, state.max_request_bytes)?,
        other => {
            return Err(Refusal(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("unsupported content encoding {other:?}: expected gzip or identity"),
            ));
        }
    };
    // An empty protobuf body is a valid, empty request (every field at its default), as it
    // is over gRPC; an empty JSON body is not JSON and fails below.
    let req = match enc {
        Encoding::Protobuf => ExportTraceServiceRequest::decode(&raw[..]).map_err(|e| {
            Refusal(
                StatusCode::BAD_REQUEST,
                format!("invalid OTLP protobuf ExportTraceServiceRequest: {e}"),
            )
        })?,
        Encoding::Json => json_request(&raw)?,
    };
    Ok((req, enc))
}

/// Decodes an OTLP/JSON request. The body must be UTF-8 as a whole, also in the members
/// the decoder would skip.
fn json_request(raw: &[u8]) -> Result<ExportTraceServiceRequest, Refusal> {
    let text = std::str::from_utf8(raw).map_err(|e| {
        Refusal(
            StatusCode::BAD_REQUEST,
            format!("invalid OTLP/JSON ExportTraceServiceRequest: the body is not UTF-8: {e}"),
        )
    })?;
    serde_json::from_str(text).map_err(|e| {
        Refusal(
            StatusCode::BAD_REQUEST,
            format!("invalid OTLP/JSON ExportTraceServiceRequest: {e}"),
        )
    })
}

/// The OTLP/JSON answer: `{}` on full success (no `"partialSuccess": null`), else the
/// partial success.
fn json_answer(resp: &ExportTraceServiceResponse) -> serde_json::Result<Vec<u8>> {
    match &resp.partial_success {
        None => Ok(b"{}".to_vec()),
        Some(_) => serde_json::to_vec(resp),
    }
}

/// The refusal of a request over the size limit.
fn too_large(limit: usize) -> Refusal {
    Refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body larger than the limit of {limit} bytes (max_request_bytes)"),
    )
}

/// Decompresses at most `limit` bytes; more is a 413.
fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    flate2::read::GzDecoder::new(body)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| Refusal(StatusCode::BAD_REQUEST, format!("invalid gzip body: {e}")))?;
    if out.len() > limit {
        return Err(Refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "request body larger than the limit of {limit} bytes (max_request_bytes) once decompressed"
            ),
        ));
    }
    Ok(out)
}
