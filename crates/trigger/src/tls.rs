//! TLS client settings from [`TlsOptions`]: PEM loading, and the rustls configuration of the
//! gRPC connector (the HTTP trigger hands the same files to reqwest).

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

use crate::TlsOptions;
use crate::error::{TriggerError, TriggerErrorKind};

/// The crypto provider of every TLS connection tbt makes (the one reqwest uses).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Reads a file named by a TLS option; `what` names the option in the message.
pub(crate) fn read_file(path: &Path, what: &str, target: &str) -> Result<Vec<u8>, TriggerError> {
    std::fs::read(path).map_err(|e| {
        TriggerError::new(
            TriggerErrorKind::Io,
            format!("cannot read {what} {}: {e}: {target}", path.display()),
        )
    })
}

fn tls_error(message: String) -> TriggerError {
    TriggerError::new(TriggerErrorKind::Tls, message)
}

/// The certificates of a PEM file, at least one.
pub(crate) fn load_certs(
    path: &Path,
    what: &str,
    target: &str,
) -> Result<Vec<CertificateDer<'static>>, TriggerError> {
    let pem = read_file(path, what, target)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            tls_error(format!(
                "{what} {} is not PEM: {e}: {target}",
                path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(tls_error(format!(
            "{what} {} holds no certificate: {target}",
            path.display()
        )));
    }
    Ok(certs)
}

/// A client certificate chain and its private key.
pub(crate) fn load_client_cert(
    cert: &Path,
    key: &Path,
    target: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TriggerError> {
    let certs = load_certs(cert, "client certificate", target)?;
    let pem = read_file(key, "client key", target)?;
    let key = PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
        tls_error(format!(
            "client key {} holds no PEM private key ({e}): {target}",
            key.display()
        ))
    })?;
    Ok((certs, key))
}

/// The rustls configuration for `options`: the system's roots plus `ca`, or no verification
/// with `insecure`; the client certificate when set; ALPN `alpn`.
pub(crate) fn client_config(
    options: &TlsOptions,
    alpn: &[&[u8]],
    target: &str,
) -> Result<ClientConfig, TriggerError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(format!("cannot set up TLS: {e}: {target}")))?;
    let builder = if options.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(
                provider.signature_verification_algorithms,
            )))
    } else {
        let mut extra = Vec::new();
        for path in &options.ca {
            extra.extend(load_certs(path, "CA certificate", target)?);
        }
        let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
            extra,
            provider.clone(),
        )
        .map_err(|e| {
            tls_error(format!(
                "cannot load trusted certificates: {e}: {target} (add `tls ca` or `tls insecure`)"
            ))
        })?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
    };
    let mut config = match &options.client_cert {
        Some((cert, key)) => {
            let (certs, key_der) = load_client_cert(cert, key, target)?;
            builder.with_client_auth_cert(certs, key_der).map_err(|e| {
                tls_error(format!(
                    "client certificate {} does not fit key {}: {e}: {target}",
                    cert.display(),
                    key.display()
                ))
            })?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

/// `tls insecure`: accepts any server certificate, but still checks the handshake signatures
/// so the connection is at least encrypted to whoever holds the certificate's key.
#[derive(Debug)]
struct AcceptAnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
