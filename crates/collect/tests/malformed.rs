//! Every kind of malformed request, over both transports, in one table: each is refused as
//! a whole (HTTP 4xx / a gRPC error status, with a message) or has its bad spans rejected
//! in a `partial_success`, and after each one a valid export still succeeds.
//!
//! gRPC requests are written by hand (frame header, `grpc-encoding`, compressed flag) so
//! that cases no well-behaved client would send can be sent.

mod common;
use common::request;

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::span::Link;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use tbt_collect::{Receiver, ReceiverConfig, RunningReceiver, Stats};
use tbt_trace::TraceId;

const LIMIT: usize = 64 * 1024;
const TRACE: TraceId = TraceId([7; 16]);
const PROTO: &str = "application/x-protobuf";
const JSON: &str = "application/json";
const EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

fn span(n: u64) -> Span {
    Span {
        trace_id: TRACE.0.to_vec(),
        span_id: (n + 1).to_be_bytes().to_vec(),
        name: format!("span-{n}"),
        start_time_unix_nano: 1_000,
        end_time_unix_nano: 2_000,
        ..Default::default()
    }
}

/// A request of one span made invalid by `spoil`, followed by one valid span.
fn with_bad_span(n: u64, spoil: impl FnOnce(&mut Span)) -> Vec<u8> {
    let mut bad = span(n);
    spoil(&mut bad);
    request(vec![bad, span(n + 1)]).encode_to_vec()
}

/// The same as OTLP/JSON, with the bad span's fields given as JSON members.
fn json_with_bad_span(n: u64, bad_fields: &str) -> Vec<u8> {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},
           "scopeSpans":[{{"spans":[
             {{"spanId":"{:016x}",{bad_fields}}},
             {{"traceId":"{TRACE}","spanId":"{:016x}","name":"good","startTimeUnixNano":"1000","endTimeUnixNano":"2000"}}
           ]}}]}}]}}"#,
        n + 1,
        n + 2
    )
    .into_bytes()
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).expect("gzip into memory");
    e.finish().expect("gzip into memory")
}

/// A gRPC message frame: compressed flag, big-endian length, payload.
fn frame(flag: u8, len: u32, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![flag];
    f.extend_from_slice(&len.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

fn plain_frame(payload: &[u8]) -> Vec<u8> {
    frame(0, payload.len() as u32, payload)
}

/// One request of the table.
enum Req {
    Http {
        method: &'static str,
        path: &'static str,
        content_type: Option<&'static str>,
        content_encoding: Option<&'static str>,
        body: Vec<u8>,
    },
    Grpc {
        path: &'static str,
        grpc_encoding: Option<&'static str>,
        body: Vec<u8>,
    },
}

fn http(content_type: &'static str, body: Vec<u8>) -> Req {
    Req::Http {
        method: "POST",
        path: "/v1/traces",
        content_type: Some(content_type),
        content_encoding: None,
        body,
    }
}

fn http_gzip(content_type: &'static str, body: Vec<u8>) -> Req {
    Req::Http {
        method: "POST",
        path: "/v1/traces",
        content_type: Some(content_type),
        content_encoding: Some("gzip"),
        body,
    }
}

fn grpc(body: Vec<u8>) -> Req {
    Req::Grpc {
        path: EXPORT_PATH,
        grpc_encoding: None,
        body,
    }
}

fn grpc_gzip(body: Vec<u8>) -> Req {
    Req::Grpc {
        path: EXPORT_PATH,
        grpc_encoding: Some("gzip"),
        body,
    }
}

/// `google.rpc.Status`, as OTLP/HTTP refusals carry it.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What came back, as one line; and whether the request was refused as a whole.
struct Outcome {
    line: String,
    refused: bool,
    rejected: i64,
}

fn describe_partial(ps: Option<(i64, String)>) -> Outcome {
    match ps {
        None => Outcome {
            line: "accepted".into(),
            refused: false,
            rejected: 0,
        },
        Some((n, m)) => Outcome {
            line: format!("partial_success rejected_spans={n}: {m}"),
            refused: false,
            rejected: n,
        },
    }
}

async fn send(client: &reqwest::Client, r: &RunningReceiver, req: Req) -> Outcome {
    match req {
        Req::Http {
            method,
            path,
            content_type,
            content_encoding,
            body,
        } => {
            let addr = r.http_addr().expect("http enabled");
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let mut b = client.request(method, format!("http://{addr}{path}"));
            if let Some(ct) = content_type {
                b = b.header("content-type", ct);
            }
            if let Some(ce) = content_encoding {
                b = b.header("content-encoding", ce);
            }
            let resp = b.body(body).send().await.expect("http request");
            let status = resp.status().as_u16();
            let ct = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let bytes = resp.bytes().await.expect("http body");
            if status == 200 {
                let ps = if ct == PROTO {
                    ExportTraceServiceResponse::decode(&bytes[..])
                        .expect("protobuf answer")
                        .partial_success
                        .map(|p| (p.rejected_spans, p.error_message))
                } else {
                    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json answer");
                    v.get("partialSuccess").map(|p| {
                        (
                            p["rejectedSpans"].as_i64().unwrap_or(-1),
                            p["errorMessage"].as_str().unwrap_or("").to_string(),
                        )
                    })
                };
                return describe_partial(ps);
            }
            let (code, message) = match ct.as_str() {
                PROTO => {
                    let st = RpcStatus::decode(&bytes[..]).expect("google.rpc.Status");
                    (format!("code {}", st.code), st.message)
                }
                JSON => {
                    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
                    (
                        format!("code {}", v["code"]),
                        v["message"].as_str().unwrap_or("").to_string(),
                    )
                }
                _ => ("text".into(), String::from_utf8_lossy(&bytes).into_owned()),
            };
            assert!(!message.is_empty(), "a refusal explains itself");
            Outcome {
                line: format!("HTTP {status}, {ct} {code}: {message}"),
                refused: true,
                rejected: 0,
            }
        }
        Req::Grpc {
            path,
            grpc_encoding,
            body,
        } => {
            let addr = r.grpc_addr().expect("grpc enabled");
            let mut b = client
                .post(format!("http://{addr}{path}"))
                .header("content-type", "application/grpc")
                .header("te", "trailers");
            if let Some(e) = grpc_encoding {
                b = b.header("grpc-encoding", e);
            }
            let resp = b.body(body).send().await.expect("grpc request");
            assert_eq!(resp.status(), 200, "gRPC answers over HTTP 200");
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            // A refusal is trailers-only: its status is in the headers.
            if let Some(code) = header("grpc-status").filter(|c| c != "0") {
                let code = tonic::Code::from_i32(code.parse().unwrap_or(-1));
                let message = percent_decode(&header("grpc-message").unwrap_or_default());
                assert!(!message.is_empty(), "a refusal explains itself: {code:?}");
                return Outcome {
                    line: format!("gRPC {code:?}: {message}"),
                    refused: true,
                    rejected: 0,
                };
            }
            let bytes = resp.bytes().await.expect("grpc body");
            let payload = bytes.get(5..).expect("one response frame");
            let answer = ExportTraceServiceResponse::decode(payload).expect("export response");
            describe_partial(
                answer
                    .partial_success
                    .map(|p| (p.rejected_spans, p.error_message)),
            )
        }
    }
}

/// The table: (case, request). Span numbers keep every span id distinct.
fn cases() -> Vec<(&'static str, Req)> {
    let valid = request(vec![span(900)]).encode_to_vec();
    let truncated = valid[..valid.len() - 3].to_vec();
    // Field 1 (resource_spans) with wire type 7, which does not exist.
    let wrong_wire_type = vec![0x0f, 0x01, 0x02];
    // Field 1 (resource_spans) as a varint, where a message is expected.
    let varint_for_message = vec![0x08, 0x01];
    let garbage = vec![0xff; 37];
    let mut bad_utf8_name = span(901);
    bad_utf8_name.name = "\u{1F600}".into();
    let mut bad_utf8 = request(vec![bad_utf8_name]).encode_to_vec();
    let smiley = bad_utf8
        .windows(4)
        .position(|w| w == "\u{1F600}".as_bytes())
        .expect("name in the encoding");
    bad_utf8[smiley] = 0xc0; // not a UTF-8 lead byte for what follows
    let oversize = vec![0u8; LIMIT + 1024];
    let bomb = gzip(&vec![0u8; 16 * LIMIT]);
    let bad_gzip = b"\x1f\x8bnot really gzip".to_vec();
    let deep_json = json_with_bad_span(
        906,
        &format!(
            r#""traceId":"{TRACE}","attributes":[{{"key":"deep","value":{}"end"{}}}]"#,
            r#"{"arrayValue":{"values":["#.repeat(100),
            "]}}".repeat(100)
        ),
    );
    let mut deep_value = AnyValue {
        value: Some(any_value::Value::StringValue("end".into())),
    };
    for _ in 0..150 {
        deep_value = AnyValue {
            value: Some(any_value::Value::ArrayValue(
                opentelemetry_proto::tonic::common::v1::ArrayValue {
                    values: vec![deep_value],
                },
            )),
        };
    }
    let deep_proto = with_bad_span(904, |s| {
        s.attributes.push(KeyValue {
            key: "deep".into(),
            value: Some(deep_value),
            ..Default::default()
        })
    });
    let hex15 = "ab".repeat(15);
    let b64 = "AQEBAQEBAQEBAQEBAQEBAQ==";
    vec![
        // ---- HTTP, refused as a whole ----
        ("http: truncated protobuf", http(PROTO, truncated.clone())),
        (
            "http: wrong wire type",
            http(PROTO, wrong_wire_type.clone()),
        ),
        (
            "http: varint where a message belongs",
            http(PROTO, varint_for_message.clone()),
        ),
        ("http: garbage bytes", http(PROTO, garbage.clone())),
        (
            "http: invalid UTF-8 in a protobuf string",
            http(PROTO, bad_utf8.clone()),
        ),
        (
            "http: invalid JSON",
            http(JSON, b"{\"resourceSpans\": [".to_vec()),
        ),
        (
            "http: JSON of the wrong shape",
            http(JSON, b"{\"resourceSpans\": 5}".to_vec()),
        ),
        (
            "http: JSON array at the top",
            http(JSON, b"[1, 2, 3]".to_vec()),
        ),
        ("http: empty JSON body", http(JSON, Vec::new())),
        (
            "http: invalid UTF-8 in a JSON member",
            http(
                JSON,
                b"{\"resourceSpans\": [], \"x\": \"\xff\xfe\"}".to_vec(),
            ),
        ),
        (
            "http: invalid UTF-8 in a JSON span name",
            http(
                JSON,
                json_with_bad_span(
                    908,
                    &format!("\"traceId\":\"{TRACE}\",\"name\":\"\u{FFFD}\""),
                )
                .into_iter()
                .map(|b| if b == 0xef { 0xff } else { b })
                .collect(),
            ),
        ),
        (
            "http: JSON attribute value nested too deep",
            http(JSON, deep_json),
        ),
        (
            "http: protobuf attribute value nested too deep",
            http(PROTO, deep_proto.clone()),
        ),
        (
            "http: JSON trace id not hex",
            http(
                JSON,
                json_with_bad_span(910, r#""traceId":"zz0102030405060708090a0b0c0d0e0f""#),
            ),
        ),
        (
            "http: JSON trace id in base64",
            http(
                JSON,
                json_with_bad_span(912, &format!(r#""traceId":"{b64}""#)),
            ),
        ),
        (
            "http: JSON negative timestamp",
            http(
                JSON,
                json_with_bad_span(
                    914,
                    &format!(r#""traceId":"{TRACE}","startTimeUnixNano":"-5""#),
                ),
            ),
        ),
        (
            "http: JSON timestamp over 64 bits",
            http(
                JSON,
                json_with_bad_span(
                    916,
                    &format!(r#""traceId":"{TRACE}","endTimeUnixNano":"99999999999999999999""#),
                ),
            ),
        ),
        ("http: bad gzip stream", http_gzip(PROTO, bad_gzip.clone())),
        (
            "http: gzip bomb over the limit once inflated",
            http_gzip(PROTO, bomb.clone()),
        ),
        ("http: body over the limit", http(PROTO, oversize.clone())),
        (
            "http: unsupported content type",
            http("text/plain", valid.clone()),
        ),
        (
            "http: no content type",
            Req::Http {
                method: "POST",
                path: "/v1/traces",
                content_type: None,
                content_encoding: None,
                body: valid.clone(),
            },
        ),
        (
            "http: unsupported content encoding",
            Req::Http {
                method: "POST",
                path: "/v1/traces",
                content_type: Some(PROTO),
                content_encoding: Some("br"),
                body: valid.clone(),
            },
        ),
        (
            "http: wrong method",
            Req::Http {
                method: "GET",
                path: "/v1/traces",
                content_type: None,
                content_encoding: None,
                body: Vec::new(),
            },
        ),
        (
            "http: wrong path",
            Req::Http {
                method: "POST",
                path: "/v1/metrics",
                content_type: Some(PROTO),
                content_encoding: None,
                body: valid.clone(),
            },
        ),
        // ---- HTTP, accepted or partly rejected ----
        (
            "http: empty protobuf body (an empty request)",
            http(PROTO, Vec::new()),
        ),
        (
            "http: trace id of 15 bytes",
            http(PROTO, with_bad_span(920, |s| s.trace_id = vec![1; 15])),
        ),
        (
            "http: all-zero trace id",
            http(PROTO, with_bad_span(922, |s| s.trace_id = vec![0; 16])),
        ),
        (
            "http: span id of 4 bytes",
            http(PROTO, with_bad_span(924, |s| s.span_id = vec![1; 4])),
        ),
        (
            "http: all-zero span id",
            http(PROTO, with_bad_span(926, |s| s.span_id = vec![0; 8])),
        ),
        (
            "http: parent span id of 3 bytes",
            http(PROTO, with_bad_span(928, |s| s.parent_span_id = vec![1; 3])),
        ),
        (
            "http: end before start",
            http(PROTO, with_bad_span(930, |s| s.end_time_unix_nano = 10)),
        ),
        (
            "http: link with a short trace id",
            http(
                PROTO,
                with_bad_span(932, |s| {
                    s.links.push(Link {
                        trace_id: vec![1; 8],
                        span_id: vec![1; 8],
                        ..Default::default()
                    })
                }),
            ),
        ),
        (
            "http: JSON trace id of 15 bytes",
            http(
                JSON,
                json_with_bad_span(934, &format!(r#""traceId":"{hex15}""#)),
            ),
        ),
        (
            "http: JSON without a trace id",
            http(JSON, json_with_bad_span(936, r#""kind":1"#)),
        ),
        (
            "http: gzip JSON, all-zero trace id",
            http_gzip(
                JSON,
                gzip(&json_with_bad_span(
                    938,
                    r#""traceId":"00000000000000000000000000000000""#,
                )),
            ),
        ),
        // ---- gRPC, refused as a whole ----
        ("grpc: truncated protobuf", grpc(plain_frame(&truncated))),
        ("grpc: wrong wire type", grpc(plain_frame(&wrong_wire_type))),
        (
            "grpc: varint where a message belongs",
            grpc(plain_frame(&varint_for_message)),
        ),
        ("grpc: garbage bytes", grpc(plain_frame(&garbage))),
        (
            "grpc: invalid UTF-8 in a protobuf string",
            grpc(plain_frame(&bad_utf8)),
        ),
        (
            "grpc: attribute value nested too deep",
            grpc(plain_frame(&deep_proto)),
        ),
        (
            "grpc: frame shorter than its length prefix",
            grpc(frame(0, 100, &valid[..10])),
        ),
        ("grpc: message over the limit", grpc(plain_frame(&oversize))),
        (
            "grpc: bad gzip stream",
            grpc_gzip(frame(1, bad_gzip.len() as u32, &bad_gzip)),
        ),
        (
            "grpc: gzip bomb over the limit once inflated",
            grpc_gzip(frame(1, bomb.len() as u32, &bomb)),
        ),
        (
            "grpc: compressed flag without grpc-encoding",
            grpc(frame(1, valid.len() as u32, &valid)),
        ),
        (
            "grpc: invalid compressed flag",
            grpc(frame(2, valid.len() as u32, &valid)),
        ),
        (
            "grpc: unsupported grpc-encoding",
            Req::Grpc {
                path: EXPORT_PATH,
                grpc_encoding: Some("br"),
                body: frame(1, valid.len() as u32, &valid),
            },
        ),
        (
            "grpc: unknown method",
            Req::Grpc {
                path: "/opentelemetry.proto.collector.trace.v1.TraceService/Import",
                grpc_encoding: None,
                body: plain_frame(&valid),
            },
        ),
        (
            "grpc: unknown service",
            Req::Grpc {
                path: "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
                grpc_encoding: None,
                body: plain_frame(&valid),
            },
        ),
        // ---- gRPC, accepted or partly rejected ----
        (
            "grpc: empty message (an empty request)",
            grpc(plain_frame(&[])),
        ),
        (
            "grpc: trace id of 17 bytes",
            grpc(plain_frame(&with_bad_span(940, |s| {
                s.trace_id = vec![1; 17]
            }))),
        ),
        (
            "grpc: all-zero trace id",
            grpc(plain_frame(&with_bad_span(942, |s| {
                s.trace_id = vec![0; 16]
            }))),
        ),
        (
            "grpc: all-zero span id",
            grpc(plain_frame(&with_bad_span(944, |s| s.span_id = vec![0; 8]))),
        ),
        (
            "grpc: end before start",
            grpc(plain_frame(&with_bad_span(946, |s| {
                s.start_time_unix_nano = u64::MAX
            }))),
        ),
        (
            "grpc: gzip, link with an empty span id",
            grpc_gzip({
                let g = gzip(&with_bad_span(948, |s| {
                    s.links.push(Link {
                        trace_id: vec![1; 16],
                        span_id: Vec::new(),
                        ..Default::default()
                    })
                }));
                frame(1, g.len() as u32, &g)
            }),
        ),
    ]
}

#[tokio::test]
async fn every_malformed_request_is_answered_and_the_receiver_keeps_serving() {
    let r = Receiver::start(ReceiverConfig {
        max_request_bytes: LIMIT,
        ..ReceiverConfig::default()
    })
    .await
    .expect("receiver starts");
    let mut sub = r.subscribe(TRACE);
    let h1 = reqwest::Client::new();
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .expect("http/2 client");
    let mut table = String::new();
    let mut refused = 0u64;
    let mut rejected = 0u64;
    let mut routed = 0u64;
    let mut requests = 0u64;
    for (i, (case, req)) in cases().into_iter().enumerate() {
        let grpc_case = matches!(req, Req::Grpc { .. });
        let client = if grpc_case { &h2 } else { &h1 };
        let outcome = send(client, &r, req).await;
        writeln!(table, "{case}\n    {}", outcome.line).expect("write to a string");
        requests += 1;
        if outcome.refused {
            refused += 1;
        } else if outcome.rejected > 0 {
            // Every partly rejected case has one bad span and one good one.
            assert_eq!(outcome.rejected, 1, "{case}");
            rejected += 1;
            routed += 1;
        }
        // Still serving, on the same transport.
        let ok = request(vec![span(i as u64)]).encode_to_vec();
        let again = if grpc_case {
            grpc(plain_frame(&ok))
        } else {
            http(PROTO, ok)
        };
        let after = send(client, &r, again).await;
        assert_eq!(after.line, "accepted", "a valid export after {case}");
        requests += 1;
        routed += 1;
    }
    insta::assert_snapshot!(table);
    tokio::time::timeout(Duration::from_secs(10), sub.wait_for(routed))
        .await
        .expect("every valid span arrives");
    let s = r.stats();
    assert_eq!(
        s,
        Stats {
            requests,
            malformed_requests: refused,
            received_spans: routed + rejected,
            routed_spans: routed,
            dropped_spans: 0,
            kept_spans: 0,
            rejected_spans: rejected,
        }
    );
    assert!(refused >= 30, "the table covers many refusals: {refused}");
    r.shutdown().await.expect("clean shutdown");
}
