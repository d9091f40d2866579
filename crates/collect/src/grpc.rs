//! The gRPC endpoint: `opentelemetry.proto.collector.trace.v1.TraceService/Export`.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::SERVICE_NAME;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use tokio::net::TcpListener;
use tonic::codec::{
    Codec, CompressionEncoding, DecodeBuf, Decoder, EnabledCompressionEncodings, EncodeBuf, Encoder,
};
use tonic::codegen::{Body, BoxFuture, Context, Poll, Service, StdError, http};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::transport::server::TcpIncoming;
use tonic::{Code, Request, Response, Status};

use crate::router::Router;
use crate::stats::Counters;

/// The one method served.
const EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// The codec of `Export`: decodes a request in place from tonic's buffer, which holds the
/// whole message contiguously (copying it out first cost a fifth of the ingest rate), and
/// answers an undecodable one with `INVALID_ARGUMENT`.
#[derive(Debug, Clone, Copy, Default)]
struct ExportCodec;

/// Encodes answers.
#[derive(Debug)]
struct AnswerEncoder;

/// Decodes requests.
#[derive(Debug)]
struct RequestDecoder;

impl Codec for ExportCodec {
    type Encode = ExportTraceServiceResponse;
    type Decode = ExportTraceServiceRequest;
    type Encoder = AnswerEncoder;
    type Decoder = RequestDecoder;

    fn encoder(&mut self) -> AnswerEncoder {
        AnswerEncoder
    }

    fn decoder(&mut self) -> RequestDecoder {
        RequestDecoder
    }
}

impl Encoder for AnswerEncoder {
    type Item = ExportTraceServiceResponse;
    type Error = Status;

    fn encode(&mut self, item: Self::Item, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst)
            .map_err(|e| Status::internal(format!("cannot encode the answer: {e}")))
    }
}

impl Decoder for RequestDecoder {
    type Item = ExportTraceServiceRequest;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Status> {
        // tonic hands the whole message as one contiguous buffer: decode it in place.
        ExportTraceServiceRequest::decode(src)
            .map(Some)
            .map_err(|e| {
                Status::invalid_argument(format!(
                    "invalid OTLP protobuf ExportTraceServiceRequest: {e}"
                ))
            })
    }
}

/// The `Export` method: hands every request to the router. It never answers with an error
/// status: whatever is wrong with single spans goes into `partial_success`.
#[derive(Debug, Clone)]
struct Export {
    router: Arc<Router>,
}

impl UnaryService<ExportTraceServiceRequest> for Export {
    type Response = ExportTraceServiceResponse;
    type Future = BoxFuture<Response<ExportTraceServiceResponse>, Status>;

    fn call(&mut self, request: Request<ExportTraceServiceRequest>) -> Self::Future {
        let router = self.router.clone();
        Box::pin(async move {
            Counters::add(&router.counters.requests, 1);
            let partial_success = router.ingest(request.into_inner());
            Ok(Response::new(ExportTraceServiceResponse {
                partial_success,
            }))
        })
    }
}

/// The `TraceService` server: `Export` with [`ExportCodec`], gzip both ways, the size
/// limit; `UNIMPLEMENTED` for any other method.
#[derive(Debug, Clone)]
struct TraceServer {
    export: Export,
    max_request_bytes: usize,
}

impl NamedService for TraceServer {
    const NAME: &'static str = SERVICE_NAME;
}

impl<B> Service<http::Request<B>> for TraceServer
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        if req.uri().path() != EXPORT_PATH {
            let status = Status::unimplemented(format!(
                "unknown method {}: this receiver serves only {SERVICE_NAME}/Export",
                req.uri().path()
            ));
            return Box::pin(async move { Ok(status.into_http()) });
        }
        let export = self.export.clone();
        let limit = self.max_request_bytes;
        Box::pin(async move {
            let mut gzip = EnabledCompressionEncodings::default();
            gzip.enable(CompressionEncoding::Gzip);
            let mut grpc = Grpc::new(ExportCodec)
                .apply_compression_config(gzip, gzip)
                .apply_max_message_size_config(Some(limit), None);
            Ok(grpc.unary(export, req).await)
        })
    }
}

/// The status OTLP asks for in place of the one tonic gave to a request it refused before
/// the handler ran, with the message to send instead (if any).
///
/// The handler never fails and [`ExportCodec`] answers undecodable protobuf itself, so any
/// other non-OK status in the response *headers* (a trailers-only answer) comes from
/// tonic's framing, and its code alone says what went wrong; the mapping does not read
/// tonic's messages, whose wording may change:
///
/// - `OUT_OF_RANGE`: the length prefix exceeds the size limit → `RESOURCE_EXHAUSTED`.
/// - `RESOURCE_EXHAUSTED`: the message inflated past the limit → kept.
/// - `INTERNAL`: a bad gzip stream, a truncated frame, a compressed flag without
///   `grpc-encoding` → `INVALID_ARGUMENT` (the client's fault, not ours).
/// - `INVALID_ARGUMENT` (from [`ExportCodec`]), `UNIMPLEMENTED` (unknown method,
///   unsupported `grpc-encoding`) and anything else: kept.
fn remap(code: Code, limit: usize) -> (Code, Option<String>) {
    match code {
        Code::OutOfRange => (
            Code::ResourceExhausted,
            Some(format!(
                "request larger than the limit of {limit} bytes (max_request_bytes)"
            )),
        ),
        Code::Internal => (Code::InvalidArgument, None),
        other => (other, None),
    }
}

/// Rewrites refusals by [`remap`] and counts them: every refused request is a
/// `malformed_request`, so nothing is lost silently.
fn remap_status<B>(
    router: &Router,
    limit: usize,
    mut resp: http::Response<B>,
) -> http::Response<B> {
    let code = resp
        .headers()
        .get(Status::GRPC_STATUS)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i32>().ok())
        .map(Code::from_i32);
    let Some(code) = code.filter(|c| *c != Code::Ok) else {
        return resp;
    };
    Counters::add(&router.counters.requests, 1);
    Counters::add(&router.counters.malformed_requests, 1);
    let (new_code, mut message) = remap(code, limit);
    let sent = resp
        .headers()
        .get(Status::GRPC_MESSAGE)
        .and_then(|v| v.to_str().ok())
        .map(percent_decode);
    match sent {
        Some(m) if message.is_none() && m.chars().count() > crate::stats::MAX_MESSAGE_CHARS => {
            message = Some(crate::stats::shorten(&m));
        }
        _ => {}
    }
    if message.is_none() && !resp.headers().contains_key(Status::GRPC_MESSAGE) {
        // tonic's router answers methods of other services without a message.
        message = Some(match code {
            Code::Unimplemented => {
                format!("unknown service: this receiver serves only {SERVICE_NAME}/Export")
            }
            other => format!("request refused: {}", other.description()),
        });
    }
    let headers = resp.headers_mut();
    headers.insert(
        Status::GRPC_STATUS,
        http::HeaderValue::from(new_code as i32),
    );
    if let Some(m) = message.and_then(|m| http::HeaderValue::from_str(&percent_encode(&m)).ok()) {
        headers.insert(Status::GRPC_MESSAGE, m);
    }
    resp
}

/// Percent-encodes a `grpc-message` as the gRPC spec asks (printable ASCII except `%` as
/// is, every other byte as `%XX`).
fn percent_encode(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for b in message.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a percent-encoded `grpc-message` (invalid escapes stay as they are).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let escaped = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], escaped) {
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

/// Serves gRPC on `listener` until `shutdown` resolves.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Arc<Router>,
    max_request_bytes: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    let svc = TraceServer {
        export: Export {
            router: router.clone(),
        },
        max_request_bytes,
    };
    let layer = tower::util::MapResponseLayer::new(move |resp| {
        remap_status(&router, max_request_bytes, resp)
    });
    // Exports are large (hundreds of KiB): larger HTTP/2 frames and windows let a client send
    // one in a few frames without waiting for window updates.
    tonic::transport::Server::builder()
        .max_frame_size(Some(1 << 20))
        .initial_stream_window_size(Some(4 << 20))
        .initial_connection_window_size(Some(16 << 20))
        .layer(layer)
        .add_service(svc)
        .serve_with_incoming_shutdown(TcpIncoming::from(listener), shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_without_reading_messages() {
        assert_eq!(remap(Code::OutOfRange, 10).0, Code::ResourceExhausted);
        assert_eq!(remap(Code::Internal, 10), (Code::InvalidArgument, None));
        assert_eq!(
            remap(Code::ResourceExhausted, 10).0,
            Code::ResourceExhausted
        );
        assert_eq!(remap(Code::Unimplemented, 10).0, Code::Unimplemented);
        assert_eq!(percent_encode("a b%ü"), "a b%25%C3%BC");
        assert_eq!(percent_decode("a b%25%C3%BC%zz"), "a b%ü%zz");
    }
}
