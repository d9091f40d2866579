//! Snapshots of `Trace::dump` for imported fixtures (the text failure reports use).

mod common;

use common::fixture;
use tbt_trace::import;

#[test]
fn dump_otel_traces_01() {
    insta::assert_snapshot!(
        import(&fixture("jaeger/otlp/otel_traces_01.json"))
            .unwrap()
            .dump()
    );
}

#[test]
fn dump_jaeger_ui_01() {
    insta::assert_snapshot!(
        import(&fixture("jaeger/jaeger-ui/ui_01.json"))
            .unwrap()
            .dump()
    );
}

#[test]
fn dump_zipkin_shop_checkout() {
    insta::assert_snapshot!(
        import(&fixture("zipkin/shop_checkout.json"))
            .unwrap()
            .dump()
    );
}

#[test]
fn dump_lenient_strict() {
    insta::assert_snapshot!(import(&fixture("lenient/strict.json")).unwrap().dump());
}

#[test]
fn dump_synthetic() {
    let t = tbt_trace::synth::trace(&tbt_trace::synth::SynthConfig::many(1, 12, 42));
    insta::assert_snapshot!(t.dump());
}
