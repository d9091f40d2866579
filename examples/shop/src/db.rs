//! SQLite with traces: every statement is a CLIENT span with the database semantic-convention
//! attributes (`db.system.name = "sqlite"`, `db.query.text`, `db.operation.name`,
//! `db.collection.name`, `db.namespace`).

use std::sync::{Mutex, MutexGuard};

use opentelemetry::trace::{SpanKind, Status, TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, KeyValue, global};
use rusqlite::{Connection, Params, Row};

use crate::telemetry::SCOPE;

/// One in-memory SQLite database, shared by a service's handlers.
pub struct Db {
    conn: Mutex<Connection>,
    namespace: &'static str,
}

impl Db {
    /// Opens an in-memory database named `namespace` (the `db.namespace` of its spans) and
    /// runs `setup` (schema and seed data, not traced).
    pub fn open(namespace: &'static str, setup: &str) -> Result<Db, String> {
        let conn = Connection::open_in_memory()
            .map_err(|e| format!("cannot open the {namespace} database: {e}"))?;
        conn.execute_batch(setup)
            .map_err(|e| format!("cannot set up the {namespace} database: {e}"))?;
        Ok(Db {
            conn: Mutex::new(conn),
            namespace,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held cannot leave SQLite inconsistent: every statement
        // is atomic. Keep serving.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a query and maps each row; one span named `OPERATION TABLE`.
    pub fn query<T, P: Params>(
        &self,
        operation: &'static str,
        table: &'static str,
        sql: &str,
        params: P,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, String> {
        let cx = self.start(operation, table, sql);
        let result = (|| {
            let conn = self.lock();
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map(params, map)?;
            rows.collect::<rusqlite::Result<Vec<T>>>()
        })();
        if let Ok(rows) = &result {
            cx.span().set_attribute(KeyValue::new(
                "db.response.returned_rows",
                i64::try_from(rows.len()).unwrap_or(i64::MAX),
            ));
        }
        finish(&cx, result)
    }

    /// Runs a statement that changes rows and returns how many it changed.
    pub fn execute<P: Params>(
        &self,
        operation: &'static str,
        table: &'static str,
        sql: &str,
        params: P,
    ) -> Result<usize, String> {
        let cx = self.start(operation, table, sql);
        let result = self
            .lock()
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute(params));
        finish(&cx, result)
    }

    /// Runs an INSERT and returns the new row's id.
    pub fn insert<P: Params>(
        &self,
        table: &'static str,
        sql: &str,
        params: P,
    ) -> Result<i64, String> {
        let cx = self.start("INSERT", table, sql);
        let result = (|| {
            let conn = self.lock();
            conn.prepare_cached(sql)?.execute(params)?;
            Ok(conn.last_insert_rowid())
        })();
        finish(&cx, result)
    }

    fn start(&self, operation: &'static str, table: &'static str, sql: &str) -> Context {
        let parent = Context::current();
        let tracer = global::tracer(SCOPE);
        let span = tracer
            .span_builder(format!("{operation} {table}"))
            .with_kind(SpanKind::Client)
            .with_attributes([
                KeyValue::new("db.system.name", "sqlite"),
                KeyValue::new("db.namespace", self.namespace),
                KeyValue::new("db.operation.name", operation),
                KeyValue::new("db.collection.name", table),
                KeyValue::new("db.query.text", sql.to_owned()),
            ])
            .start_with_context(&tracer, &parent);
        parent.with_span(span)
    }
}

/// Records a failed statement on its span, ends the span, and turns the error into text.
fn finish<T>(cx: &Context, result: rusqlite::Result<T>) -> Result<T, String> {
    let span = cx.span();
    let result = result.map_err(|e| {
        let message = format!("SQLite: {e}");
        span.set_attribute(KeyValue::new("error.type", "sqlite"));
        span.set_status(Status::error(message.clone()));
        message
    });
    span.end();
    result
}
