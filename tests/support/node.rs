//! Node and npm for the tests that drive JavaScript tools (the VS Code extension, the protocol
//! client of the language-server test).
//!
//! Dependencies are installed on first use with `npm ci` into the package's own
//! `node_modules/` (gitignored), once: a stamp records the `package-lock.json` that was
//! installed, and a lock directory under the target directory keeps test threads and test
//! binaries that race from installing at the same time. A failed install is an error carrying
//! npm's output, for the test to fail with.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime};

/// How long a test waits for a lock held by another live process.
const LOCK_PATIENCE: Duration = Duration::from_secs(30 * 60);
/// A lock older than this is taken to be left behind, where liveness cannot be checked.
const LOCK_MAX_AGE: Duration = Duration::from_secs(60 * 60);
/// The stamp `npm_ci` leaves in `node_modules/`: the `package-lock.json` it installed.
const STAMP: &str = ".tbt-npm-ci-stamp";

/// `node`, ready for arguments.
pub fn node() -> Command {
    Command::new("node")
}

/// `npm` (`npm.cmd` on Windows), ready for arguments.
pub fn npm() -> Command {
    Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" })
}

/// The target directory of the running test binary (`<target>/<profile>/deps/<test>`).
pub fn target_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate the test binary: {e}"))?;
    exe.parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("{} is not inside a cargo target directory", exe.display()))
}

/// The profile directory of the running test binary (`<target>/<profile>`), where cargo puts
/// the workspace's binaries.
pub fn profile_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate the test binary: {e}"))?;
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("{} is not inside a cargo target directory", exe.display()))
}

/// Runs `command` and returns its output if it exits with 0; otherwise an error with the
/// command line, its exit status, and everything it printed.
pub fn run(command: &mut Command) -> Result<Output, String> {
    let line = command_line(command);
    let output = command
        .output()
        .map_err(|e| format!("cannot run `{line}`: {e}"))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(format!(
            "`{line}` failed ({})\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn command_line(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Installs the npm dependencies of the package in `dir` with `npm ci`, unless the installed
/// `node_modules/` already matches its `package-lock.json`. Safe to call from racing threads
/// and processes.
pub fn npm_ci(dir: &Path) -> Result<(), String> {
    let lock_file = dir.join("package-lock.json");
    let wanted = std::fs::read(&lock_file)
        .map_err(|e| format!("cannot read {}: {e}", lock_file.display()))?;
    let stamp = dir.join("node_modules").join(STAMP);
    let installed = || std::fs::read(&stamp).is_ok_and(|s| s == wanted);
    if installed() {
        return Ok(());
    }
    let _lock = DirLock::acquire(&lock_path(&format!("npm-ci-{}", flat_name(dir)))?)?;
    if installed() {
        // Another thread or process installed while this one waited.
        return Ok(());
    }
    run(npm()
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir))?;
    std::fs::write(&stamp, &wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
}

/// The path of the lock named `name`: `<target>/tbt-test-locks/<name>`.
pub fn lock_path(name: &str) -> Result<PathBuf, String> {
    Ok(target_dir()?.join("tbt-test-locks").join(name))
}

/// `dir` as one file name: its last components joined with `-`.
fn flat_name(dir: &Path) -> String {
    let parts: Vec<String> = dir
        .components()
        .rev()
        .take(3)
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        })
        .collect();
    parts.into_iter().rev().collect::<Vec<_>>().join("-")
}

/// A mutex between threads and processes: a directory that exists while it is held, created
/// atomically with `create_dir` and removed on drop. It holds the owner's process id, so a
/// lock left behind by a process that died is taken over.
pub struct DirLock {
    path: PathBuf,
}

impl DirLock {
    /// Waits until the lock at `path` is free and takes it.
    pub fn acquire(path: &Path) -> Result<DirLock, String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let started = Instant::now();
        loop {
            match std::fs::create_dir(path) {
                Ok(()) => {
                    // The id is for the stale-lock check only: a lock whose id cannot be
                    // written is still held, and ages out.
                    let _ = std::fs::write(path.join("pid"), std::process::id().to_string());
                    return Ok(DirLock {
                        path: path.to_path_buf(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if is_stale(path) {
                        let _ = std::fs::remove_dir_all(path);
                        continue;
                    }
                    if started.elapsed() > LOCK_PATIENCE {
                        return Err(format!(
                            "waited {} minutes for the lock {}; if no test is running, remove it",
                            LOCK_PATIENCE.as_secs() / 60,
                            path.display()
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(format!("cannot create the lock {}: {e}", path.display())),
            }
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Whether the lock at `path` was left by a process that is gone (checked through /proc where
/// there is one), or is older than an hour.
fn is_stale(path: &Path) -> bool {
    let owner = std::fs::read_to_string(path.join("pid"))
        .ok()
        .and_then(|pid| pid.trim().parse::<u32>().ok());
    let proc_fs = Path::new("/proc/self");
    if let Some(pid) = owner
        && proc_fs.exists()
    {
        return !Path::new("/proc").join(pid.to_string()).exists();
    }
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| SystemTime::now().duration_since(modified).ok())
        .is_some_and(|age| age > LOCK_MAX_AGE)
}
