//! The shop, end to end: start tbt's embedded OTLP receiver on ephemeral ports, start the
//! supervisor (`tbt-shop`, free ports) exporting to it, send checkouts with a known
//! `traceparent`, and check the spans that arrive: services, parents, the span link of the
//! asynchronous hop, the SQL spans, and the effect of every fault.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry_proto::tonic::common::v1::{AnyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use serde_json::{Value, json};
use tbt_collect::{Receiver, ReceiverConfig, RunningReceiver, Subscription};
use tbt_trace::TraceId;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// A first start installs the Python venv (pip): allow for it.
const READY_TIMEOUT: Duration = Duration::from_secs(600);
/// The longest wait for the spans of one request.
const SPANS_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether this machine has Python 3 (then the recommendations service must run).
fn has_python() -> bool {
    std::process::Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A running shop; stopped by closing its input pipe.
struct Shop {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Shop {
    async fn start(receiver: &RunningReceiver, faults: &str) -> Shop {
        let endpoint = format!("http://{}", receiver.http_addr().expect("http endpoint"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_tbt-shop"))
            .env("SHOP_PORT", "0")
            .env("SHOP_FAULTS", faults)
            .env_remove("SHOP_WITHOUT_PYTHON")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
            .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .env("OTEL_TRACES_SAMPLER", "always_on")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the supervisor starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(READY_TIMEOUT, async {
            while let Some(line) = lines.next_line().await.expect("reads stdout") {
                if let Some(rest) = line.strip_prefix("tbt-shop: ready at ") {
                    return rest.split_whitespace().next().map(str::to_owned);
                }
            }
            None
        })
        .await
        .expect("the shop becomes ready in time")
        .expect("the supervisor announces its URL before exiting");
        Shop {
            child,
            url,
            http: reqwest::Client::new(),
        }
    }

    /// Sends a request as tbt's trigger does: with a fresh `traceparent`.
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Sent {
        let trace_id = fresh_trace_id();
        let parent_span = "00f067aa0ba902b7";
        let traceparent = format!("00-{}-{parent_span}-01", trace_id.to_hex());
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header("traceparent", traceparent);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the gateway answers");
        let status = response.status().as_u16();
        let body = response.json().await.expect("a JSON answer");
        Sent {
            trace_id,
            parent_span: parent_span.to_owned(),
            status,
            body,
        }
    }

    async fn stop(mut self) {
        drop(self.child.stdin.take());
        let status = tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("the supervisor stops when its input closes")
            .expect("waits");
        assert!(status.success(), "the supervisor exited with {status}");
    }
}

struct Sent {
    trace_id: TraceId,
    parent_span: String,
    status: u16,
    body: Value,
}

fn fresh_trace_id() -> TraceId {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&nanos.to_be_bytes());
    id[8..].copy_from_slice(&COUNTER.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    TraceId(id)
}

/// One received span, flattened for assertions.
#[derive(Clone, Debug)]
struct S {
    service: String,
    name: String,
    kind: i32,
    span_id: String,
    parent: String,
    status: i32,
    attrs: HashMap<String, any_value::Value>,
    links: Vec<String>,
    events: Vec<String>,
    duration: Duration,
}

impl S {
    fn str(&self, key: &str) -> Option<&str> {
        match self.attrs.get(key) {
            Some(any_value::Value::StringValue(s)) => Some(s),
            _ => None,
        }
    }

    fn double(&self, key: &str) -> Option<f64> {
        match self.attrs.get(key) {
            Some(any_value::Value::DoubleValue(d)) => Some(*d),
            _ => None,
        }
    }

    fn is(&self, service: &str, kind: SpanKind) -> bool {
        self.service == service && self.kind == kind as i32
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn flatten(sub: &Subscription) -> Vec<S> {
    let mut out = Vec::new();
    for rs in sub.batches() {
        let service = rs
            .resource
            .as_ref()
            .and_then(|r| r.attributes.iter().find(|kv| kv.key == "service.name"))
            .and_then(|kv| match kv.value.as_ref().and_then(|v| v.value.clone()) {
                Some(any_value::Value::StringValue(s)) => Some(s),
                _ => None,
            })
            .unwrap_or_default();
        for ss in rs.scope_spans {
            for sp in ss.spans {
                out.push(S {
                    service: service.clone(),
                    name: sp.name.clone(),
                    kind: sp.kind,
                    span_id: hex(&sp.span_id),
                    parent: hex(&sp.parent_span_id),
                    status: sp.status.as_ref().map_or(0, |s| s.code),
                    attrs: sp
                        .attributes
                        .iter()
                        .filter_map(|kv| {
                            let v = kv.value.as_ref().and_then(|v: &AnyValue| v.value.clone())?;
                            Some((kv.key.clone(), v))
                        })
                        .collect(),
                    links: sp.links.iter().map(|l| hex(&l.span_id)).collect(),
                    events: sp.events.iter().map(|e| e.name.clone()).collect(),
                    duration: Duration::from_nanos(
                        sp.end_time_unix_nano
                            .saturating_sub(sp.start_time_unix_nano),
                    ),
                });
            }
        }
    }
    out
}

/// Waits until `done` holds on the spans received so far, then a little longer for
/// stragglers, and returns them.
async fn collect(sub: &mut Subscription, done: impl Fn(&[S]) -> bool) -> Vec<S> {
    let waited = tokio::time::timeout(SPANS_TIMEOUT, async {
        loop {
            if done(&flatten(sub)) {
                return;
            }
            sub.changed().await;
        }
    })
    .await;
    let spans = flatten(sub);
    assert!(
        waited.is_ok(),
        "the expected spans did not arrive within {SPANS_TIMEOUT:?}; got:\n{}",
        describe(&spans)
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    flatten(sub)
}

fn describe(spans: &[S]) -> String {
    let lines: Vec<String> = spans
        .iter()
        .map(|s| {
            format!(
                "  {} {:?} kind={} id={} parent={}",
                s.service, s.name, s.kind, s.span_id, s.parent
            )
        })
        .collect();
    lines.join("\n")
}

fn one<'a>(spans: &'a [S], what: &str, pred: impl Fn(&S) -> bool) -> &'a S {
    let found: Vec<&S> = spans.iter().filter(|s| pred(s)).collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one {what}, found {}; spans:\n{}",
        found.len(),
        describe(spans)
    );
    found[0]
}

fn count(spans: &[S], pred: impl Fn(&S) -> bool) -> usize {
    spans.iter().filter(|s| pred(s)).count()
}

fn is_consumer(s: &S) -> bool {
    s.is("shipping-service", SpanKind::Consumer)
}

fn is_gateway_server(s: &S) -> bool {
    s.is("gateway", SpanKind::Server)
}

fn shipped_and_answered(n: usize) -> impl Fn(&[S]) -> bool {
    move |spans| count(spans, is_consumer) >= n && spans.iter().any(is_gateway_server)
}

async fn receiver() -> RunningReceiver {
    // Keep spans that arrive before the test subscribes to their trace.
    Receiver::start(ReceiverConfig {
        keep_unmatched: true,
        ..ReceiverConfig::default()
    })
    .await
    .expect("the receiver starts")
}

fn three_products() -> Value {
    json!({ "items": [
        { "sku": "BOOK-42", "qty": 1 },
        { "sku": "MUG-7", "qty": 2 },
        { "sku": "PEN-3", "qty": 3 },
    ] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_checkout_is_one_trace_across_six_services() {
    let receiver = receiver().await;
    let shop = Shop::start(&receiver, "").await;

    let sent = shop
        .send(
            reqwest::Method::POST,
            "/checkout",
            Some(json!({ "sku": "BOOK-42", "qty": 1 })),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let mut sub = receiver.subscribe(sent.trace_id);
    let python = has_python();
    let spans = collect(&mut sub, |spans| {
        shipped_and_answered(1)(spans)
            && (!python || spans.iter().any(|s| s.service == "recommendations"))
    })
    .await;

    // Every service took part.
    for service in [
        "gateway",
        "order-service",
        "payment-service",
        "inventory-service",
        "shipping-service",
    ] {
        assert!(
            spans.iter().any(|s| s.service == service),
            "no span of {service}:\n{}",
            describe(&spans)
        );
    }

    // The gateway's server span is the child of the caller's traceparent.
    let gateway = one(&spans, "gateway server span", is_gateway_server);
    assert_eq!(gateway.parent, sent.parent_span);
    assert_eq!(gateway.str("http.route"), Some("/checkout"));
    assert_eq!(gateway.str("order.id"), sent.body["order_id"].as_str());

    // Each hop: a client span of the caller is the parent of the callee's server span.
    let by_id: HashMap<&str, &S> = spans.iter().map(|s| (s.span_id.as_str(), s)).collect();
    let called_by = |callee: &S| -> &str {
        let client = by_id
            .get(callee.parent.as_str())
            .unwrap_or_else(|| panic!("the parent of {callee:?} did not arrive"));
        assert_eq!(client.kind, SpanKind::Client as i32, "{client:?}");
        &client.service
    };
    for (caller, callee) in [
        ("gateway", "order-service"),
        ("order-service", "payment-service"),
        ("order-service", "inventory-service"),
    ] {
        let server = one(&spans, &format!("{callee} server span"), |s| {
            s.is(callee, SpanKind::Server)
        });
        assert_eq!(called_by(server), caller, "{callee} is called by {caller}");
    }
    let order_client = by_id
        .get(
            one(&spans, "order server span", |s| {
                s.is("order-service", SpanKind::Server)
            })
            .parent
            .as_str(),
        )
        .expect("the order client span");
    assert_eq!(order_client.parent, gateway.span_id);
    assert!(
        order_client
            .str("url.full")
            .is_some_and(|u| u.ends_with("/orders"))
    );

    // The Python service joined the trace through its auto-instrumentation.
    if python {
        let flask = one(&spans, "recommendations server span", |s| {
            s.is("recommendations", SpanKind::Server)
        });
        assert_eq!(called_by(flask), "gateway");
        assert_eq!(flask.str("http.route"), Some("/recommendations"));
        assert_eq!(sent.body["recommendations"]["status"], "ok");
    }

    // The asynchronous hop: one producer, one consumer linked to it, under the same trace.
    let producer = one(&spans, "producer span", |s| {
        s.is("order-service", SpanKind::Producer)
    });
    assert_eq!(producer.str("messaging.operation.type"), Some("send"));
    assert_eq!(
        producer.str("messaging.destination.name"),
        Some("shipping-events")
    );
    let consumer = one(&spans, "consumer span", is_consumer);
    assert_eq!(consumer.str("messaging.operation.type"), Some("process"));
    assert_eq!(consumer.links, vec![producer.span_id.clone()]);
    let events_server = by_id
        .get(consumer.parent.as_str())
        .expect("the consumer's parent arrived");
    assert!(events_server.is("shipping-service", SpanKind::Server));

    // SQL: traced statements with the database conventions.
    let insert = one(&spans, "INSERT orders span", |s| {
        s.str("db.operation.name") == Some("INSERT")
            && s.str("db.collection.name") == Some("orders")
    });
    assert_eq!(insert.kind, SpanKind::Client as i32);
    assert_eq!(insert.str("db.system.name"), Some("sqlite"));
    assert!(
        insert
            .str("db.query.text")
            .is_some_and(|q| q.contains("INSERT INTO orders"))
    );

    // Business attributes.
    let payment = one(&spans, "process payment span", |s| {
        s.name == "process payment"
    });
    assert_eq!(payment.double("payment.amount"), Some(99.99));
    assert_eq!(
        count(&spans, |s| s.str("inventory.update.status")
            == Some("updated")),
        1
    );
    let errors: Vec<&S> = spans
        .iter()
        .filter(|s| s.status == StatusCode::Error as i32)
        .collect();
    assert!(errors.is_empty(), "error spans: {errors:?}");

    // Reading the order back is one SQL query.
    let order_id = sent.body["order_id"].as_str().expect("an order id");
    let read = shop
        .send(reqwest::Method::GET, &format!("/orders/{order_id}"), None)
        .await;
    assert_eq!(read.status, 200);
    let mut sub = receiver.subscribe(read.trace_id);
    let spans = collect(&mut sub, |s| s.iter().any(is_gateway_server)).await;
    assert_eq!(
        count(&spans, |s| s.str("db.operation.name") == Some("SELECT")),
        1
    );
    assert_eq!(
        one(&spans, "gateway server span", is_gateway_server).parent,
        read.parent_span
    );

    shop.stop().await;
    receiver.shutdown().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_shows_in_the_trace_while_the_answer_stays_200() {
    let receiver = receiver().await;
    let shop = Shop::start(
        &receiver,
        "double-ship,n-plus-one,slow-payment,skip-inventory,swallowed-error",
    )
    .await;

    let sent = shop
        .send(reqwest::Method::POST, "/checkout", Some(three_products()))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let mut sub = receiver.subscribe(sent.trace_id);
    let spans = collect(&mut sub, shipped_and_answered(2)).await;

    // double-ship: published twice, consumed twice.
    assert_eq!(
        count(&spans, |s| s.is("order-service", SpanKind::Producer)),
        2
    );
    assert_eq!(count(&spans, is_consumer), 2);
    // slow-payment: a deliberate 400 ms sleep inside the span.
    let payment = one(&spans, "process payment span", |s| {
        s.name == "process payment"
    });
    assert!(payment.duration >= Duration::from_millis(400));
    // skip-inventory: the reservation answers but writes nothing.
    one(&spans, "reserve stock span", |s| s.name == "reserve stock");
    assert_eq!(
        count(&spans, |s| s.attrs.contains_key("inventory.update.status")),
        0
    );
    assert_eq!(
        count(&spans, |s| s.str("db.collection.name") == Some("stock")),
        0
    );
    // swallowed-error: the fraud check failed, the answer did not say so.
    let fraud = one(&spans, "fraud check span", |s| s.name == "fraud check");
    assert_eq!(fraud.status, StatusCode::Error as i32);
    assert_eq!(fraud.events, vec!["exception".to_owned()]);

    // n-plus-one: the order, its items, then one query per item.
    let order_id = sent.body["order_id"].as_str().expect("an order id");
    let read = shop
        .send(reqwest::Method::GET, &format!("/orders/{order_id}"), None)
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["items"].as_array().map(Vec::len), Some(3));
    let mut sub = receiver.subscribe(read.trace_id);
    let spans = collect(&mut sub, |s| s.iter().any(is_gateway_server)).await;
    assert_eq!(
        count(&spans, |s| s.str("db.operation.name") == Some("SELECT")),
        5
    );

    shop.stop().await;
    receiver.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_unknown_fault_stops_the_supervisor_with_the_valid_names() {
    let output = Command::new(env!("CARGO_BIN_EXE_tbt-shop"))
        .env("SHOP_PORT", "0")
        .env("SHOP_FAULTS", "double-ship,slow-paymnet")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        "tbt-shop: error: unknown fault `slow-paymnet` in SHOP_FAULTS; the faults are: \
         double-ship, n-plus-one, slow-payment, skip-inventory, swallowed-error"
    );
}
