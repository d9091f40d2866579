//! `tbt run`: fires each test's trigger with a fresh W3C trace context, waits for the test's
//! trace to be complete (no polling: the embedded receiver wakes the runner on every batch),
//! evaluates the test's plan on it, and hands back an outcome per test.
//!
//! The runner sees plans, never the syntax tree. Tests outside suites run in parallel (up to
//! [`Settings::jobs`] at a time); the tests of a suite run in order, one after the other, and
//! pass their outputs along ([`tbt_engine::Carried`]). Each test subscribes to its own trace id
//! before it fires, so any number of tests share one receiver and each sees exactly its own
//! spans.
//!
//! Reports (pretty, JSON, JUnit) are the CLI's business; this crate only produces
//! [`TestOutcome`]s.

#![warn(missing_docs)]

pub mod complete;
pub mod inputs;
pub mod own_span;
mod schedule;
pub mod server;
mod test;
pub mod wait;

pub use schedule::{Unit, run};
pub use test::{Problem, TestOutcome, Timings};

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tbt_plan::FilePlan;

/// The default longest wait for a trace.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The default settle window: how long no span must arrive for a trace to count as complete.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(250);

/// A planned file.
#[derive(Debug)]
pub struct PlannedFile {
    /// Its path, as given.
    pub path: PathBuf,
    /// Its folder: relative paths in triggers are relative to it.
    pub dir: PathBuf,
    /// Its plan.
    pub plan: FilePlan,
}

/// Where traces come from.
#[derive(Clone)]
pub enum Source {
    /// The embedded OTLP receiver.
    Receiver(Arc<tbt_collect::RunningReceiver>),
    /// A trace backend, polled with backoff.
    Backend(Arc<tbt_backend::Backend>),
}

/// How tests run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How many tests (or suites) run at once.
    pub jobs: usize,
    /// Stop starting tests after the first failure.
    pub fail_fast: bool,
    /// The longest wait for a trace, unless a test says `wait timeout`.
    pub timeout: Duration,
    /// The settle window, unless a test says `wait settle`.
    pub settle: Duration,
    /// The environment tests read (`env.NAME`).
    pub env: HashMap<String, String>,
    /// The clock-skew tolerance of `->`, in nanoseconds.
    pub clock_skew_nanos: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            jobs: 8,
            fail_fast: false,
            timeout: DEFAULT_TIMEOUT,
            settle: DEFAULT_SETTLE,
            env: std::env::vars().collect(),
            clock_skew_nanos: 0,
        }
    }
}
