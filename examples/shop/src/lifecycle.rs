//! When to stop: SIGTERM, SIGINT, or the end of standard input when it is a pipe.
//!
//! The supervisor gives each child a pipe as its standard input and never writes to it. When
//! the supervisor goes away, even killed with SIGKILL, the pipe closes and the child sees the
//! end of its input and stops: no orphans. A standard input that is not a pipe (a terminal,
//! `/dev/null`) is not watched, so `tbt-shop < /dev/null` keeps running.

use std::fs::File;
use std::io::Read as _;
use std::os::fd::AsFd as _;
use std::os::unix::fs::FileTypeExt as _;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::oneshot;

/// Why the process is stopping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// SIGTERM.
    Terminated,
    /// SIGINT (Ctrl-C).
    Interrupted,
    /// The standard-input pipe was closed: the parent is gone or wants us to stop.
    InputClosed,
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopReason::Terminated => "SIGTERM",
            StopReason::Interrupted => "SIGINT",
            StopReason::InputClosed => "standard input closed",
        })
    }
}

/// Whether standard input is a pipe (and so worth watching for its end).
pub fn stdin_is_pipe() -> bool {
    let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() else {
        return false;
    };
    File::from(fd)
        .metadata()
        .map(|m| m.file_type().is_fifo())
        .unwrap_or(false)
}

/// Resolves when the process should stop. Call it once per process: it installs the signal
/// handlers and, when standard input is a pipe, a thread that reads it to its end.
pub async fn stop_requested() -> StopReason {
    let (closed_tx, closed_rx) = oneshot::channel::<()>();
    if stdin_is_pipe() {
        std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            let mut stdin = std::io::stdin().lock();
            while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
            let _ = closed_tx.send(());
        });
    } else {
        // Keep the sender alive forever: the input never "closes".
        std::mem::forget(closed_tx);
    }
    let input_closed = async {
        if closed_rx.await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(t), Ok(i)) => (t, i),
        _ => {
            eprintln!("tbt-shop: cannot install signal handlers; stop with the input pipe only");
            input_closed.await;
            return StopReason::InputClosed;
        }
    };
    tokio::select! {
        _ = term.recv() => StopReason::Terminated,
        _ = int.recv() => StopReason::Interrupted,
        _ = input_closed => StopReason::InputClosed,
    }
}
