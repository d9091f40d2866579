//! The order service: stores orders in SQLite, reserves stock, charges the payment and
//! publishes the shipping event. Faults: `double-ship` (the event is published twice) and
//! `n-plus-one` (reading an order back runs one query per item instead of one join).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use opentelemetry::KeyValue;
use opentelemetry::trace::{FutureExt as _, SpanKind, Status, TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, global};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Env, annotate, error, parse_body};
use crate::config::{Fault, Service};
use crate::db::Db;
use crate::telemetry::SCOPE;
use crate::traced_http::{CallError, TracedClient};

/// The queue the shipping events go to (`messaging.destination.name`).
pub const SHIPPING_QUEUE: &str = "shipping-events";

/// The `messaging.system` of the shipping events: an HTTP hand-off to an in-process queue.
pub const MESSAGING_SYSTEM: &str = "shop-queue";

const SETUP: &str = "
CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  status TEXT NOT NULL,
  total REAL NOT NULL,
  public_id TEXT GENERATED ALWAYS AS ('ORD-' || printf('%06d', id)) VIRTUAL
);
CREATE INDEX orders_public_id ON orders (public_id);
CREATE TABLE order_items (
  order_id INTEGER NOT NULL REFERENCES orders(id),
  sku TEXT NOT NULL REFERENCES products(sku),
  qty INTEGER NOT NULL
);
INSERT INTO products VALUES
  ('BOOK-42', 'The Hitchhiker''s Guide', 99.99),
  ('MUG-7', 'Towel-print mug', 12.5),
  ('PEN-3', 'Improbability pen', 3.25),
  ('TOWEL-1', 'Towel', 24.0);
";

/// One line of an order, as requested.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Line {
    /// The product.
    pub sku: String,
    /// How many.
    pub qty: i64,
}

#[derive(Deserialize)]
struct NewOrder {
    items: Vec<Line>,
}

/// One line of a stored order, with its product.
#[derive(Clone, Debug, Serialize)]
struct StoredLine {
    sku: String,
    name: String,
    qty: i64,
    price: f64,
}

struct OrderState {
    db: Db,
    client: TracedClient,
    env: Env,
}

/// The order service's routes.
pub fn router(env: Env) -> Result<Router, String> {
    let state = Arc::new(OrderState {
        db: Db::open("orders", SETUP)?,
        client: TracedClient::new()?,
        env,
    });
    Ok(Router::new()
        .route("/orders", post(create))
        .route("/orders/{id}", get(read))
        .with_state(state))
}

async fn create(State(state): State<Arc<OrderState>>, body: Bytes) -> Response {
    let order: NewOrder = match parse_body(&body) {
        Ok(o) => o,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    match place(&state, order.items).await {
        Ok(v) => (StatusCode::CREATED, Json(v)).into_response(),
        Err(r) => r,
    }
}

/// Prices, stores, reserves, charges and ships one order.
async fn place(state: &OrderState, items: Vec<Line>) -> Result<Value, Response> {
    if items.is_empty() {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "an order needs at least one item",
        ));
    }
    if let Some(bad) = items.iter().find(|l| l.qty < 1 || l.qty > 100) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            format!(
                "quantity of {} must be between 1 and 100, not {}",
                bad.sku, bad.qty
            ),
        ));
    }
    let internal = |e: String| error(StatusCode::INTERNAL_SERVER_ERROR, e);
    let skus: Vec<&str> = items.iter().map(|l| l.sku.as_str()).collect();
    let skus_json = json!(skus).to_string();
    let prices = state
        .db
        .query(
            "SELECT",
            "products",
            "SELECT sku, price FROM products WHERE sku IN (SELECT value FROM json_each(?1))",
            [&skus_json],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, f64>(1)?)),
        )
        .map_err(internal)?;
    let mut total = 0.0;
    for line in &items {
        match prices.iter().find(|(sku, _)| *sku == line.sku) {
            Some((_, price)) => total += price * line.qty as f64,
            None => {
                return Err(error(
                    StatusCode::NOT_FOUND,
                    format!("unknown product `{}`", line.sku),
                ));
            }
        }
    }
    let total = (total * 100.0).round() / 100.0;
    let row = state
        .db
        .insert(
            "orders",
            "INSERT INTO orders (status, total) VALUES ('pending', ?1)",
            [total],
        )
        .map_err(internal)?;
    let order_id = format!("ORD-{row:06}");
    let lines_json = json!(items).to_string();
    state
        .db
        .execute(
            "INSERT",
            "order_items",
            "INSERT INTO order_items (order_id, sku, qty) \
             SELECT ?1, json_extract(value, '$.sku'), json_extract(value, '$.qty') \
             FROM json_each(?2)",
            rusqlite::params![row, lines_json],
        )
        .map_err(internal)?;
    annotate(KeyValue::new("order.id", order_id.clone()));
    annotate(KeyValue::new(
        "order.item_count",
        i64::try_from(items.len()).unwrap_or(i64::MAX),
    ));
    annotate(KeyValue::new("order.total", total));

    let ports = &state.env.ports;
    let reservation = json!({ "order_id": order_id, "items": items });
    if let Err(e) = state
        .client
        .call(
            Method::POST,
            &ports.url(Service::Inventory),
            "/reservations",
            "/reservations",
            Some(&reservation),
        )
        .await
    {
        mark(state, row, "rejected");
        return Err(upstream("inventory", e));
    }
    let payment = json!({ "order_id": order_id, "amount": total, "currency": "USD" });
    if let Err(e) = state
        .client
        .call(
            Method::POST,
            &ports.url(Service::Payment),
            "/payments",
            "/payments",
            Some(&payment),
        )
        .await
    {
        mark(state, row, "payment_failed");
        return Err(upstream("payment", e));
    }
    state
        .db
        .execute(
            "UPDATE",
            "orders",
            "UPDATE orders SET status = 'paid' WHERE id = ?1",
            [row],
        )
        .map_err(internal)?;
    let publications = if state.env.faults.has(Fault::DoubleShip) {
        2
    } else {
        1
    };
    for attempt in 1..=publications {
        publish_shipping_event(state, &order_id, attempt)
            .await
            .map_err(|e| upstream("shipping", e))?;
    }
    Ok(json!({ "order_id": order_id, "status": "paid", "total": total, "items": items }))
}

/// Records a failed order's status; a failure to do so is already on the span.
fn mark(state: &OrderState, row: i64, status: &str) {
    let _ = state.db.execute(
        "UPDATE",
        "orders",
        "UPDATE orders SET status = ?1 WHERE id = ?2",
        rusqlite::params![status, row],
    );
}

fn upstream(what: &str, e: CallError) -> Response {
    error(StatusCode::BAD_GATEWAY, format!("{what} failed: {e}"))
}

/// Publishes the shipping event: a PRODUCER span, inside which the event is handed to the
/// shipping service's queue over HTTP. The event carries the producer's trace context so
/// that the consumer can link to it.
async fn publish_shipping_event(
    state: &OrderState,
    order_id: &str,
    attempt: u32,
) -> Result<(), CallError> {
    let message_id = format!("{order_id}-ship-{attempt}");
    let parent = Context::current();
    let tracer = global::tracer(SCOPE);
    let span = tracer
        .span_builder(format!("send {SHIPPING_QUEUE}"))
        .with_kind(SpanKind::Producer)
        .with_attributes([
            KeyValue::new("messaging.system", MESSAGING_SYSTEM),
            KeyValue::new("messaging.operation.type", "send"),
            KeyValue::new("messaging.operation.name", "send"),
            KeyValue::new("messaging.destination.name", SHIPPING_QUEUE),
            KeyValue::new("messaging.message.id", message_id.clone()),
            KeyValue::new("order.id", order_id.to_owned()),
        ])
        .start_with_context(&tracer, &parent);
    let cx = parent.with_span(span);
    let mut carrier = std::collections::HashMap::new();
    global::get_text_map_propagator(|p| p.inject_context(&cx, &mut carrier));
    let event = json!({
        "message_id": message_id,
        "order_id": order_id,
        "headers": carrier,
    });
    let url = state.env.ports.url(Service::Shipping);
    let result = state
        .client
        .call(Method::POST, &url, "/events", "/events", Some(&event))
        .with_context(cx.clone())
        .await;
    if let Err(e) = &result {
        cx.span().set_status(Status::error(e.to_string()));
    }
    cx.span().end();
    result.map(|_| ())
}

async fn read(State(state): State<Arc<OrderState>>, Path(order_id): Path<String>) -> Response {
    annotate(KeyValue::new("order.id", order_id.clone()));
    let found = if state.env.faults.has(Fault::NPlusOne) {
        read_one_query_per_item(&state.db, &order_id)
    } else {
        read_with_join(&state.db, &order_id)
    };
    match found {
        Ok(Some((status, total, lines))) => Json(json!({
            "order_id": order_id,
            "status": status,
            "total": total,
            "items": lines,
        }))
        .into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no order `{order_id}`")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

type Order = (String, f64, Vec<StoredLine>);

/// One query: the order, its lines and their products, joined.
fn read_with_join(db: &Db, order_id: &str) -> Result<Option<Order>, String> {
    let rows = db.query(
        "SELECT",
        "orders",
        "SELECT o.status, o.total, i.sku, p.name, i.qty, p.price \
         FROM orders o \
         JOIN order_items i ON i.order_id = o.id \
         JOIN products p ON p.sku = i.sku \
         WHERE o.public_id = ?1 ORDER BY i.rowid",
        [order_id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                StoredLine {
                    sku: r.get(2)?,
                    name: r.get(3)?,
                    qty: r.get(4)?,
                    price: r.get(5)?,
                },
            ))
        },
    )?;
    let Some((status, total, _)) = rows.first().cloned() else {
        return Ok(None);
    };
    Ok(Some((
        status,
        total,
        rows.into_iter().map(|r| r.2).collect(),
    )))
}

/// The N+1 version: the order, then its lines, then one query per line for its product.
fn read_one_query_per_item(db: &Db, order_id: &str) -> Result<Option<Order>, String> {
    let orders = db.query(
        "SELECT",
        "orders",
        "SELECT id, status, total FROM orders WHERE public_id = ?1",
        [order_id],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, f64>(2)?,
            ))
        },
    )?;
    let Some((row, status, total)) = orders.into_iter().next() else {
        return Ok(None);
    };
    let items = db.query(
        "SELECT",
        "order_items",
        "SELECT sku, qty FROM order_items WHERE order_id = ?1 ORDER BY rowid",
        [row],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
    )?;
    let mut lines = Vec::with_capacity(items.len());
    for (sku, qty) in items {
        let product = db.query(
            "SELECT",
            "products",
            "SELECT name, price FROM products WHERE sku = ?1",
            [&sku],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)),
        )?;
        let (name, price) = product
            .into_iter()
            .next()
            .ok_or_else(|| format!("order {order_id} names an unknown product {sku}"))?;
        lines.push(StoredLine {
            sku,
            name,
            qty,
            price,
        });
    }
    Ok(Some((status, total, lines)))
}
