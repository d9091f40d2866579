//! Jaeger v1 JSON and api_v3.

mod common;

use common::{canon, fixture};
use tbt_trace::{
    Format, ImportError, SpanKind, StatusCode, ValueRef, import, import_detected,
    import_jaeger_api_v3, import_jaeger_json, import_otlp_json,
};

/// Tags the Jaeger form carries for fields of the OTLP model (they become fields again).
const JAEGER_FIELD_TAGS: [&str; 6] = [
    "otel.scope.name",
    "otel.scope.version",
    "span.kind",
    "otel.status_code",
    "otel.status_description",
    "w3c.tracestate",
];

#[test]
fn jaeger_v1_pair_matches_its_otlp_source() {
    let otlp = import_otlp_json(&fixture("jaeger/otlp/otlp2jaeger-in.json")).unwrap();
    let jaeger = import_jaeger_json(&fixture("jaeger/jaeger-ui/otlp2jaeger-out.json")).unwrap();
    assert_eq!(otlp.len(), jaeger.len());
    assert_eq!(otlp.duplicates().len(), jaeger.duplicates().len());
    assert_eq!(otlp.trace_ids(), jaeger.trace_ids());
    for a in otlp.spans() {
        let b = jaeger.span(
            jaeger
                .find_span(a.trace_id(), a.span_id())
                .expect("same span ids"),
        );
        assert_eq!(a.parent_span_id(), b.parent_span_id());
        assert_eq!(a.is_orphan(), b.is_orphan());
        assert_eq!(a.name(), b.name());
        assert_eq!(a.start(), b.start());
        assert_eq!(a.end(), b.end());
        assert_eq!(a.kind(), b.kind());
        assert_eq!(a.status(), b.status());
        assert_eq!(a.status_message(), b.status_message());
        assert_eq!(a.service(), b.service());
        assert_eq!(a.scope().name(), b.scope().name());
        assert_eq!(a.events().len(), b.events().len());
        assert_eq!(a.links().len(), b.links().len());
        let attrs = |s: tbt_trace::SpanRef<'_>| -> Vec<(String, String)> {
            s.attrs()
                .sorted()
                .into_iter()
                .filter(|(k, _)| !JAEGER_FIELD_TAGS.contains(k))
                .map(|(k, v)| (k.to_string(), s.trace().display_value(v).to_string()))
                .collect()
        };
        assert_eq!(attrs(a), attrs(b));
        assert!(!attrs(a).is_empty());
    }
    // And the whole model agrees, line by line (ids, parent, times, kind, status, service,
    // resource and scope, attributes, events, links).
    assert_eq!(canon(&otlp), canon(&jaeger));
}

#[test]
fn ui_01_references_logs_and_processes() {
    let (t, f) = import_detected(&fixture("jaeger/jaeger-ui/ui_01.json")).unwrap();
    assert_eq!(f, Format::JaegerV1);
    // Five spans, one repeating the id 0000000000000002: dropped and counted.
    assert_eq!(t.len(), 4);
    assert_eq!(t.duplicates().len(), 1);
    // 64-bit trace ids are zero-extended.
    assert_eq!(
        t.trace_ids()[0].to_string(),
        "00000000000000000000000000000001"
    );
    let by_name = |n: &str| t.spans().find(|s| s.name() == n).unwrap();
    let root = by_name("test-general-conversion");
    assert_eq!(root.service(), "service-x");
    assert!(root.parent().is_none());
    let evs: Vec<_> = root.events().collect();
    assert_eq!(evs.len(), 2);
    // The `event` field names the event.
    assert_eq!(evs[0].name(), "some-event");
    assert_eq!(evs[0].attrs().len(), 0);
    assert_eq!(evs[1].name(), "");
    assert_eq!(evs[1].attrs().get_str("x"), Some(ValueRef::Str("y")));
    assert_eq!(evs[0].time_unix_nano(), 1_485_467_191_639_875_000);
    let child = by_name("some-operation");
    assert_eq!(child.service(), "service-y");
    assert_eq!(child.parent().unwrap().idx(), root.idx());
    // CHILD_OF to another trace, CHILD_OF and FOLLOWS_FROM to the root: the same-trace
    // CHILD_OF is the parent, the others are links.
    let r = by_name("reference-test");
    assert_eq!(r.parent().unwrap().idx(), root.idx());
    let links: Vec<_> = r.links().collect();
    assert_eq!(links.len(), 2);
    assert_eq!(
        links[0].trace_id().to_string(),
        "000000000000000000000000000000ff"
    );
    assert_eq!(
        links[0].attrs().get_str("opentracing.ref_type"),
        Some(ValueRef::Str("child_of"))
    );
    assert_eq!(
        links[1].attrs().get_str("opentracing.ref_type"),
        Some(ValueRef::Str("follows_from"))
    );
    let p = by_name("preserveParentID-test");
    assert_eq!(p.parent().unwrap().idx(), r.idx());
    assert!(t.is_ancestor(root.idx(), p.idx()));
    assert_eq!(p.duration_nanos(), 4_000);
    assert_eq!(t.resource_count(), 2);
}

const HANDMADE: &str = r#"{"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[
 {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7","operationName":"GET /cart",
  "references":[],"startTime":1718012345678000,"duration":12000,"processID":"p1",
  "tags":[{"key":"span.kind","type":"string","value":"server"},
          {"key":"error","type":"bool","value":true},
          {"key":"otel.status_description","type":"string","value":"boom"},
          {"key":"otel.scope.name","type":"string","value":"io.opentelemetry.http"},
          {"key":"otel.scope.version","type":"string","value":"1.2"},
          {"key":"http.response.status_code","type":"int64","value":500},
          {"key":"big","type":"int64","value":"9223372036854775222"},
          {"value":0.25,"type":"float64","key":"ratio"},
          {"key":"blob","type":"binary","value":"AAAwOQ=="},
          {"key":"cached","type":"bool","value":false}],
  "logs":[{"timestamp":1718012345679000,"fields":[{"key":"event","type":"string","value":"exception"},
                                                  {"key":"exception.type","type":"string","value":"Timeout"}]}]},
 {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"b7ad6b7169203331","operationName":"publish",
  "references":[{"refType":"FOLLOWS_FROM","traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7"}],
  "startTime":1718012345680000,"duration":100,"processID":"p2",
  "tags":[{"key":"span.kind","type":"string","value":"producer"},{"key":"otel.status_code","type":"string","value":"OK"}]}
 ],"processes":{"p1":{"serviceName":"cart","tags":[{"key":"host.name","type":"string","value":"node-1"}]},
                "p2":{"serviceName":"queue","tags":[]}}}],"total":0,"limit":0,"offset":0,"errors":null}"#;

#[test]
fn jaeger_tags_become_fields_and_typed_attributes() {
    let t = import_jaeger_json(HANDMADE.as_bytes()).unwrap();
    assert_eq!(t.len(), 2);
    let s = t.spans().find(|s| s.name() == "GET /cart").unwrap();
    assert_eq!(s.kind(), SpanKind::Server);
    assert_eq!(s.status(), StatusCode::Error);
    assert_eq!(s.status_message(), "boom");
    assert_eq!(s.scope().name(), "io.opentelemetry.http");
    assert_eq!(s.scope().version(), "1.2");
    for k in [
        "span.kind",
        "error",
        "otel.status_description",
        "otel.scope.name",
    ] {
        assert_eq!(s.span_attr(k), None, "{k} is a field, not an attribute");
    }
    assert_eq!(
        s.attr("http.response.status_code"),
        Some(ValueRef::Int(500))
    );
    assert_eq!(
        s.attr("big"),
        Some(ValueRef::Int(9_223_372_036_854_775_222))
    );
    assert_eq!(s.attr("ratio"), Some(ValueRef::Double(0.25)));
    assert_eq!(s.attr("blob"), Some(ValueRef::Bytes(&[0, 0, 48, 57])));
    assert_eq!(s.attr("cached"), Some(ValueRef::Bool(false)));
    assert_eq!(s.resource_attr("host.name"), Some(ValueRef::Str("node-1")));
    assert_eq!(s.start(), 1_718_012_345_678_000_000);
    assert_eq!(s.duration_nanos(), 12_000_000);
    let e = s.events().next().unwrap();
    assert_eq!(e.name(), "exception");
    assert_eq!(
        e.attrs().get_str("exception.type"),
        Some(ValueRef::Str("Timeout"))
    );
    // FOLLOWS_FROM as the only reference: parent, and a link too.
    let p = t.spans().find(|s| s.name() == "publish").unwrap();
    assert_eq!(p.kind(), SpanKind::Producer);
    assert_eq!(p.status(), StatusCode::Ok);
    assert_eq!(p.service(), "queue");
    assert_eq!(p.parent().unwrap().idx(), s.idx());
    assert_eq!(p.links().len(), 1);
}

#[test]
fn jaeger_errors_name_the_field() {
    let bad_id = HANDMADE.replacen("00f067aa0ba902b7", "00f067aa0ba902b7ff", 1);
    let e = import_jaeger_json(bad_id.as_bytes()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("spanID") && msg.contains("Jaeger v1 JSON"),
        "{msg}"
    );
    assert!(matches!(e, ImportError::Json { line: 2, .. }), "{e:?}");
    let bad_type = HANDMADE.replace(
        r#""type":"int64","value":500"#,
        r#""type":"int64","value":"x""#,
    );
    let msg = import(bad_type.as_bytes()).unwrap_err().to_string();
    assert!(
        msg.contains("http.response.status_code") && msg.contains("int64"),
        "{msg}"
    );
    let bad_proc = HANDMADE.replace(r#""processID":"p2""#, r#""processID":"p9""#);
    let msg = import(bad_proc.as_bytes()).unwrap_err().to_string();
    assert!(msg.contains("p9"), "{msg}");
}

#[test]
fn jaeger_error_response_is_reported() {
    let doc = br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#;
    let e = import(doc).unwrap_err();
    assert_eq!(
        e,
        ImportError::Remote {
            format: Format::JaegerV1,
            message: "trace not found".into()
        }
    );
}

#[test]
fn api_v3_get_trace() {
    let (t, f) = import_detected(&fixture("jaeger/api-v3/GetTrace.json")).unwrap();
    assert_eq!(f, Format::JaegerApiV3);
    assert_eq!(t.len(), 1);
    let s = t.spans().next().unwrap();
    assert_eq!(s.name(), "foobar");
    assert_eq!(s.kind(), SpanKind::Server);
    assert_eq!(s.status(), StatusCode::Error);
    assert_eq!(s.trace_id_hex(), "00000000000000000000000000000001");
    assert_eq!(s.span_id_hex(), "0000000000000002");
    assert_eq!(s.service(), "");
    // The explicit importer agrees; another format's importer refuses it.
    assert_eq!(
        import_jaeger_api_v3(&fixture("jaeger/api-v3/GetTrace.json"))
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        import_otlp_json(&fixture("jaeger/api-v3/GetTrace.json")),
        Err(ImportError::FormatMismatch {
            expected: Format::OtlpJson,
            found: Format::JaegerApiV3
        })
    ));
}

#[test]
fn api_v3_error_response() {
    let doc = br#"{"error":{"grpcCode":5,"httpCode":404,"message":"trace not found","httpStatus":"Not Found"}}"#;
    assert_eq!(
        import(doc).unwrap_err(),
        ImportError::Remote {
            format: Format::JaegerApiV3,
            message: "trace not found".into()
        }
    );
}

#[test]
fn api_v3_stream_of_chunks() {
    // FindTraces answers with one `{"result": …}` object per chunk.
    let one = String::from_utf8(fixture("jaeger/api-v3/GetTrace.json")).unwrap();
    let two = one.replace("0000000000000002", "0000000000000003");
    let stream = format!("{one}\n{two}");
    let (t, f) = import_detected(stream.as_bytes()).unwrap();
    assert_eq!(f, Format::JaegerApiV3);
    assert_eq!(t.len(), 2);
    // Mixed formats in one stream are refused.
    let mixed = format!(
        "{one}\n{}",
        String::from_utf8(fixture("lenient/strict.json")).unwrap()
    );
    let e = import(mixed.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("later document"), "{e}");
}

#[test]
fn detect_tells_every_format() {
    use tbt_trace::detect;
    assert_eq!(
        detect(&fixture("jaeger/otlp/example_trace.json")),
        Ok(Format::OtlpJson)
    );
    assert_eq!(
        detect(&fixture("lenient/tempo_batches.json")),
        Ok(Format::OtlpJson)
    );
    assert_eq!(
        detect(&fixture("jaeger/api-v3/GetTrace.json")),
        Ok(Format::JaegerApiV3)
    );
    assert_eq!(
        detect(&fixture("jaeger/jaeger-ui/otlp2jaeger-out.json")),
        Ok(Format::JaegerV1)
    );
    assert_eq!(
        detect(&fixture("jaeger/jaeger-ui/ui_01.json")),
        Ok(Format::JaegerV1)
    );
    assert_eq!(
        detect(&fixture("zipkin/shop_checkout.json")),
        Ok(Format::ZipkinV2)
    );
    let pb = tbt_trace::synth::protobuf(&tbt_trace::synth::SynthConfig::many(1, 5, 1));
    assert_eq!(detect(&pb), Ok(Format::OtlpProtobuf));
    assert_eq!(detect(b""), Err(ImportError::Empty));
}
