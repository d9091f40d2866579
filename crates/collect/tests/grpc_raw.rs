//! Malformed gRPC payloads, sent with a raw-bytes codec.

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use prost::bytes::BufMut;
use tbt_collect::{Receiver, ReceiverConfig};
use tbt_trace::TraceId;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::{Code, Status};

/// Sends the request bytes as they are; decodes the answer as an export response.
#[derive(Default)]
struct RawCodec;

struct RawEncoder;
struct AnswerDecoder;

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for AnswerDecoder {
    type Item = ExportTraceServiceResponse;
    type Error = Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Status> {
        ExportTraceServiceResponse::decode(src)
            .map(Some)
            .map_err(|e| Status::internal(e.to_string()))
    }
}

impl Codec for RawCodec {
    type Encode = Vec<u8>;
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

async fn send(endpoint: &str, bytes: Vec<u8>) -> Result<ExportTraceServiceResponse, Status> {
    let channel = tonic::transport::Endpoint::from_shared(endpoint.to_string())
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let path = tonic::codegen::http::uri::PathAndQuery::from_static(
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    );
    grpc.unary(tonic::Request::new(bytes), path, RawCodec)
        .await
        .map(tonic::Response::into_inner)
}

fn valid(n: u64) -> Vec<u8> {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans: vec![Span {
                    trace_id: vec![9; 16],
                    span_id: (n + 1).to_be_bytes().to_vec(),
                    name: "ok".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
    .encode_to_vec()
}

#[tokio::test]
async fn malformed_grpc_payloads_get_invalid_argument_and_the_receiver_keeps_serving() {
    let r = Receiver::start(ReceiverConfig {
        http_port: None,
        ..ReceiverConfig::default()
    })
    .await
    .expect("starts");
    let endpoint = r.grpc_endpoint().expect("grpc");
    let mut sub = r.subscribe(TraceId([9; 16]));
    let full = valid(0);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated protobuf", full[..full.len() - 4].to_vec()),
        ("garbage bytes", vec![0xff; 40]),
        ("invalid wire type", vec![0x0f, 0x01]),
    ];
    for (i, (what, bytes)) in cases.into_iter().enumerate() {
        let err = send(&endpoint, bytes).await.expect_err(what);
        assert_eq!(err.code(), Code::InvalidArgument, "{what}: {err:?}");
        assert!(!err.message().is_empty(), "{what}");
        let ok = send(&endpoint, valid(i as u64 + 1)).await;
        assert!(ok.is_ok(), "after {what}: {ok:?}");
    }
    tokio::time::timeout(std::time::Duration::from_secs(10), sub.wait_for(3))
        .await
        .expect("spans arrive");
    let s = r.stats();
    assert_eq!((s.malformed_requests, s.routed_spans), (3, 3));
    r.shutdown().await.expect("clean shutdown");
}
