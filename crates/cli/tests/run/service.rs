//! The system under test of the `tbt run` end-to-end tests: an axum service instrumented with
//! the OpenTelemetry Rust SDK, exporting to tbt's embedded receiver.
//!
//! The test binary runs it: `tbt.toml`'s `[server]` re-executes the binary with
//! `--exact service_main` and `TBT_TEST_SERVICE=1`. One process plays two services, `shop`
//! and `payment`, through two tracer providers with different `service.name` resources.
//!
//! Environment:
//! - `SERVICE_PORT`: the port to listen on (127.0.0.1), chosen by the test.
//! - `SERVICE_EXPORT`: `http` (default; OTLP/HTTP protobuf to `OTEL_EXPORTER_OTLP_ENDPOINT`)
//!   or `grpc` (OTLP/gRPC to `TBT_OTLP_GRPC_ENDPOINT`), both set by `tbt run`.
//! - `SERVICE_FAULT`: `double-charge` (charges the card twice, still answers 200),
//!   `lost-parent` (the payment span's parent is never exported), `exit-at-once` (prints an
//!   error and exits before listening).
//!
//! Routes:
//! - `GET /health`: `ok`, no span (the readiness probe, and the response-only test).
//! - `POST /checkout` with `{"order": "...", "amount": 12.5}`: a SERVER span in `shop` and a
//!   `charge card` CLIENT span in `payment`; records `x-request-id` as `request.id` and the
//!   `Authorization` header as `demo.authorization` (and echoes it in the body).
//! - `GET /orders/{id}`: a SERVER span with `order.id`.
//! - `GET /async`: answers at once; a `send email` span ends about 200 ms later.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::{
    Span as _, SpanContext, SpanId, SpanKind, TraceContextExt as _, TraceFlags, TraceState,
    Tracer as _, TracerProvider as _,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracer, SdkTracerProvider, SpanData, SpanExporter,
};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;

/// The id of the span that `lost-parent` names as the payment span's parent, never exported.
pub const LOST_PARENT: [u8; 8] = [0x00, 0xf0, 0x0f, 0x00, 0xf0, 0x0f, 0x00, 0xf0];

/// How long after answering `GET /async` finishes its `send email` span.
const ASYNC_DELAY: Duration = Duration::from_millis(200);

/// Runs the service until the process is killed. Returns an error message when it cannot
/// start.
pub fn run() -> Result<(), String> {
    let fault = std::env::var("SERVICE_FAULT").unwrap_or_default();
    if fault == "exit-at-once" {
        eprintln!("service: cannot open the database at /nowhere/shop.sqlite: no such file");
        std::process::exit(3);
    }
    let port: u16 = std::env::var("SERVICE_PORT")
        .map_err(|_| "SERVICE_PORT is not set".to_string())?
        .parse()
        .map_err(|e| format!("SERVICE_PORT is not a port: {e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let shop = provider("shop")?;
        let payment = provider("payment")?;
        let app = Arc::new(App {
            shop: shop.tracer("tbt-run-test"),
            payment: payment.tracer("tbt-run-test"),
            fault,
        });
        let router = Router::new()
            .route("/health", get(|| async { "ok" }))
            .route("/checkout", post(checkout))
            .route("/orders/{id}", get(order))
            .route("/async", get(asynchronous))
            .with_state(app);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        eprintln!("service: listening on 127.0.0.1:{port}");
        axum::serve(listener, router)
            .await
            .map_err(|e| format!("serving failed: {e}"))?;
        // The providers live as long as the server; they export until the process is killed.
        drop((shop, payment));
        Ok(())
    })
}

struct App {
    shop: SdkTracer,
    payment: SdkTracer,
    fault: String,
}

/// A tracer provider for one service, exporting the way `tbt run` asks.
fn provider(service: &'static str) -> Result<SdkTracerProvider, String> {
    let exporter = match std::env::var("SERVICE_EXPORT").as_deref() {
        Ok("grpc") => {
            let endpoint = std::env::var("TBT_OTLP_GRPC_ENDPOINT")
                .map_err(|_| "TBT_OTLP_GRPC_ENDPOINT is not set".to_string())?;
            opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint)
                .build()
        }
        // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT itself.
        _ => opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .build(),
    }
    .map_err(|e| format!("cannot build the OTLP exporter: {e}"))?;
    let exporter = RuntimeExporter {
        inner: Arc::new(exporter),
        runtime: Handle::current(),
    };
    // The default config reads OTEL_BSP_SCHEDULE_DELAY, which `tbt run` sets to 20 ms.
    let processor = BatchSpanProcessor::builder(exporter)
        .with_batch_config(BatchConfigBuilder::default().build())
        .build();
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_resource(Resource::builder().with_service_name(service).build())
        .build())
}

/// Reads W3C trace context from the request headers.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Starts the SERVER span of a request, a child of its `traceparent`.
fn server_span(app: &App, headers: &HeaderMap, method: &str, route: &str) -> Context {
    let parent = TraceContextPropagator::new().extract(&Headers(headers));
    let mut attributes = vec![
        KeyValue::new("http.request.method", method.to_owned()),
        KeyValue::new("http.route", route.to_owned()),
    ];
    if let Some(id) = header(headers, "x-request-id") {
        attributes.push(KeyValue::new("request.id", id));
    }
    if let Some(auth) = header(headers, "authorization") {
        attributes.push(KeyValue::new("demo.authorization", auth));
    }
    let span = app
        .shop
        .span_builder(format!("{method} {route}"))
        .with_kind(SpanKind::Server)
        .with_attributes(attributes)
        .start_with_context(&app.shop, &parent);
    parent.with_span(span)
}

/// Records the status on the SERVER span and ends it.
fn finish(cx: &Context, status: StatusCode) {
    let span = cx.span();
    span.set_attribute(KeyValue::new(
        "http.response.status_code",
        i64::from(status.as_u16()),
    ));
    span.end();
}

async fn checkout(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, Json<Value>) {
    let cx = server_span(&app, &headers, "POST", "/checkout");
    let parsed: Result<Value, _> = serde_json::from_str(&body);
    let (order, amount) = match &parsed {
        Ok(v) => (
            v.get("order").and_then(Value::as_str),
            v.get("amount").and_then(Value::as_f64),
        ),
        Err(_) => (None, None),
    };
    let (Some(order), Some(amount)) = (order, amount) else {
        finish(&cx, StatusCode::BAD_REQUEST);
        let error = format!("expected {{\"order\": string, \"amount\": number}}, got {body:?}");
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": error })));
    };
    cx.span()
        .set_attribute(KeyValue::new("order.id", order.to_owned()));
    let charges = if app.fault == "double-charge" { 2 } else { 1 };
    // With `lost-parent`, the payment span hangs under a span that is never exported.
    let payment_parent = if app.fault == "lost-parent" {
        let lost = SpanContext::new(
            cx.span().span_context().trace_id(),
            SpanId::from_bytes(LOST_PARENT),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        Context::new().with_remote_span_context(lost)
    } else {
        cx.clone()
    };
    for _ in 0..charges {
        let mut charge = app
            .payment
            .span_builder("charge card")
            .with_kind(SpanKind::Client)
            .with_attributes(vec![
                KeyValue::new("order.id", order.to_owned()),
                KeyValue::new("payment.amount", amount),
            ])
            .start_with_context(&app.payment, &payment_parent);
        charge.end();
    }
    let answer = json!({
        "order_id": order,
        "charged": charges,
        "authorization": header(&headers, "authorization"),
    });
    finish(&cx, StatusCode::OK);
    (StatusCode::OK, Json(answer))
}

async fn order(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    let cx = server_span(&app, &headers, "GET", "/orders/{id}");
    cx.span()
        .set_attribute(KeyValue::new("order.id", id.clone()));
    finish(&cx, StatusCode::OK);
    (StatusCode::OK, Json(json!({ "order_id": id })))
}

async fn asynchronous(State(app): State<Arc<App>>, headers: HeaderMap) -> (StatusCode, String) {
    let cx = server_span(&app, &headers, "GET", "/async");
    finish(&cx, StatusCode::ACCEPTED);
    let app = app.clone();
    tokio::spawn(async move {
        tokio::time::sleep(ASYNC_DELAY).await;
        let mut email = app
            .shop
            .span_builder("send email")
            .with_kind(SpanKind::Consumer)
            .start_with_context(&app.shop, &cx);
        email.end();
    });
    (StatusCode::ACCEPTED, "queued".into())
}

/// Runs an exporter's exports on the tokio runtime: the batch processor exports from its own
/// thread, but the OTLP HTTP and gRPC clients need tokio's reactor.
struct RuntimeExporter<E> {
    inner: Arc<E>,
    runtime: Handle,
}

impl<E> std::fmt::Debug for RuntimeExporter<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RuntimeExporter")
    }
}

impl<E: SpanExporter + 'static> SpanExporter for RuntimeExporter<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let inner = self.inner.clone();
        match self
            .runtime
            .spawn(async move { inner.export(batch).await })
            .await
        {
            Ok(result) => result,
            Err(e) => Err(OTelSdkError::InternalFailure(format!(
                "the export task failed: {e}"
            ))),
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        // Called while the provider is built, before any export shares `inner`.
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.set_resource(resource);
        }
    }
}
