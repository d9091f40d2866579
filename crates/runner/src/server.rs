//! The system under test, started from `tbt.toml`'s `[server]` section before the tests and
//! stopped after them, like Playwright's `webServer`.
//!
//! The command runs in its own process group with the OpenTelemetry environment pointing at
//! the embedded receiver. tbt waits until `ready_url` answers (any status below 500), failing
//! early when the command exits. Stopping sends SIGTERM to the whole group, then SIGKILL after
//! a grace period, so the children of the command stop too; dropping a [`Server`] kills the
//! group at once (an error path, a panic). On Linux the command also dies with tbt
//! (`PR_SET_PDEATHSIG`), even when tbt is killed with SIGKILL.

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tbt_config::{Command as ConfigCommand, ServerSection};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::time::Instant;

/// How many lines of the server's output are kept for error messages.
const KEPT_LINES: usize = 40;

/// How long the server gets to stop after SIGTERM.
const GRACE: Duration = Duration::from_secs(5);

/// A running system under test.
pub struct Server {
    child: Option<Child>,
    pgid: Option<i32>,
    log: Arc<Mutex<VecDeque<String>>>,
    readers: Vec<tokio::task::JoinHandle<()>>,
    described: String,
}

/// The server could not start or did not become ready.
#[derive(Debug)]
pub struct ServerError {
    /// What happened, with the tail of the server's output.
    pub message: String,
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The environment that points a system at the receiver: OTLP over HTTP/protobuf (the
/// OpenTelemetry default), every trace sampled, batches flushed quickly. `grpc` and `http`
/// are the receiver's endpoints (`http://127.0.0.1:4317`).
pub fn otel_env(grpc: Option<&str>, http: Option<&str>) -> Vec<(String, String)> {
    let mut env = Vec::new();
    if let Some(http) = http {
        env.push(("OTEL_EXPORTER_OTLP_ENDPOINT".into(), http.to_string()));
        env.push(("OTEL_EXPORTER_OTLP_PROTOCOL".into(), "http/protobuf".into()));
        env.push(("TBT_OTLP_HTTP_ENDPOINT".into(), http.to_string()));
    } else if let Some(grpc) = grpc {
        env.push(("OTEL_EXPORTER_OTLP_ENDPOINT".into(), grpc.to_string()));
        env.push(("OTEL_EXPORTER_OTLP_PROTOCOL".into(), "grpc".into()));
    }
    if let Some(grpc) = grpc {
        env.push(("TBT_OTLP_GRPC_ENDPOINT".into(), grpc.to_string()));
    }
    env.push(("OTEL_TRACES_SAMPLER".into(), "always_on".into()));
    // The SDKs' default of 5 s between batch exports would make every test wait 5 s.
    env.push(("OTEL_BSP_SCHEDULE_DELAY".into(), "20".into()));
    env
}

impl Server {
    /// Starts the server and waits until it is ready. `env` is added to the inherited
    /// environment first, then the section's own `env` (which wins).
    pub async fn start(
        section: &ServerSection,
        env: &[(String, String)],
    ) -> Result<Server, ServerError> {
        // Something already answering the ready URL is another instance (a forgotten run, a
        // developer's own): tests would run against it, with its spans going elsewhere.
        if let Some(url) = &section.ready_url
            && answers(url).await
        {
            if section.reuse_existing {
                return Ok(Server {
                    child: None,
                    pgid: None,
                    log: Arc::new(Mutex::new(VecDeque::new())),
                    readers: Vec::new(),
                    described: format!("the system already running at {url}"),
                });
            }
            return Err(ServerError {
                message: format!(
                    "{url} already answers before the server was started: another instance is \
running there, and its spans would not reach this run. Stop it, or set `reuse_existing = true` \
in [server] to test it"
                ),
            });
        }
        let (mut cmd, described) = match &section.command {
            ConfigCommand::Argv(argv) => {
                let mut c = Command::new(&argv[0]);
                c.args(&argv[1..]);
                (c, argv.join(" "))
            }
            ConfigCommand::Shell(line) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(line);
                (c, line.clone())
            }
        };
        cmd.current_dir(&section.cwd)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .envs(section.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .process_group(0);
        #[cfg(target_os = "linux")]
        // SAFETY: prctl is async-signal-safe; the closure allocates nothing.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| ServerError {
            message: format!(
                "cannot start the server `{described}` in {}: {e}",
                section.cwd.display()
            ),
        })?;
        let pgid = child.id().map(|p| p as i32);
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let mut readers = Vec::new();
        if let Some(out) = child.stdout.take() {
            readers.push(tokio::spawn(keep_lines(out, log.clone())));
        }
        if let Some(err) = child.stderr.take() {
            readers.push(tokio::spawn(keep_lines(err, log.clone())));
        }
        let mut server = Server {
            child: Some(child),
            pgid,
            log,
            readers,
            described,
        };
        if let Some(url) = &section.ready_url {
            server.wait_ready(url, section.ready_timeout).await?;
        }
        Ok(server)
    }

    /// The last lines the server printed.
    pub fn log_tail(&self) -> String {
        let log = self
            .log
            .lock()
            .map(|l| l.iter().cloned().collect::<Vec<_>>());
        log.unwrap_or_default().join("\n")
    }

    fn failure(&self, what: String) -> ServerError {
        let tail = self.log_tail();
        let message = if tail.is_empty() {
            format!("{what} (it printed nothing)")
        } else {
            let indented: Vec<String> = tail.lines().map(|l| format!("  | {l}")).collect();
            format!("{what}; its last output:\n{}", indented.join("\n"))
        };
        ServerError { message }
    }

    async fn wait_ready(&mut self, url: &str, timeout: Duration) -> Result<(), ServerError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .no_proxy()
            .build()
            .map_err(|e| ServerError {
                message: format!("cannot build an HTTP client: {e}"),
            })?;
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(20);
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                // Let the readers take in what the command printed last.
                for reader in std::mem::take(&mut self.readers) {
                    let _ = tokio::time::timeout(Duration::from_secs(1), reader).await;
                }
                return Err(self.failure(format!(
                    "the server `{}` exited ({status}) before {url} answered",
                    self.described
                )));
            }
            match client.get(url).send().await {
                Ok(resp) if resp.status().as_u16() < 500 => return Ok(()),
                _ => {}
            }
            if Instant::now() >= deadline {
                return Err(self.failure(format!(
                    "the server `{}` was not ready after {}: {url} did not answer",
                    self.described,
                    humanize(timeout)
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    /// Stops the server and its children: SIGTERM to the process group, SIGKILL after a grace
    /// period.
    pub async fn stop(mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Some(pgid) = self.pgid {
            signal_group(pgid, libc::SIGTERM);
            if tokio::time::timeout(GRACE, child.wait()).await.is_err() {
                signal_group(pgid, libc::SIGKILL);
                let _ = child.wait().await;
            }
            // Children that outlived the leader get the same treatment.
            signal_group(pgid, libc::SIGKILL);
        } else {
            let _ = child.kill().await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.is_some()
            && let Some(pgid) = self.pgid
        {
            signal_group(pgid, libc::SIGKILL);
        }
    }
}

fn signal_group(pgid: i32, signal: i32) {
    if pgid > 1 {
        // SAFETY: kill(2) with a negative pid signals the process group; no memory is shared.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

/// Whether `url` answers with a status below 500 within a moment.
async fn answers(url: &str) -> bool {
    let Ok(client) = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .no_proxy()
        .build()
    else {
        return false;
    };
    matches!(client.get(url).send().await, Ok(r) if r.status().as_u16() < 500)
}

async fn keep_lines(stream: impl AsyncRead + Unpin, log: Arc<Mutex<VecDeque<String>>>) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Ok(mut log) = log.lock() {
            if log.len() == KEPT_LINES {
                log.pop_front();
            }
            log.push_back(line);
        }
    }
}

/// `1.5s`, `250ms`, `2m`.
pub fn humanize(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}
