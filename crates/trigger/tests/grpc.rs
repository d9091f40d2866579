//! `trigger grpc` against a real tonic server on 127.0.0.1 that answers from descriptors,
//! with the schema from `.proto` files (protox) or server reflection (v1 and v1alpha).

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{
    Reflection, TRACEPARENT, closed_port, context, greeter_proto, grpc_server, protos_dir,
    silent_server, without_port,
};
use tbt_trigger::{Fired, GrpcSpec, TriggerError, TriggerErrorKind, TriggerSpec, fire};

const SAY_HELLO: &str = "tbt.test.v1.Greeter/SayHello";

async fn call(spec: GrpcSpec) -> Result<Fired, TriggerError> {
    fire(&TriggerSpec::Grpc(spec), &context()).await
}

fn with_protos(address: String, method: &str) -> GrpcSpec {
    let mut spec = GrpcSpec::new(address, method);
    spec.protos = vec![greeter_proto()];
    spec.import_paths = vec![protos_dir()];
    spec
}

fn seen_metadata(fired: &Fired) -> Vec<String> {
    fired.response["json"]["seen_metadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_call_with_proto_files_round_trips_message_and_metadata() {
    let addr = grpc_server(Reflection::None, None).await;
    let mut spec = with_protos(addr.to_string(), SAY_HELLO);
    spec.message = json!({ "name": "ada", "times": 3, "mood": "MOOD_HAPPY" });
    spec.metadata = vec![
        ("x-tenant".into(), "acme".into()),
        ("X-Upper".into(), "Value".into()),
        ("x-blob-bin".into(), "AAEC".into()),
    ];
    let fired = call(spec).await.unwrap();
    let r = &fired.response;
    assert_eq!(r["status"], 0);
    assert_eq!(r["message"], "");
    assert_eq!(r["json"]["greeting"], "hello, ada");
    assert_eq!(r["json"]["times"], 3, "64-bit integers are numbers");
    assert_eq!(r["json"]["mood"], "MOOD_HAPPY");
    assert_eq!(
        r["json"]["item_count"], 0,
        "default values are shown, by proto name"
    );
    assert_eq!(r["metadata"]["x-greeter-version"], "7");
    assert_eq!(r["metadata"]["x-raw-bin"], "AAE=");
    let seen = seen_metadata(&fired);
    assert!(
        seen.contains(&format!("traceparent={TRACEPARENT}")),
        "{seen:?}"
    );
    assert!(seen.contains(&"tracestate=tbt=1,vendor=x".to_string()));
    assert!(seen.contains(&"x-tenant=acme".to_string()));
    assert!(seen.contains(&"x-upper=Value".to_string()));
    assert!(
        seen.iter().any(|s| s.starts_with("grpc-timeout=")),
        "{seen:?}"
    );
    let mut keys: Vec<&str> = r.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["duration_ms", "json", "message", "metadata", "status"]
    );

    let span = &fired.span;
    assert_eq!(span.name, SAY_HELLO);
    assert!(span.kind_client);
    assert_eq!(span.attribute("rpc.system").unwrap(), "grpc");
    assert_eq!(
        span.attribute("rpc.service").unwrap(),
        "tbt.test.v1.Greeter"
    );
    assert_eq!(span.attribute("rpc.method").unwrap(), "SayHello");
    assert_eq!(span.attribute("rpc.grpc.status_code").unwrap(), 0);
    assert_eq!(span.attribute("server.port").unwrap(), addr.port());
    assert!(span.error.is_none());
}

#[tokio::test]
async fn a_proto_without_import_paths_finds_its_imports_beside_it() {
    // common.proto is imported as "tbt/test/v1/common.proto", so it needs the protos root;
    // a file whose imports sit next to it would work with no import path at all.
    let addr = grpc_server(Reflection::None, None).await;
    let mut spec = with_protos(addr.to_string(), SAY_HELLO);
    spec.import_paths.clear();
    let err = call(spec).await.unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Proto);
    assert!(
        err.message.contains("tbt/test/v1/common.proto"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_non_ok_status_is_a_response() {
    let addr = grpc_server(Reflection::None, None).await;
    let mut spec = with_protos(format!("http://{addr}"), SAY_HELLO);
    spec.message = json!({ "name": "x", "fail_with_code": 5, "fail_message": "no such cart" });
    let fired = call(spec).await.unwrap();
    let r = &fired.response;
    assert_eq!(r["status"], 5);
    assert_eq!(r["message"], "no such cart");
    assert!(r.get("json").is_none());
    assert_eq!(r["metadata"]["x-failure-detail"], "as requested");
    assert_eq!(fired.span.attribute("rpc.grpc.status_code").unwrap(), 5);
    assert_eq!(fired.span.error.as_deref(), Some("NOT_FOUND: no such cart"));
}

#[tokio::test]
async fn reflection_v1_describes_the_service() {
    let addr = grpc_server(Reflection::V1, None).await;
    let mut spec = GrpcSpec::new(addr.to_string(), SAY_HELLO);
    spec.reflection = true;
    spec.message = json!({ "name": "grace", "mood": 2 });
    let fired = call(spec).await.unwrap();
    assert_eq!(fired.response["json"]["greeting"], "hello, grace");
    assert_eq!(fired.response["json"]["mood"], "MOOD_GRUMPY");
    assert_eq!(fired.response["json"]["at"], Value::Null);
}

#[tokio::test]
async fn reflection_falls_back_to_v1alpha() {
    let addr = grpc_server(Reflection::V1Alpha, None).await;
    let mut spec = GrpcSpec::new(addr.to_string(), SAY_HELLO);
    spec.reflection = true;
    spec.message = json!({ "name": "old server" });
    let fired = call(spec).await.unwrap();
    assert_eq!(fired.response["json"]["greeting"], "hello, old server");
}

#[tokio::test]
async fn a_server_without_reflection_says_so() {
    let addr = grpc_server(Reflection::None, None).await;
    let mut spec = GrpcSpec::new(addr.to_string(), SAY_HELLO);
    spec.reflection = true;
    let err = call(spec).await.unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Proto);
    insta::assert_snapshot!(without_port(&err.message, addr.port()), @"server reflection failed: grpc 127.0.0.1:PORT tbt.test.v1.Greeter/SayHello (UNIMPLEMENTED); the server does not offer reflection, give `proto` files instead");
}

#[tokio::test]
async fn unknown_services_and_methods_list_what_exists() {
    let addr = grpc_server(Reflection::V1, None).await;
    let mut messages = Vec::new();
    for method in ["tbt.test.v1.Greter/SayHello", "tbt.test.v1.Greeter/SayHi"] {
        let err = call(with_protos(addr.to_string(), method))
            .await
            .unwrap_err();
        assert_eq!(err.kind, TriggerErrorKind::Proto);
        messages.push(err.message);
        let mut spec = GrpcSpec::new(addr.to_string(), method);
        spec.reflection = true;
        let err = call(spec).await.unwrap_err();
        assert_eq!(err.kind, TriggerErrorKind::Proto);
        messages.push(without_port(&err.message, addr.port()));
    }
    insta::assert_snapshot!(messages.join("\n"), @r"
    service tbt.test.v1.Greter is not defined in the proto files; services found: tbt.test.v1.Greeter
    the server does not offer service tbt.test.v1.Greter: grpc 127.0.0.1:PORT tbt.test.v1.Greter/SayHello; services found: grpc.reflection.v1.ServerReflection, tbt.test.v1.Greeter
    service tbt.test.v1.Greeter has no method SayHi; methods: SayHello, Hang, Watch
    service tbt.test.v1.Greeter has no method SayHi; methods: SayHello, Hang, Watch
    ");
}

#[tokio::test]
async fn bad_specs_and_messages_fail_before_connecting() {
    // Nothing listens on port 9: each of these must fail before it tries.
    let mut cases = vec![
        GrpcSpec::new("127.0.0.1:9", SAY_HELLO),
        with_protos("127.0.0.1".into(), SAY_HELLO),
        with_protos("127.0.0.1:9".into(), "Greeter.SayHello"),
        with_protos("127.0.0.1:9".into(), "tbt.test.v1.Greeter/Watch"),
    ];
    let mut unknown_field = with_protos("127.0.0.1:9".into(), SAY_HELLO);
    unknown_field.message = json!({ "nmae": "typo" });
    cases.push(unknown_field);
    let mut wrong_type = with_protos("127.0.0.1:9".into(), SAY_HELLO);
    wrong_type.message = json!({ "times": "many" });
    cases.push(wrong_type);
    let mut missing_file = GrpcSpec::new("127.0.0.1:9", SAY_HELLO);
    missing_file.protos = vec!["/nonexistent/tbt/cart.proto".into()];
    cases.push(missing_file);
    let mut bad_metadata = with_protos("127.0.0.1:9".into(), SAY_HELLO);
    bad_metadata.metadata = vec![("x-blob-bin".into(), "not base64!".into())];
    cases.push(bad_metadata);

    let mut messages = Vec::new();
    for spec in cases {
        let err = call(spec).await.unwrap_err();
        assert_ne!(
            err.kind,
            TriggerErrorKind::ConnectionRefused,
            "{}",
            err.message
        );
        messages.push(format!("{:?}: {}", err.kind, err.message));
    }
    insta::assert_snapshot!(messages.join("\n"));
}

#[tokio::test]
async fn a_closed_port_is_connection_refused() {
    let port = closed_port().await;
    let err = call(with_protos(format!("127.0.0.1:{port}"), SAY_HELLO))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        TriggerErrorKind::ConnectionRefused,
        "{}",
        err.message
    );
    insta::assert_snapshot!(without_port(&err.message, port), @"connection refused: grpc 127.0.0.1:PORT tbt.test.v1.Greeter/SayHello");
    assert!(err.span.is_some());
}

#[tokio::test]
async fn an_unresolvable_host_is_a_dns_error() {
    let err = call(with_protos(
        "tbt-no-such-host.invalid:50051".into(),
        SAY_HELLO,
    ))
    .await
    .unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Dns, "{}", err.message);
    insta::assert_snapshot!(err.message, @"cannot resolve host: grpc tbt-no-such-host.invalid:50051 tbt.test.v1.Greeter/SayHello");
}

#[tokio::test]
async fn a_call_that_never_answers_times_out() {
    let addr = grpc_server(Reflection::None, None).await;
    let mut spec = with_protos(addr.to_string(), "tbt.test.v1.Greeter/Hang");
    spec.timeout = Duration::from_millis(300);
    let err = call(spec).await.unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Timeout, "{}", err.message);
    insta::assert_snapshot!(without_port(&err.message, addr.port()), @"timed out after 300ms: grpc 127.0.0.1:PORT tbt.test.v1.Greeter/Hang");

    // A server that accepts the connection but never speaks HTTP/2.
    let silent = silent_server().await;
    let mut spec = with_protos(silent.to_string(), SAY_HELLO);
    spec.timeout = Duration::from_millis(200);
    assert_eq!(
        call(spec).await.unwrap_err().kind,
        TriggerErrorKind::Timeout
    );
}
