//! The embedded OTLP receiver of tbt.
//!
//! [`Receiver::start`] binds a gRPC endpoint (`TraceService/Export`, gzip accepted) and an
//! HTTP endpoint (`POST /v1/traces`, `application/x-protobuf` or `application/json`,
//! `Content-Encoding: gzip` accepted), by default on ephemeral ports of 127.0.0.1.
//! Spans are routed by trace id to [`Subscription`]s ([`RunningReceiver::subscribe`]);
//! spans of other traces are counted and dropped, or kept with
//! [`ReceiverConfig::keep_unmatched`]. Invalid spans (ids of the wrong length or all zeros, an
//! end before the start) are rejected one by one and reported in the answer's
//! `partial_success`; the rest of their request goes through. Requests that cannot be
//! decoded at all are refused with HTTP 4xx / gRPC `INVALID_ARGUMENT`, too large ones with
//! 413 / `RESOURCE_EXHAUSTED`, and the receiver keeps serving. HTTP refusals carry a
//! `google.rpc.Status` in the request's encoding (protobuf or JSON). [`RunningReceiver::stats`]
//! counts everything.
//!
//! A [`Subscription`] offers the spans as OTLP batches, as a [`Trace`], or as
//! [`SpanSummary`]s (ids, parent and times) kept up to date as batches arrive, which is
//! what a completeness check needs without building a trace.

#![warn(missing_docs)]

mod config;
mod grpc;
mod http;
mod router;
mod stats;
mod validate;

use std::net::SocketAddr;
use std::sync::Arc;

use tbt_trace::{BuildError, Trace, TraceId};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{DEFAULT_MAX_REQUEST_BYTES, ReceiverConfig};
pub use router::{SpanSummary, Subscription};
pub use stats::Stats;

/// Why the receiver could not start or stopped with an error.
#[derive(Debug)]
pub enum Error {
    /// Binding a port failed.
    Bind {
        /// Which endpoint (`"grpc"` or `"http"`).
        endpoint: &'static str,
        /// The address asked for.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// A server failed while running.
    Serve {
        /// Which endpoint (`"grpc"` or `"http"`).
        endpoint: &'static str,
        /// The cause.
        message: String,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Bind {
                endpoint,
                addr,
                source,
            } => write!(
                f,
                "cannot bind the OTLP {endpoint} receiver to {addr}: {source}"
            ),
            Error::Serve { endpoint, message } => {
                write!(f, "the OTLP {endpoint} receiver failed: {message}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bind { source, .. } => Some(source),
            Error::Serve { .. } => None,
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The embedded OTLP receiver. See the crate docs.
#[derive(Debug)]
pub struct Receiver;

impl Receiver {
    /// Binds the configured endpoints and starts serving on the current tokio runtime.
    pub async fn start(config: ReceiverConfig) -> Result<RunningReceiver> {
        let router = Arc::new(router::Router::new(config.keep_unmatched));
        let bind = |endpoint: &'static str, port: u16| async move {
            let addr = SocketAddr::new(config.host, port);
            TcpListener::bind(addr).await.map_err(|source| Error::Bind {
                endpoint,
                addr,
                source,
            })
        };
        let grpc_listener = match config.grpc_port {
            Some(p) => Some(bind("grpc", p).await?),
            None => None,
        };
        let http_listener = match config.http_port {
            Some(p) => Some(bind("http", p).await?),
            None => None,
        };
        let mut tasks = Vec::new();
        let mut stops = Vec::new();
        let mut grpc_addr = None;
        let mut http_addr = None;
        let limit = config.max_request_bytes;
        if let Some(listener) = grpc_listener {
            let r = router.clone();
            let (addr, stop, task) =
                spawn_endpoint("grpc", listener, config.host, move |l, shutdown| {
                    grpc::serve(l, r, limit, shutdown)
                })?;
            grpc_addr = Some(addr);
            stops.push(stop);
            tasks.push(task);
        }
        if let Some(listener) = http_listener {
            let r = router.clone();
            let (addr, stop, task) =
                spawn_endpoint("http", listener, config.host, move |l, shutdown| {
                    http::serve(l, r, limit, shutdown)
                })?;
            http_addr = Some(addr);
            stops.push(stop);
            tasks.push(task);
        }
        Ok(RunningReceiver {
            router,
            grpc_addr,
            http_addr,
            stops,
            tasks,
        })
    }
}

/// A stop signal for an endpoint's graceful shutdown.
type Shutdown = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Starts one endpoint on its bound listener: its address, the sender that stops it, and the
/// task that serves it.
fn spawn_endpoint<F, Fut, E>(
    endpoint: &'static str,
    listener: TcpListener,
    host: std::net::IpAddr,
    serve: F,
) -> Result<(SocketAddr, oneshot::Sender<()>, JoinHandle<Result<()>>)>
where
    F: FnOnce(TcpListener, Shutdown) -> Fut,
    Fut: std::future::Future<Output = std::result::Result<(), E>> + Send + 'static,
    E: std::fmt::Display,
{
    let addr = listener.local_addr().map_err(|source| Error::Bind {
        endpoint,
        addr: SocketAddr::new(host, 0),
        source,
    })?;
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown: Shutdown = Box::pin(async {
        let _ = stopped.await;
    });
    let serving = serve(listener, shutdown);
    let task = tokio::spawn(async move {
        serving.await.map_err(|e| Error::Serve {
            endpoint,
            message: e.to_string(),
        })
    });
    Ok((addr, stop, task))
}

/// A started receiver. Dropping it stops the servers abruptly; prefer
/// [`shutdown`](RunningReceiver::shutdown).
#[derive(Debug)]
pub struct RunningReceiver {
    router: Arc<router::Router>,
    grpc_addr: Option<SocketAddr>,
    http_addr: Option<SocketAddr>,
    stops: Vec<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<Result<()>>>,
}

impl RunningReceiver {
    /// The bound gRPC address, if gRPC is enabled.
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc_addr
    }

    /// The bound HTTP address, if HTTP is enabled.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http_addr
    }

    /// The HTTP export URL (`http://ADDR/v1/traces`), if HTTP is enabled.
    pub fn http_traces_url(&self) -> Option<String> {
        self.http_addr.map(|a| format!("http://{a}/v1/traces"))
    }

    /// The gRPC endpoint URL (`http://ADDR`), if gRPC is enabled.
    pub fn grpc_endpoint(&self) -> Option<String> {
        self.grpc_addr.map(|a| format!("http://{a}"))
    }

    /// Subscribes to the spans of one trace. Several subscriptions to the same trace each
    /// get every span. With `keep_unmatched`, spans that arrived earlier are delivered at once.
    pub fn subscribe(&self, trace_id: TraceId) -> Subscription {
        self.router.subscribe(trace_id)
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        self.router.counters.snapshot()
    }

    /// The kept spans of traces nobody subscribed to (empty unless `keep_unmatched`).
    pub fn unmatched(&self) -> Result<Trace, BuildError> {
        self.router.unmatched()
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for both
    /// servers to stop.
    pub async fn shutdown(mut self) -> Result<()> {
        for s in self.stops.drain(..) {
            let _ = s.send(());
        }
        let mut result = Ok(());
        for t in self.tasks.drain(..) {
            match t.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => result = result.and(Err(e)),
                Err(e) => {
                    result = result.and(Err(Error::Serve {
                        endpoint: "task",
                        message: e.to_string(),
                    }))
                }
            }
        }
        result
    }
}

impl Drop for RunningReceiver {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}
