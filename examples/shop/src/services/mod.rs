//! The five Rust services. Each is an axum router on 127.0.0.1; `tbt-shop serve NAME` runs
//! one of them with its own tracer provider.

mod gateway;
pub use gateway::Recommendations;
mod inventory;
mod order;
mod payment;
mod shipping;

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use opentelemetry::trace::{SpanKind, TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, KeyValue, global};
use serde_json::json;

use crate::config::{Faults, Ports, Service};
use crate::lifecycle;
use crate::telemetry::{SCOPE, Telemetry};
use crate::traced_http::server_span;

/// What every service knows: where the others are and which faults are on.
#[derive(Clone, Debug)]
pub struct Env {
    /// The ports of all services.
    pub ports: Ports,
    /// The enabled faults.
    pub faults: Faults,
}

/// Runs `service` until SIGTERM, SIGINT or the end of its input pipe, then flushes its spans.
pub async fn serve(service: Service, env: Env) -> Result<(), String> {
    let telemetry = Telemetry::install(service)?;
    let port = env.ports.port(service);
    let (traced, health) = match service {
        Service::Gateway => gateway::router(env)?,
        Service::Order => (order::router(env)?, plain_health()),
        Service::Payment => (payment::router(env), plain_health()),
        Service::Inventory => (inventory::router(env)?, plain_health()),
        Service::Shipping => (shipping::router(env), plain_health()),
        Service::Recommendations => {
            return Err("the recommendations service is the Python app, not a Rust one".into());
        }
    };
    // `/health` is merged after the span layer: readiness probes would flood the receiver.
    let app = traced
        .route_layer(axum::middleware::from_fn(server_span))
        .merge(health);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("{service}: cannot listen on {addr}: {e}"))?;
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            lifecycle::stop_requested().await;
        })
        .await
        .map_err(|e| format!("{service}: the server failed: {e}"));
    // Flushing blocks on exports that run on this runtime: do it on a blocking thread.
    let flushed = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    if let Err(e) = flushed {
        eprintln!("tbt-shop: {service}: flushing spans failed: {e}");
    }
    served
}

/// A `/health` route that answers 200 as soon as the service listens.
fn plain_health() -> Router {
    Router::new().route(
        "/health",
        axum::routing::get(|| async { Json(json!({ "status": "ok" })) }),
    )
}

/// A JSON error answer, `{"error": message}`.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Sets an attribute on the current span (the SERVER span of the request being handled).
pub fn annotate(attribute: KeyValue) {
    Context::current().span().set_attribute(attribute);
}

/// Starts an INTERNAL span under the current context and returns the context that holds it.
pub fn internal_span(name: &'static str, attributes: Vec<KeyValue>) -> Context {
    let parent = Context::current();
    let tracer = global::tracer(SCOPE);
    let span = tracer
        .span_builder(name)
        .with_kind(SpanKind::Internal)
        .with_attributes(attributes)
        .start_with_context(&tracer, &parent);
    parent.with_span(span)
}

/// Parses a JSON request body; the error is a 400 answer's message.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("invalid request body: {e}"))
}
