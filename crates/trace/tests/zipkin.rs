//! Zipkin v2 JSON (hand-written fixture).

mod common;

use common::fixture;
use tbt_trace::{Format, SpanKind, StatusCode, ValueRef, import_detected, import_zipkin_json};

#[test]
fn shop_checkout() {
    let (t, f) = import_detected(&fixture("zipkin/shop_checkout.json")).unwrap();
    assert_eq!(f, Format::ZipkinV2);
    assert_eq!(t.len(), 7);
    assert_eq!(t.roots().len(), 1);
    assert_eq!(t.resource_count(), 2, "one resource per service");
    let by = |n: &str| t.spans().find(|s| s.name() == n).unwrap();
    let root = by("post /checkout");
    assert_eq!(root.kind(), SpanKind::Server);
    assert_eq!(root.service(), "frontend");
    assert_eq!(root.status(), StatusCode::Error);
    assert_eq!(root.status_message(), "checkout failed: payment declined");
    assert_eq!(root.span_attr("error"), None);
    assert_eq!(root.attr("http.status_code"), Some(ValueRef::Str("500")));
    assert_eq!(root.scope().name(), "frontend-http");
    assert_eq!(root.scope().version(), "2.1.0");
    assert_eq!(root.start(), 1_718_012_345_678_000_000);
    assert_eq!(root.duration_nanos(), 184_000_000);
    let evs: Vec<_> = root.events().map(|e| e.name().to_string()).collect();
    assert_eq!(evs, ["wr", "ws"]);
    assert_eq!(
        root.attr("network.peer.address"),
        Some(ValueRef::Str("203.0.113.7"))
    );
    assert_eq!(root.attr("network.peer.port"), Some(ValueRef::Int(52311)));

    let client = by("post");
    assert_eq!(client.kind(), SpanKind::Client);
    assert_eq!(client.parent().unwrap().idx(), root.idx());
    assert_eq!(client.attr("peer.service"), Some(ValueRef::Str("checkout")));

    let server = by("post /orders");
    assert_eq!(server.service(), "checkout");
    assert_eq!(server.parent().unwrap().idx(), client.idx());
    assert_eq!(server.status(), StatusCode::Error);
    assert_eq!(server.status_message(), "payment declined");
    assert!(t.is_ancestor(root.idx(), server.idx()));
    // Children by start time.
    let kids: Vec<_> = server.children().map(|c| c.name().to_string()).collect();
    assert_eq!(
        kids,
        ["validate cart", "select orders", "charge", "send orders"]
    );

    let charge = by("charge");
    assert_eq!(charge.status(), StatusCode::Error);
    assert_eq!(charge.status_message(), "");
    assert_eq!(charge.events().next().unwrap().name(), "retry exhausted");
    assert_eq!(by("validate cart").kind(), SpanKind::Unspecified);
    assert_eq!(by("send orders").kind(), SpanKind::Producer);
    assert_eq!(
        by("select orders").attr("peer.service"),
        Some(ValueRef::Str("postgres"))
    );
}

#[test]
fn zipkin_ids_and_kinds_are_checked() {
    let ok = br#"[{"traceId":"4f2a3c7b1e9d0a11","id":"352bff9a74ca9ad2","name":"x"}]"#;
    let t = import_zipkin_json(ok).unwrap();
    assert_eq!(
        t.trace_ids()[0].to_string(),
        "00000000000000004f2a3c7b1e9d0a11"
    );
    let bad_id = br#"[{"traceId":"4f2a3c7b1e9d0a11","id":"352bff9a74ca9a","name":"x"}]"#;
    let msg = import_zipkin_json(bad_id).unwrap_err().to_string();
    assert!(
        msg.contains("invalid id") && msg.contains("Zipkin"),
        "{msg}"
    );
    let bad_kind = br#"[{"traceId":"4f2a3c7b1e9d0a11","id":"352bff9a74ca9ad2","kind":"SIDEWAYS"}]"#;
    let msg = import_zipkin_json(bad_kind).unwrap_err().to_string();
    assert!(msg.contains("SIDEWAYS"), "{msg}");
    // An empty array is an empty Zipkin trace.
    assert!(import_zipkin_json(b"[]").unwrap().is_empty());
}

#[test]
fn zipkin_array_of_traces() {
    let one = String::from_utf8(fixture("zipkin/shop_checkout.json")).unwrap();
    let other = one.replace(
        "5af7183fb1d4cf5f4f2a3c7b1e9d0a11",
        "00000000000000000000000000000abc",
    );
    let doc = format!("[{one}, {other}]");
    let (t, f) = import_detected(doc.as_bytes()).unwrap();
    assert_eq!(f, Format::ZipkinV2);
    assert_eq!(t.len(), 14);
    assert_eq!(t.trace_ids().len(), 2);
    assert_eq!(t.roots().len(), 2);
}
