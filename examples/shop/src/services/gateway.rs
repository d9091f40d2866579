//! The gateway: the shop's public API. `POST /checkout` asks the Python recommendations
//! service for suggestions and the order service for the order; `GET /orders/{id}` reads an
//! order back; `GET /health` answers 200 only when every service is up.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use opentelemetry::KeyValue;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::order::Line;
use super::{Env, annotate, error, parse_body};
use crate::config::Service;
use crate::traced_http::{CallError, TracedClient};

/// Whether the gateway calls the recommendations service, read from `SHOP_RECOMMENDATIONS`
/// (set by the supervisor): `on` (the default), `disabled:REASON` (the user asked to run
/// without Python) or `unavailable:REASON` (Python could not be started).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recommendations {
    /// Call the service.
    On,
    /// Do not call it, on purpose.
    Disabled(String),
    /// Do not call it: it could not be started.
    Unavailable(String),
}

impl Recommendations {
    /// Parses the `SHOP_RECOMMENDATIONS` value.
    pub fn parse(value: &str) -> Result<Recommendations, String> {
        match value.split_once(':') {
            _ if value == "on" => Ok(Recommendations::On),
            Some(("disabled", reason)) => Ok(Recommendations::Disabled(reason.to_owned())),
            Some(("unavailable", reason)) => Ok(Recommendations::Unavailable(reason.to_owned())),
            _ => Err(format!(
                "SHOP_RECOMMENDATIONS must be `on`, `disabled:REASON` or `unavailable:REASON`, \
                 not `{value}`"
            )),
        }
    }

    /// The `SHOP_RECOMMENDATIONS` value.
    pub fn to_env(&self) -> String {
        match self {
            Recommendations::On => "on".to_owned(),
            Recommendations::Disabled(r) => format!("disabled:{r}"),
            Recommendations::Unavailable(r) => format!("unavailable:{r}"),
        }
    }
}

struct GatewayState {
    client: TracedClient,
    health: reqwest::Client,
    env: Env,
    recommendations: Recommendations,
}

/// The gateway's traced routes, and its `/health` route, which is not traced.
pub fn router(env: Env) -> Result<(Router, Router), String> {
    let recommendations = match std::env::var("SHOP_RECOMMENDATIONS") {
        Ok(v) => Recommendations::parse(&v)?,
        Err(_) => Recommendations::On,
    };
    let health = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let state = Arc::new(GatewayState {
        client: TracedClient::new()?,
        health,
        env,
        recommendations,
    });
    let traced = Router::new()
        .route("/checkout", post(checkout))
        .route("/orders/{id}", get(read_order))
        .with_state(state.clone());
    let health = Router::new()
        .route("/health", get(health_check))
        .with_state(state);
    Ok((traced, health))
}

/// A checkout: one product (`{"sku": "BOOK-42", "qty": 1}`) or several
/// (`{"items": [{"sku": "BOOK-42", "qty": 1}, ...]}`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Checkout {
    Many { items: Vec<Line> },
    One { sku: String, qty: Option<i64> },
}

async fn checkout(State(state): State<Arc<GatewayState>>, body: Bytes) -> Response {
    let items = match parse_body::<Checkout>(&body) {
        Ok(Checkout::Many { items }) => items,
        Ok(Checkout::One { sku, qty }) => vec![Line {
            sku,
            qty: qty.unwrap_or(1),
        }],
        Err(_) if serde_json::from_slice::<Value>(&body).is_ok() => {
            return error(
                StatusCode::BAD_REQUEST,
                "a checkout is {\"sku\": \"BOOK-42\", \"qty\": 1} or \
                 {\"items\": [{\"sku\": \"BOOK-42\", \"qty\": 1}, ...]}",
            );
        }
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let Some(first) = items.first() else {
        return error(
            StatusCode::BAD_REQUEST,
            "a checkout needs at least one item",
        );
    };
    let recommendations = recommend(&state, &first.sku).await;
    let order_url = state.env.ports.url(Service::Order);
    let order = json!({ "items": items });
    match state
        .client
        .call(Method::POST, &order_url, "/orders", "/orders", Some(&order))
        .await
    {
        Ok((_, mut order)) => {
            if let Some(id) = order.get("order_id").and_then(Value::as_str) {
                annotate(KeyValue::new("order.id", id.to_owned()));
            }
            if let Some(o) = order.as_object_mut() {
                o.insert("recommendations".to_owned(), recommendations);
            }
            Json(order).into_response()
        }
        Err(e) => pass_on(e),
    }
}

/// Asks the recommendations service; the answer says whether it could.
async fn recommend(state: &GatewayState, sku: &str) -> Value {
    let (status, answer) = match &state.recommendations {
        Recommendations::On => {
            let base = state.env.ports.url(Service::Recommendations);
            let path = format!("/recommendations?sku={}", encode(sku));
            match state
                .client
                .call(Method::GET, &base, "/recommendations", &path, None)
                .await
            {
                Ok((_, v)) => (
                    "ok",
                    json!({ "status": "ok", "items": v.get("items").cloned().unwrap_or(json!([])) }),
                ),
                Err(e) => (
                    "unavailable",
                    json!({ "status": "unavailable", "reason": e.to_string(), "items": [] }),
                ),
            }
        }
        Recommendations::Disabled(reason) => (
            "disabled",
            json!({ "status": "disabled", "reason": reason, "items": [] }),
        ),
        Recommendations::Unavailable(reason) => (
            "unavailable",
            json!({ "status": "unavailable", "reason": reason, "items": [] }),
        ),
    };
    annotate(KeyValue::new("shop.recommendations.status", status));
    answer
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn read_order(State(state): State<Arc<GatewayState>>, Path(id): Path<String>) -> Response {
    annotate(KeyValue::new("order.id", id.clone()));
    let base = state.env.ports.url(Service::Order);
    let path = format!("/orders/{}", encode(&id));
    match state
        .client
        .call(Method::GET, &base, "/orders/{id}", &path, None)
        .await
    {
        Ok((_, order)) => Json(order).into_response(),
        Err(e) => pass_on(e),
    }
}

/// Answers with a downstream error: its status and body when it answered, 502 otherwise.
fn pass_on(e: CallError) -> Response {
    match e {
        CallError::Status { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let body = serde_json::from_str(&body).unwrap_or(json!({ "error": body }));
            (status, Json(body)).into_response()
        }
        CallError::Transport(message) => error(StatusCode::BAD_GATEWAY, message),
    }
}

/// 200 when every service answers its `/health`, 503 with the ones that do not otherwise.
async fn health_check(State(state): State<Arc<GatewayState>>) -> Response {
    let mut down = Vec::new();
    let mut services = serde_json::Map::new();
    for service in Service::ALL {
        if service == Service::Gateway {
            continue;
        }
        if service == Service::Recommendations && state.recommendations != Recommendations::On {
            services.insert(
                service.service_name().to_owned(),
                json!(state.recommendations.to_env()),
            );
            continue;
        }
        let url = format!("{}/health", state.env.ports.url(service));
        let up = matches!(state.health.get(&url).send().await, Ok(r) if r.status().is_success());
        services.insert(
            service.service_name().to_owned(),
            json!(if up { "up" } else { "down" }),
        );
        if !up {
            down.push(service.service_name());
        }
    }
    let status = if down.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let summary = if down.is_empty() { "ok" } else { "starting" };
    (
        status,
        Json(json!({ "status": summary, "services": services })),
    )
        .into_response()
}
