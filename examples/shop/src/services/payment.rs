//! The payment service: charges an order. Faults: `slow-payment` (charging takes 400 ms) and
//! `swallowed-error` (the fraud check fails, the failure is recorded on its span, and the
//! payment goes through anyway).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry::KeyValue;
use opentelemetry::trace::{FutureExt as _, Status, TraceContextExt as _};
use serde::Deserialize;
use serde_json::json;

use super::{Env, error, internal_span, parse_body};
use crate::config::Fault;

/// How long the `slow-payment` fault makes a charge take.
pub const SLOW_PAYMENT: Duration = Duration::from_millis(400);

#[derive(Deserialize)]
struct Charge {
    order_id: String,
    amount: f64,
    currency: String,
}

/// The payment service's routes.
pub fn router(env: Env) -> Router {
    Router::new()
        .route("/payments", post(charge))
        .with_state(Arc::new(env))
}

async fn charge(State(env): State<Arc<Env>>, body: Bytes) -> Response {
    let charge: Charge = match parse_body(&body) {
        Ok(c) => c,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    if !(charge.amount.is_finite() && charge.amount > 0.0) {
        return error(
            StatusCode::BAD_REQUEST,
            format!("amount must be positive, not {}", charge.amount),
        );
    }
    let cx = internal_span(
        "process payment",
        vec![
            KeyValue::new("order.id", charge.order_id.clone()),
            KeyValue::new("payment.amount", charge.amount),
            KeyValue::new("payment.currency", charge.currency.clone()),
        ],
    );
    let env2 = env.clone();
    let captured = async move {
        fraud_check(&env2, &charge.order_id);
        if env2.faults.has(Fault::SlowPayment) {
            tokio::time::sleep(SLOW_PAYMENT).await;
        }
        format!("PAY-{}", charge.order_id.trim_start_matches("ORD-"))
    }
    .with_context(cx.clone())
    .await;
    cx.span()
        .set_attribute(KeyValue::new("payment.id", captured.clone()));
    cx.span().end();
    Json(json!({ "payment_id": captured, "status": "captured" })).into_response()
}

/// The fraud check. With `swallowed-error` it fails, the span says so, and the caller goes
/// on as if it had passed: the kind of bug that only a trace shows.
fn fraud_check(env: &Env, order_id: &str) {
    let cx = internal_span(
        "fraud check",
        vec![KeyValue::new("order.id", order_id.to_owned())],
    );
    let span = cx.span();
    if env.faults.has(Fault::SwallowedError) {
        span.add_event(
            "exception",
            vec![
                KeyValue::new("exception.type", "FraudServiceTimeout"),
                KeyValue::new(
                    "exception.message",
                    "the fraud scoring service did not answer in time",
                ),
            ],
        );
        span.set_status(Status::error(
            "fraud scoring timed out; payment let through",
        ));
    } else {
        span.set_attribute(KeyValue::new("payment.fraud.score", 0.02));
    }
    span.end();
}
