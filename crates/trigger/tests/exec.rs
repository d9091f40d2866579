//! `trigger exec`: real processes, their environment, input, output and timeouts.
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::{TRACEPARENT, context};
use tbt_trigger::{ExecSpec, Fired, TriggerError, TriggerErrorKind, TriggerSpec, fire};

async fn run(spec: ExecSpec) -> Result<Fired, TriggerError> {
    fire(&TriggerSpec::Exec(spec), &context()).await
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn argv_is_passed_without_a_shell() {
    let fired = run(ExecSpec::new(
        argv(&["printf", "%s|", "two words", "$HOME", "*"]),
        here(),
    ))
    .await
    .unwrap();
    let r = &fired.response;
    assert_eq!(r["exit_code"], 0);
    assert_eq!(r["stdout"], "two words|$HOME|*|");
    assert_eq!(r["stderr"], "");
    assert!(r["duration_ms"].as_f64().unwrap() >= 0.0);
    let mut keys: Vec<&str> = r.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["duration_ms", "exit_code", "stderr", "stdout"]);

    let span = &fired.span;
    assert_eq!(span.name, "exec printf");
    assert!(!span.kind_client);
    assert_eq!(span.attribute("process.exit.code").unwrap(), 0);
    assert_eq!(
        span.attribute("process.command_args").unwrap(),
        &serde_json::json!(["printf", "%s|", "two words", "$HOME", "*"])
    );
    assert!(span.error.is_none());
}

#[tokio::test]
async fn shell_runs_one_command_line() {
    let mut spec = ExecSpec::new(argv(&["echo out; echo err >&2; exit 3"]), here());
    spec.shell = true;
    let fired = run(spec).await.unwrap();
    assert_eq!(fired.response["exit_code"], 3);
    assert_eq!(fired.response["stdout"], "out\n");
    assert_eq!(fired.response["stderr"], "err\n");
    assert_eq!(fired.span.name, "exec sh");
    assert_eq!(fired.span.error.as_deref(), Some("exit code 3"));
}

#[tokio::test]
async fn env_cwd_and_trace_context_reach_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = ExecSpec::new(
        argv(&[
            "pwd; echo $TRACEPARENT; echo $TRACESTATE; echo $TBT_GREETING; echo ${PATH:+path-inherited}",
        ]),
        dir.path(),
    );
    spec.shell = true;
    spec.env = vec![("TBT_GREETING".into(), "hello there".into())];
    let fired = run(spec).await.unwrap();
    let stdout = fired.response["stdout"].as_str().unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let cwd = std::fs::canonicalize(dir.path()).unwrap();
    assert_eq!(
        lines,
        [
            cwd.to_str().unwrap(),
            TRACEPARENT,
            "tbt=1,vendor=x",
            "hello there",
            "path-inherited"
        ]
    );
}

#[tokio::test]
async fn stdin_is_fed_or_closed() {
    let mut spec = ExecSpec::new(argv(&["cat"]), here());
    spec.stdin = Some("2024-06-01\nsecond line".into());
    let fired = run(spec).await.unwrap();
    assert_eq!(fired.response["stdout"], "2024-06-01\nsecond line");

    // Without stdin, a reader sees end of input at once instead of waiting forever.
    let fired = run(ExecSpec::new(argv(&["cat"]), here())).await.unwrap();
    assert_eq!(fired.response["stdout"], "");
    assert_eq!(fired.response["exit_code"], 0);
}

#[tokio::test]
async fn a_relative_program_runs_from_cwd() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bin")).unwrap();
    let script = dir.path().join("bin/job");
    std::fs::write(&script, "#!/bin/sh\necho \"job $1\"\n").unwrap();
    make_executable(&script);
    let fired = run(ExecSpec::new(argv(&["bin/job", "ran"]), dir.path()))
        .await
        .unwrap();
    assert_eq!(fired.response["stdout"], "job ran\n");
    assert_eq!(fired.span.name, "exec job");
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    permissions.set_mode(0o755);
    std::fs::set_permissions(path, permissions).unwrap();
}

#[tokio::test]
async fn a_timeout_kills_the_command_and_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("grandchild.pid");
    let mut spec = ExecSpec::new(
        argv(&[&format!(
            "echo started; echo warming up >&2; sleep 30 & echo $! > {}; wait",
            pid_file.display()
        )]),
        here(),
    );
    spec.shell = true;
    spec.timeout = Duration::from_millis(1500);
    let err = run(spec).await.unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Timeout);
    insta::assert_snapshot!(err.message.replace(&pid_file.display().to_string(), "PIDFILE"), @r#"timed out after 1.5s: exec sh -c "echo started; echo warming up >&2; sleep 30 & echo $! > PIDFILE; wait" (killed it and everything it started; stdout so far: "started\n"; stderr so far: "warming up\n")"#);
    let span = err.span.unwrap();
    assert_eq!(span.attribute("error.type").unwrap(), "timeout");

    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!is_running(pid), "the sleep grandchild {pid} survived");
}

/// Whether a process runs (a zombie waiting for its reaper does not).
fn is_running(pid: i32) -> bool {
    for _ in 0..50 {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim().to_string()));
        match state {
            None => return false,
            Some(s) if s.starts_with('Z') || s.starts_with('X') => return false,
            Some(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    true
}

#[tokio::test]
async fn a_background_process_holding_the_output_does_not_hang_the_trigger() {
    let mut spec = ExecSpec::new(argv(&["sleep 30 & echo done"]), here());
    spec.shell = true;
    spec.timeout = Duration::from_millis(1500);
    let err = run(spec).await.unwrap_err();
    assert_eq!(err.kind, TriggerErrorKind::Timeout);
    assert!(
        err.message
            .contains("exited with code 0, but a process it started kept its output open"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_background_process_with_its_own_output_is_left_alone() {
    let mut spec = ExecSpec::new(argv(&["sleep 1 > /dev/null 2>&1 & echo started"]), here());
    spec.shell = true;
    let fired = run(spec).await.unwrap();
    assert_eq!(fired.response["stdout"], "started\n");
}

#[tokio::test]
async fn a_signal_shows_as_128_plus_its_number() {
    let mut spec = ExecSpec::new(argv(&["kill -TERM $$"]), here());
    spec.shell = true;
    let fired = run(spec).await.unwrap();
    assert_eq!(fired.response["exit_code"], 128 + 15);
}

#[tokio::test]
async fn start_failures_are_spawn_or_spec_errors() {
    let cases: Vec<ExecSpec> = vec![
        ExecSpec::new(argv(&["tbt-no-such-program", "--x"]), here()),
        ExecSpec::new(argv(&["./no/such/job"]), "/tmp"),
        ExecSpec::new(argv(&["Cargo.toml"]), here()).with_program_path(),
        ExecSpec::new(argv(&["true"]), "/nonexistent/tbt/dir"),
        ExecSpec::new(argv(&[]), here()),
        ExecSpec {
            shell: true,
            ..ExecSpec::new(argv(&["echo", "two"]), here())
        },
        ExecSpec {
            env: vec![("A=B".into(), "x".into())],
            ..ExecSpec::new(argv(&["true"]), here())
        },
    ];
    let mut messages = Vec::new();
    for spec in cases {
        let err = run(spec).await.unwrap_err();
        messages.push(format!("{:?}: {}", err.kind, err.message));
    }
    insta::assert_snapshot!(
        messages
            .join("\n")
            .replace(here().to_str().unwrap(), "CRATE")
    );
}

/// `Cargo.toml` exists but is not executable: call it by path.
trait WithProgramPath {
    fn with_program_path(self) -> Self;
}

impl WithProgramPath for ExecSpec {
    fn with_program_path(mut self) -> Self {
        self.argv[0] = format!("./{}", self.argv[0]);
        self
    }
}

#[tokio::test]
async fn a_cancelled_trigger_leaves_nothing_running() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("child.pid");
    let mut spec = ExecSpec::new(
        argv(&[&format!(
            "sleep 30 & echo $! > {}; wait",
            pid_file.display()
        )]),
        here(),
    );
    spec.shell = true;
    let ctx = context();
    let spec = TriggerSpec::Exec(spec);
    let mut fired = Box::pin(fire(&spec, &ctx));
    // The runner gives up (say, on Ctrl-C) while the command runs.
    let pid: i32 = loop {
        tokio::select! {
            _ = &mut fired => panic!("the command should still be running"),
            _ = tokio::time::sleep(Duration::from_millis(20)) => {
                let text = std::fs::read_to_string(&pid_file).unwrap_or_default();
                if text.ends_with('\n') {
                    break text.trim().parse().unwrap();
                }
            }
        }
    };
    drop(fired);
    assert!(
        !is_running(pid),
        "the sleep {pid} survived the cancelled trigger"
    );
}
