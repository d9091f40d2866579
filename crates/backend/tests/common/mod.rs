//! A real HTTP server on 127.0.0.1 that plays a trace backend: each request gets the reply
//! a test's script gives for its 1-based number, and every request is recorded.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use tbt_backend::{Backend, BackendConfig, BackendKind, PollConfig};

/// What the server answers.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// 200 with a JSON body.
    pub fn json(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200, body).header("content-type", "application/json")
    }

    /// 200 with a protobuf body.
    pub fn proto(body: Vec<u8>) -> Reply {
        Reply::status(200, body).header("content-type", "application/protobuf")
    }

    /// Any status with a body.
    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_owned()));
        self
    }
}

/// A request the server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub headers: HeaderMap,
}

/// A running fake backend.
pub struct Server {
    pub addr: SocketAddr,
    hits: Arc<AtomicU32>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Starts a server whose reply to the n-th request (from 1) is `script(n)`.
    pub async fn start(script: impl Fn(u32) -> Reply + Send + Sync + 'static) -> Server {
        let hits = Arc::new(AtomicU32::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let app = {
            let hits = hits.clone();
            let seen = seen.clone();
            axum::Router::new().fallback(move |req: Request| {
                let n = hits.fetch_add(1, Ordering::SeqCst) + 1;
                seen.lock().unwrap().push(Seen {
                    path: req.uri().path().to_owned(),
                    headers: req.headers().clone(),
                });
                let reply = script(n);
                async move { respond(reply) }
            })
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { addr, hits, seen }
    }

    /// The base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests arrived.
    pub fn hits(&self) -> u32 {
        self.hits.load(Ordering::SeqCst)
    }

    /// The requests so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// A backend of `kind` on this server, polling fast.
    pub fn backend(&self, kind: BackendKind) -> Backend {
        Backend::new(&self.config(kind)).unwrap()
    }

    /// The configuration of [`Server::backend`].
    pub fn config(&self, kind: BackendKind) -> BackendConfig {
        let mut config = BackendConfig::new(kind, self.url());
        config.poll = Some(fast_poll());
        config
    }

    /// `text` with this server's port replaced by `PORT`, for snapshots.
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.addr.port().to_string(), "PORT")
    }
}

/// Backoff for tests: a few milliseconds, so the tests run fast; nothing asserts on time.
pub fn fast_poll() -> PollConfig {
    PollConfig {
        initial: std::time::Duration::from_millis(2),
        max: std::time::Duration::from_millis(10),
    }
}

fn respond(reply: Reply) -> Response<Body> {
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (name, value) in reply.headers {
        response
            .headers_mut()
            .append(name, HeaderValue::from_str(&value).unwrap());
    }
    if !response.headers().contains_key(header::CONTENT_TYPE) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    }
    response
}

/// A fixture of `tests/fixtures/backends/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../tests/fixtures/backends/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// A trace id from 32 hex digits.
pub fn id(hex: &str) -> [u8; 16] {
    tbt_trace::TraceId::from_hex(hex).unwrap().0
}
