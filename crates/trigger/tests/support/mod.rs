//! Real servers on 127.0.0.1 ephemeral ports for the trigger tests: an HTTP echo server
//! (plain and TLS), a dynamic gRPC Greeter with server reflection, and generated certificates.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get};
use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, Value as PValue};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Map, Value, json};
use tbt_trigger::TraceContext;
use tokio::net::TcpListener;

/// A fixed trace context, so snapshots and assertions are stable.
pub fn context() -> TraceContext {
    TraceContext {
        trace_id: *b"\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36",
        span_id: *b"\x00\xf0\x67\xaa\x0b\xa9\x02\xb7",
        sampled: true,
        tracestate: "tbt=1,vendor=x".to_string(),
    }
}

/// The traceparent of [`context`].
pub const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// A port nothing listens on: bound, then released.
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

/// Replaces the port in a message so it can be snapshotted.
pub fn without_port(message: &str, port: u16) -> String {
    message.replace(&format!(":{port}"), ":PORT")
}

// ---------------------------------------------------------------------------------------
// HTTP

/// The echo server's routes: `/echo/...` answers with what it received, as JSON.
pub fn http_router() -> Router {
    Router::new()
        .route("/redirect/{n}", any(redirect))
        .route("/status/{code}", any(status))
        .route("/never", any(never))
        .route("/text", get(text))
        .route("/binary", get(binary))
        .fallback(echo)
}

async fn echo(request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let mut headers: Map<String, Value> = Map::new();
    for name in parts.headers.keys() {
        let values: Vec<&str> = parts
            .headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap_or("<binary>"))
            .collect();
        headers.insert(name.as_str().to_string(), Value::String(values.join(", ")));
    }
    let echoed = json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
        "body_len": body.len(),
    });
    (StatusCode::OK, axum::Json(echoed)).into_response()
}

async fn redirect(UrlPath(n): UrlPath<u32>) -> Redirect {
    if n == 0 {
        Redirect::to("/landed")
    } else {
        Redirect::to(&format!("/redirect/{}", n - 1))
    }
}

async fn status(UrlPath(code): UrlPath<u16>) -> impl IntoResponse {
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (code, "status as requested")
}

async fn never() -> &'static str {
    std::future::pending::<()>().await;
    "unreachable"
}

async fn text() -> impl IntoResponse {
    let mut headers = HeaderMap::new();
    headers.append(header::SET_COOKIE, "a=1".parse().unwrap());
    headers.append(header::SET_COOKIE, "b=2".parse().unwrap());
    headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
    (headers, "pong\n")
}

async fn binary() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/octet-stream")],
        Bytes::from_static(b"ok\xff\xfe"),
    )
}

/// Serves the echo router over plain HTTP; returns its address.
pub async fn http_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, http_router()).await;
    });
    addr
}

/// Accepts connections and never answers (not even the TLS or HTTP/2 handshake).
pub async fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    addr
}

// ---------------------------------------------------------------------------------------
// TLS

/// A test PKI: a CA, a server certificate for 127.0.0.1 and localhost, and a client
/// certificate, all written as PEM files into a temporary directory.
pub struct Pki {
    pub dir: tempfile::TempDir,
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    /// A second CA that signed nothing here: trusting it alone must fail.
    pub other_ca: PathBuf,
}

impl Pki {
    pub fn generate() -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
        let dir = tempfile::tempdir().unwrap();
        let ca_params = |name: &str| {
            let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.distinguished_name.push(DnType::CommonName, name);
            params
        };
        let ca_key = KeyPair::generate().unwrap();
        let ca = CertifiedIssuer::self_signed(ca_params("tbt test CA"), ca_key).unwrap();
        let other_key = KeyPair::generate().unwrap();
        let other = CertifiedIssuer::self_signed(ca_params("tbt other CA"), other_key).unwrap();

        let server_key = KeyPair::generate().unwrap();
        let server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&server_key, &ca)
            .unwrap();
        let client_key = KeyPair::generate().unwrap();
        let mut client_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        client_params
            .distinguished_name
            .push(DnType::CommonName, "tbt test client");
        let client = client_params.signed_by(&client_key, &ca).unwrap();

        let write = |name: &str, text: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        Pki {
            ca: write("ca.pem", ca.pem()),
            other_ca: write("other-ca.pem", other.pem()),
            server_cert: write("server.pem", server.pem()),
            server_key: write("server.key", server_key.serialize_pem()),
            client_cert: write("client.pem", client.pem()),
            client_key: write("client.key", client_key.serialize_pem()),
            dir,
        }
    }

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::aws_lc_rs::default_provider())
    }

    /// A server config with our server certificate; with `require_client`, only clients with
    /// a certificate from our CA get in.
    pub fn server_config(&self, require_client: bool, alpn: &[&[u8]]) -> rustls::ServerConfig {
        let certs = load_certs(&self.server_cert);
        let key = PrivateKeyDer::from_pem_file(&self.server_key).unwrap();
        let builder = rustls::ServerConfig::builder_with_provider(Self::provider())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if require_client {
            let mut roots = rustls::RootCertStore::empty();
            for cert in load_certs(&self.ca) {
                roots.add(cert).unwrap();
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                Self::provider(),
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let mut config = builder.with_single_cert(certs, key).unwrap();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        config
    }
}

fn load_certs(path: &Path) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// Serves the echo router over HTTPS with `config`.
pub async fn https_server(config: rustls::ServerConfig) -> SocketAddr {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(stream).await else {
                    return;
                };
                let service = TowerToHyperService::new(http_router());
                let _ = Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    addr
}

// ---------------------------------------------------------------------------------------
// gRPC

/// The test protos' directory.
pub fn protos_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/protos")
}

/// The Greeter's `.proto` file.
pub fn greeter_proto() -> PathBuf {
    protos_dir().join("tbt/test/v1/greeter.proto")
}

/// The test protos compiled with protox, imports included: (pool, encoded descriptor set).
pub fn compiled_protos() -> (DescriptorPool, Vec<u8>) {
    let mut compiler = protox::Compiler::new([protos_dir()]).unwrap();
    compiler.include_imports(true);
    compiler.open_file("tbt/test/v1/greeter.proto").unwrap();
    (
        compiler.descriptor_pool(),
        compiler.encode_file_descriptor_set(),
    )
}

/// Which reflection services the gRPC test server offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reflection {
    None,
    V1,
    V1Alpha,
}

/// Serves the Greeter (and reflection) on 127.0.0.1, plaintext or with `tls`.
pub async fn grpc_server(reflection: Reflection, tls: Option<(&Pki, bool)>) -> SocketAddr {
    let (pool, descriptor_set) = compiled_protos();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    let mut builder = tonic::transport::Server::builder();
    if let Some((pki, require_client)) = tls {
        let cert = std::fs::read(&pki.server_cert).unwrap();
        let key = std::fs::read(&pki.server_key).unwrap();
        let mut config = tonic::transport::ServerTlsConfig::new()
            .identity(tonic::transport::Identity::from_pem(cert, key));
        if require_client {
            let ca = std::fs::read(&pki.ca).unwrap();
            config = config.client_ca_root(tonic::transport::Certificate::from_pem(ca));
        }
        builder = builder.tls_config(config).unwrap();
    }
    let greeter = Greeter { pool };
    let mut router = builder.add_service(greeter);
    let reflection_builder = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(&descriptor_set)
    };
    match reflection {
        Reflection::None => {}
        Reflection::V1 => {
            router = router.add_service(reflection_builder().build_v1().unwrap());
        }
        Reflection::V1Alpha => {
            router = router.add_service(reflection_builder().build_v1alpha().unwrap());
        }
    }
    tokio::spawn(async move {
        let _ = router.serve_with_incoming(incoming).await;
    });
    addr
}

/// A gRPC service answered from descriptors: no generated code.
#[derive(Clone)]
struct Greeter {
    pool: DescriptorPool,
}

impl tonic::server::NamedService for Greeter {
    const NAME: &'static str = "tbt.test.v1.Greeter";
}

type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

impl tower::Service<axum::http::Request<tonic::body::Body>> for Greeter {
    type Response = axum::http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<tonic::body::Body>) -> Self::Future {
        let pool = self.pool.clone();
        Box::pin(async move {
            let name = request
                .uri()
                .path()
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string();
            let method = pool
                .get_service_by_name("tbt.test.v1.Greeter")
                .and_then(|s| s.methods().find(|m| m.name() == name));
            let Some(method) = method else {
                return Ok(tonic::Status::unimplemented("no such method").into_http());
            };
            let codec = ServerCodec(method.input());
            let mut grpc = tonic::server::Grpc::new(codec);
            let handler = Handler {
                method: name,
                output: method.output(),
            };
            Ok(grpc.unary(handler, request).await)
        })
    }
}

struct Handler {
    method: String,
    output: MessageDescriptor,
}

impl tonic::server::UnaryService<DynamicMessage> for Handler {
    type Response = DynamicMessage;
    type Future = BoxFuture<Result<tonic::Response<DynamicMessage>, tonic::Status>>;

    fn call(&mut self, request: tonic::Request<DynamicMessage>) -> Self::Future {
        let method = self.method.clone();
        let output = self.output.clone();
        Box::pin(async move {
            if method == "Hang" {
                std::future::pending::<()>().await;
            }
            let mut seen = Vec::new();
            for entry in request.metadata().iter() {
                if let tonic::metadata::KeyAndValueRef::Ascii(key, value) = entry {
                    seen.push(PValue::String(format!(
                        "{}={}",
                        key.as_str(),
                        value.to_str().unwrap_or("?")
                    )));
                }
            }
            let message = request.into_inner();
            let get = |field: &str| message.get_field_by_name(field).map(|v| v.into_owned());
            let code = get("fail_with_code").and_then(|v| v.as_i32()).unwrap_or(0);
            if code != 0 {
                let fail = get("fail_message")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let mut status = tonic::Status::new(tonic::Code::from_i32(code), fail);
                status
                    .metadata_mut()
                    .insert("x-failure-detail", "as requested".parse().unwrap());
                return Err(status);
            }
            let name = get("name")
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let mut reply = DynamicMessage::new(output);
            reply.set_field_by_name("greeting", PValue::String(format!("hello, {name}")));
            if let Some(times) = get("times") {
                reply.set_field_by_name("times", times);
            }
            if let Some(mood) = get("mood") {
                reply.set_field_by_name("mood", mood);
            }
            reply.set_field_by_name("seen_metadata", PValue::List(seen));
            let mut response = tonic::Response::new(reply);
            response
                .metadata_mut()
                .insert("x-greeter-version", "7".parse().unwrap());
            response.metadata_mut().insert_bin(
                "x-raw-bin",
                tonic::metadata::MetadataValue::from_bytes(b"\x00\x01"),
            );
            Ok(response)
        })
    }
}

/// Decodes requests of one type and encodes any dynamic message.
#[derive(Clone)]
struct ServerCodec(MessageDescriptor);

struct ServerEncoder;
struct ServerDecoder(MessageDescriptor);

impl tonic::codec::Codec for ServerCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = ServerEncoder;
    type Decoder = ServerDecoder;
    fn encoder(&mut self) -> ServerEncoder {
        ServerEncoder
    }
    fn decoder(&mut self) -> ServerDecoder {
        ServerDecoder(self.0.clone())
    }
}

impl tonic::codec::Encoder for ServerEncoder {
    type Item = DynamicMessage;
    type Error = tonic::Status;
    fn encode(
        &mut self,
        item: DynamicMessage,
        dst: &mut tonic::codec::EncodeBuf<'_>,
    ) -> Result<(), tonic::Status> {
        item.encode(dst)
            .map_err(|e| tonic::Status::internal(e.to_string()))
    }
}

impl tonic::codec::Decoder for ServerDecoder {
    type Item = DynamicMessage;
    type Error = tonic::Status;
    fn decode(
        &mut self,
        src: &mut tonic::codec::DecodeBuf<'_>,
    ) -> Result<Option<DynamicMessage>, tonic::Status> {
        DynamicMessage::decode(self.0.clone(), src)
            .map(Some)
            .map_err(|e| tonic::Status::internal(e.to_string()))
    }
}
