//! The `tbt` binary, for tests that run it as a subprocess.
//!
//! `TBT_BIN` names a binary to use as is. Otherwise `tbt` is built once per test process with
//! cargo, in the profile and target directory of the running test binary, so a `cargo test`
//! that already built it finds it fresh at once.

use crate::node;
use crate::workspace_root;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The `tbt` binary: `TBT_BIN`, or built (once per process) with cargo into this test's
/// target directory. The error carries cargo's output.
pub fn tbt() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(build).clone()
}

fn build() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("TBT_BIN") {
        return Ok(PathBuf::from(path));
    }
    let profile_dir = node::profile_dir()?;
    let target_dir = node::target_dir()?;
    // `cargo test` puts its binaries in `debug/` for the `dev` profile.
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_string(),
        Some(name) => name.to_string(),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    node::run(
        Command::new(cargo)
            .args(["build", "--quiet", "-p", "tbt", "--bin", "tbt"])
            .arg("--profile")
            .arg(&profile)
            .arg("--target-dir")
            .arg(&target_dir)
            .arg("--manifest-path")
            .arg(workspace_root().join("Cargo.toml")),
    )?;
    let binary = profile_dir.join(format!("tbt{}", std::env::consts::EXE_SUFFIX));
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!("cargo built tbt, but not at {}", binary.display()))
    }
}
