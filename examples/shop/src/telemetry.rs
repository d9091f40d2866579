//! The OpenTelemetry SDK setup of one service: a tracer provider with the service's
//! `service.name`, an OTLP exporter (HTTP/protobuf or gRPC, chosen by
//! `OTEL_EXPORTER_OTLP_PROTOCOL`) behind a batch processor that flushes every 10 ms, and the
//! W3C trace-context propagator.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::global;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider, SpanData, SpanExporter,
};
use tokio::runtime::Handle;

use crate::config::Service;

/// The instrumentation scope name of the shop's spans.
pub const SCOPE: &str = "tbt-shop";

/// How long spans wait in the batch processor before they are exported.
const SCHEDULED_DELAY: Duration = Duration::from_millis(10);

/// The installed tracer provider; [`Telemetry::shutdown`] flushes it.
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Telemetry {
    /// Builds the provider for `service`, installs it and the propagator globally.
    /// Must be called inside the tokio runtime: exports run on it.
    pub fn install(service: Service) -> Result<Telemetry, String> {
        let runtime = Handle::try_current()
            .map_err(|_| "telemetry must be installed inside the tokio runtime".to_string())?;
        let exporter = RuntimeExporter::new(build_exporter()?, runtime);
        let processor = BatchSpanProcessor::builder(exporter)
            .with_batch_config(
                BatchConfigBuilder::default()
                    .with_scheduled_delay(SCHEDULED_DELAY)
                    .build(),
            )
            .build();
        let resource = Resource::builder()
            .with_service_name(service.service_name())
            .with_attribute(opentelemetry::KeyValue::new(
                "service.version",
                env!("CARGO_PKG_VERSION"),
            ))
            .build();
        let provider = SdkTracerProvider::builder()
            .with_span_processor(processor)
            .with_sampler(Sampler::AlwaysOn)
            .with_resource(resource)
            .build();
        global::set_text_map_propagator(TraceContextPropagator::new());
        global::set_tracer_provider(provider.clone());
        Ok(Telemetry { provider })
    }

    /// Exports what is buffered and stops the provider. Blocks: call it from a blocking
    /// thread (the exports themselves run on the runtime).
    pub fn shutdown(self) {
        if let Err(e) = self.provider.force_flush() {
            eprintln!("tbt-shop: flushing spans failed: {e}");
        }
        if let Err(e) = self.provider.shutdown() {
            eprintln!("tbt-shop: stopping the tracer provider failed: {e}");
        }
    }
}

/// The OTLP exporter the environment asks for. The exporter reads
/// `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) itself.
fn build_exporter() -> Result<opentelemetry_otlp::SpanExporter, String> {
    let protocol = std::env::var("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
        .or_else(|_| std::env::var("OTEL_EXPORTER_OTLP_PROTOCOL"))
        .unwrap_or_else(|_| "http/protobuf".to_string());
    let built = match protocol.as_str() {
        "http/protobuf" => opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .build(),
        "grpc" => opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_protocol(opentelemetry_otlp::Protocol::Grpc)
            .build(),
        other => {
            return Err(format!(
                "OTEL_EXPORTER_OTLP_PROTOCOL=`{other}` is not supported by the shop; \
                 use `http/protobuf` or `grpc`"
            ));
        }
    };
    built.map_err(|e| format!("cannot build the OTLP exporter: {e}"))
}

/// Runs an exporter's exports on the tokio runtime.
///
/// The SDK's batch processor exports from its own thread with a minimal executor, but the
/// OTLP exporters' HTTP and gRPC clients need tokio's reactor: each export is spawned on the
/// runtime and awaited from the processor's thread.
struct RuntimeExporter<E> {
    inner: Arc<E>,
    runtime: Handle,
}

impl<E> RuntimeExporter<E> {
    fn new(inner: E, runtime: Handle) -> Self {
        RuntimeExporter {
            inner: Arc::new(inner),
            runtime,
        }
    }
}

impl<E> fmt::Debug for RuntimeExporter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RuntimeExporter")
    }
}

impl<E: SpanExporter + 'static> SpanExporter for RuntimeExporter<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let inner = self.inner.clone();
        let task = self.runtime.spawn(async move { inner.export(batch).await });
        match task.await {
            Ok(result) => result,
            Err(e) => Err(OTelSdkError::InternalFailure(format!(
                "the export task failed: {e}"
            ))),
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        // The resource is set while the provider is built, before any export shares `inner`.
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.set_resource(resource);
        }
    }
}
