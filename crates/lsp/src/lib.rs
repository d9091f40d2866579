//! The tbt language server. Only this crate speaks the protocol.
//!
//! `tbt lsp` runs [`run_stdio`]: LSP over standard input and output, on tower-lsp-server,
//! answering from the salsa database the CLI uses (`tbt-db`).
//!
//! * **State** ([`host`]): one database behind a mutex. Edits (`didOpen`, `didChange`,
//!   `didClose`, watched files) are applied in the notification handlers, in arrival order;
//!   requests work on a snapshot (a clone of the database) on a blocking thread, so a request
//!   never blocks an edit for long: the edit cancels it, and it answers `ContentModified`.
//! * **Workspace**: on `initialize`, every `.tbt` file under the root folders (hidden folders,
//!   `target` and `node_modules` skipped) is loaded with its `tbt.toml` environment, so `use`
//!   resolves across files and closed files count. Watched-file notifications keep it current.
//! * **Positions**: the protocol's UTF-16 positions are converted at the boundary ([`text`]);
//!   everything inside tbt counts bytes.
//! * **Diagnostics** are pushed after edits, debounced (50 ms by default; the
//!   `diagnosticsDelayMs` initialization option changes it), and also answered to
//!   `textDocument/diagnostic` requests (pull), which tests use.
//! * **Robustness** ([`guard`]): every handler runs inside `catch_unwind`; a panic is logged and
//!   answered as an error, and the server lives on.
//!
//! The features live in [`features`], each a plain function of a snapshot.

pub mod features;
pub mod guard;
pub mod host;
mod server;
pub mod text;
mod workspace;

pub use server::{Backend, DEFAULT_DEBOUNCE};
pub use tower_lsp_server;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tower_lsp_server::{ClientSocket, LspService, Server};

/// A language server service and the socket of its messages to the client, for running
/// over any transport (and for tests, which drive the service directly). The flag is set
/// once the client has asked the server to shut down.
pub fn service() -> (LspService<Backend>, ClientSocket, Arc<AtomicBool>) {
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    let (service, socket) = LspService::new(move |client| Backend::new(client, flag));
    (service, socket, shutdown)
}

/// Serves LSP over standard input and output until the client sends `exit` (or closes the
/// input). Returns the process exit code the protocol asks for: 0 when `shutdown` came before
/// `exit`, 1 otherwise; 2 when the runtime cannot start.
pub fn run_stdio() -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("tbt lsp: cannot start the async runtime: {error}");
            return 2;
        }
    };
    let shutdown = runtime.block_on(async {
        let (service, socket, shutdown) = service();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
        shutdown
    });
    // Blocking work still running for a request nobody waits for must not hold the exit.
    runtime.shutdown_background();
    if shutdown.load(Ordering::SeqCst) {
        0
    } else {
        1
    }
}
