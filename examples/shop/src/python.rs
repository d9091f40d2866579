//! The Python recommendations service: a venv created on first start, and the command that
//! runs the app under `opentelemetry-instrument`.
//!
//! The venv lives in `<target dir>/shop-venv` (or `SHOP_VENV`). Several supervisors may
//! start at once (parallel tests): a lock directory, created with `create_dir`, lets one of
//! them install while the others wait. A stamp file holding the requirements marks a finished
//! install; a venv without it is removed and made again.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// The app, compiled into the binary so the supervisor needs no source checkout.
const APP: &str = include_str!("../recommendations/app.py");
/// The pinned requirements.
const REQUIREMENTS: &str = include_str!("../recommendations/requirements.txt");

/// How long to wait for another process's install.
const LOCK_WAIT: Duration = Duration::from_secs(900);
/// A lock older than this was left by a process that died mid-install.
const STALE_LOCK: Duration = Duration::from_secs(1200);

/// Whether and how the recommendations service can run.
#[derive(Debug)]
pub enum Python {
    /// Ready: run [`Python::command`].
    Ready {
        /// The venv.
        venv: PathBuf,
    },
    /// The user asked to run without Python (`SHOP_WITHOUT_PYTHON=1`).
    Disabled(String),
    /// Python could not be set up; the reason.
    Unavailable(String),
}

impl Python {
    /// Decides, creating or updating the venv when needed. Blocks (pip may take a minute).
    pub fn prepare() -> Python {
        if std::env::var("SHOP_WITHOUT_PYTHON").is_ok_and(|v| v == "1") {
            return Python::Disabled("SHOP_WITHOUT_PYTHON=1".to_owned());
        }
        // The Python service is optional only when there is no Python at all; a Python that
        // cannot build the venv (no pip, no network) is a failure the test reports.
        if !on_path("python3") {
            return Python::Disabled("python3 is not installed".to_owned());
        }
        let venv = venv_dir();
        match ensure_venv(&venv) {
            Ok(()) => Python::Ready { venv },
            Err(reason) => Python::Unavailable(reason),
        }
    }

    /// The command that runs the app on `port`, or `None` when Python is not ready.
    pub fn command(&self, port: u16) -> Option<tokio::process::Command> {
        let Python::Ready { venv } = self else {
            return None;
        };
        let bin = venv.join("bin");
        let mut cmd = tokio::process::Command::new(bin.join("opentelemetry-instrument"));
        cmd.arg(bin.join("python"))
            .arg(venv.join("app").join("app.py"))
            .env("RECOMMENDATIONS_PORT", port.to_string())
            .env("OTEL_SERVICE_NAME", "recommendations")
            .env("OTEL_TRACES_EXPORTER", "otlp")
            .env("OTEL_METRICS_EXPORTER", "none")
            .env("OTEL_LOGS_EXPORTER", "none")
            // Only the HTTP exporter is installed.
            .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .env("OTEL_BSP_SCHEDULE_DELAY", "10")
            .env("OTEL_SEMCONV_STABILITY_OPT_IN", "http")
            .env("OTEL_PYTHON_FLASK_EXCLUDED_URLS", "health")
            .env("PYTHONUNBUFFERED", "1");
        Some(cmd)
    }
}

/// `SHOP_VENV`, or `shop-venv` in the target directory the binary was built into.
fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SHOP_VENV") {
        return PathBuf::from(dir);
    }
    // The binary is `<target>/<profile>/tbt-shop`.
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("shop-venv")))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv"))
}

/// Makes sure the venv has the pinned requirements and the current app.
fn ensure_venv(venv: &Path) -> Result<(), String> {
    let _lock = DirLock::acquire(&venv.with_extension("lock"))?;
    let stamp = venv.join(".tbt-shop-requirements");
    let installed = std::fs::read_to_string(&stamp).is_ok_and(|s| s == REQUIREMENTS);
    if !installed {
        install(venv)?;
        std::fs::write(&stamp, REQUIREMENTS)
            .map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    }
    let app_dir = venv.join("app");
    std::fs::create_dir_all(&app_dir)
        .map_err(|e| format!("cannot create {}: {e}", app_dir.display()))?;
    let app = app_dir.join("app.py");
    if std::fs::read_to_string(&app).ok().as_deref() != Some(APP) {
        std::fs::write(&app, APP).map_err(|e| format!("cannot write {}: {e}", app.display()))?;
    }
    Ok(())
}

/// Creates the venv from scratch and installs the requirements.
fn install(venv: &Path) -> Result<(), String> {
    if venv.exists() {
        std::fs::remove_dir_all(venv)
            .map_err(|e| format!("cannot remove the unfinished venv {}: {e}", venv.display()))?;
    }
    eprintln!(
        "tbt-shop: creating the Python venv for the recommendations service in {} \
         (once; pip needs network access)",
        venv.display()
    );
    run(
        Command::new("python3").arg("-m").arg("venv").arg(venv),
        "python3 -m venv",
    )?;
    let requirements = venv.join("requirements.txt");
    std::fs::write(&requirements, REQUIREMENTS)
        .map_err(|e| format!("cannot write {}: {e}", requirements.display()))?;
    run(
        Command::new(venv.join("bin").join("pip"))
            .args(["install", "--disable-pip-version-check", "--quiet", "-r"])
            .arg(&requirements),
        "pip install",
    )
}

/// Runs a setup command; its failure, with the end of its output, is the error.
fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{what}: python3 was not found on PATH"),
            _ => format!("{what} could not start: {e}"),
        })?;
    if output.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = text.lines().rev().take(8).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!(
        "{what} failed ({}): {}",
        output.status,
        tail.join("\n")
    ))
}

/// A lock held as long as a directory exists; `create_dir` is atomic.
struct DirLock(PathBuf);

impl DirLock {
    fn acquire(path: &Path) -> Result<DirLock, String> {
        let started = Instant::now();
        loop {
            match std::fs::create_dir(path) {
                Ok(()) => return Ok(DirLock(path.to_path_buf())),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if is_stale(path) {
                        let _ = std::fs::remove_dir(path);
                        continue;
                    }
                    if started.elapsed() > LOCK_WAIT {
                        return Err(format!(
                            "another process has held {} for too long; remove it if no \
                             tbt-shop is installing the venv",
                            path.display()
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => {
                    if let Some(parent) = path.parent()
                        && !parent.exists()
                        && std::fs::create_dir_all(parent).is_ok()
                    {
                        continue;
                    }
                    return Err(format!("cannot create the lock {}: {e}", path.display()));
                }
            }
        }
    }
}

fn is_stale(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > STALE_LOCK)
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Whether an executable named `program` is in one of the folders of `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let candidate = dir.join(program);
            std::fs::metadata(&candidate).is_ok_and(|m| m.is_file())
        })
    })
}
