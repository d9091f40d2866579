//! Runs `tbt run` as a subprocess in a temporary project: a `tbt.toml` whose `[server]` starts
//! the test service (this test binary, re-executed), the fixtures, and the reports.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The longest a `tbt run` may take before the test gives up and kills it. Generous: the
/// machine may be loaded; the tests never assert on time.
const RUN_LIMIT: Duration = Duration::from_secs(180);

/// How the service exports its spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// OTLP/HTTP protobuf to `OTEL_EXPORTER_OTLP_ENDPOINT`.
    Http,
    /// OTLP/gRPC to `TBT_OTLP_GRPC_ENDPOINT`.
    Grpc,
}

/// A temporary project folder.
pub struct Project {
    dir: TempDir,
    /// The service's port (when the project has a service).
    pub port: u16,
}

/// What a `tbt run` did.
#[derive(Debug)]
pub struct Output {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Both streams, for messages and checks that do not care which.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// A port nobody listens on right now: bind an ephemeral port and let it go.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("an ephemeral port");
    listener.local_addr().expect("its address").port()
}

/// The test binary, which runs the service when `TBT_TEST_SERVICE=1`.
pub fn service_exe() -> PathBuf {
    std::env::current_exe().expect("the test binary's path")
}

/// A TOML basic string (JSON's escapes are TOML's).
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

impl Project {
    /// An empty project, without `tbt.toml`.
    pub fn bare() -> Project {
        Project {
            dir: tempfile::tempdir().expect("a temporary folder"),
            port: 0,
        }
    }

    /// A project whose `tbt.toml` starts the test service with `export` and `fault`.
    pub fn with_service(export: Export, fault: &str) -> Project {
        let project = Project {
            port: free_port(),
            ..Project::bare()
        };
        let argv: Vec<String> = [
            service_exe().display().to_string(),
            "--exact".into(),
            "service_main".into(),
            "--nocapture".into(),
        ]
        .iter()
        .map(|a| toml_string(a))
        .collect();
        let export = match export {
            Export::Http => "http",
            Export::Grpc => "grpc",
        };
        let toml = format!(
            "[run]\ntimeout = \"60s\"\n\n[server]\ncommand = [{}]\nenv = {{ TBT_TEST_SERVICE = \"1\", SERVICE_PORT = \"{port}\", SERVICE_EXPORT = \"{export}\", SERVICE_FAULT = {} }}\nready_url = \"http://127.0.0.1:{port}/health\"\nready_timeout = \"60s\"\n",
            argv.join(", "),
            toml_string(fault),
            port = project.port,
        );
        project.write("tbt.toml", &toml);
        project
    }

    /// The project folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file into the project.
    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).expect("writes a project file");
    }

    /// Copies `tests/run/fixtures/NAME` into the project.
    pub fn fixture(&self, name: &str) {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/run/fixtures")
            .join(name);
        let text = std::fs::read_to_string(&from)
            .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", from.display()));
        self.write(name, &text);
    }

    /// The service's base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `tbt run ARGS` on ephemeral receiver ports (unless ARGS name ports), without colour, in the project folder.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    /// [`run`](Self::run) with extra environment variables for tbt.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tbt"));
        cmd.arg("run").args(["--color", "never"]);
        for flag in ["--grpc-port", "--http-port"] {
            if !args.contains(&flag) {
                cmd.args([flag, "0"]);
            }
        }
        cmd.args(args)
            .current_dir(self.path())
            .env("SVC_URL", self.url())
            .env("NO_COLOR", "1")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("TBT_TEST_SERVICE")
            .envs(env.iter().copied())
            .stdin(Stdio::null());
        run_limited(cmd)
    }
}

/// Runs a command, capturing its output, killing it after [`RUN_LIMIT`].
fn run_limited(mut cmd: Command) -> Output {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("tbt starts");
    let pipe = |mut stream: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stream.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = pipe(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = pipe(Box::new(child.stderr.take().expect("piped stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits for tbt") {
            break Some(status);
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = Output {
        code: status.and_then(|s| s.code()).unwrap_or(-1),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    assert!(
        status.is_some(),
        "tbt run did not end within {RUN_LIMIT:?}:\n{}",
        output.all()
    );
    output
}

/// insta settings that hide what changes from run to run: durations, trace and span ids,
/// ports, and the project and service paths.
pub fn settings(project: &Project) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/run/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    let exe = service_exe().display().to_string();
    let dir = project.path().display().to_string();
    let filters: Vec<(String, &str)> = vec![
        (regex_escape(&exe), "[service]"),
        (regex_escape(&dir), "[project]"),
        (r"127\.0\.0\.1:\d+".into(), "127.0.0.1:[port]"),
        (r"\b[0-9a-f]{32}\b".into(), "[trace-id]"),
        (r"span[= ][0-9a-f]{16}\b".into(), "span [span-id]"),
        (
            r#""span_id": "[0-9a-f]{16}""#.into(),
            r#""span_id": "[span-id]""#,
        ),
        // Durations: `(12ms)`, `ready in 1.02s`, the summary's `· 3.41s`, span durations in
        // trees (`] 1.2ms span`), and the JSON's timings.
        (
            r"\((\d+(\.\d+)?(ms|s|µs|us|ns)|\d+m \d+s)\)".into(),
            "([duration])",
        ),
        (r"ready in \d+(\.\d+)?(ms|s)".into(), "ready in [duration]"),
        (r"· \d+(\.\d+)?(ms|s)\n".into(), "· [duration]\n"),
        (
            r"\] \d+(\.\d+)?(ns|µs|us|ms|s) span".into(),
            "] [duration] span",
        ),
        // Timings are floats; counts (the summary's `total`) are integers.
        (
            r#""(duration_ms|total|trigger|wait|eval)": \d+\.\d+"#.into(),
            r#""$1": "[ms]""#,
        ),
        // How many export requests the spans came in depends on the SDK's batching.
        (r#""requests": \d+"#.into(), r#""requests": "[count]""#),
        (
            r#""started_at_unix_ms": \d+"#.into(),
            r#""started_at_unix_ms": "[time]""#,
        ),
        (
            r#""duration": "[^"]*""#.into(),
            r#""duration": "[duration]""#,
        ),
        (r#""date": "[^"]*""#.into(), r#""date": "[date]""#),
    ];
    for (pattern, replacement) in filters {
        s.add_filter(&pattern, replacement);
    }
    s
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
