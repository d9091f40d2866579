//! `tbt run [PATH...]`: runs the tests against a live system.
//!
//! 1. Finds the `.tbt` files, checks them (a file with errors stops the run: exit 2), plans
//!    them, and groups the tests into units (a test, or a suite in order), filtered by
//!    `--filter` and split by `--shard`.
//! 2. Reads `tbt.toml` (found from the first path upward): receiver ports, env file, default
//!    timeouts, `[server]`, `[backend]`.
//! 3. Starts the embedded OTLP receiver (unless a backend is configured), then the `[server]`
//!    with the OpenTelemetry environment pointing at the receiver.
//! 4. Runs the units, `-j` at a time, printing each test as it finishes.
//! 5. Stops the server (and its children) and the receiver, writes the reports.
//!
//! Exit codes: 0 every test passed (or was skipped), 1 a test failed, 2 usage, config or
//! infrastructure errors (a file with errors, a bad `tbt.toml`, a port in use, a server that
//! does not start), 130 interrupted (Ctrl-C; the server is stopped first).

mod json;
mod junit;
mod pretty;
pub mod select;

use crate::check::{FAILED, OK, USAGE};
use crate::cli::{RunArgs, RunFormat};
use crate::files::discover;
use crate::output::{Printer, use_color};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tbt_collect::{Receiver, ReceiverConfig};
use tbt_db::RootDatabase;
use tbt_diagnostics::Severity;
use tbt_engine::Verdict;
use tbt_runner::server::{Server, otel_env};
use tbt_runner::{PlannedFile, Settings, Source, TestOutcome};

/// Exit code when interrupted.
const INTERRUPTED: i32 = 130;

/// What the reports say about the run as a whole.
pub(crate) struct RunInfo {
    /// Where traces came from, for the header and the JSON report.
    pub source: String,
    /// The receiver's counters at the end, when the embedded receiver was used.
    pub stats: Option<tbt_collect::Stats>,
    /// The wall time of the run (server start included).
    pub duration: Duration,
    /// When the run started (unix milliseconds).
    pub started_unix_ms: u128,
}

fn usage(message: &str) -> i32 {
    eprintln!("error: {message}");
    USAGE
}

/// Runs `tbt run` and returns the exit code.
pub fn run(args: &RunArgs) -> i32 {
    let started = Instant::now();
    let started_unix_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    // 1. Files, checked and planned.
    let files = match load(args) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let units = select::units(&files, &args.filter, args.shard);
    let selected: usize = units.iter().map(|u| u.tests.len()).sum();
    // 2. The project file.
    let first = args
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let config = match args.config.as_ref() {
        Some(path) => tbt_config::load(path).map(Some),
        None => discover_config(&first),
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => return usage(&e.to_string()),
    };
    let mut env: HashMap<String, String> = HashMap::new();
    let mut env_file_vars = Vec::new();
    if let Some(c) = &config {
        match c.env_values() {
            Ok(values) => env_file_vars = values,
            Err(e) => return usage(&e.to_string()),
        }
    }
    // The process environment wins over the env file (CI secrets, local overrides).
    for (k, v) in &env_file_vars {
        env.insert(k.clone(), v.clone());
    }
    env.extend(std::env::vars());
    let run_section = config.as_ref().map(|c| c.run.clone()).unwrap_or_default();
    let timeout = match args.timeout.as_deref().map(tbt_config::parse_duration) {
        Some(Some(d)) => Some(d),
        Some(None) => return usage("`--timeout` is a duration such as `30s`"),
        None => run_section.timeout,
    };
    let settle = match args.settle.as_deref().map(tbt_config::parse_duration) {
        Some(Some(d)) => Some(d),
        Some(None) => return usage("`--settle` is a duration such as `250ms`"),
        None => run_section.settle,
    };
    let settings = Settings {
        jobs: args
            .jobs()
            .or(run_section.jobs)
            .unwrap_or_else(default_jobs),
        fail_fast: args.fail_fast,
        timeout: timeout.unwrap_or(tbt_runner::DEFAULT_TIMEOUT),
        settle: settle.unwrap_or(tbt_runner::DEFAULT_SETTLE),
        env,
        clock_skew_nanos: 0,
    };
    let color = use_color(args.color, std::io::stdout().is_terminal());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage(&format!("cannot start the async runtime: {e}")),
    };
    let code = runtime.block_on(async {
        tokio::select! {
            code = live(args, config.as_ref(), settings, units, selected, &env_file_vars, color, started, started_unix_ms) => code,
            signal = interrupted() => {
                eprintln!("\n{signal}: stopping the server and the receiver");
                INTERRUPTED
            }
        }
    });
    // Dropping the runtime drops the server handle, which kills its process group.
    runtime.shutdown_timeout(Duration::from_secs(5));
    code
}

/// Waits for Ctrl-C or SIGTERM (a cancelled CI job); returns which.
async fn interrupted() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return "interrupted",
                _ = term.recv() => return "terminated",
            }
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "interrupted"
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(4, |n| (n.get() * 4).clamp(4, 32))
}

fn discover_config(first: &Path) -> Result<Option<tbt_config::Config>, tbt_config::ConfigError> {
    let dir = if first.is_dir() {
        first.to_path_buf()
    } else {
        first.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    tbt_config::find(&dir)
        .map(|p| tbt_config::load(&p))
        .transpose()
}

/// Loads, checks and plans the files; on errors prints them and returns the exit code.
fn load(args: &RunArgs) -> Result<Vec<Arc<PlannedFile>>, i32> {
    let mut db = RootDatabase::new();
    let mut printer = Printer::new(crate::cli::OutputFormat::Human, args.color);
    let mut files = Vec::new();
    let mut io_errors = 0;
    for loaded in discover(&args.paths) {
        match loaded.text {
            Ok(text) => {
                let absolute =
                    std::path::absolute(&loaded.path).unwrap_or_else(|_| loaded.path.clone());
                let file = db.set_file(&absolute, text);
                files.push((loaded.path, absolute, file));
            }
            Err(d) => {
                io_errors += 1;
                printer.file(&loaded.path.display().to_string(), "", &[d]);
            }
        }
    }
    if io_errors > 0 {
        printer.finish(files.len() + io_errors, io_errors, 0);
        return Err(USAGE);
    }
    if files.is_empty() {
        eprintln!("error: no .tbt file found in {}", shown_paths(&args.paths));
        return Err(USAGE);
    }
    for (_, absolute, _) in &files {
        db.load_with_imports(absolute, |p| std::fs::read_to_string(p).ok());
    }
    let mut errors = 0;
    for (path, _, file) in &files {
        let diagnostics: Vec<_> = tbt_db::check(&db, *file)
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        if !diagnostics.is_empty() {
            errors += diagnostics.len();
            printer.file(&path.display().to_string(), file.text(&db), &diagnostics);
        }
    }
    if errors > 0 {
        printer.finish(files.len(), errors, 0);
        eprintln!("error: fix the errors above before running (`tbt check` lists them)");
        return Err(USAGE);
    }
    Ok(files
        .into_iter()
        .map(|(path, absolute, file)| {
            let plan = tbt_plan::plan_file(&db, file);
            let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
            Arc::new(PlannedFile { path, dir, plan })
        })
        .collect())
}

fn shown_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "the current folder".into();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Starts the receiver and the server, runs, stops, reports.
#[allow(clippy::too_many_arguments)]
async fn live(
    args: &RunArgs,
    config: Option<&tbt_config::Config>,
    settings: Settings,
    units: Vec<tbt_runner::Unit>,
    selected: usize,
    env_file_vars: &[(String, String)],
    color: bool,
    started: Instant,
    started_unix_ms: u128,
) -> i32 {
    // The trace source.
    let (source, receiver, source_text) = match config.and_then(|c| c.backend.as_ref()) {
        Some(table) => {
            let table = expand_headers(table, &settings.env);
            let backend = match tbt_backend::BackendConfig::from_toml(&table)
                .and_then(|c| tbt_backend::Backend::new(&c))
            {
                Ok(b) => b,
                Err(e) => return usage(&format!("[backend] in tbt.toml: {}", e.message)),
            };
            let text = format!(
                "backend {} at {}",
                table.get("kind").and_then(|v| v.as_str()).unwrap_or("?"),
                table.get("url").and_then(|v| v.as_str()).unwrap_or("?")
            );
            (Source::Backend(Arc::new(backend)), None, text)
        }
        None => {
            let section = config.map(|c| c.receiver.clone()).unwrap_or_default();
            let host = match section.host.parse() {
                Ok(h) => h,
                Err(_) => {
                    return usage(&format!(
                        "[receiver] host `{}` is not an IP address",
                        section.host
                    ));
                }
            };
            let receiver_config = ReceiverConfig {
                host,
                grpc_port: Some(args.grpc_port.unwrap_or(section.grpc_port)),
                http_port: Some(args.http_port.unwrap_or(section.http_port)),
                max_request_bytes: section
                    .max_request_bytes
                    .unwrap_or(tbt_collect::DEFAULT_MAX_REQUEST_BYTES),
                keep_unmatched: args.keep_unmatched || section.keep_unmatched,
            };
            let receiver = match Receiver::start(receiver_config).await {
                Ok(r) => Arc::new(r),
                Err(e) => {
                    return usage(&format!(
                        "cannot start the OTLP receiver: {e} (set other ports with --grpc-port/--http-port or [receiver] in tbt.toml; 0 picks a free one)"
                    ));
                }
            };
            let text = format!(
                "embedded OTLP receiver: grpc {}, http {}",
                receiver.grpc_addr().map_or("off".into(), |a| a.to_string()),
                receiver.http_addr().map_or("off".into(), |a| a.to_string()),
            );
            (Source::Receiver(receiver.clone()), Some(receiver), text)
        }
    };
    let pretty = args.format == RunFormat::Pretty;
    if pretty {
        println!(
            "tbt run: {} in {} · {}",
            crate::verdicts::plural(selected, "test"),
            crate::verdicts::plural(
                units
                    .iter()
                    .map(|u| u.file.path.clone())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                "file"
            ),
            source_text
        );
    }
    // The system under test.
    let mut server = None;
    if let Some(section) = config
        .and_then(|c| c.server.as_ref())
        .filter(|_| !args.no_server)
    {
        let mut env: Vec<(String, String)> = env_file_vars.to_vec();
        if let Some(r) = &receiver {
            env.extend(otel_env(
                r.grpc_endpoint().as_deref(),
                r.http_addr().map(|a| format!("http://{a}")).as_deref(),
            ));
        }
        let t = Instant::now();
        if pretty {
            println!(
                "server: starting `{}` …",
                describe_command(&section.command)
            );
        }
        match Server::start(section, &env).await {
            Ok(s) => {
                if pretty {
                    println!("server: ready in {}", pretty::duration(t.elapsed()));
                }
                server = Some(s);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return USAGE;
            }
        }
    }
    if pretty {
        println!();
    }
    // Run.
    let total = selected;
    let printer = Arc::new(Mutex::new(pretty::Live::new(total, color)));
    let on_done: Arc<dyn Fn(&TestOutcome) + Send + Sync> = {
        let printer = printer.clone();
        Arc::new(move |outcome: &TestOutcome| {
            if pretty && let Ok(mut p) = printer.lock() {
                p.finished(outcome);
            }
        })
    };
    let outcomes = tbt_runner::run(units, Arc::new(settings), source, on_done).await;
    // Stop.
    if let Some(s) = server {
        s.stop().await;
    }
    let stats = receiver.as_ref().map(|r| r.stats());
    if let Some(r) = receiver
        && let Ok(r) = Arc::try_unwrap(r)
    {
        let _ = r.shutdown().await;
    }
    let info = RunInfo {
        source: source_text,
        stats,
        duration: started.elapsed(),
        started_unix_ms,
    };
    // Report.
    match args.format {
        RunFormat::Pretty => print!("{}", pretty::summary(&outcomes, &info)),
        RunFormat::Json => {
            let doc = json::document(&outcomes, &info);
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    if let Some(path) = &args.junit {
        let xml = junit::document(&outcomes, &info);
        if let Err(e) = std::fs::write(path, xml) {
            return usage(&format!(
                "cannot write the JUnit report `{}`: {e}",
                path.display()
            ));
        }
    }
    if outcomes.iter().any(|o| o.verdict == Verdict::Fail) {
        FAILED
    } else {
        OK
    }
}

/// `${NAME}` in the values of `[backend] headers` reads the environment, so credentials stay
/// out of `tbt.toml`: `headers = { Authorization = "Bearer ${JAEGER_TOKEN}" }`.
fn expand_headers(table: &toml::Table, env: &HashMap<String, String>) -> toml::Table {
    let mut table = table.clone();
    if let Some(toml::Value::Table(headers)) = table.get_mut("headers") {
        for (_, value) in headers.iter_mut() {
            if let toml::Value::String(text) = value {
                let expanded = expand(text, env);
                *text = expanded;
            }
        }
    }
    table
}

fn expand(text: &str, env: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find('}') {
            Some(end) => {
                let name = &rest[start + 2..start + 2 + end];
                out.push_str(env.get(name).map_or("", String::as_str));
                rest = &rest[start + 3 + end..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn describe_command(c: &tbt_config::Command) -> String {
    match c {
        tbt_config::Command::Argv(argv) => argv.join(" "),
        tbt_config::Command::Shell(line) => line.clone(),
    }
}
