//! Fetching and polling against a real HTTP server on 127.0.0.1 that serves the real
//! response bodies of Jaeger (api_v3 and v1) and a Tempo protobuf body built from a real
//! OTLP/JSON trace.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

use common::{Reply, Server, fixture, id};
use prost::Message;
use tbt_backend::tempopb::{PartialStatus, TraceByIdResponse};
use tbt_backend::{BackendErrorKind, BackendKind};
use tbt_trace::Trace;
use tbt_trace::otlp::trace::v1::TracesData;
use tokio::time::Instant;

/// The trace of `otlp2jaeger-in.json` / `otlp2jaeger-out.json`.
const OTLP2JAEGER_ID: &str = "83a9efd15c1c98a977e0711cc93ee28b";
/// The trace of `GetTrace.json` and `ui_01.json`.
const ONE_ID: &str = "00000000000000000000000000000001";
/// The trace of `example_trace.json`.
const EXAMPLE_ID: &str = "00000000000000000000000000000011";

/// OTLP/JSON as protobuf `TracesData`.
fn traces_data(otlp_json: &[u8]) -> TracesData {
    serde_json::from_slice(otlp_json).expect("the fixture is OTLP/JSON")
}

/// Tempo's answer for `td`.
fn tempo_body(td: TracesData) -> Vec<u8> {
    TraceByIdResponse {
        trace: Some(tbt_backend::tempopb::Trace {
            resource_spans: td.resource_spans,
        }),
        metrics: None,
        status: PartialStatus::Complete as i32,
        message: String::new(),
    }
    .encode_to_vec()
}

/// Jaeger api_v3's answer for an OTLP/JSON document.
fn api_v3_body(otlp_json: &[u8]) -> Vec<u8> {
    let doc: serde_json::Value = serde_json::from_slice(otlp_json).unwrap();
    serde_json::to_vec(&serde_json::json!({ "result": doc })).unwrap()
}

/// A comparable description of every span: ids, name, service, times, kind, status and
/// attributes.
fn span_set(trace: &Trace) -> BTreeSet<String> {
    trace
        .spans()
        .map(|s| {
            let mut attrs: Vec<String> = s
                .attrs()
                .resolved()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            attrs.sort();
            format!(
                "{} {} parent={:?} {:?} service={:?} {}..{} {:?} {:?} [{}]",
                s.trace_id_hex(),
                s.span_id_hex(),
                s.parent_span_id().map(|p| p.to_hex()),
                s.name(),
                s.service(),
                s.start(),
                s.end(),
                s.kind(),
                s.status(),
                attrs.join(", ")
            )
        })
        .collect()
}

async fn fetch_one(kind: BackendKind, reply: Reply, trace_id: &str) -> (Server, Trace) {
    let server = Server::start(move |_| reply.clone()).await;
    let trace = server
        .backend(kind)
        .fetch(id(trace_id))
        .await
        .unwrap()
        .expect("the trace is there");
    (server, trace)
}

#[tokio::test]
async fn jaeger_api_v3_serves_the_otlp_trace() {
    let (server, trace) = fetch_one(
        BackendKind::Jaeger,
        Reply::json(fixture("GetTrace.json")),
        ONE_ID,
    )
    .await;
    insta::assert_snapshot!(trace.dump());
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, format!("/api/v3/traces/{ONE_ID}"));
    assert_eq!(seen[0].headers["accept"], "application/json");
}

#[tokio::test]
async fn jaeger_v1_serves_the_ui_trace() {
    let (server, trace) = fetch_one(
        BackendKind::JaegerV1,
        Reply::json(fixture("ui_01.json")),
        ONE_ID,
    )
    .await;
    insta::assert_snapshot!(trace.dump());
    assert_eq!(server.seen()[0].path, format!("/api/traces/{ONE_ID}"));
}

#[tokio::test]
async fn tempo_serves_protobuf() {
    let body = tempo_body(traces_data(&fixture("example_trace.json")));
    let (server, trace) = fetch_one(BackendKind::Tempo, Reply::proto(body), EXAMPLE_ID).await;
    insta::assert_snapshot!(trace.dump());
    let seen = server.seen();
    assert_eq!(seen[0].path, format!("/api/v2/traces/{EXAMPLE_ID}"));
    assert_eq!(seen[0].headers["accept"], "application/protobuf");
}

#[tokio::test]
async fn every_kind_gives_the_same_spans_for_the_same_trace() {
    let otlp = fixture("otlp2jaeger-in.json");
    let (_, tempo) = fetch_one(
        BackendKind::Tempo,
        Reply::proto(tempo_body(traces_data(&otlp))),
        OTLP2JAEGER_ID,
    )
    .await;
    let (_, api_v3) = fetch_one(
        BackendKind::Jaeger,
        Reply::json(api_v3_body(&otlp)),
        OTLP2JAEGER_ID,
    )
    .await;
    let (_, v1) = fetch_one(
        BackendKind::JaegerV1,
        Reply::json(fixture("otlp2jaeger-out.json")),
        OTLP2JAEGER_ID,
    )
    .await;
    let spans = span_set(&tempo);
    assert!(!spans.is_empty());
    assert_eq!(spans, span_set(&api_v3), "Tempo and Jaeger api_v3 differ");
    assert_eq!(spans, span_set(&v1), "Tempo and Jaeger v1 differ");
}

#[tokio::test]
async fn tempo_answering_json_is_read_as_otlp_json() {
    let otlp = fixture("example_trace.json");
    let (_, trace) = fetch_one(BackendKind::Tempo, Reply::json(otlp.clone()), EXAMPLE_ID).await;
    let (_, proto) = fetch_one(
        BackendKind::Tempo,
        Reply::proto(tempo_body(traces_data(&otlp))),
        EXAMPLE_ID,
    )
    .await;
    assert_eq!(span_set(&trace), span_set(&proto));
}

#[tokio::test]
async fn gzip_answers_are_decompressed() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&fixture("GetTrace.json")).unwrap();
    let body = gz.finish().unwrap();
    let (server, trace) = fetch_one(
        BackendKind::Jaeger,
        Reply::json(body).header("content-encoding", "gzip"),
        ONE_ID,
    )
    .await;
    assert_eq!(trace.len(), 1);
    let accept_encoding = server.seen()[0].headers["accept-encoding"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(accept_encoding.contains("gzip"), "{accept_encoding}");
}

// ---- the first `k` spans of a trace, as each backend would answer while it fills ----

/// The OTLP/JSON document with only its first `k` spans (in document order).
fn first_spans_otlp(otlp_json: &[u8], k: usize) -> serde_json::Value {
    let mut doc: serde_json::Value = serde_json::from_slice(otlp_json).unwrap();
    let mut left = k;
    for rs in doc["resourceSpans"].as_array_mut().unwrap() {
        for ss in rs["scopeSpans"].as_array_mut().unwrap() {
            let spans = ss["spans"].as_array_mut().unwrap();
            let keep = spans.len().min(left);
            spans.truncate(keep);
            left -= keep;
        }
    }
    doc
}

/// The Jaeger v1 trace object with only its first `k` spans, as `/api/traces/{id}` sends it.
fn first_spans_v1(trace_json: &[u8], k: usize) -> Vec<u8> {
    let mut trace: serde_json::Value = serde_json::from_slice(trace_json).unwrap();
    trace["spans"].as_array_mut().unwrap().truncate(k);
    serde_json::to_vec(&serde_json::json!({
        "data": [trace], "total": 0, "limit": 0, "offset": 0, "errors": null
    }))
    .unwrap()
}

/// 2 answers "not found", then the first 1, 2, … `total` spans.
fn growing(kind: BackendKind, total: usize) -> impl Fn(u32) -> Reply + Send + Sync + 'static {
    move |n| {
        let k = (n as usize).saturating_sub(2).min(total);
        if k == 0 {
            return match kind {
                BackendKind::Jaeger => Reply::status(
                    404,
                    r#"{"error":{"httpCode":404,"message":"trace not found"}}"#,
                ),
                BackendKind::JaegerV1 => Reply::status(
                    404,
                    r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#,
                ),
                BackendKind::Tempo => Reply::status(404, "trace not found"),
            };
        }
        match kind {
            BackendKind::Jaeger => {
                let doc = first_spans_otlp(&fixture("example_trace.json"), k);
                Reply::json(api_v3_body(&serde_json::to_vec(&doc).unwrap()))
            }
            BackendKind::Tempo => {
                let doc = first_spans_otlp(&fixture("example_trace.json"), k);
                Reply::proto(tempo_body(serde_json::from_value(doc).unwrap()))
            }
            BackendKind::JaegerV1 => Reply::json(first_spans_v1(&fixture("ui_01.json"), k)),
        }
    }
}

#[tokio::test]
async fn polls_until_the_growing_trace_is_complete() {
    for (kind, trace_id, total, distinct) in [
        (BackendKind::Jaeger, EXAMPLE_ID, 5, 5),
        (BackendKind::Tempo, EXAMPLE_ID, 5, 5),
        // ui_01.json repeats its first span id: 5 spans, 4 distinct.
        (BackendKind::JaegerV1, ONE_ID, 5, 4),
    ] {
        let server = Server::start(growing(kind, total)).await;
        let backend = server.backend(kind);
        let mut sizes = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        let polled = backend
            .poll(id(trace_id), deadline, |t| {
                sizes.push(t.len());
                t.len() == distinct
            })
            .await
            .unwrap();
        assert!(polled.complete, "{kind}");
        assert_eq!(polled.trace.map(|t| t.len()), Some(distinct), "{kind}");
        assert_eq!(polled.attempts as usize, 2 + total, "{kind}");
        assert_eq!(server.hits(), polled.attempts, "{kind}");
        assert!(polled.last_error.is_none(), "{kind}");
        assert_eq!(sizes.len(), total, "{kind}: {sizes:?}");
        assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{kind}: {sizes:?}");
        assert_eq!(sizes.first(), Some(&1), "{kind}");
    }
}

#[tokio::test]
async fn transient_failures_are_retried() {
    let server = Server::start(|n| match n {
        1 => Reply::status(503, "upstream unavailable"),
        2 => Reply::status(502, "<html>bad gateway</html>"),
        3 => Reply::status(429, "slow down").header("retry-after", "0"),
        4 => Reply::status(
            500,
            r#"{"error":{"httpCode":500,"message":"storage down"}}"#,
        ),
        _ => Reply::json(fixture("GetTrace.json")),
    })
    .await;
    let polled = server
        .backend(BackendKind::Jaeger)
        .poll(id(ONE_ID), Instant::now() + Duration::from_secs(30), |_| {
            true
        })
        .await
        .unwrap();
    assert!(polled.complete);
    assert_eq!(polled.attempts, 5);
    assert_eq!(server.hits(), 5);
}

#[tokio::test]
async fn a_trace_never_found_ends_at_the_deadline() {
    let server = Server::start(|_| Reply::status(404, "trace not found")).await;
    let polled = server
        .backend(BackendKind::Tempo)
        .poll(
            id(EXAMPLE_ID),
            Instant::now() + Duration::from_millis(200),
            |_| true,
        )
        .await
        .unwrap();
    assert!(polled.trace.is_none());
    assert!(!polled.complete);
    assert!(polled.attempts >= 1);
    // The last request may have been abandoned at the deadline before it reached the server.
    let hits = server.hits();
    assert!(
        hits == polled.attempts || hits + 1 == polled.attempts,
        "{hits} requests arrived, {} were sent",
        polled.attempts
    );
    assert!(polled.last_error.is_none());
}

#[tokio::test]
async fn an_incomplete_trace_is_returned_at_the_deadline() {
    let server = Server::start(|_| Reply::json(fixture("GetTrace.json"))).await;
    let polled = server
        .backend(BackendKind::Jaeger)
        .poll(
            id(ONE_ID),
            Instant::now() + Duration::from_millis(200),
            |t| t.len() > 1,
        )
        .await
        .unwrap();
    assert_eq!(polled.trace.map(|t| t.len()), Some(1));
    assert!(!polled.complete);
    assert!(polled.attempts >= 1);
}

#[tokio::test]
async fn a_backend_that_stays_down_is_a_transient_error_at_the_deadline() {
    let server = Server::start(|_| Reply::status(503, "no healthy upstream")).await;
    let err = server
        .backend(BackendKind::JaegerV1)
        .poll(
            id(ONE_ID),
            Instant::now() + Duration::from_millis(200),
            |_| true,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, BackendErrorKind::Http { status: 503 });
    assert!(
        err.message.contains("no healthy upstream"),
        "{}",
        err.message
    );
    assert!(!err.message.contains("the last of 1 "), "{}", err.message);
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_within_the_deadline() {
    // A port that was free a moment ago and has no listener now.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut config = tbt_backend::BackendConfig::new(BackendKind::Tempo, format!("http://{addr}"));
    config.poll = Some(common::fast_poll());
    let backend = tbt_backend::Backend::new(&config).unwrap();

    let err = backend.fetch(id(EXAMPLE_ID)).await.unwrap_err();
    assert_eq!(err.kind, BackendErrorKind::Connect);
    assert!(err.is_transient());
    assert!(
        err.message
            .contains(&format!("http://{addr}/api/v2/traces/{EXAMPLE_ID}"))
    );

    let err = backend
        .poll(
            id(EXAMPLE_ID),
            Instant::now() + Duration::from_millis(200),
            |_| true,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, BackendErrorKind::Connect);
    assert!(
        err.message.starts_with("cannot connect to Tempo at"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn not_found_in_every_form_is_none() {
    let cases: Vec<(BackendKind, Reply)> = vec![
        (
            BackendKind::Jaeger,
            Reply::status(
                404,
                r#"{"error":{"httpCode":404,"message":"trace not found"}}"#,
            ),
        ),
        (
            BackendKind::Jaeger,
            Reply::json(
                r#"{"error":{"grpcCode":5,"httpCode":404,"message":"trace not found","httpStatus":"Not Found"}}"#,
            ),
        ),
        (
            BackendKind::Jaeger,
            Reply::json(r#"{"result":{"resourceSpans":[]}}"#),
        ),
        (
            BackendKind::JaegerV1,
            Reply::status(
                404,
                r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#,
            ),
        ),
        (
            BackendKind::JaegerV1,
            Reply::json(r#"{"data":[],"total":0,"limit":0,"offset":0,"errors":null}"#),
        ),
        (BackendKind::Tempo, Reply::status(404, "trace not found")),
        (BackendKind::Tempo, Reply::proto(Vec::new())),
        (
            BackendKind::Tempo,
            Reply::proto(TraceByIdResponse::default().encode_to_vec()),
        ),
    ];
    for (i, (kind, reply)) in cases.into_iter().enumerate() {
        let server = Server::start(move |_| reply.clone()).await;
        let got = server.backend(kind).fetch(id(ONE_ID)).await;
        assert!(matches!(got, Ok(None)), "case {i} ({kind}): {got:?}");
    }
}

#[tokio::test]
async fn final_errors_are_not_retried() {
    let truncated = {
        let body = tempo_body(traces_data(&fixture("example_trace.json")));
        body[..body.len() / 2].to_vec()
    };
    // A whole TraceByIDResponse whose trace (field 1) holds a cut-off TracesData.
    let broken_trace = {
        let inner = traces_data(&fixture("example_trace.json")).encode_to_vec();
        let cut = &inner[..inner.len() / 2];
        let mut body = vec![0x0a];
        prost::encoding::encode_varint(cut.len() as u64, &mut body);
        body.extend_from_slice(cut);
        body
    };
    let cases: Vec<(&str, BackendKind, Reply)> = vec![
        (
            "api_v3 not JSON",
            BackendKind::Jaeger,
            Reply::json(r#"{"result": {"resourceSpans": ["#),
        ),
        (
            "api_v3 HTML",
            BackendKind::Jaeger,
            Reply::json("<html><body>Jaeger UI</body></html>"),
        ),
        (
            "api_v3 wrong shape",
            BackendKind::Jaeger,
            Reply::json(r#"{"result": {"resourceSpans": 5}}"#),
        ),
        (
            "v1 wrong shape",
            BackendKind::JaegerV1,
            Reply::json(r#"{"data": "trace"}"#),
        ),
        (
            "v1 error document",
            BackendKind::JaegerV1,
            Reply::json(
                r#"{"data":null,"errors":[{"code":500,"msg":"cassandra: no hosts available"}]}"#,
            ),
        ),
        (
            "tempo truncated protobuf",
            BackendKind::Tempo,
            Reply::proto(truncated),
        ),
        (
            "tempo truncated trace inside",
            BackendKind::Tempo,
            Reply::proto(broken_trace),
        ),
        (
            "tempo another trace",
            BackendKind::Tempo,
            Reply::proto(tempo_body(traces_data(&fixture("otlp2jaeger-in.json")))),
        ),
        (
            "401",
            BackendKind::Tempo,
            Reply::status(401, "{\"message\": \"invalid token\"}\n"),
        ),
        ("403", BackendKind::JaegerV1, Reply::status(403, "")),
        (
            "400",
            BackendKind::Jaeger,
            Reply::status(
                400,
                r#"{"error":{"httpCode":400,"message":"malformed trace_id"}}"#,
            ),
        ),
    ];
    let mut report = String::new();
    for (name, kind, reply) in cases {
        let server = Server::start(move |_| reply.clone()).await;
        let backend = server.backend(kind);
        let err = backend
            .poll(
                id(EXAMPLE_ID),
                Instant::now() + Duration::from_secs(30),
                |_| true,
            )
            .await
            .unwrap_err();
        assert_eq!(server.hits(), 1, "{name}: retried");
        assert!(!err.is_transient(), "{name}");
        let fetched = backend.fetch(id(EXAMPLE_ID)).await.unwrap_err();
        assert_eq!(fetched, err, "{name}: poll and fetch disagree");
        report.push_str(&format!(
            "{name}\n  kind: {:?}\n  message: {}\n\n",
            err.kind,
            server.redact(&err.message)
        ));
    }
    insta::assert_snapshot!(report);
}

#[tokio::test]
async fn configured_headers_are_sent() {
    let server = Server::start(|_| Reply::json(fixture("GetTrace.json"))).await;
    let mut config = server.config(BackendKind::Jaeger);
    config
        .headers
        .insert("Authorization".into(), "Bearer s3cret".into());
    config
        .headers
        .insert("X-Scope-OrgID".into(), "tenant-1".into());
    let backend = tbt_backend::Backend::new(&config).unwrap();
    backend.fetch(id(ONE_ID)).await.unwrap();
    backend.fetch(id(ONE_ID)).await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    for request in seen {
        assert_eq!(request.headers["authorization"], "Bearer s3cret");
        assert_eq!(request.headers["x-scope-orgid"], "tenant-1");
        let agent = request.headers["user-agent"].to_str().unwrap();
        assert!(agent.starts_with("tbt/"), "{agent}");
    }
    // The secret never shows in debug output.
    let debug = format!("{backend:?}");
    assert!(!debug.contains("s3cret"), "{debug}");
}
