//! Trace backends as sources: fetch a stored trace by id from Jaeger or Tempo.
//!
//! `tbt run` normally receives spans on its embedded OTLP receiver. When the system under test
//! exports to a trace store instead, or a test starts from an existing trace
//! (`trigger trace "<id>"`), the runner reads the trace from the store with this crate:
//!
//! | `kind` | request | body |
//! |---|---|---|
//! | `"jaeger"` | `GET {url}/api/v3/traces/{id}` | `{"result": <OTLP/JSON>}` (Jaeger query api_v3) |
//! | `"jaeger-v1"` | `GET {url}/api/traces/{id}` | `{"data": [trace], "errors": …}` (Jaeger query v1) |
//! | `"tempo"` | `GET {url}/api/v2/traces/{id}`, `Accept: application/protobuf` | `tempopb.TraceByIDResponse` |
//!
//! Bodies are read by the importers of `tbt-trace`. A 404 (or an empty result, or an error
//! document saying "not found") means the trace is not there yet: [`Backend::fetch`] returns
//! `Ok(None)`, and [`Backend::poll`] asks again with jittered exponential backoff until the
//! caller's `complete` predicate holds or the deadline passes. Connection failures, timeouts,
//! 429 and 5xx are retried within the deadline; malformed bodies and other 4xx are errors at
//! once. Every [`BackendError`] names the URL, the status and a snippet of the body.
//!
//! ```no_run
//! # async fn example(table: &toml::Table, trace_id: [u8; 16]) -> Result<(), tbt_backend::BackendError> {
//! use tbt_backend::{Backend, BackendConfig};
//! let backend = Backend::new(&BackendConfig::from_toml(table)?)?;
//! let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
//! let polled = backend.poll(trace_id, deadline, |trace| trace.len() >= 7).await?;
//! println!("{} spans after {} requests", polled.trace.map_or(0, |t| t.len()), polled.attempts);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod client;
mod config;
mod decode;
mod duration;
mod error;
mod poll;
pub mod tempopb;

pub use client::Backend;
pub use config::{BackendConfig, BackendKind, DEFAULT_TIMEOUT, PollConfig};
pub use error::{BackendError, BackendErrorKind};
pub use poll::Polled;
