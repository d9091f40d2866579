//! The trace model of tbt and its importers.
//!
//! - [`Trace`]: one trace, or any batch of spans from several traces, stored for query
//!   speed and memory: interned strings ([`Sym`]), 16-byte typed [`Value`]s, span columns,
//!   attributes in one flat table sorted by key per span, events/links/children as CSR
//!   ranges, resources and scopes stored once, a parent/child index with DFS pre/post numbers
//!   (O(1) [`Trace::is_ancestor`]), and per-key attribute indexes built on first use
//!   ([`Trace::key_index`]).
//! - [`TraceBuilder`]: the one way in, for every importer and for the live OTLP receiver
//!   ([`TraceBuilder::add_resource_spans`], then [`TraceBuilder::finish`]).
//! - [`import()`](crate::import::import): OTLP protobuf, OTLP/JSON (strict and lenient),
//!   Jaeger v1 JSON, Jaeger api_v3, Zipkin v2, detected from the bytes.
//! - [`synth`]: a deterministic generator of realistic traces, for benchmarks and tests.
//! - [`Trace::dump`]: an indented text tree for snapshots and failure reports.

#![warn(missing_docs)]

mod dump;
mod ids;
pub mod import;
mod index;
mod intern;
mod model;
#[cfg(feature = "synth")]
pub mod synth;
mod value;

pub use dump::format_duration;
pub use ids::{SpanId, TraceId};
pub use import::{
    Format, ImportError, ProtoFieldError, detect, import, import_detected, import_jaeger_api_v3,
    import_jaeger_json, import_otlp_json, import_otlp_proto, import_zipkin_json,
};
pub use index::KeyIndex;
pub use intern::{Interner, Sym};
pub use model::{
    AttrList, AttrSink, BuildError, DuplicateSpan, EventRef, LinkRef, MemoryUsage, NONE, Orphan,
    ResourceIdx, ResourceRef, ScopeIdx, ScopeRef, SpanIdx, SpanInfo, SpanKind, SpanOutcome,
    SpanRef, SpanWriter, StatusCode, Trace, TraceBuilder,
};
pub use value::{
    ArrayId, ArrayRef, AttrValue, BytesId, DisplayValue, KvListId, KvListRef, Value, ValuePool,
    ValueRef,
};

/// A store of spans from any number of traces: the same type as [`Trace`].
pub type TraceSet = Trace;

/// The OTLP protobuf types this crate reads (re-exported for callers of
/// [`TraceBuilder::add_resource_spans`]).
pub use opentelemetry_proto::tonic as otlp;
