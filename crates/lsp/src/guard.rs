//! Shielding the server from its own bugs and from stale requests.
//!
//! Every request runs through [`answer`]: on a blocking thread, on a snapshot, inside
//! `catch_unwind`. A panic becomes an `InternalError` answer (the panic message is printed to
//! stderr by the panic hook and returned to the client, which logs it) and the server lives on.
//! A query cancelled because an edit arrived (`salsa::Cancelled`) becomes `ContentModified`,
//! which tells the client to ask again.

use crate::host::{Host, Snapshot};
use std::panic::AssertUnwindSafe;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};

/// Why a piece of work gave no answer.
#[derive(Debug)]
pub enum Failure {
    /// An edit arrived while it ran.
    Cancelled,
    /// It panicked; the message says where.
    Panicked(String),
}

impl Failure {
    /// The JSON-RPC error for this failure.
    pub fn into_error(self, what: &str) -> Error {
        match self {
            Failure::Cancelled => Error {
                code: ErrorCode::ContentModified,
                message: format!("{what}: the document changed, ask again").into(),
                data: None,
            },
            Failure::Panicked(message) => Error {
                code: ErrorCode::InternalError,
                message: format!("{what} failed: {message}").into(),
                data: None,
            },
        }
    }
}

/// Runs `work` on a snapshot of `host` on a blocking thread, catching panics and cancellation.
pub async fn run<T: Send + 'static>(
    host: &Host,
    work: impl FnOnce(&Snapshot) -> T + Send + 'static,
) -> std::result::Result<T, Failure> {
    let snapshot = host.snapshot();
    let joined = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(AssertUnwindSafe(|| work(&snapshot)))
    })
    .await;
    match joined {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(payload)) => Err(classify(payload)),
        Err(error) => Err(Failure::Panicked(error.to_string())),
    }
}

/// Runs `work` like [`run`] and turns a failure into the JSON-RPC error of a request named
/// `what`.
pub async fn answer<T: Send + 'static>(
    host: &Host,
    what: &str,
    work: impl FnOnce(&Snapshot) -> T + Send + 'static,
) -> Result<T> {
    run(host, work).await.map_err(|f| f.into_error(what))
}

fn classify(payload: Box<dyn std::any::Any + Send>) -> Failure {
    if payload.is::<salsa::Cancelled>() {
        return Failure::Cancelled;
    }
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    Failure::Panicked(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_is_an_error_answer_and_the_host_lives_on() {
        let host = Host::default();
        let failed = answer(&host, "hover", |_| -> u32 { panic!("boom") }).await;
        let error = failed.expect_err("a panic is an error");
        assert_eq!(error.code, ErrorCode::InternalError);
        assert!(error.message.contains("boom"), "{}", error.message);
        let cancelled = answer(&host, "hover", |_| -> u32 {
            std::panic::resume_unwind(Box::new(salsa::Cancelled::PendingWrite))
        })
        .await;
        assert_eq!(
            cancelled.map_err(|e| e.code),
            Err(ErrorCode::ContentModified)
        );
        let ok = answer(&host, "hover", |snap| snap.files().len()).await;
        assert_eq!(ok.ok(), Some(0));
    }
}
