//! OTLP protobuf: round trip from the JSON fixtures, and the receiver's batch API.

mod common;

use common::{canon, fixture, fixture_files};
use prost::Message;
use tbt_trace::otlp::collector::trace::v1::ExportTraceServiceRequest;
use tbt_trace::otlp::trace::v1::TracesData;
use tbt_trace::{Format, ImportError, TraceBuilder, import, import_detected, import_otlp_proto};

fn round_trip(rel: &str) {
    let json = fixture(rel);
    let from_json = import(&json).unwrap();
    // The opentelemetry-proto serde types read the strict OTLP/JSON of the fixtures.
    let td: TracesData = serde_json::from_slice(&json).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let bytes = td.encode_to_vec();
    let (from_proto, f) = import_detected(&bytes).unwrap();
    assert_eq!(f, Format::OtlpProtobuf, "{rel}");
    assert_eq!(canon(&from_json), canon(&from_proto), "{rel}");
    assert_eq!(from_json.duplicates(), from_proto.duplicates(), "{rel}");
    assert_eq!(from_json.roots(), from_proto.roots(), "{rel}");
    // ExportTraceServiceRequest has the same wire shape.
    let req = ExportTraceServiceRequest {
        resource_spans: td.resource_spans,
    };
    let again = import_otlp_proto(&req.encode_to_vec()).unwrap();
    assert_eq!(canon(&again), canon(&from_proto), "{rel}");
}

#[test]
fn json_fixtures_round_trip_through_protobuf() {
    let mut n = 0;
    for p in fixture_files("jaeger/otlp") {
        let rel = format!("jaeger/otlp/{}", p.file_name().unwrap().to_str().unwrap());
        round_trip(&rel);
        n += 1;
    }
    round_trip("lenient/strict.json");
    assert!(n >= 30);
}

#[test]
fn receiver_batches_go_through_the_builder() {
    let td: TracesData = serde_json::from_slice(&fixture("lenient/strict.json")).unwrap();
    let mut b = TraceBuilder::new();
    // The same batch three times: spans kept once, duplicates counted, resource stored once.
    for _ in 0..3 {
        b.add_resource_spans(&td.resource_spans[0]).unwrap();
    }
    assert_eq!(b.len(), 2);
    assert_eq!(b.duplicate_count(), 4);
    let t = b.finish().unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t.resource_count(), 1);
    assert_eq!(t.scope_count(), 1);
    assert_eq!(t.duplicates().len(), 4);
}

#[test]
fn bad_id_length_names_the_field_and_rejects_the_batch() {
    let mut td: TracesData = serde_json::from_slice(&fixture("lenient/strict.json")).unwrap();
    td.resource_spans[0].scope_spans[0].spans[1].span_id = vec![1, 2, 3];
    let mut b = TraceBuilder::new();
    let e = b.add_resource_spans(&td.resource_spans[0]).unwrap_err();
    assert_eq!(e.field, "scope_spans[0].spans[1].span_id");
    assert_eq!(e.message, "expected 8 bytes, found 3");
    assert!(b.is_empty(), "the batch is added whole or not at all");
    let err = import(&td.encode_to_vec()).unwrap_err();
    match &err {
        ImportError::Protobuf { message, offset } => {
            assert!(
                message.contains("resource_spans[0].scope_spans[0].spans[1].span_id"),
                "{message}"
            );
            assert_eq!(*offset, 0);
        }
        other => panic!("{other:?}"),
    }
    td.resource_spans[0].scope_spans[0].spans[1].span_id = vec![1; 8];
    td.resource_spans[0].scope_spans[0].spans[0].trace_id = vec![1; 15];
    let msg = import_otlp_proto(&td.encode_to_vec())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("spans[0].trace_id") && msg.contains("16 bytes"),
        "{msg}"
    );
}
