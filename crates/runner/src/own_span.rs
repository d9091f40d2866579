//! tbt's own span: the trigger, recorded as the root of the test's trace (service `tbt`), so a
//! trace always has one root and the system's first spans have a parent.

use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList, any_value,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{
    ResourceSpans, ScopeSpans, Span, Status, span, status,
};
use tbt_trigger::TriggerSpan;

/// The service name of tbt's own spans.
pub const SERVICE_NAME: &str = "tbt";

/// The trigger span as an OTLP batch.
pub fn resource_spans(trace_id: [u8; 16], span_id: [u8; 8], s: &TriggerSpan) -> ResourceSpans {
    let status = s.error.as_ref().map(|message| Status {
        message: message.clone(),
        code: status::StatusCode::Error as i32,
    });
    let span = Span {
        trace_id: trace_id.to_vec(),
        span_id: span_id.to_vec(),
        name: s.name.clone(),
        kind: if s.kind_client {
            span::SpanKind::Client
        } else {
            span::SpanKind::Internal
        } as i32,
        start_time_unix_nano: s.start_unix_nano,
        end_time_unix_nano: s.end_unix_nano.max(s.start_unix_nano),
        attributes: s
            .attributes
            .iter()
            .map(|(k, v)| KeyValue {
                key_strindex: 0,
                key: k.clone(),
                value: Some(any(v)),
            })
            .collect(),
        status,
        ..Span::default()
    };
    ResourceSpans {
        resource: Some(Resource {
            attributes: vec![
                kv("service.name", SERVICE_NAME),
                kv("telemetry.sdk.name", "tbt"),
                kv("telemetry.sdk.version", env!("CARGO_PKG_VERSION")),
            ],
            ..Resource::default()
        }),
        scope_spans: vec![ScopeSpans {
            scope: Some(InstrumentationScope {
                name: "tbt".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                ..InstrumentationScope::default()
            }),
            spans: vec![span],
            schema_url: String::new(),
        }],
        schema_url: String::new(),
    }
}

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key_strindex: 0,
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.into())),
        }),
    }
}

fn any(v: &serde_json::Value) -> AnyValue {
    use serde_json::Value as J;
    let value = match v {
        J::Null => None,
        J::Bool(b) => Some(any_value::Value::BoolValue(*b)),
        J::Number(n) => Some(match n.as_i64() {
            Some(i) => any_value::Value::IntValue(i),
            None => any_value::Value::DoubleValue(n.as_f64().unwrap_or(f64::NAN)),
        }),
        J::String(s) => Some(any_value::Value::StringValue(s.clone())),
        J::Array(items) => Some(any_value::Value::ArrayValue(ArrayValue {
            values: items.iter().map(any).collect(),
        })),
        J::Object(map) => Some(any_value::Value::KvlistValue(KeyValueList {
            values: map
                .iter()
                .map(|(k, v)| KeyValue {
                    key_strindex: 0,
                    key: k.clone(),
                    value: Some(any(v)),
                })
                .collect(),
        })),
    };
    AnyValue { value }
}
