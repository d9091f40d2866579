//! Bad input gives a typed error with a clear message, never a panic.

mod common;

use common::fixture;
use proptest::prelude::*;
use tbt_trace::synth::{self, SynthConfig};
use tbt_trace::{Format, ImportError, detect, import, import_otlp_json, import_otlp_proto};

#[test]
fn empty_and_blank() {
    assert_eq!(import(b"").unwrap_err(), ImportError::Empty);
    assert_eq!(import(b" \n\t\r\n").unwrap_err(), ImportError::Empty);
    assert_eq!(import(b"\xEF\xBB\xBF  ").unwrap_err(), ImportError::Empty);
    assert_eq!(import_otlp_proto(b"").unwrap_err(), ImportError::Empty);
    assert_eq!(import_otlp_json(b"").unwrap_err(), ImportError::Empty);
}

#[test]
fn neither_json_nor_protobuf() {
    for input in [
        &b"not json at all"[..],
        b"hello",
        b"<html><body>404</body></html>",
        b"\xff\xff\xff",
    ] {
        match import(input).unwrap_err() {
            ImportError::UnknownFormat { detail } => {
                assert!(
                    detail.contains("not JSON") && detail.contains("protobuf"),
                    "{detail}"
                )
            }
            other => panic!("{input:?}: {other:?}"),
        }
    }
    let gz = import(&[0x1f, 0x8b, 8, 0, 0, 0]).unwrap_err();
    assert!(gz.to_string().contains("gzip"), "{gz}");
    let unknown = import(br#"{"foo": 1, "bar": [1, 2]}"#).unwrap_err();
    assert!(
        matches!(unknown, ImportError::UnknownFormat { .. }),
        "{unknown:?}"
    );
    assert!(unknown.to_string().contains("resourceSpans"), "{unknown}");
}

#[test]
fn truncated_json_reports_where() {
    let full = fixture("jaeger/otlp/otel_traces_01.json");
    let last_brace = full.iter().rposition(|&c| c == b'}').unwrap();
    for cut in (1..=last_brace).step_by(7) {
        match import(&full[..cut]) {
            Err(ImportError::Json {
                line,
                column,
                message,
                ..
            }) => {
                assert!(line >= 1 && column <= 200, "{line}:{column} {message}");
            }
            Err(ImportError::UnknownFormat { .. }) | Err(ImportError::Empty) => {}
            Ok(t) => panic!("cut at {cut} imported {} spans", t.len()),
            Err(other) => panic!("cut at {cut}: {other:?}"),
        }
    }
    let e = import(&full[..full.len() / 2]).unwrap_err();
    assert!(
        e.to_string().starts_with("OTLP/JSON: EOF while parsing"),
        "{e}"
    );
}

#[test]
fn wrong_id_lengths_name_the_field() {
    let base = String::from_utf8(fixture("lenient/strict.json")).unwrap();
    let cases = [
        (
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "4bf92f3577b34da6a3ce929d0e0e47",
            "traceId",
        ),
        ("00f067aa0ba902b7\"", "00f067aa0ba902\"", "spanId"),
        (
            "\"parentSpanId\": \"00f067aa0ba902b7\"",
            "\"parentSpanId\": \"00f067aa0ba902b7aa\"",
            "parentSpanId",
        ),
        ("b9c7c989f97918e1", "b9c7c989f97918e1b9c7", "link spanId"),
        (
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "4bf92f3577b34da6a3ce929d0e0e473z",
            "traceId",
        ),
    ];
    for (from, to, field) in cases {
        assert!(base.contains(from), "{from}");
        let doc = base.replacen(from, to, 1);
        let e = import(doc.as_bytes()).unwrap_err();
        match &e {
            ImportError::Json {
                format: Some(Format::OtlpJson),
                message,
                line,
                ..
            } => {
                assert!(message.contains(&format!("invalid {field}")), "{message}");
                assert!(*line > 1);
            }
            other => panic!("{field}: {other:?}"),
        }
    }
    let e = import(br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":7,"spanId":"00f067aa0ba902b7"}]}]}]}"#)
        .unwrap_err();
    assert!(e.to_string().contains("traceId"), "{e}");
    let e = import(
        br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"00f067aa0ba902b7"}]}]}]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("missing field `traceId`"), "{e}");
}

#[test]
fn bad_values_name_the_field() {
    let doc = |v: &str| {
        format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",{v}}}]}}]}}]}}"#
        )
    };
    for (v, want) in [
        (r#""kind":9"#, "span kind"),
        (r#""kind":"SPAN_KIND_SIDEWAYS""#, "span kind"),
        (r#""status":{"code":7}"#, "status code"),
        (r#""startTimeUnixNano":"yesterday""#, "unsigned integer"),
        (
            r#""attributes":[{"key":"a","value":{"intValue":"12x"}}]"#,
            "intValue",
        ),
        (
            r#""attributes":[{"key":"a","value":{"bytesValue":"***"}}]"#,
            "bytesValue",
        ),
    ] {
        let e = import(doc(v).as_bytes()).unwrap_err().to_string();
        assert!(e.contains(want), "{v}: {e}");
    }
}

#[test]
fn truncated_protobuf_never_panics() {
    let full = synth::protobuf(&SynthConfig::many(3, 30, 5));
    let total = import(&full).unwrap().len();
    assert_eq!(total, 90);
    let cuts = (1..full.len())
        .step_by(11)
        .chain(full.len().saturating_sub(64)..full.len());
    for cut in cuts {
        match import_otlp_proto(&full[..cut]) {
            // A cut on a ResourceSpans boundary is a valid, shorter message.
            Ok(t) => assert!(t.len() < total),
            Err(ImportError::Protobuf { offset, .. }) => assert!(offset < cut),
            Err(other) => panic!("cut {cut}: {other:?}"),
        }
    }
    let e = import_otlp_proto(&full[..full.len() - 3]).unwrap_err();
    assert!(e.to_string().contains("OTLP protobuf"), "{e}");
    assert_eq!(detect(&full).unwrap(), Format::OtlpProtobuf);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = import(&bytes);
        let _ = detect(&bytes);
    }

    #[test]
    fn mutated_json_never_panics(pos in 0usize..4000, byte in any::<u8>(), cut in 0usize..4000) {
        static DOC: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let mut doc = DOC.get_or_init(|| fixture("lenient/strict.json")).clone();
        let p = pos % doc.len();
        doc[p] = byte;
        let _ = import(&doc);
        doc.truncate(cut % doc.len());
        let _ = import(&doc);
    }

    #[test]
    fn mutated_protobuf_never_panics(pos in 0usize..100_000, byte in any::<u8>()) {
        static DOC: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let mut doc = DOC.get_or_init(|| synth::protobuf(&SynthConfig::many(1, 20, 1))).clone();
        let p = pos % doc.len();
        doc[p] = byte;
        let _ = import(&doc);
    }
}
