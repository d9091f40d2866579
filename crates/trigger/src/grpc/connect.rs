//! The gRPC connection: our own connector for plaintext (h2c) and TLS, so every failure is
//! classified (refused, DNS, TLS) and `tls insecure` is possible.

use std::sync::Arc;

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tonic::transport::{Channel, Endpoint, Uri};

use crate::TlsOptions;
use crate::error::{ConnectFailure, TriggerError, TriggerErrorKind};

/// Where to connect: the host and port of `host:port`, `http://host:port` or
/// `https://host:port`, and whether to use TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Address {
    pub host: String,
    pub port: u16,
    pub tls: bool,
}

impl Address {
    /// Parses the `ADDRESS` argument; TLS when the scheme is `https` or a TLS option is set.
    pub fn parse(address: &str, tls: &TlsOptions) -> Result<Self, TriggerError> {
        let invalid = |why: &str| {
            TriggerError::invalid(format!(
                "invalid gRPC address {address:?}: {why} (write host:port, as in \"localhost:50051\")"
            ))
        };
        let (rest, https) = if let Some(rest) = address.strip_prefix("https://") {
            (rest, true)
        } else if let Some(rest) = address.strip_prefix("http://") {
            (rest, false)
        } else if address.contains("://") {
            return Err(invalid("the scheme must be http or https"));
        } else {
            (address, false)
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = rest.rsplit_once(':').ok_or_else(|| invalid("no port"))?;
        let port: u16 = port
            .parse()
            .map_err(|_| invalid("the port is not a number"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(['/', ' ']) {
            return Err(invalid("no host"));
        }
        Ok(Address {
            host: host.to_string(),
            port,
            tls: https || tls.is_set(),
        })
    }

    /// `host:port`, with brackets around an IPv6 host.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The URI requests carry (`:scheme` and `:authority`).
    pub fn uri(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.authority())
    }
}

/// A byte stream, plain or TLS.
trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// Connects a channel eagerly, so connection failures surface before the call.
pub(crate) async fn connect(
    address: &Address,
    tls: &TlsOptions,
    target: &str,
) -> Result<Channel, TriggerError> {
    // Built before connecting, so bad certificate files are reported as such.
    let tls_config = if address.tls {
        Some(Arc::new(crate::tls::client_config(tls, &[b"h2"], target)?))
    } else {
        None
    };
    let invalid = |e: &dyn std::fmt::Display| {
        TriggerError::invalid(format!("invalid gRPC address {}: {e}", address.authority()))
    };
    // tonic refuses an https:// endpoint without its own TLS; our connector does the TLS, so
    // the endpoint says http:// and the origin gives requests their real https:// scheme.
    let mut endpoint = Endpoint::from_shared(format!("http://{}", address.authority()))
        .map_err(|e| invalid(&e))?;
    if address.tls {
        let origin: Uri = address.uri().parse().map_err(|e| invalid(&e))?;
        endpoint = endpoint.origin(origin);
    }
    let host = address.host.clone();
    let port = address.port;
    let connector = tower::service_fn(move |_: Uri| {
        let host = host.clone();
        let tls_config = tls_config.clone();
        async move {
            let stream = open(&host, port, tls_config).await?;
            Ok::<_, ConnectFailure>(TokioIo::new(stream))
        }
    });
    endpoint
        .connect_with_connector(connector)
        .await
        .map_err(|e| {
            let (kind, detail) = crate::error::classify(&e);
            TriggerError::new(kind, crate::error::message(kind, target, detail.as_deref()))
        })
}

/// Opens a TCP connection (trying every resolved address) and, with a TLS config, does the
/// handshake with ALPN `h2`.
async fn open(
    host: &str,
    port: u16,
    tls_config: Option<Arc<rustls::ClientConfig>>,
) -> Result<Box<dyn Io>, ConnectFailure> {
    let addrs: Vec<_> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| ConnectFailure {
            kind: TriggerErrorKind::Dns,
            detail: if e.kind() == std::io::ErrorKind::InvalidInput {
                e.to_string()
            } else {
                String::new()
            },
        })?
        .collect();
    let mut last = None;
    let mut tcp = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                tcp = Some(stream);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let tcp = match (tcp, last) {
        (Some(tcp), _) => tcp,
        (None, Some(e)) => return Err(io_failure(&e)),
        (None, None) => {
            return Err(ConnectFailure {
                kind: TriggerErrorKind::Dns,
                detail: "the name resolved to no address".to_string(),
            });
        }
    };
    let _ = tcp.set_nodelay(true);
    let Some(config) = tls_config else {
        return Ok(Box::new(tcp));
    };
    let name =
        rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|e| ConnectFailure {
            kind: TriggerErrorKind::Tls,
            detail: format!("{host} is not a valid TLS server name: {e}"),
        })?;
    let stream = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| {
            match e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                Some(tls) => ConnectFailure {
                    kind: TriggerErrorKind::Tls,
                    detail: tls.to_string(),
                },
                None => ConnectFailure {
                    kind: TriggerErrorKind::Tls,
                    detail: e.to_string(),
                },
            }
        })?;
    Ok(Box::new(stream))
}

fn io_failure(e: &std::io::Error) -> ConnectFailure {
    let kind = match e.kind() {
        std::io::ErrorKind::ConnectionRefused => TriggerErrorKind::ConnectionRefused,
        std::io::ErrorKind::TimedOut => TriggerErrorKind::Timeout,
        _ => TriggerErrorKind::Io,
    };
    let detail = if kind == TriggerErrorKind::Io {
        e.to_string()
    } else {
        String::new()
    };
    ConnectFailure { kind, detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_with_and_without_scheme() {
        let plain = TlsOptions::default();
        let a = Address::parse("localhost:50051", &plain).unwrap();
        assert_eq!(
            (a.host.as_str(), a.port, a.tls),
            ("localhost", 50051, false)
        );
        assert_eq!(a.uri(), "http://localhost:50051");
        let b = Address::parse("https://[::1]:443", &plain).unwrap();
        assert!(b.tls);
        assert_eq!(b.authority(), "[::1]:443");
        let insecure = TlsOptions {
            insecure: true,
            ..TlsOptions::default()
        };
        assert!(Address::parse("h:1", &insecure).unwrap().tls);
        for bad in ["localhost", "h:port", ":80", "ftp://h:1"] {
            assert!(Address::parse(bad, &plain).is_err(), "{bad}");
        }
    }
}
