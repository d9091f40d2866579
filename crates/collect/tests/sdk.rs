//! The real OpenTelemetry Rust SDK exporting to the receiver over gRPC and HTTP.

use std::time::Duration;

use opentelemetry::trace::{Span as _, TraceContextExt as _, Tracer as _, TracerProvider as _};
use opentelemetry_otlp::{Compression, WithExportConfig, WithTonicConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tbt_collect::{Receiver, ReceiverConfig};
use tbt_trace::TraceId;

/// Emits a parent with two children through `provider` and returns the trace id.
fn emit(provider: &SdkTracerProvider) -> TraceId {
    let tracer = provider.tracer("tbt-collect-test");
    let parent = tracer.start("parent");
    let cx = opentelemetry::Context::current_with_span(parent);
    let id = cx.span().span_context().trace_id().to_bytes();
    for name in ["child-1", "child-2"] {
        let mut child = tracer.start_with_context(name, &cx);
        child.set_attribute(opentelemetry::KeyValue::new("k", 1));
        child.end();
    }
    cx.span().end();
    TraceId(id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_otel_sdk_exports_over_grpc_and_http() {
    let r = Receiver::start(ReceiverConfig {
        keep_unmatched: true,
        ..ReceiverConfig::default()
    })
    .await
    .expect("starts");
    let grpc = r.grpc_endpoint().expect("grpc");
    let http = r.http_traces_url().expect("http");
    let handle = tokio::runtime::Handle::current();
    // The SDK's simple processor blocks on each export: run it on a blocking thread
    // inside the runtime context, so tonic and reqwest find the reactor.
    let ids = tokio::task::spawn_blocking(move || {
        let _guard = handle.enter();
        let mut ids = Vec::new();
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(grpc)
            .with_compression(Compression::Gzip)
            .build()
            .expect("grpc exporter");
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter)
            .build();
        ids.push(emit(&provider));
        provider.shutdown().expect("shutdown");
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(http)
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .build()
            .expect("http exporter");
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter)
            .build();
        ids.push(emit(&provider));
        provider.shutdown().expect("shutdown");
        ids
    })
    .await
    .expect("sdk thread");
    for id in ids {
        let mut sub = r.subscribe(id);
        tokio::time::timeout(Duration::from_secs(10), sub.wait_for(3))
            .await
            .expect("three spans arrive");
        let trace = sub.snapshot().expect("builds");
        assert_eq!(trace.len(), 3);
    }
    let s = r.stats();
    assert_eq!(
        (s.received_spans, s.routed_spans, s.rejected_spans),
        (6, 6, 0)
    );
    r.shutdown().await.expect("clean shutdown");
}
