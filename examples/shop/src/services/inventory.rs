//! The inventory service: reserves stock for an order in its own SQLite database. Fault:
//! `skip-inventory` (it answers as usual but never updates the stock).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry::KeyValue;
use opentelemetry::trace::{FutureExt as _, TraceContextExt as _};
use serde::Deserialize;
use serde_json::json;

use super::order::Line;
use super::{Env, error, internal_span, parse_body};
use crate::config::Fault;
use crate::db::Db;

const SETUP: &str = "
CREATE TABLE stock (sku TEXT PRIMARY KEY, available INTEGER NOT NULL);
INSERT INTO stock VALUES
  ('BOOK-42', 1000000), ('MUG-7', 1000000), ('PEN-3', 1000000), ('TOWEL-1', 1000000);
";

#[derive(Deserialize)]
struct Reservation {
    order_id: String,
    items: Vec<Line>,
}

struct InventoryState {
    db: Db,
    env: Env,
}

/// The inventory service's routes.
pub fn router(env: Env) -> Result<Router, String> {
    let state = Arc::new(InventoryState {
        db: Db::open("inventory", SETUP)?,
        env,
    });
    Ok(Router::new()
        .route("/reservations", post(reserve))
        .with_state(state))
}

async fn reserve(State(state): State<Arc<InventoryState>>, body: Bytes) -> Response {
    let reservation: Reservation = match parse_body(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let units: i64 = reservation.items.iter().map(|l| l.qty).sum();
    let cx = internal_span(
        "reserve stock",
        vec![
            KeyValue::new("order.id", reservation.order_id.clone()),
            KeyValue::new("inventory.reserved", units),
        ],
    );
    let result = async {
        if state.env.faults.has(Fault::SkipInventory) {
            // The bug: a stale "already reserved" shortcut. Nothing is written.
            return Ok(());
        }
        for line in &reservation.items {
            let changed = state.db.execute(
                "UPDATE",
                "stock",
                "UPDATE stock SET available = available - ?2 WHERE sku = ?1 AND available >= ?2",
                rusqlite::params![line.sku, line.qty],
            )?;
            if changed == 0 {
                return Err(format!("not enough stock of {}", line.sku));
            }
        }
        Ok(())
    }
    .with_context(cx.clone())
    .await;
    let span = cx.span();
    let answer = match result {
        Ok(()) => {
            if !state.env.faults.has(Fault::SkipInventory) {
                span.set_attribute(KeyValue::new("inventory.update.status", "updated"));
            }
            Json(json!({ "order_id": reservation.order_id, "status": "reserved" })).into_response()
        }
        Err(message) => {
            span.set_attribute(KeyValue::new("inventory.update.status", "rejected"));
            error(StatusCode::CONFLICT, message)
        }
    };
    span.end();
    answer
}
