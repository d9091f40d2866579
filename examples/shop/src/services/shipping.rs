//! The shipping service: accepts shipping events on `POST /events` (202 at once) and
//! processes them later, in a background task, under a CONSUMER span that links to the
//! producer's span.

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry::trace::{Link, Span as _, SpanKind, TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, KeyValue, global};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;

use super::order::{MESSAGING_SYSTEM, SHIPPING_QUEUE};
use super::{Env, annotate, error, parse_body};
use crate::telemetry::SCOPE;

/// How long handling one shipment takes (printing the label, say).
const PROCESSING_TIME: Duration = Duration::from_millis(30);

#[derive(Deserialize)]
struct Event {
    message_id: String,
    order_id: String,
    /// The producer's trace context (`traceparent`, `tracestate`).
    #[serde(default)]
    headers: HashMap<String, String>,
}

/// An accepted event, with the context of the request that delivered it.
struct Queued {
    event: Event,
    received_in: Context,
}

/// The shipping service's routes; starts the consumer task.
pub fn router(_env: Env) -> Router {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(consume(rx));
    Router::new().route("/events", post(accept)).with_state(tx)
}

async fn accept(State(queue): State<mpsc::UnboundedSender<Queued>>, body: Bytes) -> Response {
    let event: Event = match parse_body(&body) {
        Ok(e) => e,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    annotate(KeyValue::new("order.id", event.order_id.clone()));
    let queued = Queued {
        event,
        received_in: Context::current(),
    };
    match queue.send(queued) {
        Ok(()) => (StatusCode::ACCEPTED, Json(json!({ "status": "queued" }))).into_response(),
        Err(_) => super::error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the shipping queue is closed",
        ),
    }
}

/// The consumer: one event at a time.
async fn consume(mut rx: mpsc::UnboundedReceiver<Queued>) {
    while let Some(queued) = rx.recv().await {
        process(queued).await;
    }
}

async fn process(queued: Queued) {
    let Queued { event, received_in } = queued;
    let producer = global::get_text_map_propagator(|p| p.extract(&event.headers));
    let producer = producer.span().span_context().clone();
    let mut links = Vec::new();
    if producer.is_valid() {
        links.push(Link::with_context(producer));
    }
    let tracking = format!("1Z{}", event.order_id.trim_start_matches("ORD-"));
    let tracer = global::tracer(SCOPE);
    let mut span = tracer
        .span_builder(format!("process {SHIPPING_QUEUE}"))
        .with_kind(SpanKind::Consumer)
        .with_links(links)
        .with_attributes([
            KeyValue::new("messaging.system", MESSAGING_SYSTEM),
            KeyValue::new("messaging.operation.type", "process"),
            KeyValue::new("messaging.operation.name", "process"),
            KeyValue::new("messaging.destination.name", SHIPPING_QUEUE),
            KeyValue::new("messaging.message.id", event.message_id),
            KeyValue::new("order.id", event.order_id),
            KeyValue::new("shipping.carrier", "ups"),
            KeyValue::new("shipping.tracking_id", tracking),
        ])
        .start_with_context(&tracer, &received_in);
    tokio::time::sleep(PROCESSING_TIME).await;
    span.end();
}
