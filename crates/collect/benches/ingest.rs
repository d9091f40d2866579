//! Ingest throughput of the receiver: 512-span export requests sent over gRPC by several
//! concurrent clients to a running receiver whose subscribers wait for every trace, beside
//! the rate at which prost alone decodes the same payloads.
//!
//! `cargo bench -p tbt-collect --bench ingest` prints the figures. Run without `--bench`
//! (as `cargo test --all-targets` does) it makes one small round, as a smoke test.

use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status, status};
use prost::Message;
use prost::bytes::{BufMut, Bytes};
use tbt_collect::{Receiver, ReceiverConfig, Subscription};
use tbt_trace::TraceId;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

const SPANS_PER_REQUEST: usize = 512;
const TRACES_PER_REQUEST: usize = 16;
const REQUESTS_PER_ROUND: usize = 64;
const CLIENTS: usize = 4;

/// Sends pre-encoded request bytes as they are, so the clients spend no time encoding.
struct RawCodec;
struct RawEncoder;
struct AnswerDecoder;

impl Encoder for RawEncoder {
    type Item = Bytes;
    type Error = tonic::Status;
    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for AnswerDecoder {
    type Item = ExportTraceServiceResponse;
    type Error = tonic::Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, tonic::Status> {
        ExportTraceServiceResponse::decode(src)
            .map(Some)
            .map_err(|e| tonic::Status::internal(e.to_string()))
    }
}

impl Codec for RawCodec {
    type Encode = Bytes;
    type Decode = ExportTraceServiceResponse;
    type Encoder = RawEncoder;
    type Decoder = AnswerDecoder;
    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }
    fn decoder(&mut self) -> AnswerDecoder {
        AnswerDecoder
    }
}

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

fn s(v: &str) -> any_value::Value {
    any_value::Value::StringValue(v.into())
}

fn trace_id(request: usize, trace: usize) -> TraceId {
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&(request as u64 + 1).to_be_bytes());
    id[8..].copy_from_slice(&(trace as u64 + 1).to_be_bytes());
    TraceId(id)
}

/// A realistic span: an HTTP server or database client span with ten attributes.
fn span(request: usize, i: usize) -> Span {
    let trace = i % TRACES_PER_REQUEST;
    let n = (request * SPANS_PER_REQUEST + i) as u64 + 1;
    let start = 1_700_000_000_000_000_000 + n * 1_000;
    Span {
        trace_id: trace_id(request, trace).0.to_vec(),
        span_id: n.to_be_bytes().to_vec(),
        parent_span_id: if i < TRACES_PER_REQUEST {
            Vec::new()
        } else {
            (n - TRACES_PER_REQUEST as u64).to_be_bytes().to_vec()
        },
        name: if i.is_multiple_of(2) {
            "GET /api/orders/{id}".into()
        } else {
            "SELECT orders".into()
        },
        kind: 2,
        start_time_unix_nano: start,
        end_time_unix_nano: start + 250_000,
        attributes: vec![
            kv("http.request.method", s("GET")),
            kv("http.route", s("/api/orders/{id}")),
            kv("http.response.status_code", any_value::Value::IntValue(200)),
            kv("url.path", s(&format!("/api/orders/{n}"))),
            kv("server.address", s("orders.internal")),
            kv("server.port", any_value::Value::IntValue(8080)),
            kv("db.system.name", s("postgresql")),
            kv("db.query.text", s("SELECT * FROM orders WHERE id = $1")),
            kv(
                "app.cache_hit",
                any_value::Value::BoolValue(i.is_multiple_of(3)),
            ),
            kv("app.latency_ratio", any_value::Value::DoubleValue(0.25)),
        ],
        status: Some(Status {
            code: status::StatusCode::Ok as i32,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn payload(request: usize) -> Bytes {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![
                    kv("service.name", s("orders")),
                    kv("service.version", s("1.4.2")),
                    kv("deployment.environment.name", s("test")),
                    kv("telemetry.sdk.language", s("rust")),
                ],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "orders-instrumentation".into(),
                    version: "0.1.0".into(),
                    ..Default::default()
                }),
                spans: (0..SPANS_PER_REQUEST).map(|i| span(request, i)).collect(),
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
    .encode_to_vec()
    .into()
}

/// Decodes every payload `rounds` times on `threads` threads; spans per second.
fn decode_rate(payloads: &[Bytes], rounds: usize, threads: usize) -> f64 {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..rounds {
                    for p in payloads {
                        let req = ExportTraceServiceRequest::decode(&p[..]).expect("decodes");
                        std::hint::black_box(req);
                    }
                }
            });
        }
    });
    let spans = (payloads.len() * SPANS_PER_REQUEST * rounds * threads) as f64;
    spans / start.elapsed().as_secs_f64()
}

/// Sends every payload `rounds` times through `CLIENTS` concurrent gRPC clients, with a
/// subscription per trace waiting for all of a round's spans; spans per second.
async fn ingest_rate(payloads: &[Bytes], rounds: usize) -> f64 {
    let r = Receiver::start(ReceiverConfig {
        http_port: None,
        ..ReceiverConfig::default()
    })
    .await
    .expect("receiver starts");
    let endpoint = r.grpc_endpoint().expect("grpc");
    let mut channels = Vec::new();
    for _ in 0..CLIENTS {
        let channel = tonic::transport::Endpoint::from_shared(endpoint.clone())
            .expect("endpoint")
            .connect()
            .await
            .expect("connect");
        channels.push(channel);
    }
    let per_trace = (SPANS_PER_REQUEST / TRACES_PER_REQUEST) as u64;
    let start = Instant::now();
    for _ in 0..rounds {
        let mut subs: Vec<Subscription> = (0..payloads.len())
            .flat_map(|req| (0..TRACES_PER_REQUEST).map(move |t| trace_id(req, t)))
            .map(|id| r.subscribe(id))
            .collect();
        let mut clients = Vec::new();
        for (c, channel) in channels.iter().enumerate() {
            let mine: Vec<Bytes> = payloads.iter().skip(c).step_by(CLIENTS).cloned().collect();
            let channel = channel.clone();
            clients.push(tokio::spawn(async move {
                let mut grpc = tonic::client::Grpc::new(channel);
                for p in mine {
                    grpc.ready().await.expect("ready");
                    let path = tonic::codegen::http::uri::PathAndQuery::from_static(
                        "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                    );
                    let answer = grpc
                        .unary(tonic::Request::new(p), path, RawCodec)
                        .await
                        .expect("export");
                    assert_eq!(answer.into_inner().partial_success, None);
                }
            }));
        }
        for c in clients {
            c.await.expect("client");
        }
        for sub in &mut subs {
            tokio::time::timeout(Duration::from_secs(60), sub.wait_for(per_trace))
                .await
                .expect("every span routed");
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let stats = r.stats();
    let spans = (payloads.len() * SPANS_PER_REQUEST * rounds) as u64;
    assert_eq!(stats.routed_spans, spans, "{stats:?}");
    r.shutdown().await.expect("clean shutdown");
    spans as f64 / elapsed
}

/// The allocator of the `tbt` binary, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let (requests, rounds) = if measuring {
        (REQUESTS_PER_ROUND, 16)
    } else {
        (4, 1)
    };
    let payloads: Vec<Bytes> = (0..requests).map(payload).collect();
    let bytes: usize = payloads.iter().map(Bytes::len).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .enable_all()
        .build()
        .expect("runtime");
    // Warm up connections, allocator and caches once.
    rt.block_on(ingest_rate(&payloads, 1));
    let ingest = rt.block_on(ingest_rate(&payloads, rounds));
    let decode_1 = decode_rate(&payloads, rounds, 1);
    let decode_n = decode_rate(&payloads, rounds, cores);
    println!(
        "payloads: {requests} requests x {SPANS_PER_REQUEST} spans ({TRACES_PER_REQUEST} traces each, \
         10 attributes per span), {:.0} bytes per span",
        bytes as f64 / (requests * SPANS_PER_REQUEST) as f64
    );
    println!(
        "ingest over gRPC, {CLIENTS} clients, {cores} runtime threads: {:>12.0} spans/s",
        ingest
    );
    println!("prost decode only, 1 thread:             {decode_1:>12.0} spans/s");
    println!("prost decode only, {cores} threads:            {decode_n:>12.0} spans/s");
    println!(
        "ingest / decode ({cores} threads): {:.2}",
        ingest / decode_n
    );
}
