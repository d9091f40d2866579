//! End-to-end tests of the receiver with real clients on 127.0.0.1.

use std::io::Write;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
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

fn request(spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![KeyValue {
                    key: "service.name".into(),
                    value: Some(AnyValue {
                        value: Some(any_value::Value::StringValue("svc".into())),
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            schema_url: String::new(),
        }],
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

/// `google.rpc.Status`, as OTLP/HTTP refusals carry it.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// The message of a refusal, decoded from the request's encoding.
async fn refusal_message(resp: reqwest::Response, content_type: &str) -> String {
    let bytes = resp.bytes().await.expect("body");
    match content_type {
        "application/x-protobuf" => {
            let st = RpcStatus::decode(&bytes[..]).expect("google.rpc.Status");
            assert!(st.code == 3 || st.code == 8, "{st:?}");
            st.message
        }
        "application/json" => {
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json status");
            v["message"].as_str().expect("message").to_string()
        }
        _ => String::from_utf8(bytes.to_vec()).expect("text"),
    }
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

#[tokio::test]
async fn malformed_http_requests_are_refused_and_the_receiver_keeps_serving() {
    let r = start(ReceiverConfig {
        max_request_bytes: 64 * 1024,
        ..ReceiverConfig::default()
    })
    .await;
    let mut sub = r.subscribe(tid(3));
    let valid = request(vec![span(tid(3), 0, "x")]).encode_to_vec();
    let truncated = valid[..valid.len() - 3].to_vec();
    let proto = "application/x-protobuf";
    let json = "application/json";
    let huge = vec![b' '; 100 * 1024];
    let bomb = vec![0u8; 1024 * 1024]; // compresses to ~1 KiB, inflates past the limit
    let cases: Vec<(&str, &str, bool, Vec<u8>, u16)> = vec![
        ("truncated protobuf", proto, false, truncated, 400),
        ("garbage bytes", proto, false, vec![0xff; 37], 400),
        (
            "invalid json",
            json,
            false,
            b"{\"resourceSpans\": [".to_vec(),
            400,
        ),
        (
            "json of the wrong shape",
            json,
            false,
            b"{\"resourceSpans\": 5}".to_vec(),
            400,
        ),
        ("json array", json, false, b"[1, 2, 3]".to_vec(), 400),
        ("bad gzip", proto, true, Vec::new(), 400), // replaced below by raw bytes
        (
            "unsupported content type",
            "text/plain",
            false,
            valid.clone(),
            415,
        ),
        ("empty body", proto, false, Vec::new(), 400),
        ("oversize body", proto, false, huge, 413),
        ("gzip bomb", proto, true, bomb, 413),
    ];
    let mut expected_spans = 0;
    for (what, ct, gz, body, status) in cases {
        let resp = if what == "bad gzip" {
            reqwest::Client::new()
                .post(r.http_traces_url().expect("http"))
                .header("content-type", ct)
                .header("content-encoding", "gzip")
                .body(b"\x1f\x8bnot really gzip".to_vec())
                .send()
                .await
                .expect("send")
        } else {
            post(&r, ct, gz, body).await
        };
        assert_eq!(resp.status().as_u16(), status, "{what}");
        let message = refusal_message(resp, ct).await;
        assert!(
            !message.is_empty(),
            "{what}: a message explains the refusal"
        );

        // Still serving.
        expected_spans += 1;
        let ok = request(vec![span(tid(3), expected_spans, what)]).encode_to_vec();
        let resp = post(&r, proto, false, ok).await;
        assert_eq!(resp.status(), 200, "after {what}");
    }
    let client = reqwest::Client::new();
    let url = r.http_traces_url().expect("http");
    let resp = client.get(&url).send().await.expect("send");
    assert_eq!(resp.status(), 405, "wrong method");
    let resp = client
        .post(url.replace("/v1/traces", "/v1/metrics"))
        .header("content-type", proto)
        .body(valid.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 404, "wrong path");

    // Bad trace-id length: that span is rejected, the others go through.
    let mut bad = span(tid(3), 99, "bad");
    bad.trace_id = vec![1, 2, 3];
    let body = request(vec![bad, span(tid(3), 100, "good")]).encode_to_vec();
    let resp = post(&r, proto, false, body).await;
    assert_eq!(resp.status(), 200);
    let answer = ExportTraceServiceResponse::decode(&resp.bytes().await.expect("body")[..])
        .expect("protobuf answer");
    let ps = answer.partial_success.expect("partial success");
    assert_eq!(ps.rejected_spans, 1);
    assert!(
        ps.error_message.contains("trace_id"),
        "{}",
        ps.error_message
    );
    expected_spans += 1;

    // Same over JSON, with a 15-byte trace id.
    let body = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{}","spanId":"0000000000000001","name":"j"}}]}}]}}]}}"#,
        "ab".repeat(15)
    );
    let resp = post(&r, json, false, body.into_bytes()).await;
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().await.expect("json answer");
    assert_eq!(
        v["partialSuccess"]["rejectedSpans"],
        serde_json::json!(1),
        "{v}"
    );

    wait(&mut sub, expected_spans).await;
    assert_eq!(sub.span_count(), expected_spans);
    let s = r.stats();
    assert_eq!(s.rejected_spans, 2);
    assert_eq!(s.malformed_requests, 10);
    assert_eq!(s.routed_spans, expected_spans);
    r.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn grpc_oversize_and_bad_ids() {
    let r = start(ReceiverConfig {
        max_request_bytes: 16 * 1024,
        ..ReceiverConfig::default()
    })
    .await;
    let mut sub = r.subscribe(tid(4));
    let mut client = grpc_client(&r).await;
    let mut big = span(tid(4), 1, "big");
    big.name = "x".repeat(64 * 1024);
    let err = client
        .export(request(vec![big]))
        .await
        .expect_err("too large");
    assert_eq!(err.code(), tonic::Code::ResourceExhausted, "{err:?}");

    let mut bad = span(tid(4), 2, "bad");
    bad.span_id = vec![1; 4];
    let resp = client
        .export(request(vec![bad, span(tid(4), 3, "good")]))
        .await
        .expect("still serving");
    let ps = resp.into_inner().partial_success.expect("partial success");
    assert_eq!(ps.rejected_spans, 1);
    assert!(ps.error_message.contains("span_id"), "{}", ps.error_message);
    wait(&mut sub, 1).await;
    let s = r.stats();
    assert_eq!(
        (s.malformed_requests, s.rejected_spans, s.routed_spans),
        (1, 1, 1)
    );
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
