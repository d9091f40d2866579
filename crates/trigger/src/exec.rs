//! `trigger exec`: runs a command in its own process group, with `TRACEPARENT` in its
//! environment, and kills the whole group on timeout.

use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout_at};

use crate::error::{self, TriggerError, TriggerErrorKind};
use crate::span::{Clock, ms_value};
use crate::{ExecSpec, Fired, TraceContext};

/// How long to wait for the pipes to close after the group was killed.
const REAP_GRACE: Duration = Duration::from_secs(2);
/// How much of the output a timeout message shows, per stream.
const SHOWN_OUTPUT: usize = 400;

/// Runs the command to completion (or the timeout) and returns what it printed.
pub(crate) async fn fire(spec: &ExecSpec, ctx: &TraceContext) -> Result<Fired, TriggerError> {
    let line = CommandLine::of(spec)?;
    let target = line.display();
    if !spec.cwd.is_dir() {
        return Err(TriggerError::new(
            TriggerErrorKind::Spawn,
            format!(
                "working directory {} does not exist: {target}",
                spec.cwd.display()
            ),
        ));
    }
    for (name, value) in &spec.env {
        if name.is_empty() || name.contains(['=', '\0']) || value.contains('\0') {
            return Err(TriggerError::invalid(format!(
                "invalid environment variable {name:?}: {target}"
            )));
        }
    }

    let mut command = Command::new(&line.program);
    command
        .args(&line.args)
        .current_dir(&spec.cwd)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .env("TRACEPARENT", ctx.traceparent())
        .env("TRACESTATE", &ctx.tracestate)
        .stdin(if spec.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);

    let clock = Clock::start();
    let deadline = Instant::now() + spec.timeout;
    let mut child = command
        .spawn()
        .map_err(|e| spawn_error(&e, &line, spec, &target))?;
    let mut group = GroupGuard::new(child.id());
    if let (Some(mut stdin), Some(text)) = (child.stdin.take(), spec.stdin.clone()) {
        // A command that does not read its input closes the pipe early; that is not an error.
        tokio::spawn(async move {
            let _ = stdin.write_all(text.as_bytes()).await;
        });
    }
    let stdout = Output::capture(child.stdout.take());
    let stderr = Output::capture(child.stderr.take());

    let waited = timeout_at(deadline, child.wait()).await;
    let status = match waited {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            group.kill();
            let _ = child.kill().await;
            let (span, _) = clock.stop(line.span_name(), false);
            return Err(TriggerError::new(
                TriggerErrorKind::Io,
                format!("cannot wait for the command: {e}: {target}"),
            )
            .with_span(line.attributes(span)));
        }
        Err(_) => {
            group.kill();
            let _ = child.kill().await;
            let (span, _) = clock.stop(line.span_name(), false);
            let out = stdout.finish(Instant::now() + REAP_GRACE).await;
            let err = stderr.finish(Instant::now() + REAP_GRACE).await;
            return Err(TriggerError::new(
                TriggerErrorKind::Timeout,
                format!(
                    "{} (killed it and everything it started; stdout so far: {}; stderr so far: {})",
                    error::timeout_message(spec.timeout, &target),
                    shown(&out),
                    shown(&err)
                ),
            )
            .with_span(line.attributes(span)));
        }
    };
    // The command exited; anything it left running may still hold its output open.
    let out_done = stdout.finish(deadline).await;
    let err_done = stderr.finish(deadline).await;
    let (span, duration_ms) = clock.stop(line.span_name(), false);
    let mut span = line.attributes(span);
    let code = exit_code(status);
    span.attr("process.exit.code", code);
    if !(out_done.complete && err_done.complete) {
        group.kill();
        return Err(TriggerError::new(
            TriggerErrorKind::Timeout,
            format!(
                "{} (the command exited with code {code}, but a process it started kept its output open; killed it)",
                error::timeout_message(spec.timeout, &target)
            ),
        )
        .with_span(span));
    }
    group.disarm();
    if code != 0 {
        span.attr("error.type", code.to_string());
        span.error = Some(format!("exit code {code}"));
    }
    let mut response = Map::new();
    response.insert("exit_code".into(), Value::from(code));
    response.insert("stdout".into(), Value::String(out_done.text));
    response.insert("stderr".into(), Value::String(err_done.text));
    response.insert("duration_ms".into(), ms_value(duration_ms));
    Ok(Fired { response, span })
}

/// The program and arguments actually run.
struct CommandLine {
    program: PathBuf,
    args: Vec<String>,
    /// The argv as the test wrote it (`sh -c` added for `shell`).
    argv: Vec<String>,
}

impl CommandLine {
    fn of(spec: &ExecSpec) -> Result<Self, TriggerError> {
        let argv: Vec<String> = if spec.shell {
            match spec.argv.as_slice() {
                [line] => vec!["sh".to_string(), "-c".to_string(), line.clone()],
                _ => {
                    return Err(TriggerError::invalid(format!(
                        "with `shell`, the command is one string (the shell command line), not {} strings",
                        spec.argv.len()
                    )));
                }
            }
        } else {
            spec.argv.clone()
        };
        let Some((first, rest)) = argv.split_first() else {
            return Err(TriggerError::invalid(
                "the command is empty: give at least the program, as in [\"echo\", \"hello\"]",
            ));
        };
        if first.is_empty() {
            return Err(TriggerError::invalid("the program name is empty"));
        }
        if argv.iter().any(|a| a.contains('\0')) {
            return Err(TriggerError::invalid(
                "a command argument contains a NUL character",
            ));
        }
        // A relative path with a `/` is relative to the working directory (§6.3), which
        // the OS leaves unspecified when it also changes directory.
        let program = PathBuf::from(first);
        let program = if first.contains('/') && program.is_relative() {
            spec.cwd.join(first.trim_start_matches("./"))
        } else {
            program
        };
        Ok(CommandLine {
            program,
            args: rest.to_vec(),
            argv,
        })
    }

    /// `exec <argv>`, with arguments that need it quoted.
    fn display(&self) -> String {
        let words: Vec<String> = self
            .argv
            .iter()
            .map(|a| {
                if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "\"'\\$`".contains(c))
                {
                    format!("{a:?}")
                } else {
                    a.clone()
                }
            })
            .collect();
        error::one_line(&format!("exec {}", words.join(" ")))
    }

    fn program_name(&self) -> String {
        self.argv
            .first()
            .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
            .unwrap_or_default()
    }

    fn span_name(&self) -> String {
        format!("exec {}", self.program_name())
    }

    fn attributes(&self, mut span: crate::TriggerSpan) -> crate::TriggerSpan {
        span.attr("process.executable.name", self.program_name());
        span.attr(
            "process.command_args",
            Value::Array(self.argv.iter().cloned().map(Value::String).collect()),
        );
        span
    }
}

fn spawn_error(
    e: &std::io::Error,
    line: &CommandLine,
    spec: &ExecSpec,
    target: &str,
) -> TriggerError {
    use std::io::ErrorKind;
    let program = line.program.display();
    let message = match e.kind() {
        ErrorKind::NotFound if line.program.components().count() > 1 => {
            format!("program {program} not found: {target}")
        }
        ErrorKind::NotFound => format!("program {program} not found in PATH: {target}"),
        ErrorKind::PermissionDenied => {
            format!("program {program} is not executable: {target}")
        }
        _ => format!(
            "cannot start {program} in {}: {e}: {target}",
            spec.cwd.display()
        ),
    };
    TriggerError::new(TriggerErrorKind::Spawn, message)
}

/// The exit code, or 128 + the signal number for a command killed by a signal (as shells
/// report it).
fn exit_code(status: ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    -1
}

/// One captured stream, read by a task into a buffer the timeout path can still see.
struct Output {
    buffer: Arc<Mutex<Vec<u8>>>,
    task: Option<JoinHandle<()>>,
}

/// What a stream held when we stopped reading it.
struct Captured {
    text: String,
    /// Whether the stream reached its end (every writer closed it).
    complete: bool,
}

impl Output {
    fn capture<R: AsyncRead + Unpin + Send + 'static>(stream: Option<R>) -> Self {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let task = stream.map(|mut stream| {
            let buffer = buffer.clone();
            tokio::spawn(async move {
                let mut chunk = [0u8; 8192];
                while let Ok(n) = stream.read(&mut chunk).await {
                    if n == 0 {
                        break;
                    }
                    buffer
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .extend_from_slice(&chunk[..n]);
                }
            })
        });
        Output { buffer, task }
    }

    /// Waits until the stream ends or the deadline passes, and returns what was read.
    async fn finish(mut self, deadline: Instant) -> Captured {
        let complete = match self.task.take() {
            Some(task) => {
                let abort = task.abort_handle();
                let done = timeout_at(deadline, task).await.is_ok();
                if !done {
                    abort.abort();
                }
                done
            }
            None => true,
        };
        let bytes = std::mem::take(&mut *self.buffer.lock().unwrap_or_else(|p| p.into_inner()));
        Captured {
            text: String::from_utf8_lossy(&bytes).into_owned(),
            complete,
        }
    }
}

/// The end of a stream for a message: the last [`SHOWN_OUTPUT`] characters, quoted.
fn shown(captured: &Captured) -> String {
    let text = captured.text.as_str();
    let count = text.chars().count();
    if count <= SHOWN_OUTPUT {
        return format!("{text:?}");
    }
    let tail: String = text.chars().skip(count - SHOWN_OUTPUT).collect();
    format!("...{tail:?} (last {SHOWN_OUTPUT} of {count} characters)")
}

/// Kills the command's process group (the command and everything it started) when dropped,
/// unless disarmed: a cancelled trigger leaves nothing running.
struct GroupGuard {
    pgid: Option<u32>,
}

impl GroupGuard {
    fn new(pid: Option<u32>) -> Self {
        GroupGuard { pgid: pid }
    }

    /// Sends SIGKILL to the whole group.
    fn kill(&mut self) {
        #[cfg(unix)]
        if let Some(pgid) = self.pgid.take()
            && let Ok(pgid) = libc::pid_t::try_from(pgid)
            && pgid > 0
        {
            // SAFETY: kill(2) with a negative pid signals the process group; it has no
            // memory-safety preconditions.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
        self.pgid = None;
    }

    /// The command finished normally: leave whatever it started in the background alone.
    fn disarm(&mut self) {
        self.pgid = None;
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(argv: &[&str]) -> ExecSpec {
        ExecSpec::new(argv.iter().map(|s| s.to_string()).collect(), "/")
    }

    #[test]
    fn relative_programs_with_a_slash_resolve_against_cwd() {
        let mut s = spec(&["bin/job", "--x"]);
        s.cwd = PathBuf::from("/srv/jobs");
        let line = CommandLine::of(&s).unwrap();
        assert_eq!(line.program, PathBuf::from("/srv/jobs/bin/job"));
        assert_eq!(line.span_name(), "exec job");
        let bare = CommandLine::of(&spec(&["echo"])).unwrap();
        assert_eq!(bare.program, PathBuf::from("echo"));
    }

    #[test]
    fn shell_takes_exactly_one_string() {
        let mut s = spec(&["echo a", "b"]);
        s.shell = true;
        assert!(CommandLine::of(&s).is_err());
        s.argv.pop();
        let line = CommandLine::of(&s).unwrap();
        assert_eq!(line.display(), "exec sh -c \"echo a\"");
        assert!(CommandLine::of(&spec(&[])).is_err());
    }

    #[test]
    fn long_output_is_cut_to_its_end() {
        let captured = Captured {
            text: "x".repeat(1000) + "END",
            complete: false,
        };
        let text = shown(&captured);
        assert!(text.ends_with("END\" (last 400 of 1003 characters)"));
    }
}
