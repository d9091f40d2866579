//! The triggers of `tbt run`: they start the system under test with a fresh W3C trace context.
//!
//! The runner evaluates a test's `trigger` statement into a [`TriggerSpec`] (plain data, no
//! expressions left), makes a [`TraceContext`], and calls [`fire`]. `fire` sends the request
//! (HTTP with reqwest, gRPC with tonic and dynamic protobuf messages, or a local command), with
//! the trace context injected so the system's spans join the test's trace, and returns
//!
//! - the response, as the JSON object `tbt_engine::Response::from_json` reads, and
//! - a [`TriggerSpan`]: the client span the runner records as the root of the trace.
//!
//! Failures to get any response at all (connection refused, DNS, timeout, TLS, a missing
//! program, a bad `.proto` or method) are a [`TriggerError`] with a one-line message that names
//! the target. A response that reports a failure (HTTP 500, gRPC `NOT_FOUND`, exit code 1) is
//! not an error: the test's `expect` statements judge it.

mod context;
mod error;
mod exec;
mod grpc;
mod http;
mod span;
mod tls;

use std::path::PathBuf;
use std::time::Duration;

pub use context::TraceContext;
pub use error::{TriggerError, TriggerErrorKind};
pub use span::TriggerSpan;

/// A fully evaluated trigger: what to call and how.
#[derive(Clone, Debug, PartialEq)]
pub enum TriggerSpec {
    /// `trigger http METHOD URL { ... }`
    Http(HttpSpec),
    /// `trigger grpc ADDRESS METHOD { ... }`
    Grpc(GrpcSpec),
    /// `trigger exec [PROGRAM, ARGUMENT...] { ... }`
    Exec(ExecSpec),
}

/// An HTTP request (§6.1 of the language reference).
#[derive(Clone, Debug, PartialEq)]
pub struct HttpSpec {
    /// Any method, including custom ones such as `PURGE`.
    pub method: String,
    /// An absolute `http://` or `https://` URL.
    pub url: String,
    /// Request headers in order; a name may repeat.
    pub headers: Vec<(String, String)>,
    /// Query parameters, URL-encoded and appended to the URL's own.
    pub query: Vec<(String, String)>,
    /// The request body, if any.
    pub body: Option<HttpBody>,
    /// HTTP authentication; replaces any `authorization` header.
    pub auth: Option<HttpAuth>,
    /// How long to wait for the whole response.
    pub timeout: Duration,
    /// TLS settings for `https://` URLs.
    pub tls: TlsOptions,
    /// How many redirects to follow; `0` returns the 3xx response itself.
    pub redirects: u32,
}

impl HttpSpec {
    /// A request with the defaults of §6.1: no headers, no body, a 30 s timeout, no redirects.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        HttpSpec {
            method: method.into(),
            url: url.into(),
            headers: Vec::new(),
            query: Vec::new(),
            body: None,
            auth: None,
            timeout: DEFAULT_TIMEOUT,
            tls: TlsOptions::default(),
            redirects: 0,
        }
    }
}

/// The body of an HTTP request. Each kind has a default `content-type` that a `content-type`
/// header overrides.
#[derive(Clone, Debug, PartialEq)]
pub enum HttpBody {
    /// Serialized JSON, `application/json`.
    Json(serde_json::Value),
    /// The text as-is, `text/plain; charset=utf-8`.
    Text(String),
    /// `application/x-www-form-urlencoded` pairs.
    Form(Vec<(String, String)>),
    /// The file's bytes, `application/octet-stream`. The runner resolves the path.
    File(PathBuf),
}

/// HTTP authentication.
#[derive(Clone, Debug, PartialEq)]
pub enum HttpAuth {
    /// `authorization: Basic base64(user:password)`.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// `authorization: Bearer <token>`.
    Bearer(String),
}

/// TLS settings shared by HTTP and gRPC.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TlsOptions {
    /// Extra CA certificates (PEM files) trusted in addition to the system's.
    pub ca: Vec<PathBuf>,
    /// A client certificate chain and its private key (PEM files) for mutual TLS.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// Do not verify the server's certificate at all.
    pub insecure: bool,
}

impl TlsOptions {
    /// Whether any TLS option is set (for gRPC: whether to use TLS at all).
    pub fn is_set(&self) -> bool {
        !self.ca.is_empty() || self.client_cert.is_some() || self.insecure
    }
}

/// A unary gRPC call (§6.2 of the language reference).
#[derive(Clone, Debug, PartialEq)]
pub struct GrpcSpec {
    /// `host:port`, optionally with an `http://` or `https://` scheme.
    pub address: String,
    /// `package.Service/Method`.
    pub method: String,
    /// The request message in the proto3 JSON mapping.
    pub message: serde_json::Value,
    /// Request metadata; keys ending in `-bin` take base64 values.
    pub metadata: Vec<(String, String)>,
    /// `.proto` files that define the service. The runner resolves the paths.
    pub protos: Vec<PathBuf>,
    /// Where the `.proto` files' imports are found.
    pub import_paths: Vec<PathBuf>,
    /// Ask the server for its schema (gRPC server reflection) instead of reading `protos`.
    pub reflection: bool,
    /// The call's deadline.
    pub timeout: Duration,
    /// TLS to the server; with no option set the connection is plaintext (h2c).
    pub tls: TlsOptions,
}

impl GrpcSpec {
    /// A call with the defaults of §6.2: an empty message, no metadata, a 30 s deadline,
    /// plaintext, and no schema source yet.
    pub fn new(address: impl Into<String>, method: impl Into<String>) -> Self {
        GrpcSpec {
            address: address.into(),
            method: method.into(),
            message: serde_json::Value::Object(serde_json::Map::new()),
            metadata: Vec::new(),
            protos: Vec::new(),
            import_paths: Vec::new(),
            reflection: false,
            timeout: DEFAULT_TIMEOUT,
            tls: TlsOptions::default(),
        }
    }
}

/// A local command (§6.3 of the language reference).
#[derive(Clone, Debug, PartialEq)]
pub struct ExecSpec {
    /// The program and its arguments; with `shell`, exactly one string: the command line.
    pub argv: Vec<String>,
    /// Run `sh -c <argv[0]>`.
    pub shell: bool,
    /// The working directory; a program path containing `/` is relative to it.
    pub cwd: PathBuf,
    /// Variables added to the inherited environment.
    pub env: Vec<(String, String)>,
    /// The standard input; `None` gives the command a closed stdin.
    pub stdin: Option<String>,
    /// Kill the command (and everything it started) after this long.
    pub timeout: Duration,
}

impl ExecSpec {
    /// A command with the defaults of §6.3: no shell, no extra environment, a closed stdin
    /// and a 30 s timeout.
    pub fn new(argv: Vec<String>, cwd: impl Into<PathBuf>) -> Self {
        ExecSpec {
            argv,
            shell: false,
            cwd: cwd.into(),
            env: Vec::new(),
            stdin: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// The timeout of every trigger kind when the test sets none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What a fired trigger returned.
#[derive(Clone, Debug, PartialEq)]
pub struct Fired {
    /// The response as a JSON object in exactly the shape `tbt_engine::Response::from_json`
    /// reads:
    /// - http: `status`, `headers` (an object, lower-case names, repeated values joined with
    ///   `", "`), `body` (a string, lossy UTF-8), `json` (the parsed body, only when it
    ///   parses), `duration_ms`;
    /// - grpc: `status` (the code as an int), `json` (the response message in the proto3 JSON
    ///   mapping, absent when the status is not OK), `metadata` (headers and trailers,
    ///   lower-case keys, `-bin` values in base64), `message` (the status message),
    ///   `duration_ms`. The JSON uses the `.proto` field names (`item_count`, as tests write
    ///   them), includes fields at their default value (so `== 0` works), and writes 64-bit
    ///   integers as numbers (so they compare with ints);
    /// - exec: `exit_code`, `stdout`, `stderr`, `duration_ms`.
    pub response: serde_json::Map<String, serde_json::Value>,
    /// The client span of the call, to be recorded as the root of the trace.
    pub span: TriggerSpan,
}

/// Sends the request `spec` describes with `ctx` injected (`traceparent`/`tracestate` headers
/// or metadata, `TRACEPARENT`/`TRACESTATE` variables), waits for the response within the
/// spec's timeout, and returns it with the trigger span.
///
/// Never panics on bad input and never waits past the timeout (plus a short grace period
/// to reap a killed command).
pub async fn fire(spec: &TriggerSpec, ctx: &TraceContext) -> Result<Fired, TriggerError> {
    match spec {
        TriggerSpec::Http(spec) => http::fire(spec, ctx).await,
        TriggerSpec::Grpc(spec) => grpc::fire(spec, ctx).await,
        TriggerSpec::Exec(spec) => exec::fire(spec, ctx).await,
    }
}
