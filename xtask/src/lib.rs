//! Project automation for tbt, run as `cargo xtask <task>`.
//!
//! The tasks are a library so that tests can run them without spawning a process.

pub mod semconv;

pub use semconv::{Error, generate_semconv};
