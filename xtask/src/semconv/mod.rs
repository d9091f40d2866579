//! `cargo xtask semconv`: turn the OpenTelemetry semantic-conventions model into the
//! attribute table of `tbt-semconv` (`crates/semconv/src/generated.rs`).
//!
//! `load` reads the model's YAML (both the legacy `groups:` syntax and `definition/2`) into
//! the [`model`] types, `text` shortens briefs to their first sentence, and `emit` writes
//! the Rust table. The output depends on the model only: sorted, no timestamps.

mod emit;
mod load;
pub mod model;
mod text;

use std::fmt;
use std::path::{Path, PathBuf};

/// The model directory used when `--model` is not given, relative to the workspace root.
pub const DEFAULT_MODEL_DIR: &str = "../shared/semconv/v1.44.0/model";

/// The generated file, relative to the workspace root.
pub const OUTPUT_FILE: &str = "crates/semconv/src/generated.rs";

/// The workspace root (the parent of the xtask crate).
pub fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// Reads the model under `model_dir` and returns the text of `generated.rs`.
pub fn generate_semconv(model_dir: &Path) -> Result<String, Error> {
    let model = load::load(model_dir)?;
    Ok(emit::emit(&model))
}

/// Reads the model under `model_dir`, for inspection (tests, counts).
pub fn load_model(model_dir: &Path) -> Result<model::Model, Error> {
    load::load(model_dir)
}

/// What went wrong while generating, and in which file.
#[derive(Debug)]
pub struct Error {
    /// The file (or directory) at fault.
    pub path: PathBuf,
    /// What is wrong with it.
    pub message: String,
}

impl Error {
    fn new(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for Error {}
