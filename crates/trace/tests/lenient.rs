//! Lenient OTLP/JSON: the variants exporters and backends write read as the strict form.

mod common;

use common::{canon, fixture};
use tbt_trace::{Format, SpanKind, StatusCode, ValueRef, import, import_detected};

#[test]
fn strict_reference() {
    let t = import(&fixture("lenient/strict.json")).unwrap();
    assert_eq!(t.len(), 2);
    let s = t
        .spans()
        .find(|s| s.name() == "oteldemo.CartService/GetCart")
        .unwrap();
    assert_eq!(s.kind(), SpanKind::Server);
    assert_eq!(s.status(), StatusCode::Error);
    assert_eq!(s.status_message(), "redis timeout");
    assert_eq!(s.attr("rpc.grpc.status_code"), Some(ValueRef::Int(13)));
    assert_eq!(s.attr("cart.cached"), Some(ValueRef::Bool(false)));
    match s.attr("cart.item_ids") {
        Some(ValueRef::Array(a)) => {
            let items: Vec<_> = a.iter().collect();
            assert_eq!(items, vec![ValueRef::Str("p-1"), ValueRef::Str("p-2")]);
        }
        other => panic!("{other:?}"),
    }
    match s.attr("cart.owner") {
        Some(ValueRef::KvList(kv)) => {
            assert_eq!(kv.get("id"), Some(ValueRef::Int(42)));
            assert_eq!(kv.get("tier"), Some(ValueRef::Str("gold")));
        }
        other => panic!("{other:?}"),
    }
    let child = t.spans().find(|s| s.name() == "HGET").unwrap();
    assert_eq!(child.parent().unwrap().idx(), s.idx());
    assert_eq!(child.kind(), SpanKind::Client);
}

#[test]
fn tempo_batches_base64_ids_enum_names_numeric_ints() {
    let strict = import(&fixture("lenient/strict.json")).unwrap();
    let (tempo, f) = import_detected(&fixture("lenient/tempo_batches.json")).unwrap();
    assert_eq!(f, Format::OtlpJson);
    assert_eq!(canon(&strict), canon(&tempo));
}

#[test]
fn proto_field_names_empty_parent_and_null_lists() {
    let strict = import(&fixture("lenient/strict.json")).unwrap();
    let snake = import(&fixture("lenient/snake_case.json")).unwrap();
    assert_eq!(canon(&strict), canon(&snake));
}

#[test]
fn json_lines_stream() {
    let strict = import(&fixture("lenient/strict.json")).unwrap();
    let (lines, f) = import_detected(&fixture("lenient/file_exporter.jsonl")).unwrap();
    assert_eq!(f, Format::OtlpJson);
    assert_eq!(canon(&strict), canon(&lines));
    // The two lines repeat one resource and scope: stored once.
    assert_eq!(lines.resource_count(), 1);
    assert_eq!(lines.scope_count(), 1);
}

#[test]
fn small_variants() {
    // Kind and status as short names, times as numbers, base64url ids without padding,
    // `doubleValue` as a string, `NaN`.
    let doc = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{
        "traceId":"S_kvNXezTaajzpKdDg5HNg","spanId":"APBnqgupArc",
        "kind":"CONSUMER","status":{"code":"Ok"},
        "startTimeUnixNano":10,"endTimeUnixNano":25,
        "attributes":[{"key":"x","value":{"doubleValue":"1.5"}},
                      {"key":"n","value":{"doubleValue":"NaN"}},
                      {"key":"e","value":{}},
                      {"key":"z"}]}]}]}]}"#;
    let t = import(doc).unwrap();
    let s = t.spans().next().unwrap();
    assert_eq!(s.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(s.span_id_hex(), "00f067aa0ba902b7");
    assert_eq!(s.kind(), SpanKind::Consumer);
    assert_eq!(s.status(), StatusCode::Ok);
    assert_eq!(s.duration_nanos(), 15);
    assert_eq!(s.attr("x"), Some(ValueRef::Double(1.5)));
    assert!(matches!(s.attr("n"), Some(ValueRef::Double(d)) if d.is_nan()));
    assert_eq!(s.attr("e"), Some(ValueRef::Empty));
    assert_eq!(s.attr("z"), Some(ValueRef::Empty));
    assert_eq!(s.service(), "");
}

#[test]
fn tempo_v2_trace_wrapper() {
    let strict = import(&fixture("lenient/strict.json")).unwrap();
    let inner = String::from_utf8(fixture("lenient/strict.json")).unwrap();
    let doc = format!("{{\"trace\": {inner}}}");
    let (t, f) = import_detected(doc.as_bytes()).unwrap();
    assert_eq!(f, Format::OtlpJson);
    assert_eq!(canon(&strict), canon(&t));
    assert_eq!(tbt_trace::detect(doc.as_bytes()), Ok(Format::OtlpJson));
}
