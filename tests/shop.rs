//! The demo shop (`examples/shop`) end to end through the real `tbt` binary.
//!
//! Every test here runs `tbt run examples/shop` as a subprocess, which starts the real shop (its
//! `[server]` is `cargo run --release --quiet -p tbt-shop`: five Rust services and a Python one)
//! on its fixed loopback ports, runs the shop's `.tbt` files against it and stops it:
//!
//! - the healthy shop passes all eight tests, and the JUnit report says so;
//! - each fault of `SHOP_FAULTS` fails exactly the test written for it, with a clear message;
//! - the exit codes: 0 healthy, 1 with a fault, 2 for a bad invocation or a `[server]` that
//!   exits at once, 130 when interrupted;
//! - no process of the shop outlives `tbt run`: after a pass, a failure, a SIGINT and a
//!   SIGKILL.
//!
//! The shop's ports are fixed (`examples/shop/shop.env`), so the runs take turns: a static mutex
//! between the threads of this binary and a lock directory between processes. Every process a
//! run starts inherits a variable unique to that run ([`RUN_MARKER`]), which is how the checks
//! find the run's own processes in `/proc` and nobody else's.
//!
//! The first run builds the shop in release mode into this test's target directory (minutes on
//! a cold machine) and creates its Python venv; later runs take a few seconds each.

#![cfg(unix)]

use regex::Regex;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tbt_tests::node::{self, DirLock};
use tbt_tests::{tbt_bin, workspace_root};

/// The variable set, with a value unique to the run, on every `tbt` this file starts; the
/// shop's processes inherit it.
const RUN_MARKER: &str = "TBT_SHOP_E2E_RUN";
/// How long one run may take before the test kills it and fails: a cold release build of the
/// shop and the first install of its Python packages take minutes. Not a timing assertion,
/// a guard against a hung run.
const RUN_LIMIT: Duration = Duration::from_secs(30 * 60);
/// How long the shop's processes and ports get to go away after `tbt run` returned (process
/// exit is asynchronous), or to be freed by someone else before a run.
const CLEANUP_PATIENCE: Duration = Duration::from_secs(20);
/// The same after tbt was killed, when the shop's processes find out by themselves.
const KILLED_PATIENCE: Duration = Duration::from_secs(60);
/// The tests of the shop, as `tbt run` counts them.
const SHOP_TESTS: usize = 8;

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn the_healthy_shop_passes_every_test() {
    let _slot = ShopSlot::take();
    let junit = scratch_dir("healthy").join("junit.xml");
    let run = Run::to_end(tbt_run(None).arg("--junit").arg(&junit));

    assert_eq!(run.code, Some(0), "a healthy run exits 0\n{run}");
    let passed: Vec<&str> = run.stdout.lines().filter(|l| is_verdict(l, '✓')).collect();
    assert_eq!(passed.len(), SHOP_TESTS, "{SHOP_TESTS} ✓ lines\n{run}");
    assert!(!run.stdout.contains('✗'), "nothing fails\n{run}");
    let mut titles: Vec<String> = passed.iter().map(|l| normalize(l)).collect();
    titles.sort_by_key(|l| title_of(l).to_string());
    insta::assert_snapshot!("healthy_titles", titles.join("\n"));

    let xml = read_junit(&junit);
    let report = ok(junit_outline(&xml));
    insta::assert_snapshot!("healthy_junit", report);
    let failures = ok(junit_failures(&xml));
    assert!(failures.is_empty(), "no <failure> in a passing run\n{xml}");

    run.assert_shop_gone(CLEANUP_PATIENCE);
}

#[test]
fn double_ship_fails_only_the_shipping_test() {
    fault_fails_exactly("double-ship", None, "an order is shipped exactly once");
}

#[test]
fn n_plus_one_fails_only_the_read_back_test() {
    fault_fails_exactly(
        "n-plus-one",
        Some("an order can be read back"),
        "read it back with one query",
    );
}

#[test]
fn slow_payment_fails_only_the_payment_test() {
    fault_fails_exactly(
        "slow-payment",
        None,
        "the card is charged once, for the right amount, quickly",
    );
}

#[test]
fn skip_inventory_fails_only_the_stock_test() {
    fault_fails_exactly("skip-inventory", None, "the stock is reserved");
}

#[test]
fn swallowed_error_fails_only_the_silent_failure_test() {
    fault_fails_exactly("swallowed-error", None, "nothing fails silently");
}

/// What a person sees when a fault is on: the pretty report, with what varies from run to run
/// redacted and the tests (which run in parallel and finish in any order) sorted by title.
#[test]
fn a_fault_reads_clearly_in_the_pretty_report() {
    let _slot = ShopSlot::take();
    let run = Run::to_end(&mut tbt_run(Some("n-plus-one")));

    assert_eq!(run.code, Some(1), "a failing run exits 1\n{run}");
    insta::assert_snapshot!("n_plus_one_pretty", pretty_report(&run.stdout));
    run.assert_shop_gone(CLEANUP_PATIENCE);
}

#[test]
fn an_interrupted_run_stops_the_shop_and_exits_130() {
    let _slot = ShopSlot::take();
    let live = Live::until_ready(&mut tbt_run(None));
    let run = live.signal(libc::SIGINT);
    assert_eq!(run.code, Some(130), "an interrupted run exits 130\n{run}");
    assert!(
        run.stderr
            .contains("interrupted: stopping the server and the receiver"),
        "tbt says why it stopped\n{run}"
    );
    run.assert_shop_gone(CLEANUP_PATIENCE);
}

/// `tbt` killed outright cannot stop anything itself: the shop dies with it (the server's
/// parent-death signal, then the supervisor's pipes to its services close).
#[test]
fn a_killed_run_leaves_no_shop_behind() {
    let _slot = ShopSlot::take();
    let live = Live::until_ready(&mut tbt_run(None));
    let run = live.signal(libc::SIGKILL);
    assert_eq!(run.code, None, "SIGKILL ends tbt\n{run}");
    // The Python service flushes its spans to the receiver that is gone before it exits,
    // which its exporter retries for a while.
    run.assert_shop_gone(KILLED_PATIENCE);
}

#[test]
fn a_bad_shard_is_a_usage_error() {
    let run = Run::to_end(tbt_run(None).args(["--shard", "3/2"]));
    assert_eq!(run.code, Some(2), "a bad --shard exits 2\n{run}");
    assert!(
        run.stdout.is_empty(),
        "no report for a bad invocation\n{run}"
    );
    insta::assert_snapshot!("bad_shard_stderr", run.stderr);
}

#[test]
fn a_server_that_exits_at_once_is_an_infrastructure_error() {
    let dir = scratch_dir("server-exits");
    // A port nothing listens on, so only the command's exit can end the wait.
    let closed = ok(free_port());
    let config = dir.join("tbt.toml");
    let toml = format!(
        "[server]\n\
         command = [\"sh\", \"-c\", \"echo the shop cannot start >&2; exit 3\"]\n\
         ready_url = \"http://127.0.0.1:{closed}/health\"\n\
         ready_timeout = \"600s\"\n"
    );
    ok(std::fs::write(&config, toml)
        .map_err(|e| format!("cannot write {}: {e}", config.display())));

    let run = Run::to_end(tbt_run(None).arg("--config").arg(&config));
    assert_eq!(run.code, Some(2), "a server that exits exits 2\n{run}");
    let stderr = run.stderr.replace(&format!(":{closed}/"), ":<port>/");
    insta::assert_snapshot!("server_exits_stderr", stderr);
}

// ---------------------------------------------------------------------------------------------
// Faults.

/// Runs the shop with `fault` on and checks that exactly the test `suite › name` fails, that its
/// failure is an assertion (not a timeout or a trigger error), and snapshots its messages.
fn fault_fails_exactly(fault: &str, suite: Option<&str>, name: &str) {
    let _slot = ShopSlot::take();
    let junit = scratch_dir(fault).join("junit.xml");
    let run = Run::to_end(
        tbt_run(Some(fault))
            .args(["--format", "json", "--junit"])
            .arg(&junit),
    );
    assert_eq!(run.code, Some(1), "a run with {fault} exits 1\n{run}");
    let doc: Value = ok(serde_json::from_str(&run.stdout)
        .map_err(|e| format!("the JSON report does not parse: {e}\n{run}")));
    assert_eq!(doc["version"], 1, "JSON report version\n{run}");
    let tests = ok(doc["tests"]
        .as_array()
        .ok_or_else(|| format!("`tests` is not a list\n{run}")));
    assert_eq!(tests.len(), SHOP_TESTS, "every test is reported\n{run}");

    let failed: Vec<&Value> = tests.iter().filter(|t| t["verdict"] == "fail").collect();
    let shown: Vec<String> = failed.iter().map(|t| qualified(t)).collect();
    assert_eq!(
        shown,
        [qualified_name(suite, name)],
        "{fault} fails exactly its test\n{run}"
    );
    for test in tests {
        if test["verdict"] != "fail" {
            assert_eq!(
                test["verdict"],
                "pass",
                "{} passes with {fault}\n{run}",
                qualified(test)
            );
        }
    }
    assert_eq!(
        doc["summary"],
        serde_json::json!({ "total": SHOP_TESTS, "passed": SHOP_TESTS - 1, "failed": 1, "skipped": 0 }),
        "summary\n{run}"
    );
    let failing = failed[0];
    assert!(
        failing["problem"].is_null(),
        "the failure is an assertion, not a problem with the run: {}",
        failing["problem"]
    );
    assert_ne!(
        failing["wait"]["end"], "timeout",
        "the trace was complete when {fault} was asserted on"
    );
    insta::assert_snapshot!(
        format!("fault_{}", fault.replace('-', "_")),
        failed_assertions(failing)
    );

    let xml = read_junit(&junit);
    let outline = ok(junit_outline(&xml));
    assert!(
        outline.starts_with(&format!(
            "testsuites tests={SHOP_TESTS} failures=1 errors=0 "
        )),
        "the JUnit report counts one failure\n{outline}"
    );
    let failures = ok(junit_failures(&xml));
    assert_eq!(
        failures,
        [name.to_string()],
        "one <failure>, in {name}\n{xml}"
    );
    run.assert_shop_gone(CLEANUP_PATIENCE);
}

/// `suite › name`, or `name` outside a suite, of a test of the JSON report.
fn qualified(test: &Value) -> String {
    qualified_name(test["suite"].as_str(), test["name"].as_str().unwrap_or("?"))
}

fn qualified_name(suite: Option<&str>, name: &str) -> String {
    match suite {
        Some(suite) => format!("{suite} › {name}"),
        None => name.to_string(),
    }
}

/// The failed assertions of a test of the JSON report: source, message, each violation.
fn failed_assertions(test: &Value) -> String {
    let mut out = format!("{} ({})\n", qualified(test), str_of(&test["file"]));
    let assertions = test["assertions"].as_array().map_or(&[][..], Vec::as_slice);
    for a in assertions.iter().filter(|a| a["verdict"] == "fail") {
        out.push_str(&format!(
            "\nline {}: {}\n  {}\n",
            a["range"]["start"]["line"],
            str_of(&a["source"]),
            str_of(&a["message"])
        ));
        let violations = a["violations"]["items"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        for v in violations {
            out.push_str(&format!(
                "  - {}: {}\n",
                str_of(&v["span"]["name"]),
                str_of(&v["message"])
            ));
        }
    }
    normalize_measured(&out)
}

/// `text` with the values measured by a run replaced (`is 402.764ms`, order numbers, ids),
/// keeping the durations written in the tests (`< 300ms`).
fn normalize_measured(text: &str) -> String {
    static RULES: LazyLock<Vec<(Regex, &str)>> = LazyLock::new(|| {
        vec![
            (re(r"\bis \d+(\.\d+)?(ns|µs|ms|s|m)\b"), "is <duration>"),
            (re(r"\b[0-9a-f]{32}\b"), "<trace id>"),
            (re(r"\bORD-\d{6}\b"), "ORD-<n>"),
        ]
    });
    replace_all(text, &RULES)
}

fn str_of(value: &Value) -> &str {
    value.as_str().unwrap_or("<not a string>")
}

// ---------------------------------------------------------------------------------------------
// JUnit.

fn read_junit(path: &Path) -> String {
    ok(std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the JUnit report {}: {e}", path.display())))
}

/// The structure of a JUnit report: the counts of `<testsuites>`, each `<testsuite>` with its
/// counts and test cases (a failed one marked), checking that the counts add up.
fn junit_outline(xml: &str) -> Result<String, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| format!("invalid XML: {e}\n{xml}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "testsuites" {
        return Err(format!(
            "the root is <{}>, not <testsuites>",
            root.tag_name().name()
        ));
    }
    let attr = |node: roxmltree::Node, name: &str| node.attribute(name).unwrap_or("-").to_string();
    let mut out = format!(
        "testsuites tests={} failures={} errors={} skipped={}\n",
        attr(root, "tests"),
        attr(root, "failures"),
        attr(root, "errors"),
        attr(root, "skipped")
    );
    let mut cases_total = 0;
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        if attr(suite, "tests") != cases.len().to_string() {
            return Err(format!(
                "<testsuite name={:?}> says tests={} but holds {} <testcase>",
                attr(suite, "name"),
                attr(suite, "tests"),
                cases.len()
            ));
        }
        cases_total += cases.len();
        out.push_str(&format!(
            "  testsuite {:?} tests={} failures={}\n",
            attr(suite, "name"),
            attr(suite, "tests"),
            attr(suite, "failures")
        ));
        for case in cases {
            let failed = case.children().any(|n| n.has_tag_name("failure"));
            let has_trace = case
                .descendants()
                .any(|n| n.has_tag_name("property") && n.attribute("name") == Some("trace_id"));
            out.push_str(&format!(
                "    testcase {:?}{}{}\n",
                attr(case, "name"),
                if has_trace { " (trace_id)" } else { "" },
                if failed { " FAILURE" } else { "" }
            ));
        }
    }
    if attr(root, "tests") != cases_total.to_string() {
        return Err(format!(
            "<testsuites> says tests={} but holds {cases_total} <testcase>",
            attr(root, "tests")
        ));
    }
    Ok(out)
}

/// The names of the test cases with a `<failure>`.
fn junit_failures(xml: &str) -> Result<Vec<String>, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| format!("invalid XML: {e}\n{xml}"))?;
    Ok(doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|f| {
            f.ancestors()
                .find(|n| n.has_tag_name("testcase"))
                .and_then(|c| c.attribute("name"))
                .unwrap_or("<a failure outside a testcase>")
                .to_string()
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The pretty report.

/// Whether `line` is a test's verdict line `[k/N] MARK title (duration)`.
fn is_verdict(line: &str, mark: char) -> bool {
    static VERDICT: LazyLock<Regex> = LazyLock::new(|| re(r"^\[\d+/\d+\] (.) "));
    VERDICT
        .captures(line)
        .is_some_and(|c| c[1].starts_with(mark))
}

/// The title of a normalized verdict line: what follows the mark.
fn title_of(line: &str) -> &str {
    line.split_once(['✓', '✗', '–'])
        .map_or(line, |(_, rest)| rest.trim())
}

/// The pretty report, normalized, with the test blocks (a verdict line and the failure
/// details under it) sorted by title: tests run in parallel and finish in any order.
fn pretty_report(stdout: &str) -> String {
    let text = normalize(stdout);
    let mut head = Vec::new();
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    let mut tail = Vec::new();
    for line in text.lines() {
        if line.starts_with("[k/") {
            blocks.push(vec![line]);
        } else if !tail.is_empty() || (!blocks.is_empty() && line == "failed:") {
            tail.push(line);
        } else if let Some(block) = blocks.last_mut() {
            block.push(line);
        } else {
            head.push(line);
        }
    }
    blocks.sort_by_key(|b| title_of(b[0]).to_string());
    let mut out = head.join("\n");
    out.push('\n');
    for block in blocks {
        let lines: Vec<&str> = block
            .iter()
            .rev()
            .skip_while(|l| l.is_empty())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .copied()
            .collect();
        out.push_str(&lines.join("\n"));
        out.push('\n');
        if lines.len() > 1 {
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(&tail.join("\n"));
    out
}

/// `text` with what changes from run to run replaced: durations, ids, ports, counters, order
/// numbers, the count of other traces' spans.
fn normalize(text: &str) -> String {
    static RULES: LazyLock<Vec<(Regex, &str)>> = LazyLock::new(|| {
        vec![
            (re(r"^\[\d+/(\d+)\]"), "[k/$1]"),
            (re(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
            (re(r"\b[0-9a-f]{32}\b"), "<trace id>"),
            (re(r"\bspan=[0-9a-f]{16}\b"), "span=<span id>"),
            (re(r"\bORD-\d{6}\b"), "ORD-<n>"),
            (re(r"\b\d+(\.\d+)?(ns|µs|us|ms|s|m)\b"), "<duration>"),
            (re(r"receiver: \d+ spans"), "receiver: <n> spans"),
        ]
    });
    replace_all(text, &RULES)
}

/// `text` with every rule applied to each line, in order.
fn replace_all(text: &str, rules: &[(Regex, &str)]) -> String {
    text.lines()
        .map(|line| {
            rules.iter().fold(line.to_string(), |acc, (rule, by)| {
                rule.replace_all(&acc, *by).into_owned()
            })
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn re(pattern: &str) -> Regex {
    ok(Regex::new(pattern).map_err(|e| format!("bad regex {pattern}: {e}")))
}

// ---------------------------------------------------------------------------------------------
// Running tbt.

/// `tbt run examples/shop` on free receiver ports, from the workspace root, with `SHOP_FAULTS`
/// set to `faults` (or unset) and a marker unique to this run.
fn tbt_run(faults: Option<&str>) -> Command {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let marker = format!(
        "{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    );
    let mut command = Command::new(ok(tbt_bin::tbt()));
    command
        .args([
            "run",
            "examples/shop",
            "--grpc-port",
            "0",
            "--http-port",
            "0",
            "--color",
            "never",
        ])
        .current_dir(workspace_root())
        .env(RUN_MARKER, marker)
        // The shop is built where this test was, so a warm build is found.
        .env("CARGO_TARGET_DIR", ok(node::target_dir()))
        // The environment of the test process must not move the shop or its URL.
        .env_remove("SHOP_PORT")
        .env_remove("SHOP_PORTS")
        .env_remove("SHOP_URL")
        .stdin(Stdio::null());
    match faults {
        Some(faults) => command.env("SHOP_FAULTS", faults),
        None => command.env_remove("SHOP_FAULTS"),
    };
    command
}

fn marker_of(command: &Command) -> String {
    command
        .get_envs()
        .find(|(k, _)| *k == RUN_MARKER)
        .and_then(|(_, v)| v)
        .map(|v| v.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A finished `tbt` run.
struct Run {
    /// The exit code; `None` when a signal ended it.
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// The value of [`RUN_MARKER`] its processes carry.
    marker: String,
}

impl Run {
    /// Runs `command` to its end (within [`RUN_LIMIT`]), collecting its output.
    fn to_end(command: &mut Command) -> Run {
        let marker = marker_of(command);
        let mut child = ok(command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start tbt: {e}")));
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let status = ok(wait_limited(&mut child));
        Run {
            code: status.code(),
            stdout: join(stdout),
            stderr: join(stderr),
            marker,
        }
    }

    /// Fails unless every process of this run is gone and the shop's ports answer nothing,
    /// waiting up to `patience` for both (processes end asynchronously).
    fn assert_shop_gone(&self, patience: Duration) {
        let ports = shop_ports();
        let deadline = Instant::now() + patience;
        loop {
            let left = marked_processes(&self.marker);
            let open: Vec<u16> = ports.iter().copied().filter(|&p| answers(p)).collect();
            if left.is_empty() && open.is_empty() {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "{}s after tbt returned, processes of its run remain: {left:#?}, and ports \
                     {open:?} answer\n{self}",
                    patience.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A `tbt run` that is still running, its shop ready. Dropped while running (a failed
/// assertion), it interrupts tbt so that tbt stops the shop.
struct Live {
    child: Option<Child>,
    lines: mpsc::Receiver<String>,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
    marker: String,
}

impl Live {
    /// Starts `command` (made slow: its tests wait ten minutes for their traces to settle, so
    /// they are surely still running when a signal comes) and returns once it printed
    /// `server: ready`, having checked that the run's shop processes are visible and answer, so
    /// that the checks after the run are not vacuous.
    fn until_ready(command: &mut Command) -> Live {
        command.args(["--settle", "10m", "--timeout", "10m"]);
        let marker = marker_of(command);
        let mut child = ok(command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start tbt: {e}")));
        let stderr = drain(child.stderr.take());
        let (lines, stdout) = forward_lines(child.stdout.take());
        let mut live = Live {
            child: Some(child),
            lines,
            stdout: Some(stdout),
            stderr: Some(stderr),
            marker,
        };
        live.wait_for_line("server: ready");
        if cfg!(target_os = "linux") {
            let running = marked_processes(&live.marker);
            assert!(
                running.iter().any(|p| p.contains("tbt-shop serve")),
                "the shop's services carry the run's marker while it runs: {running:#?}"
            );
        }
        let ports = shop_ports();
        assert!(
            ports.iter().any(|&p| answers(p)),
            "the shop answers on {ports:?} while it runs"
        );
        live
    }

    /// Waits until tbt prints a line that starts with `prefix`; fails if it ends first.
    fn wait_for_line(&mut self, prefix: &str) {
        let started = Instant::now();
        let mut seen = String::new();
        loop {
            match self.lines.recv_timeout(Duration::from_millis(200)) {
                Ok(line) if line.starts_with(prefix) => return,
                Ok(line) => seen.push_str(&(line + "\n")),
                Err(mpsc::RecvTimeoutError::Timeout) if started.elapsed() < RUN_LIMIT => {}
                Err(e) => {
                    let stderr = self.stop();
                    panic!(
                        "tbt never printed `{prefix}…` ({e:?})\n--- stdout\n{seen}\n--- stderr\n{stderr}"
                    );
                }
            }
        }
    }

    /// Sends `signal` to tbt and waits for it to end.
    fn signal(mut self, signal: libc::c_int) -> Run {
        let mut child = ok(self
            .child
            .take()
            .ok_or("tbt is no longer running".to_string()));
        // SAFETY: kill(2) on the pid of a child this test started and has not reaped yet.
        let sent = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        assert_eq!(sent, 0, "signal {signal} could not be sent to tbt");
        let status = ok(wait_limited(&mut child));
        Run {
            code: status.code(),
            stdout: self.stdout.take().map(join).unwrap_or_default(),
            stderr: self.stderr.take().map(join).unwrap_or_default(),
            marker: self.marker.clone(),
        }
    }

    /// Interrupts tbt if it still runs (tbt then stops the shop) and returns its stderr.
    fn stop(&mut self) -> String {
        if let Some(mut child) = self.child.take() {
            // SAFETY: as in `signal`.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
            if wait_limited(&mut child).is_err() {
                let _ = child.kill();
            }
        }
        self.stderr.take().map(join).unwrap_or_default()
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits for `child`, killing it after [`RUN_LIMIT`].
fn wait_limited(child: &mut Child) -> Result<std::process::ExitStatus, String> {
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if started.elapsed() < RUN_LIMIT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "tbt did not finish within {} minutes; killed it",
                    RUN_LIMIT.as_secs() / 60
                ));
            }
            Err(e) => return Err(format!("cannot wait for tbt: {e}")),
        }
    }
}

/// Reads `stream` to its end on a thread.
fn drain(stream: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stream) = stream {
            let mut bytes = Vec::new();
            let _ = stream.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// Reads `stream` line by line on a thread, sending each line as it comes; the handle returns
/// the whole text.
fn forward_lines(
    stream: Option<impl Read + Send + 'static>,
) -> (mpsc::Receiver<String>, JoinHandle<String>) {
    let (send, receive) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(stream) = stream {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                text.push_str(&line);
                text.push('\n');
                // The receiver may be gone once it has seen what it waited for.
                let _ = send.send(line);
            }
        }
        text
    });
    (receive, handle)
}

fn join(handle: JoinHandle<String>) -> String {
    handle
        .join()
        .unwrap_or_else(|_| "<the output reader panicked>".into())
}

// ---------------------------------------------------------------------------------------------
// The shop's processes and ports.

/// The shop's six ports: the gateway's, from `SHOP_URL` in `examples/shop/shop.env`, and the
/// five after it.
fn shop_ports() -> Vec<u16> {
    static PORTS: LazyLock<Result<Vec<u16>, String>> = LazyLock::new(|| {
        let path = workspace_root().join("examples/shop/shop.env");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let base: u16 = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("SHOP_URL="))
            .and_then(|url| url.trim().rsplit_once(':'))
            .and_then(|(_, port)| port.trim_end_matches('/').parse().ok())
            .ok_or_else(|| format!("no SHOP_URL=http://host:port in {}", path.display()))?;
        Ok((0..6).map(|i| base + i).collect())
    });
    ok(PORTS.clone())
}

/// Whether something accepts connections on 127.0.0.1:`port`.
fn answers(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_ok()
}

/// The processes that carry `marker` in their environment, as `pid: command line`. Empty where
/// there is no `/proc`; processes of other users are not readable and not counted.
fn marked_processes(marker: &str) -> Vec<String> {
    let wanted = format!("{RUN_MARKER}={marker}");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ.split(|b| *b == 0).any(|v| v == wanted.as_bytes()) {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmdline: Vec<String> = cmdline
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            found.push(format!("{pid}: {}", cmdline.join(" ")));
        }
    }
    found
}

/// The right to run the shop on its fixed ports: one run at a time, in this process (a mutex)
/// and across processes (a lock directory), and only once the ports are free.
struct ShopSlot {
    _process: DirLock,
    _thread: MutexGuard<'static, ()>,
}

impl ShopSlot {
    fn take() -> ShopSlot {
        static THREADS: Mutex<()> = Mutex::new(());
        // A test that failed while holding the mutex poisons it; the next one may still run.
        let thread = THREADS.lock().unwrap_or_else(|e| e.into_inner());
        let process = ok(DirLock::acquire(&ok(node::lock_path("shop-fixed-ports"))));
        let ports = shop_ports();
        let deadline = Instant::now() + CLEANUP_PATIENCE;
        while let Some(port) = ports.iter().copied().find(|&p| answers(p)) {
            if Instant::now() > deadline {
                panic!(
                    "port {port} of the shop is in use by something else (a shop started by \
                     hand?); stop it and run the test again"
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        ShopSlot {
            _process: process,
            _thread: thread,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/// Fails the test with `message`.
fn ok<T>(result: Result<T, String>) -> T {
    result.unwrap_or_else(|message| panic!("{message}"))
}

/// A scratch folder for one test, emptied first: `<target>/tbt-shop-e2e/<pid>/<name>`.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = ok(node::target_dir())
        .join("tbt-shop-e2e")
        .join(std::process::id().to_string())
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    ok(std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display())));
    dir
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> Result<u16, String> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}
