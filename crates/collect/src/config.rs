//! Receiver configuration.

use std::net::{IpAddr, Ipv4Addr};

/// The default request size limit: 16 MiB (compressed and decompressed).
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// How to start a [`Receiver`](crate::Receiver).
#[derive(Clone, Debug)]
pub struct ReceiverConfig {
    /// The address both endpoints bind to. Default `127.0.0.1`.
    pub host: IpAddr,
    /// The gRPC port; `Some(0)` picks an ephemeral port, `None` disables gRPC. Default `Some(0)`.
    pub grpc_port: Option<u16>,
    /// The HTTP port; `Some(0)` picks an ephemeral port, `None` disables HTTP. Default `Some(0)`.
    pub http_port: Option<u16>,
    /// The largest accepted request, in bytes, both as sent and after decompression.
    /// Larger requests get HTTP 413 / gRPC `RESOURCE_EXHAUSTED`.
    pub max_request_bytes: usize,
    /// Keep the spans of traces nobody subscribed to (instead of counting and dropping
    /// them); a later [`subscribe`](crate::RunningReceiver::subscribe) to their trace id
    /// gets them, and [`unmatched`](crate::RunningReceiver::unmatched) lists them.
    pub keep_unmatched: bool,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            grpc_port: Some(0),
            http_port: Some(0),
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            keep_unmatched: false,
        }
    }
}
