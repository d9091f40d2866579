//! The OpenTelemetry SDKs of other languages, installed on first use for the receiver tests:
//! a Python virtual environment from `tests/sdks/python/requirements.txt` and the npm
//! packages of `tests/sdks/node/package-lock.json`.
//!
//! Each install runs once per machine: a lock directory (created with `create_dir`, which
//! is atomic) keeps concurrent test threads and binaries from installing at the same time,
//! and a stamp (a copy of the requirements or the lock file, written last) says the install
//! finished and matches what is asked for. A failed install panics with the installer's
//! output: a missing SDK is a test failure, never a silent skip.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::workspace_root;

/// A lock older than this is taken to be left over by a killed run.
const STALE_LOCK: Duration = Duration::from_secs(15 * 60);

/// The Python interpreter of the SDK virtual environment, `<target>/tbt-sdk-venv`,
/// created from `tests/sdks/python/requirements.txt` if it is missing or out of date.
pub fn python() -> PathBuf {
    let requirements = workspace_root().join("tests/sdks/python/requirements.txt");
    let wanted = read(&requirements);
    let venv = target_dir().join("tbt-sdk-venv");
    let stamp = venv.join("tbt-requirements.txt");
    let python = if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    };
    once(&venv.with_extension("lock"), &stamp, &wanted, || {
        if venv.exists() {
            std::fs::remove_dir_all(&venv)
                .unwrap_or_else(|e| panic!("cannot remove the stale {}: {e}", venv.display()));
        }
        let host = std::env::var("TBT_PYTHON").unwrap_or_else(|_| "python3".into());
        run(
            Command::new(&host).arg("-m").arg("venv").arg(&venv),
            "python3 -m venv",
        );
        run(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    "-q",
                    "-r",
                ])
                .arg(&requirements),
            "pip install -r tests/sdks/python/requirements.txt",
        );
    });
    python
}

/// `tests/sdks/node`, with its `node_modules` installed by `npm ci` if they are missing or
/// do not match `package-lock.json`.
pub fn node_dir() -> PathBuf {
    let dir = workspace_root().join("tests/sdks/node");
    let wanted = read(&dir.join("package-lock.json"));
    let stamp = dir.join("node_modules").join(".tbt-package-lock.json");
    let lock = target_dir().join("tbt-sdk-node.lock");
    once(&lock, &stamp, &wanted, || {
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        run(
            Command::new(npm)
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir),
            "npm ci in tests/sdks/node",
        );
    });
    dir
}

/// The cargo target directory the running test binary was built into.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            workspace_root().join(dir)
        };
    }
    // `<target>/[<triple>/]<profile>/deps/<test binary>`; cargo marks `<target>` with a
    // CACHEDIR.TAG.
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|d| d.join("CACHEDIR.TAG").is_file())
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| workspace_root().join("target"))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Runs `install` unless `stamp` already holds `wanted`, under the lock directory `lock`;
/// writes the stamp after a successful install.
fn once(lock: &Path, stamp: &Path, wanted: &[u8], install: impl FnOnce()) {
    let done = || std::fs::read(stamp).is_ok_and(|have| have == wanted);
    if done() {
        return;
    }
    let _guard = LockDir::acquire(lock);
    if done() {
        return;
    }
    install();
    std::fs::write(stamp, wanted)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", stamp.display()));
}

/// Runs a command to completion; panics with its output if it fails.
fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot start {what} ({cmd:?}): {e}"));
    if !out.status.success() {
        panic!(
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A lock held as long as its directory exists; removed on drop, also when the install
/// panics.
struct LockDir(PathBuf);

impl LockDir {
    fn acquire(path: &Path) -> LockDir {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        let started = SystemTime::now();
        loop {
            match std::fs::create_dir(path) {
                Ok(()) => return LockDir(path.to_path_buf()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|a| a > STALE_LOCK) {
                        let _ = std::fs::remove_dir(path);
                        continue;
                    }
                    if started.elapsed().is_ok_and(|w| w > 2 * STALE_LOCK) {
                        panic!("gave up waiting for the install lock {}", path.display());
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("cannot create the lock {}: {e}", path.display()),
            }
        }
    }
}

impl Drop for LockDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}
