//! Every OTLP/JSON fixture imports; spot checks of counts, names, attributes, parents,
//! kinds and statuses.

mod common;

use common::{fixture, fixture_files};
use tbt_trace::{
    Format, SpanId, SpanKind, StatusCode, TraceId, ValueRef, import, import_detected,
    import_otlp_json,
};

#[test]
fn every_otlp_fixture_imports() {
    let files = fixture_files("jaeger/otlp");
    assert!(files.len() >= 30, "fixtures missing: {}", files.len());
    for p in files {
        let bytes = std::fs::read(&p).unwrap();
        let (t, f) = import_detected(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(f, Format::OtlpJson, "{}", p.display());
        assert!(!t.is_empty(), "{}", p.display());
        // Every span has a service and a consistent tree.
        for s in t.spans() {
            assert!(!s.service().is_empty(), "{}: no service", p.display());
            if let Some(parent) = s.parent() {
                assert!(t.is_ancestor(parent.idx(), s.idx()));
            }
        }
        let walked = t.walk().count();
        assert_eq!(
            walked,
            t.len(),
            "{}: the walk visits every span once",
            p.display()
        );
    }
}

#[test]
fn example_trace() {
    let t = import_otlp_json(&fixture("jaeger/otlp/example_trace.json")).unwrap();
    assert_eq!(t.len(), 5);
    assert_eq!(
        t.trace_ids(),
        &[TraceId::from_hex("00000000000000000000000000000011").unwrap()]
    );
    assert_eq!(t.resource_count(), 3);
    let by_id = |hex: &str| {
        let i = t
            .find_span(t.trace_ids()[0], SpanId::from_hex(hex).unwrap())
            .unwrap();
        t.span(i)
    };
    let s4 = by_id("0000000000000004");
    assert_eq!(s4.name(), "example-operation-2");
    assert_eq!(s4.service(), "example-service-2");
    assert_eq!(s4.kind(), SpanKind::Unspecified);
    assert_eq!(s4.duration_nanos(), 100_000);
    assert_eq!(s4.events().len(), 2);
    assert_eq!(by_id("0000000000000006").kind(), SpanKind::Server);
    assert_eq!(by_id("0000000000000007").kind(), SpanKind::Client);
    assert_eq!(by_id("0000000000000007").service(), "example-service-1");
    assert_eq!(by_id("0000000000000007").span_id_hex(), "0000000000000007");
    // No parents in this fixture: five roots.
    assert_eq!(t.roots().len(), 5);
}

#[test]
fn otel_traces_01_every_field() {
    let t = import(&fixture("jaeger/otlp/otel_traces_01.json")).unwrap();
    assert_eq!(t.len(), 4);
    assert_eq!(t.trace_ids().len(), 2);
    let s = t
        .spans()
        .find(|s| s.name() == "test-general-conversion-2")
        .unwrap();
    assert_eq!(s.trace_id_hex(), "00000000000000010000000000000000");
    assert_eq!(s.span_id_hex(), "0000000000000002");
    assert_eq!(s.kind(), SpanKind::Server);
    assert_eq!(s.status(), StatusCode::Error);
    assert_eq!(s.trace_state(), "state.2");
    assert_eq!(s.start(), 1_485_467_191_639_875_000);
    assert_eq!(s.end(), 1_485_467_191_639_880_000);
    // Its parent 0000000000000003 lives in another trace id: an orphan here.
    assert!(s.is_orphan());
    assert!(s.parent().is_none());
    assert_eq!(s.parent_span_id(), SpanId::from_hex("0000000000000003"));
    assert_eq!(s.attr("peer.service"), Some(ValueRef::Str("service-y")));
    assert_eq!(s.attr("peer.ipv4"), Some(ValueRef::Int(23456)));
    assert_eq!(s.attr("temperature"), Some(ValueRef::Double(72.5)));
    assert_eq!(s.attr("blob"), Some(ValueRef::Bytes(&[0, 0, 48, 57])));
    assert_eq!(s.scope().name(), "testing-library-2");
    assert_eq!(s.scope().version(), "1.1.1");
    assert_eq!(
        s.scope().attrs().get_str("scope.attributes.2"),
        Some(ValueRef::Str("attribute-y"))
    );
    let events: Vec<_> = s.events().collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].name(), "testing-event");
    assert_eq!(
        events[0].attrs().get_str("event-x"),
        Some(ValueRef::Str("event-y"))
    );
    let links: Vec<_> = s.links().collect();
    assert_eq!(links.len(), 2);
    assert_eq!(links[0].span_id().to_string(), "0000000000000004");
    assert_eq!(
        links[0].attrs().get_str("opentracing.ref_type"),
        Some(ValueRef::Str("follows_from"))
    );
    assert!(
        links[0].target().is_some(),
        "the linked span is in the store"
    );
    let kinds: Vec<SpanKind> = t.spans().map(|s| s.kind()).collect();
    assert!(kinds.contains(&SpanKind::Producer) && kinds.contains(&SpanKind::Consumer));
}

#[test]
fn duplicate_span_is_kept_once_and_counted() {
    let t = import(&fixture("jaeger/otlp/otlp2jaeger-in.json")).unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t.duplicates().len(), 1);
    let d = t.duplicates()[0];
    assert_eq!(d.span_id.to_string(), "e127af99e3b3e074");
    assert_eq!(d.kept.0, 0);
    let s = t.span(d.kept);
    assert_eq!(s.name(), "okey-dokey-0");
    assert_eq!(s.kind(), SpanKind::Server);
    assert_eq!(s.scope().name(), "telemetrygen");
    assert_eq!(
        s.resource().schema_url(),
        "https://opentelemetry.io/schemas/1.4.0"
    );
    assert_eq!(t.orphans().count(), 1);
}

#[test]
fn resource_attributes_are_shared_and_looked_up_after_span_ones() {
    let t = import(&fixture("jaeger/otlp/multi_spot_tags_trace.json")).unwrap();
    let s = t.spans().next().unwrap();
    // `sameplacetag1` is a resource attribute only.
    assert_eq!(s.span_attr("sameplacetag1"), None);
    assert_eq!(
        s.resource_attr("sameplacetag1"),
        Some(ValueRef::Str("sameplacevalue"))
    );
    assert_eq!(
        s.attr("sameplacetag1"),
        Some(ValueRef::Str("sameplacevalue"))
    );
    assert_eq!(s.attr("sameplacetag3"), Some(ValueRef::Double(72.5)));
    let ev = s.events().next().unwrap();
    assert_eq!(
        ev.attrs().get_str("sameplacetag2"),
        Some(ValueRef::Int(123))
    );
}

#[test]
fn link_attribute_types() {
    let t = import(&fixture("jaeger/otlp/link_attributes_trace.json")).unwrap();
    let s = t.spans().next().unwrap();
    let l = s.links().next().unwrap();
    let a = l.attrs();
    assert_eq!(
        a.get_str("sameplacelinkattribute2"),
        Some(ValueRef::Int(123))
    );
    assert_eq!(
        a.get_str("sameplacelinkattribute3"),
        Some(ValueRef::Double(72.5))
    );
    assert_eq!(
        a.get_str("sameplacelinkattribute4"),
        Some(ValueRef::Bool(true))
    );
    assert_eq!(
        a.get_str("linkblob"),
        Some(ValueRef::Bytes(&[0, 0, 48, 57]))
    );
    assert_eq!(l.trace_id().to_string(), "000000000000000000000000000000ff");
}
