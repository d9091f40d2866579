//! The embedded receiver against real OpenTelemetry SDKs of other languages: Python over
//! gRPC and over HTTP/protobuf, Node over HTTP/JSON. Each test starts a receiver on
//! ephemeral ports, subscribes to a fresh trace id, runs a small program that emits a
//! parent and a child span in that trace (given as a W3C `traceparent`), and checks what
//! arrived: names, kinds, parentage, typed attributes and `service.name`.
//!
//! The SDKs install themselves on first use (`tbt_tests::sdk_env`), which needs network
//! access to PyPI and npm once.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use tbt_collect::{Receiver, ReceiverConfig, RunningReceiver, Stats};
use tbt_tests::{sdk_env, workspace_root};
use tbt_trace::TraceId;
use tbt_trace::otlp::common::v1::{AnyValue, ArrayValue, KeyValue, any_value::Value};
use tbt_trace::otlp::trace::v1::{ResourceSpans, Span, span::SpanKind};

/// The remote parent span id every emitter continues from.
const REMOTE_PARENT: [u8; 8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];

/// A trace id no other test in this binary uses.
fn fresh_trace_id() -> TraceId {
    static NEXT: AtomicU8 = AtomicU8::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut id = *b"tbt-sdk-test-\0\0\0";
    id[15] = n;
    TraceId(id)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs an emitter to completion with the trace and endpoint in its environment; panics
/// with its output if it fails.
async fn emit(mut cmd: Command, trace: TraceId, protocol: &str, endpoint: String, service: &str) {
    cmd.env(
        "TBT_TRACEPARENT",
        format!("00-{}-{}-01", hex(&trace.0), hex(&REMOTE_PARENT)),
    )
    .env("TBT_OTLP_PROTOCOL", protocol)
    .env("TBT_OTLP_ENDPOINT", endpoint)
    .env("TBT_SERVICE_NAME", service)
    // Loopback never goes through a proxy, and no ambient SDK setting applies.
    .env("NO_PROXY", "127.0.0.1,localhost")
    .env("no_proxy", "127.0.0.1,localhost")
    .env_remove("OTEL_SDK_DISABLED")
    .env_remove("OTEL_EXPORTER_OTLP_HEADERS")
    .env_remove("OTEL_RESOURCE_ATTRIBUTES");
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("emitter thread")
        .expect("the emitter starts");
    assert!(
        out.status.success(),
        "the emitter failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.value.as_ref())
}

fn s(v: &str) -> Value {
    Value::StringValue(v.into())
}

fn array(values: Vec<Value>) -> Value {
    Value::ArrayValue(ArrayValue {
        values: values
            .into_iter()
            .map(|v| AnyValue { value: Some(v) })
            .collect(),
    })
}

/// Checks the two spans the emitters make, and their resource.
fn check(batches: &[ResourceSpans], trace: TraceId, service: &str) {
    let with_resource: Vec<(&Span, &ResourceSpans)> = batches
        .iter()
        .flat_map(|rs| {
            rs.scope_spans
                .iter()
                .flat_map(|ss| &ss.spans)
                .map(move |sp| (sp, rs))
        })
        .collect();
    assert_eq!(with_resource.len(), 2, "two spans: {batches:#?}");
    let find = |name: &str| {
        with_resource
            .iter()
            .find(|(sp, _)| sp.name == name)
            .copied()
            .unwrap_or_else(|| panic!("a span named {name}: {batches:#?}"))
    };
    let (parent, parent_rs) = find("checkout");
    let (child, child_rs) = find("charge");
    for (sp, rs) in [(parent, parent_rs), (child, child_rs)] {
        assert_eq!(sp.trace_id, trace.0, "{} is in the given trace", sp.name);
        let resource = rs.resource.as_ref().map_or(&[][..], |r| &r.attributes[..]);
        assert_eq!(attr(resource, "service.name"), Some(&s(service)));
        assert!(sp.end_time_unix_nano >= sp.start_time_unix_nano);
    }
    assert_eq!(
        parent.parent_span_id, REMOTE_PARENT,
        "continues the remote parent"
    );
    assert_eq!(
        child.parent_span_id, parent.span_id,
        "charge is a child of checkout"
    );
    assert_eq!(parent.kind, SpanKind::Server as i32);
    assert_eq!(child.kind, SpanKind::Client as i32);
    let p = &parent.attributes;
    assert_eq!(attr(p, "app.user"), Some(&s("ada")));
    assert_eq!(attr(p, "app.items"), Some(&Value::IntValue(3)));
    assert_eq!(attr(p, "app.total"), Some(&Value::DoubleValue(12.5)));
    assert_eq!(attr(p, "app.express"), Some(&Value::BoolValue(true)));
    assert_eq!(
        attr(p, "app.tags"),
        Some(&array(vec![s("gift"), s("fragile")]))
    );
    let c = &child.attributes;
    assert_eq!(
        attr(c, "app.amounts"),
        Some(&array(vec![Value::IntValue(5), Value::IntValue(7)]))
    );
    assert_eq!(attr(c, "app.retry"), Some(&Value::BoolValue(false)));
}

/// Starts a receiver, runs the emitter against it and checks what arrived.
async fn round_trip(
    program: impl FnOnce(&RunningReceiver) -> (Command, &'static str, String),
    service: &str,
) {
    let r = Receiver::start(ReceiverConfig::default())
        .await
        .expect("receiver starts");
    let trace = fresh_trace_id();
    let mut sub = r.subscribe(trace);
    let (cmd, protocol, endpoint) = program(&r);
    emit(cmd, trace, protocol, endpoint, service).await;
    tokio::time::timeout(Duration::from_secs(30), sub.wait_for(2))
        .await
        .expect("both spans arrive");
    check(&sub.batches(), trace, service);
    let summaries = sub.span_summaries();
    assert_eq!(summaries.len(), 2);
    assert_eq!(
        summaries
            .iter()
            .filter(|s| s.parent_span_id == REMOTE_PARENT)
            .count(),
        1
    );
    assert_eq!(sub.snapshot().expect("the trace builds").len(), 2);
    let stats = r.stats();
    assert_eq!(
        stats,
        Stats {
            requests: stats.requests,
            received_spans: 2,
            routed_spans: 2,
            ..Stats::default()
        }
    );
    r.shutdown().await.expect("clean shutdown");
}

async fn python() -> PathBuf {
    tokio::task::spawn_blocking(sdk_env::python)
        .await
        .expect("the Python SDK installs")
}

fn python_emitter(python: PathBuf) -> Command {
    let mut cmd = Command::new(python);
    cmd.arg(workspace_root().join("tests/sdks/python/emit.py"));
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_over_grpc() {
    let py = python().await;
    round_trip(
        |r| {
            (
                python_emitter(py),
                "grpc",
                r.grpc_endpoint().expect("grpc enabled"),
            )
        },
        "python-grpc",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_over_http_protobuf() {
    let py = python().await;
    round_trip(
        |r| {
            (
                python_emitter(py),
                "http/protobuf",
                r.http_traces_url().expect("http enabled"),
            )
        },
        "python-http",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_over_http_json() {
    let dir = tokio::task::spawn_blocking(sdk_env::node_dir)
        .await
        .expect("the Node SDK installs");
    round_trip(
        |r| {
            let mut cmd = Command::new("node");
            cmd.arg(dir.join("emit.mjs")).current_dir(&dir);
            (cmd, "http/json", r.http_traces_url().expect("http enabled"))
        },
        "node-http",
    )
    .await;
}
