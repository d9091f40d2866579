//! The messages of Tempo's `tempopb` package that its `/api/v2/traces/{id}` endpoint answers
//! with (`pkg/tempopb/tempo.proto`), defined here rather than generated: the rest of the body
//! is OTLP, which `opentelemetry-proto` already provides.
//!
//! `status` is the enum `PartialStatus` on the wire (a varint), not a string: declaring it as
//! a string would make every `PARTIAL` answer fail to decode.

use tbt_trace::otlp::trace::v1::ResourceSpans;

/// `tempopb.TraceByIDResponse`: the body of `GET /api/v2/traces/{id}` with
/// `Accept: application/protobuf`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TraceByIdResponse {
    /// The trace; absent when Tempo has nothing for the id.
    #[prost(message, optional, tag = "1")]
    pub trace: Option<Trace>,
    /// Query statistics (ignored).
    #[prost(message, optional, tag = "2")]
    pub metrics: Option<TraceByIdMetrics>,
    /// [`PartialStatus::Partial`] when Tempo hit a size limit and returned part of the trace.
    #[prost(enumeration = "PartialStatus", tag = "3")]
    pub status: i32,
    /// Why the answer is partial, when it is.
    #[prost(string, tag = "4")]
    pub message: String,
}

/// `tempopb.PartialStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum PartialStatus {
    /// The whole trace.
    Complete = 0,
    /// Part of the trace: Tempo stopped at a size limit.
    Partial = 1,
}

/// `tempopb.Trace`: the same wire shape as OTLP `TracesData`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Trace {
    /// The spans, grouped by resource and scope.
    #[prost(message, repeated, tag = "1")]
    pub resource_spans: Vec<ResourceSpans>,
}

/// `tempopb.TraceByIDMetrics`: how much Tempo read to answer.
#[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
pub struct TraceByIdMetrics {
    /// Bytes inspected (`failedBlocks`, a uint32, in Tempo 1.x: both are varints).
    #[prost(uint64, tag = "1")]
    pub inspected_bytes: u64,
}

/// Messages read without decoding their OTLP part into prost types.
pub(crate) mod raw {
    /// [`super::TraceByIdResponse`] with the trace left encoded: `tempopb.Trace` has the wire
    /// shape of OTLP `TracesData`, so its bytes go straight to `tbt-trace`'s protobuf
    /// importer, which reads the wire format without building prost messages first. (Same
    /// name as the full message, so that decode errors name the message Tempo sends.)
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct TraceByIdResponse {
        /// The encoded `tempopb.Trace`.
        #[prost(bytes = "vec", optional, tag = "1")]
        pub trace: Option<Vec<u8>>,
    }
}
