//! TLS options for HTTP and gRPC against servers with certificates generated per test run:
//! an extra CA, `insecure`, mutual TLS, and the failures.

mod support;

use std::path::Path;

use serde_json::json;
use support::{
    Pki, Reflection, context, greeter_proto, grpc_server, https_server, protos_dir, without_port,
};
use tbt_trigger::{GrpcSpec, HttpSpec, TlsOptions, TriggerErrorKind, TriggerSpec, fire};

fn https(addr: std::net::SocketAddr, tls: TlsOptions) -> TriggerSpec {
    let mut spec = HttpSpec::new("GET", format!("https://{addr}/secure"));
    spec.tls = tls;
    TriggerSpec::Http(spec)
}

fn grpcs(addr: std::net::SocketAddr, tls: TlsOptions) -> TriggerSpec {
    // "localhost" checks the DNS name of the certificate; HTTP tests check its IP address.
    let mut spec = GrpcSpec::new(
        format!("localhost:{}", addr.port()),
        "tbt.test.v1.Greeter/SayHello",
    );
    spec.protos = vec![greeter_proto()];
    spec.import_paths = vec![protos_dir()];
    spec.message = json!({ "name": "tls" });
    spec.tls = tls;
    TriggerSpec::Grpc(spec)
}

fn trusting(ca: &Path) -> TlsOptions {
    TlsOptions {
        ca: vec![ca.to_path_buf()],
        ..TlsOptions::default()
    }
}

fn insecure() -> TlsOptions {
    TlsOptions {
        insecure: true,
        ..TlsOptions::default()
    }
}

fn with_client_cert(pki: &Pki) -> TlsOptions {
    TlsOptions {
        ca: vec![pki.ca.clone()],
        client_cert: Some((pki.client_cert.clone(), pki.client_key.clone())),
        insecure: false,
    }
}

#[tokio::test]
async fn http_trusts_an_extra_ca_or_nothing_with_insecure() {
    let pki = Pki::generate();
    let addr = https_server(pki.server_config(false, &[b"http/1.1"])).await;
    for tls in [trusting(&pki.ca), insecure()] {
        let fired = fire(&https(addr, tls), &context()).await.unwrap();
        assert_eq!(fired.response["status"], 200);
        assert_eq!(fired.response["json"]["path"], "/secure");
    }
}

#[tokio::test]
async fn http_rejects_an_untrusted_server() {
    let pki = Pki::generate();
    let addr = https_server(pki.server_config(false, &[b"http/1.1"])).await;
    for tls in [TlsOptions::default(), trusting(&pki.other_ca)] {
        let err = fire(&https(addr, tls), &context()).await.unwrap_err();
        assert_eq!(err.kind, TriggerErrorKind::Tls, "{}", err.message);
        assert!(
            err.message
                .starts_with(&format!("TLS handshake failed: GET https://{addr}/secure")),
            "{}",
            err.message
        );
        assert!(err.message.contains("UnknownIssuer"), "{}", err.message);
    }
}

#[tokio::test]
async fn http_presents_a_client_certificate() {
    let pki = Pki::generate();
    let addr = https_server(pki.server_config(true, &[b"http/1.1"])).await;
    let fired = fire(&https(addr, with_client_cert(&pki)), &context())
        .await
        .unwrap();
    assert_eq!(fired.response["status"], 200);

    let err = fire(&https(addr, trusting(&pki.ca)), &context())
        .await
        .unwrap_err();
    assert_ne!(err.kind, TriggerErrorKind::InvalidSpec, "{}", err.message);
    assert!(
        err.message.contains(&format!("https://{addr}/secure")),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn grpc_over_tls_with_ca_insecure_and_client_certificates() {
    let pki = Pki::generate();
    let addr = grpc_server(Reflection::V1, Some((&pki, false))).await;
    for tls in [trusting(&pki.ca), insecure()] {
        let fired = fire(&grpcs(addr, tls), &context()).await.unwrap();
        assert_eq!(fired.response["json"]["greeting"], "hello, tls");
    }
    // Reflection over TLS too.
    let mut spec = GrpcSpec::new(
        format!("https://localhost:{}", addr.port()),
        "tbt.test.v1.Greeter/SayHello",
    );
    spec.reflection = true;
    spec.tls = trusting(&pki.ca);
    let fired = fire(&TriggerSpec::Grpc(spec), &context()).await.unwrap();
    assert_eq!(fired.response["status"], 0);

    let mtls = grpc_server(Reflection::None, Some((&pki, true))).await;
    let fired = fire(&grpcs(mtls, with_client_cert(&pki)), &context())
        .await
        .unwrap();
    assert_eq!(fired.response["json"]["greeting"], "hello, tls");
    let err = fire(&grpcs(mtls, trusting(&pki.ca)), &context())
        .await
        .unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Tls, "{}", err.message);
    assert!(
        err.message.contains("CertificateRequired"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn grpc_rejects_an_untrusted_server() {
    let pki = Pki::generate();
    let addr = grpc_server(Reflection::None, Some((&pki, false))).await;
    let err = fire(&grpcs(addr, trusting(&pki.other_ca)), &context())
        .await
        .unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Tls, "{}", err.message);
    insta::assert_snapshot!(without_port(&err.message, addr.port()), @"TLS handshake failed: grpc localhost:PORT tbt.test.v1.Greeter/SayHello (invalid peer certificate: UnknownIssuer)");
}

#[tokio::test]
async fn bad_certificate_files_are_reported_by_name() {
    let pki = Pki::generate();
    let not_pem = pki.dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let addr: std::net::SocketAddr = "127.0.0.1:9".parse().unwrap();
    let cases = [
        trusting(&pki.dir.path().join("missing.pem")),
        trusting(&not_pem),
        TlsOptions {
            client_cert: Some((pki.client_cert.clone(), not_pem.clone())),
            ..TlsOptions::default()
        },
        TlsOptions {
            client_cert: Some((pki.client_cert.clone(), pki.server_key.clone())),
            ..TlsOptions::default()
        },
    ];
    let mut messages = Vec::new();
    for tls in cases {
        for spec in [https(addr, tls.clone()), grpcs(addr, tls.clone())] {
            let err = fire(&spec, &context()).await.unwrap_err();
            assert_ne!(
                err.kind,
                TriggerErrorKind::ConnectionRefused,
                "{}",
                err.message
            );
            messages.push(format!(
                "{:?}: {}",
                err.kind,
                err.message.replace(pki.dir.path().to_str().unwrap(), "DIR")
            ));
        }
    }
    insta::assert_snapshot!(messages.join("\n"));
}
