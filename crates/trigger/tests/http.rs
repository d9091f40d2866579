//! `trigger http` against a real axum echo server on 127.0.0.1.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{TRACEPARENT, closed_port, context, http_server, silent_server, without_port};
use tbt_trigger::{
    Fired, HttpAuth, HttpBody, HttpSpec, TriggerError, TriggerErrorKind, TriggerSpec, fire,
};

async fn send(spec: HttpSpec) -> Result<Fired, TriggerError> {
    fire(&TriggerSpec::Http(spec), &context()).await
}

/// The echo server's view of the request.
fn echoed(fired: &Fired) -> &Value {
    fired
        .response
        .get("json")
        .expect("the echo server answers JSON")
}

#[tokio::test]
async fn every_option_reaches_the_server() {
    let addr = http_server().await;
    let mut spec = HttpSpec::new("POST", format!("http://{addr}/orders?existing=1"));
    spec.headers = vec![
        ("x-request-id".into(), "tbt-42".into()),
        ("x-multi".into(), "a".into()),
        ("X-Multi".into(), "b".into()),
    ];
    spec.query = vec![
        ("dry_run".into(), "false".into()),
        ("q".into(), "a b&c=d/é".into()),
    ];
    spec.body = Some(HttpBody::Json(
        json!({ "sku": "BOOK-42", "qty": 2, "tags": ["tbt", "ci"] }),
    ));
    spec.auth = Some(HttpAuth::Bearer("s3cret".into()));
    let fired = send(spec).await.unwrap();
    let echo = echoed(&fired);
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["path"], "/orders");
    assert_eq!(
        echo["query"],
        "existing=1&dry_run=false&q=a+b%26c%3Dd%2F%C3%A9"
    );
    let headers = &echo["headers"];
    assert_eq!(headers["traceparent"], TRACEPARENT);
    assert_eq!(headers["tracestate"], "tbt=1,vendor=x");
    assert_eq!(headers["x-request-id"], "tbt-42");
    assert_eq!(headers["x-multi"], "a, b");
    assert_eq!(headers["authorization"], "Bearer s3cret");
    assert_eq!(headers["content-type"], "application/json");
    let body: Value = serde_json::from_str(echo["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({ "sku": "BOOK-42", "qty": 2, "tags": ["tbt", "ci"] })
    );
}

#[tokio::test]
async fn the_response_has_the_engine_shape() {
    let addr = http_server().await;
    let fired = send(HttpSpec::new("GET", format!("http://{addr}/text")))
        .await
        .unwrap();
    let r = &fired.response;
    assert_eq!(r["status"], 200);
    assert_eq!(r["body"], "pong\n");
    assert_eq!(r["headers"]["set-cookie"], "a=1, b=2");
    assert_eq!(r["headers"]["content-type"], "text/plain");
    assert!(r.get("json").is_none(), "a text body has no json");
    assert!(r["duration_ms"].as_f64().unwrap() >= 0.0);
    let mut keys: Vec<&str> = r.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["body", "duration_ms", "headers", "status"]);
}

#[tokio::test]
async fn a_binary_body_stays_a_lossy_string() {
    let addr = http_server().await;
    let fired = send(HttpSpec::new("GET", format!("http://{addr}/binary")))
        .await
        .unwrap();
    assert_eq!(fired.response["body"], "ok\u{fffd}\u{fffd}");
}

#[tokio::test]
async fn bodies_get_their_default_content_types() {
    let addr = http_server().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, "sku,qty\nBOOK-42,2\n").unwrap();
    let cases = [
        (
            HttpBody::Text("ping\n".into()),
            "text/plain; charset=utf-8",
            "ping\n",
        ),
        (
            HttpBody::Form(vec![
                ("user".into(), "alice".into()),
                ("password".into(), "p&ss w=rd".into()),
            ]),
            "application/x-www-form-urlencoded",
            "user=alice&password=p%26ss+w%3Drd",
        ),
        (
            HttpBody::File(file.clone()),
            "application/octet-stream",
            "sku,qty\nBOOK-42,2\n",
        ),
        (
            HttpBody::Json(json!("text")),
            "application/json",
            "\"text\"",
        ),
    ];
    for (body, content_type, sent) in cases {
        let mut spec = HttpSpec::new("PUT", format!("http://{addr}/import"));
        spec.body = Some(body);
        let fired = send(spec).await.unwrap();
        let echo = echoed(&fired);
        assert_eq!(echo["headers"]["content-type"], content_type);
        assert_eq!(echo["body"], sent);
    }
}

#[tokio::test]
async fn a_content_type_header_overrides_the_default() {
    let addr = http_server().await;
    let mut spec = HttpSpec::new("POST", format!("http://{addr}/import"));
    spec.headers = vec![("Content-Type".into(), "text/csv".into())];
    spec.body = Some(HttpBody::Text("a,b\n".into()));
    let fired = send(spec).await.unwrap();
    assert_eq!(echoed(&fired)["headers"]["content-type"], "text/csv");
}

#[tokio::test]
async fn basic_auth_replaces_an_authorization_header() {
    let addr = http_server().await;
    let mut spec = HttpSpec::new("GET", format!("http://{addr}/me"));
    spec.headers = vec![("authorization".into(), "Token old".into())];
    spec.auth = Some(HttpAuth::Basic {
        user: "importer".into(),
        password: "pa:ss".into(),
    });
    let fired = send(spec).await.unwrap();
    // base64("importer:pa:ss")
    assert_eq!(
        echoed(&fired)["headers"]["authorization"],
        "Basic aW1wb3J0ZXI6cGE6c3M="
    );
}

#[tokio::test]
async fn a_user_traceparent_is_replaced_by_the_runs() {
    let addr = http_server().await;
    let mut spec = HttpSpec::new("GET", format!("http://{addr}/"));
    spec.headers = vec![(
        "traceparent".into(),
        "00-11111111111111111111111111111111-2222222222222222-01".into(),
    )];
    let fired = send(spec).await.unwrap();
    assert_eq!(echoed(&fired)["headers"]["traceparent"], TRACEPARENT);
}

#[tokio::test]
async fn custom_methods_are_sent_and_named_per_semconv() {
    let addr = http_server().await;
    let fired = send(HttpSpec::new("PURGE", format!("http://{addr}/cache")))
        .await
        .unwrap();
    assert_eq!(echoed(&fired)["method"], "PURGE");
    assert_eq!(fired.span.name, "HTTP");
    assert_eq!(
        fired.span.attribute("http.request.method").unwrap(),
        "_OTHER"
    );
    assert_eq!(
        fired
            .span
            .attribute("http.request.method_original")
            .unwrap(),
        "PURGE"
    );
}

#[tokio::test]
async fn redirects_are_not_followed_by_default() {
    let addr = http_server().await;
    let fired = send(HttpSpec::new("GET", format!("http://{addr}/redirect/2")))
        .await
        .unwrap();
    assert_eq!(fired.response["status"], 303);
    assert_eq!(fired.response["headers"]["location"], "/redirect/1");

    let mut spec = HttpSpec::new("GET", format!("http://{addr}/redirect/2"));
    spec.redirects = 3;
    let fired = send(spec).await.unwrap();
    assert_eq!(fired.response["status"], 200);
    assert_eq!(echoed(&fired)["path"], "/landed");

    let mut spec = HttpSpec::new("GET", format!("http://{addr}/redirect/2"));
    spec.redirects = 1;
    let err = send(spec).await.unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Other);
    insta::assert_snapshot!(without_port(&err.message, addr.port()), @"more than 1 redirect(s): GET http://127.0.0.1:PORT/redirect/2 (raise `redirects` to follow more)");
}

#[tokio::test]
async fn the_span_follows_the_http_client_conventions() {
    let addr = http_server().await;
    let fired = send(HttpSpec::new(
        "DELETE",
        format!("http://user:pw@{addr}/status/503?x=1"),
    ))
    .await
    .unwrap();
    let span = &fired.span;
    assert_eq!(span.name, "DELETE");
    assert!(span.kind_client);
    assert!(span.end_unix_nano >= span.start_unix_nano);
    assert_eq!(span.attribute("http.request.method").unwrap(), "DELETE");
    assert_eq!(
        span.attribute("url.full").unwrap(),
        &format!("http://REDACTED:REDACTED@{addr}/status/503?x=1")
    );
    assert_eq!(span.attribute("server.address").unwrap(), "127.0.0.1");
    assert_eq!(span.attribute("server.port").unwrap(), addr.port());
    assert_eq!(span.attribute("http.response.status_code").unwrap(), 503);
    assert_eq!(span.attribute("error.type").unwrap(), "503");
    assert_eq!(span.error.as_deref(), Some("HTTP 503"));
    assert_eq!(fired.response["status"], 503);
}

#[tokio::test]
async fn a_closed_port_is_connection_refused() {
    let port = closed_port().await;
    let err = send(HttpSpec::new("POST", format!("http://127.0.0.1:{port}/x")))
        .await
        .unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::ConnectionRefused);
    insta::assert_snapshot!(without_port(&err.message, port), @"connection refused: POST http://127.0.0.1:PORT/x");
    let span = err.span.expect("an attempted request has a span");
    assert_eq!(span.attribute("error.type").unwrap(), "connection_refused");
}

#[tokio::test]
async fn an_unresolvable_host_is_a_dns_error() {
    let err = send(HttpSpec::new(
        "GET",
        "http://tbt-no-such-host.invalid/health",
    ))
    .await
    .unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Dns, "{}", err.message);
    insta::assert_snapshot!(err.message, @"cannot resolve host: GET http://tbt-no-such-host.invalid/health");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let addr = http_server().await;
    let mut spec = HttpSpec::new("GET", format!("http://{addr}/never"));
    spec.timeout = Duration::from_millis(300);
    let err = send(spec).await.unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Timeout);
    insta::assert_snapshot!(without_port(&err.message, addr.port()), @"timed out after 300ms: GET http://127.0.0.1:PORT/never");

    let silent = silent_server().await;
    let mut spec = HttpSpec::new("GET", format!("http://{silent}/"));
    spec.timeout = Duration::from_millis(200);
    assert_eq!(
        send(spec).await.unwrap_err().kind,
        TriggerErrorKind::Timeout
    );
}

#[tokio::test]
async fn bad_specs_fail_before_sending() {
    let cases = [
        HttpSpec::new("GET", "no scheme"),
        HttpSpec::new("GET", "ftp://127.0.0.1/"),
        HttpSpec::new("BAD METHOD", "http://127.0.0.1/"),
        HttpSpec {
            headers: vec![("x-bad".into(), "line\nbreak".into())],
            ..HttpSpec::new("GET", "http://127.0.0.1/")
        },
    ];
    let mut messages = Vec::new();
    for spec in cases {
        let err = send(spec).await.unwrap_err();
        assert_eq!(err.kind, TriggerErrorKind::InvalidSpec);
        assert!(err.span.is_none());
        messages.push(err.message);
    }
    insta::assert_snapshot!(messages.join("\n"), @r#"
    invalid URL "no scheme": relative URL without a base
    invalid URL "ftp://127.0.0.1/": the scheme must be http or https, not ftp
    invalid HTTP method "BAD METHOD": a method is a token such as GET or PURGE
    invalid value for HTTP header "x-bad": "line\nbreak" (control characters are not allowed)
    "#);
}

#[tokio::test]
async fn a_missing_body_file_is_an_io_error() {
    let mut spec = HttpSpec::new("POST", "http://127.0.0.1:9/upload");
    spec.body = Some(HttpBody::File("/nonexistent/tbt/orders.csv".into()));
    let err = send(spec).await.unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Io);
    insta::assert_snapshot!(err.message, @"cannot read body file /nonexistent/tbt/orders.csv: No such file or directory (os error 2): POST http://127.0.0.1:9/upload");
}
