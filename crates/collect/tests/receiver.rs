//! End-to-end tests of the receiver with real clients on 127.0.0.1.

mod common;
use common::request;

use std::io::Write;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use tbt_collect::{Receiver, ReceiverConfig, RunningReceiver};
use tbt_trace::TraceId;
use tonic::codec::CompressionEncoding;

const TIMEOUT: Duration = Duration::from_secs(10);

fn tid(n: u8) -> TraceId {
    TraceId([n; 16])
}

fn span(trace: TraceId, n: u64, name: &str) -> Span {
    Span {
        trace_id: trace.0.to_vec(),
        span_id: (n + 1).to_be_bytes().to_vec(),
        name: name.to_string(),
        start_time_unix_nano: 1_000,
        end_time_unix_nano: 2_000,
        ..Default::default()
    }
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).expect("gzip");
    e.finish().expect("gzip")
}

async fn start(config: ReceiverConfig) -> RunningReceiver {
    Receiver::start(config).await.expect("receiver starts")
}

async fn grpc_client(r: &RunningReceiver) -> TraceServiceClient<tonic::transport::Channel> {
    TraceServiceClient::connect(r.grpc_endpoint().expect("grpc enabled"))
        .await
        .expect("connect")
}

async fn post(
    r: &RunningReceiver,
    content_type: &str,
    gz: bool,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut b = reqwest::Client::new()
        .post(r.http_traces_url().expect("http enabled"))
        .header("content-type", content_type);
    let body = if gz {
        b = b.header("content-encoding", "gzip");
        gzip(&body)
    } else {
        body
    };
    b.body(body).send().await.expect("http request")
}

/// Waits until the subscription has `n` spans, or fails.
async fn wait(sub: &mut tbt_collect::Subscription, n: u64) {
    tokio::time::timeout(TIMEOUT, sub.wait_for(n))
        .await
        .expect("spans arrive in time");
}

#[tokio::test]
async fn grpc_export_plain_and_gzip() {
    let r = start(ReceiverConfig::default()).await;
    assert!(r.grpc_addr().expect("grpc").ip().is_loopback());
    let mut sub = r.subscribe(tid(1));
    let mut plain = grpc_client(&r).await;
    let resp = plain
        .export(request(vec![span(tid(1), 1, "a"), span(tid(1), 2, "b")]))
        .await
        .expect("export");
    assert_eq!(resp.into_inner().partial_success, None);
    let mut gz = grpc_client(&r)
        .await
        .send_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Gzip);
    gz.export(request(vec![span(tid(1), 3, "c")]))
        .await
        .expect("gzip export");
    wait(&mut sub, 3).await;
    let trace = sub.snapshot().expect("trace builds");
    assert_eq!(trace.len(), 3);
    let s = r.stats();
    assert_eq!((s.requests, s.received_spans, s.routed_spans), (2, 3, 3));
    r.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn http_protobuf_and_json_with_and_without_gzip() {
    let r = start(ReceiverConfig::default()).await;
    let mut sub = r.subscribe(tid(2));
    let mut n = 0;
    for gz in [false, true] {
        n += 1;
        let body = request(vec![span(tid(2), n, "proto")]).encode_to_vec();
        let resp = post(&r, "application/x-protobuf", gz, body).await;
        assert_eq!(resp.status(), 200);
        let bytes = resp.bytes().await.expect("body");
        let answer = ExportTraceServiceResponse::decode(&bytes[..]).expect("protobuf answer");
        assert_eq!(answer.partial_success, None);

        n += 1;
        let json = format!(
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},
               "scopeSpans":[{{"scope":{{"name":"s"}},"spans":[{{"traceId":"{}","spanId":"{:016x}","name":"json",
               "kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000"}}]}}]}}]}}"#,
            tid(2),
            n + 1
        );
        let resp = post(&r, "application/json; charset=utf-8", gz, json.into_bytes()).await;
        assert_eq!(resp.status(), 200, "{:?}", resp.text().await);
    }
    wait(&mut sub, 4).await;
    let trace = sub.snapshot().expect("trace builds");
    assert_eq!(trace.len(), 4);
    assert_eq!(r.stats().routed_spans, 4);
    r.shutdown().await.expect("clean shutdown");
}

/// One request with spans of a subscribed trace and of an unsubscribed one, a bad span of
/// each among them: the bad ones are rejected in `partial_success`, the rest are routed or
/// dropped, and the stats add up.
fn mixed_request(base: u64) -> ExportTraceServiceRequest {
    let mut bad_len = span(tid(4), base, "bad length");
    bad_len.trace_id = vec![4; 15];
    let mut zero_span = span(tid(9), base + 1, "zero span id");
    zero_span.span_id = vec![0; 8];
    request(vec![
        span(tid(4), base + 2, "good 1"),
        bad_len,
        span(tid(9), base + 3, "elsewhere"),
        zero_span,
        span(tid(4), base + 4, "good 2"),
    ])
}

fn expect_partial(ps: Option<(i64, String)>, transport: &str) {
    let (n, message) = ps.unwrap_or_else(|| panic!("{transport}: a partial success"));
    assert_eq!(n, 2, "{transport}");
    assert_eq!(
        message,
        "2 span(s) rejected; the first, resource_spans[0].scope_spans[0].spans[1]: \
         trace_id has 15 bytes, expected 16",
        "{transport}"
    );
}

#[tokio::test]
async fn partial_success_on_every_transport() {
    let r = start(ReceiverConfig::default()).await;
    let mut sub = r.subscribe(tid(4));
    let resp = grpc_client(&r)
        .await
        .export(mixed_request(0))
        .await
        .expect("grpc export");
    let ps = resp.into_inner().partial_success;
    expect_partial(ps.map(|p| (p.rejected_spans, p.error_message)), "grpc");

    let resp = post(
        &r,
        "application/x-protobuf",
        true,
        mixed_request(10).encode_to_vec(),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let answer = ExportTraceServiceResponse::decode(&resp.bytes().await.expect("body")[..])
        .expect("protobuf answer");
    let ps = answer.partial_success;
    expect_partial(
        ps.map(|p| (p.rejected_spans, p.error_message)),
        "http protobuf",
    );

    let json = serde_json::to_vec(&mixed_request(20)).expect("OTLP/JSON");
    let resp = post(&r, "application/json", false, json).await;
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().await.expect("json answer");
    let ps = &v["partialSuccess"];
    expect_partial(
        Some((
            ps["rejectedSpans"].as_i64().unwrap_or(-1),
            ps["errorMessage"].as_str().unwrap_or("").to_string(),
        )),
        "http json",
    );

    wait(&mut sub, 6).await;
    let names: Vec<String> = sub
        .batches()
        .into_iter()
        .flat_map(|rs| rs.scope_spans)
        .flat_map(|ss| ss.spans)
        .map(|sp| sp.name)
        .collect();
    assert_eq!(names, ["good 1", "good 2"].repeat(3));
    let s = r.stats();
    assert_eq!(
        s,
        tbt_collect::Stats {
            requests: 3,
            malformed_requests: 0,
            received_spans: 15,
            routed_spans: 6,
            dropped_spans: 3,
            kept_spans: 0,
            rejected_spans: 6,
        }
    );
    r.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn span_summaries_follow_the_delivered_spans() {
    let r = start(ReceiverConfig::default()).await;
    let mut sub = r.subscribe(tid(11));
    let root = span(tid(11), 1, "root");
    let mut child = span(tid(11), 2, "child");
    child.parent_span_id = root.span_id.clone();
    child.start_time_unix_nano = 1_200;
    child.end_time_unix_nano = 1_800;
    let mut client = grpc_client(&r).await;
    client.export(request(vec![root])).await.expect("export");
    wait(&mut sub, 1).await;
    let first = sub.span_summaries();
    assert_eq!(first.len(), 1);
    assert!(first[0].is_root());
    assert_eq!(first[0].span_id, 2u64.to_be_bytes());
    client.export(request(vec![child])).await.expect("export");
    wait(&mut sub, 2).await;
    let new = sub.span_summaries_from(first.len());
    assert_eq!(
        new,
        [tbt_collect::SpanSummary {
            span_id: 3u64.to_be_bytes(),
            parent_span_id: 2u64.to_be_bytes(),
            start_unix_nano: 1_200,
            end_unix_nano: 1_800,
        }]
    );
    assert_eq!(sub.span_summaries().len(), 2);
    assert!(sub.span_summaries_from(5).is_empty());
    r.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn twenty_concurrent_subscribers_each_see_only_their_spans() {
    let r = std::sync::Arc::new(start(ReceiverConfig::default()).await);
    let mut tasks = Vec::new();
    for i in 0..20u8 {
        let r = r.clone();
        tasks.push(tokio::spawn(async move {
            let trace = tid(100 + i);
            let mut sub = r.subscribe(trace);
            let spans = u64::from(i % 5) + 1;
            let use_grpc = i % 2 == 0;
            for k in 0..spans {
                // Mix in a span of an unsubscribed trace in every request.
                let req = request(vec![span(trace, k, "mine"), span(tid(250), k, "nobody")]);
                if use_grpc {
                    grpc_client(&r).await.export(req).await.expect("export");
                } else {
                    let resp = post(
                        &r,
                        "application/x-protobuf",
                        i % 4 == 1,
                        req.encode_to_vec(),
                    )
                    .await;
                    assert_eq!(resp.status(), 200);
                }
            }
            let mut seen = 0;
            while seen < spans {
                seen = tokio::time::timeout(TIMEOUT, sub.changed())
                    .await
                    .expect("notified");
            }
            let trace_data = sub.snapshot().expect("builds");
            assert_eq!(trace_data.len() as u64, spans);
            for b in sub.batches() {
                for ss in b.scope_spans {
                    for sp in ss.spans {
                        assert_eq!(sp.trace_id, trace.0.to_vec());
                        assert_eq!(sp.name, "mine");
                    }
                }
            }
            spans
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    let s = r.stats();
    assert_eq!(s.routed_spans, total);
    assert_eq!(s.dropped_spans, total);
    assert_eq!(s.received_spans, 2 * total);
}

#[tokio::test]
async fn unsubscribed_spans_are_dropped_or_kept() {
    let r = start(ReceiverConfig::default()).await;
    let mut client = grpc_client(&r).await;
    client
        .export(request(vec![span(tid(5), 1, "a"), span(tid(6), 1, "b")]))
        .await
        .expect("export");
    let s = r.stats();
    assert_eq!(
        (s.received_spans, s.dropped_spans, s.routed_spans),
        (2, 2, 0)
    );
    assert_eq!(r.unmatched().expect("builds").len(), 0);
    // A subscription dropped is no longer routed to.
    drop(r.subscribe(tid(5)));
    client
        .export(request(vec![span(tid(5), 2, "c")]))
        .await
        .expect("export");
    assert_eq!(r.stats().dropped_spans, 3);
    r.shutdown().await.expect("clean shutdown");

    let r = start(ReceiverConfig {
        keep_unmatched: true,
        ..ReceiverConfig::default()
    })
    .await;
    let mut client = grpc_client(&r).await;
    client
        .export(request(vec![span(tid(7), 1, "a"), span(tid(8), 1, "b")]))
        .await
        .expect("export");
    assert_eq!(r.stats().kept_spans, 2);
    assert_eq!(r.unmatched().expect("builds").len(), 2);
    // A late subscriber gets the kept spans of its trace at once.
    let mut sub = r.subscribe(tid(7));
    assert_eq!(
        tokio::time::timeout(TIMEOUT, sub.changed())
            .await
            .expect("notified"),
        1
    );
    let s = r.stats();
    assert_eq!((s.kept_spans, s.routed_spans, s.dropped_spans), (1, 1, 0));
    r.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn shutdown_closes_the_ports_and_ports_are_configurable() {
    let r = start(ReceiverConfig {
        grpc_port: None,
        ..ReceiverConfig::default()
    })
    .await;
    assert_eq!(r.grpc_addr(), None);
    let addr = r.http_addr().expect("http");
    r.shutdown().await.expect("clean shutdown");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    // The freed port can be asked for explicitly.
    let r = start(ReceiverConfig {
        grpc_port: None,
        http_port: Some(addr.port()),
        ..ReceiverConfig::default()
    })
    .await;
    assert_eq!(r.http_addr(), Some(addr));
    r.shutdown().await.expect("clean shutdown");
}
