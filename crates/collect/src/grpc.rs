//! The gRPC endpoint: `opentelemetry.proto.collector.trace.v1.TraceService/Export`.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use tokio::net::TcpListener;
use tonic::codec::CompressionEncoding;
use tonic::codegen::http;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status};

use crate::router::Router;
use crate::stats::Counters;

/// The `TraceService` implementation: hands every request to the router.
#[derive(Debug, Clone)]
struct Service {
    router: Arc<Router>,
}

#[tonic::async_trait]
impl TraceService for Service {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        Counters::add(&self.router.counters.requests, 1);
        let partial_success = self.router.ingest(request.into_inner());
        Ok(Response::new(ExportTraceServiceResponse {
            partial_success,
        }))
    }
}

/// Rewrites the status codes tonic gives to requests refused before the handler runs into
/// the ones OTLP asks for (too large: `RESOURCE_EXHAUSTED`; undecodable: `INVALID_ARGUMENT`),
/// and counts them.
fn remap_status<B>(router: &Router, mut resp: http::Response<B>) -> http::Response<B> {
    let headers = resp.headers();
    let code = headers.get("grpc-status").and_then(|v| v.to_str().ok());
    let message = headers
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .replace("%20", " ");
    let new_code = match code {
        Some("11") if message.contains("too large") => Some("8"),
        Some("8") => Some("8"),
        Some("13") if message.contains("decode") => Some("3"),
        Some("13") if message.contains("compress") => Some("3"),
        Some("12") if message.contains("compress") => Some("3"),
        _ => None,
    };
    if let Some(c) = new_code {
        Counters::add(&router.counters.requests, 1);
        Counters::add(&router.counters.malformed_requests, 1);
        resp.headers_mut()
            .insert("grpc-status", http::HeaderValue::from_static(c));
    }
    resp
}

/// Serves gRPC on `listener` until `shutdown` resolves.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Arc<Router>,
    max_request_bytes: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    let svc = TraceServiceServer::new(Service {
        router: router.clone(),
    })
    .accept_compressed(CompressionEncoding::Gzip)
    .send_compressed(CompressionEncoding::Gzip)
    .max_decoding_message_size(max_request_bytes);
    let layer = tower::util::MapResponseLayer::new(move |resp| remap_status(&router, resp));
    tonic::transport::Server::builder()
        .layer(layer)
        .add_service(svc)
        .serve_with_incoming_shutdown(TcpIncoming::from(listener), shutdown)
        .await
}
