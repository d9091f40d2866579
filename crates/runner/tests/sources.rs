//! The runner against real trace sources: the embedded receiver fed over OTLP/HTTP by a
//! service on 127.0.0.1 (complete traces, a parent that never arrives, a late span awaited with
//! `wait until`), and a Jaeger backend serving a real api_v3 response after two 404s.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tbt_engine::Verdict;
use tbt_runner::wait::WaitEnd;
use tbt_runner::{PlannedFile, Problem, Settings, Source, TestOutcome, Unit};

fn planned(text: &str) -> Arc<PlannedFile> {
    let mut db = tbt_db::RootDatabase::new();
    let path = PathBuf::from("/virtual/sources.tbt");
    let file = db.set_file(&path, text.to_string());
    let diagnostics = &tbt_db::check(&db, file).diagnostics;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    Arc::new(PlannedFile {
        path: path.clone(),
        dir: PathBuf::from("/virtual"),
        plan: tbt_plan::plan_file(&db, file),
    })
}

async fn run(
    file: &Arc<PlannedFile>,
    source: Source,
    env: HashMap<String, String>,
) -> Vec<TestOutcome> {
    let units = (0..file.plan.tests.len())
        .map(|i| Unit {
            file: file.clone(),
            tests: vec![i],
        })
        .collect();
    let settings = Settings {
        env,
        settle: Duration::from_millis(100),
        ..Settings::default()
    };
    tbt_runner::run(
        units,
        Arc::new(settings),
        source,
        Arc::new(|_: &TestOutcome| {}),
    )
    .await
}

/// The service: answers at once, then exports its spans to the receiver as OTLP/JSON, the way
/// a batch exporter would, shaped by `?mode=`.
#[derive(Clone)]
struct Service {
    otlp: String,
    client: reqwest::Client,
}

fn span(
    trace: &str,
    id: &str,
    parent: &str,
    name: &str,
    start: u64,
    end: u64,
) -> serde_json::Value {
    json!({ "traceId": trace, "spanId": id, "parentSpanId": parent, "name": name, "kind": 2,
            "startTimeUnixNano": start.to_string(), "endTimeUnixNano": end.to_string() })
}

fn export(spans: Vec<serde_json::Value>) -> serde_json::Value {
    json!({ "resourceSpans": [ {
        "resource": { "attributes": [ { "key": "service.name", "value": { "stringValue": "svc" } } ] },
        "scopeSpans": [ { "scope": { "name": "test" }, "spans": spans } ] } ] })
}

async fn order(
    State(svc): State<Service>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    let Some(tp) = headers.get("traceparent").and_then(|v| v.to_str().ok()) else {
        return (StatusCode::BAD_REQUEST, "no traceparent".into());
    };
    let parts: Vec<&str> = tp.split('-').collect();
    let (trace, parent) = (parts[1].to_string(), parts[2].to_string());
    let mode = q.get("mode").cloned().unwrap_or_default();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let server = span(
        &trace,
        "00000000000000a1",
        &parent,
        "GET /order",
        now,
        now + 2_000_000,
    );
    let child = span(
        &trace,
        "00000000000000a2",
        "00000000000000a1",
        "SELECT orders",
        now,
        now + 1_000_000,
    );
    let batches = match mode.as_str() {
        // The child names a parent that is never exported.
        "orphan" => vec![(
            0,
            vec![span(
                &trace,
                "00000000000000b2",
                "00000000000000ff",
                "lost",
                now,
                now + 1,
            )],
        )],
        // A consumer span arrives 300 ms after the rest.
        "late" => vec![
            (0, vec![server, child]),
            (
                300,
                vec![span(
                    &trace,
                    "00000000000000a3",
                    "00000000000000a1",
                    "late",
                    now,
                    now + 1,
                )],
            ),
        ],
        _ => vec![(0, vec![server, child])],
    };
    tokio::spawn(async move {
        for (delay, spans) in batches {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            let _ = svc
                .client
                .post(&svc.otlp)
                .header("content-type", "application/json")
                .body(export(spans).to_string())
                .send()
                .await;
        }
    });
    (StatusCode::OK, "{\"ok\": true}".into())
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_completion_missing_parents_and_wait_until() {
    let receiver = Arc::new(
        tbt_collect::Receiver::start(tbt_collect::ReceiverConfig::default())
            .await
            .expect("receiver"),
    );
    let otlp = receiver.http_traces_url().expect("http endpoint");
    let svc = Service {
        otlp,
        client: reqwest::Client::new(),
    };
    let url = serve(Router::new().route("/order", get(order)).with_state(svc)).await;
    let file = planned(
        r#"test "complete" {
  trigger http GET "${env.SVC}/order?mode=ok"
  expect response.status == 200
  expect count(span[service.name == "svc"]) == 2
  expect span[name == "GET /order"] => span[name == "SELECT orders"]
}

test "a parent never arrives" {
  trigger http GET "${env.SVC}/order?mode=orphan"
  wait timeout 600ms
  expect some span[name == "lost"]
}

test "a late span, awaited" {
  trigger http GET "${env.SVC}/order?mode=late"
  wait until some span[name == "late"]
  expect count(span[service.name == "svc"]) == 3
}
"#,
    );
    let env = HashMap::from([("SVC".to_string(), url)]);
    let outcomes = run(&file, Source::Receiver(receiver.clone()), env).await;
    let by_name = |n: &str| {
        outcomes
            .iter()
            .find(|o| o.report.name == n)
            .unwrap_or_else(|| panic!("no outcome for {n}"))
    };

    let complete = by_name("complete");
    assert_eq!(complete.verdict, Verdict::Pass, "{:#?}", complete.report);
    assert_eq!(complete.wait_end, Some(WaitEnd::Complete));
    // tbt's own trigger span is the root; the service's server span is its child.
    let trace = complete.trace.as_ref().expect("trace");
    assert_eq!(trace.len(), 3);
    let root = trace
        .spans()
        .find(|s| s.parent().is_none())
        .expect("a root");
    assert_eq!(root.service(), "tbt");

    let orphan = by_name("a parent never arrives");
    assert_eq!(orphan.verdict, Verdict::Fail);
    match &orphan.problem {
        Some(Problem::Incomplete { message }) => {
            assert!(message.contains("00000000000000ff"), "{message}");
            assert!(message.contains("svc (1)"), "{message}");
        }
        other => panic!("expected an incomplete trace, got {other:?}"),
    }
    // The assertions still ran on what arrived.
    assert_eq!(orphan.report.assertions[0].verdict, Verdict::Pass);

    let late = by_name("a late span, awaited");
    assert_eq!(late.verdict, Verdict::Pass, "{:#?}", late.report);
    assert_eq!(late.wait_end, Some(WaitEnd::UntilHeld));

    let stats = receiver.stats();
    assert_eq!(stats.dropped_spans, 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jaeger_backend_is_polled_until_the_trace_is_there() {
    let body = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/jaeger/api-v3/GetTrace.json"),
    )
    .expect("the real Jaeger api_v3 response");
    let hits = Arc::new(AtomicUsize::new(0));
    let handler = {
        let hits = hits.clone();
        move || {
            let hits = hits.clone();
            let body = body.clone();
            async move {
                // Not there for the first two polls, as with a store that indexes late.
                if hits.fetch_add(1, Ordering::SeqCst) < 2 {
                    (
                        StatusCode::NOT_FOUND,
                        String::from("{\"error\":{\"code\":5,\"message\":\"trace not found\"}}"),
                    )
                } else {
                    (StatusCode::OK, body)
                }
            }
        }
    };
    let url = serve(Router::new().route(
        "/api/v3/traces/00000000000000000000000000000001",
        get(handler),
    ))
    .await;
    let table: toml::Table =
        toml::from_str(&format!("kind = \"jaeger\"\nurl = \"{url}\"\n")).expect("toml");
    let backend =
        tbt_backend::Backend::new(&tbt_backend::BackendConfig::from_toml(&table).expect("config"))
            .expect("backend");
    let file = planned(
        r#"test "a stored trace" {
  trigger trace "00000000000000000000000000000001"
  expect exactly 1 span[name == "foobar" and status == error]
}
"#,
    );
    let outcomes = run(&file, Source::Backend(Arc::new(backend)), HashMap::new()).await;
    let o = &outcomes[0];
    assert_eq!(o.verdict, Verdict::Pass, "{:#?} {:?}", o.report, o.problem);
    assert_eq!(o.wait_end, Some(WaitEnd::Complete));
    // Two 404s, then the trace twice (it must stop growing between two polls).
    assert!(
        hits.load(Ordering::SeqCst) >= 4,
        "{}",
        hits.load(Ordering::SeqCst)
    );
}
