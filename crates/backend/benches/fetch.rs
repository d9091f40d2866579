//! One `Backend::fetch` of a synthetic trace (1,000 and 10,000 spans) from an in-process HTTP
//! server on 127.0.0.1 answering as Jaeger api_v3 (OTLP/JSON) and as Tempo (protobuf):
//! request, transfer, decode and import. Throughput is reported in spans per second.
//!
//! `cargo bench -p tbt-backend`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use prost::Message;
use tbt_backend::tempopb::{Trace as TempoTrace, TraceByIdResponse};
use tbt_backend::{Backend, BackendConfig, BackendKind};
use tbt_trace::synth::{self, SynthConfig};

/// An HTTP server answering every request with `body` and `content_type`.
fn serve(rt: &tokio::runtime::Runtime, body: Vec<u8>, content_type: &'static str) -> String {
    rt.block_on(async move {
        let body = bytes_of(body);
        let app = axum::Router::new().fallback(move || {
            let body = body.clone();
            async move { ([("content-type", content_type)], body) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    })
}

fn bytes_of(v: Vec<u8>) -> axum::body::Bytes {
    axum::body::Bytes::from(v)
}

fn fetch(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut group = c.benchmark_group("fetch");
    group.sample_size(20);
    for spans in [1_000usize, 10_000] {
        let cfg = SynthConfig::huge(spans, 42);
        let td = synth::traces_data(&cfg);
        let trace_id: [u8; 16] = td.resource_spans[0].scope_spans[0].spans[0]
            .trace_id
            .as_slice()
            .try_into()
            .expect("a 16-byte trace id");
        let json = synth::otlp_json(&td);
        let api_v3 = [b"{\"result\":".as_slice(), &json, b"}"].concat();
        let tempo = TraceByIdResponse {
            trace: Some(TempoTrace {
                resource_spans: td.resource_spans,
            }),
            ..Default::default()
        }
        .encode_to_vec();
        for (kind, body, content_type) in [
            (BackendKind::Jaeger, api_v3, "application/json"),
            (BackendKind::Tempo, tempo, "application/protobuf"),
        ] {
            let size = body.len();
            let url = serve(&rt, body, content_type);
            let backend = Backend::new(&BackendConfig::new(kind, url)).expect("backend");
            group.throughput(Throughput::Elements(spans as u64));
            let id = BenchmarkId::new(format!("{kind} ({} KiB)", size / 1024), spans);
            group.bench_function(id, |b| {
                b.iter(|| {
                    let trace = rt
                        .block_on(backend.fetch(trace_id))
                        .expect("fetch")
                        .expect("the trace");
                    assert_eq!(trace.len(), spans);
                    trace
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, fetch);
criterion_main!(benches);
