//! Reading `tbt.toml`, the project file, and the environment files it names.
//!
//! `tbt.toml` is found by walking up from a `.tbt` file's folder to the first folder that has
//! one. Today it declares the environment the tests may read (`env.NAME`, `env.secret.NAME`):
//!
//! ```toml
//! [env]
//! # A dotenv file, relative to the folder of tbt.toml: NAME=value lines, `export NAME=value`,
//! # `#` comments and blank lines. Only the names matter to `tbt check`.
//! file = ".env"
//! # Names the environment provides besides those in the file (CI secrets, for example).
//! vars = ["SHOP_URL", "TOKEN"]
//! ```
//!
//! With an `[env]` table, `tbt check` warns about every `env.NAME` that is not declared
//! (W0105); without one, every name is accepted.
//!
//! `tbt run` reads four more tables (all optional; durations are strings such as `"250ms"`,
//! `"30s"`, `"2m"`):
//!
//! ```toml
//! [receiver]          # the embedded OTLP receiver
//! host = "127.0.0.1"
//! grpc_port = 4317    # 0: an ephemeral port
//! http_port = 4318
//! max_request_bytes = 16777216
//! keep_unmatched = false
//!
//! [run]
//! timeout = "30s"     # the longest wait for a trace (a test's `wait timeout` overrides it)
//! settle = "250ms"    # how long no span must arrive (a test's `wait settle` overrides it)
//! jobs = 8            # tests in parallel
//!
//! [server]            # the system under test, started before the tests and stopped after
//! command = ["cargo", "run", "-p", "shop"]   # argv; a string runs through `sh -c`
//! cwd = "."
//! env = { SHOP_FAULTS = "" }
//! ready_url = "http://127.0.0.1:8080/health"
//! ready_timeout = "120s"
//! reuse_existing = false  # true: if ready_url already answers, test that system instead
//!
//! [backend]           # read traces from a backend instead of the embedded receiver
//! kind = "jaeger"
//! url = "http://127.0.0.1:16686"
//! ```
//!
//! Unknown keys inside these tables are errors; unknown tables are ignored, so later versions
//! can add them.

#![warn(missing_docs)]

use serde::Deserialize;
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The name of the project file.
pub const FILE_NAME: &str = "tbt.toml";

/// A loaded `tbt.toml`.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The path of the `tbt.toml` file.
    pub path: PathBuf,
    /// The `[env]` table, if any.
    pub env: Option<EnvDecl>,
    /// The `[receiver]` table (defaults when absent).
    pub receiver: ReceiverSection,
    /// The `[run]` table (defaults when absent).
    pub run: RunSection,
    /// The `[server]` table, if any.
    pub server: Option<ServerSection>,
    /// The `[backend]` table as written (the backend crate reads it), if any.
    pub backend: Option<toml::Table>,
}

/// `[receiver]`: where the embedded OTLP receiver listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiverSection {
    /// The address to bind (default `127.0.0.1`).
    pub host: String,
    /// The gRPC port (default 4317; 0 for an ephemeral port).
    pub grpc_port: u16,
    /// The HTTP port (default 4318; 0 for an ephemeral port).
    pub http_port: u16,
    /// The largest request accepted, in bytes, after decompression.
    pub max_request_bytes: Option<usize>,
    /// Keep the spans of traces no test waits for.
    pub keep_unmatched: bool,
}

impl Default for ReceiverSection {
    fn default() -> Self {
        ReceiverSection {
            host: "127.0.0.1".into(),
            grpc_port: 4317,
            http_port: 4318,
            max_request_bytes: None,
            keep_unmatched: false,
        }
    }
}

/// `[run]`: defaults for every test.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RunSection {
    /// The longest wait for a complete trace.
    pub timeout: Option<Duration>,
    /// How long no new span must arrive for a trace to be complete.
    pub settle: Option<Duration>,
    /// How many tests run at once.
    pub jobs: Option<usize>,
}

/// `[server]`: the system under test, which `tbt run` starts and stops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSection {
    /// The command: an argv, or a shell command line.
    pub command: Command,
    /// The working directory, resolved against the folder of `tbt.toml`.
    pub cwd: PathBuf,
    /// Variables added to the environment of the command.
    pub env: Vec<(String, String)>,
    /// A URL that answers (any status below 500) once the system is ready.
    pub ready_url: Option<String>,
    /// How long to wait for `ready_url` (default 60 s).
    pub ready_timeout: Duration,
    /// When `ready_url` already answers before the command starts: use that system (true),
    /// or stop with an error, since another instance holds the port (false, the default).
    pub reuse_existing: bool,
}

/// A command to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// A program and its arguments, no shell.
    Argv(Vec<String>),
    /// A command line for `sh -c`.
    Shell(String),
}

/// A duration as written in `tbt.toml`.
pub type Duration = std::time::Duration;

/// The declared environment.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EnvDecl {
    /// The env file, resolved against the folder of `tbt.toml`.
    pub file: Option<PathBuf>,
    /// The names listed in `vars`.
    pub vars: Vec<String>,
}

/// Why a project file or env file could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// `tbt.toml` is not valid TOML or has a field of the wrong type.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
        /// Where in the file, when known.
        range: Option<Range<usize>>,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { path, reason } => {
                write!(f, "cannot read `{}`: {reason}", path.display())
            }
            ConfigError::Invalid { path, message, .. } => {
                write!(f, "invalid `{}`: {message}", path.display())
            }
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default)]
    env: Option<RawEnv>,
    #[serde(default)]
    receiver: Option<RawReceiver>,
    #[serde(default)]
    run: Option<RawRun>,
    #[serde(default)]
    server: Option<RawServer>,
    #[serde(default)]
    backend: Option<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReceiver {
    host: Option<String>,
    grpc_port: Option<u16>,
    http_port: Option<u16>,
    max_request_bytes: Option<usize>,
    keep_unmatched: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRun {
    timeout: Option<toml::Spanned<String>>,
    settle: Option<toml::Spanned<String>>,
    jobs: Option<usize>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawCommand {
    Argv(Vec<String>),
    Shell(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    command: toml::Spanned<RawCommand>,
    cwd: Option<String>,
    #[serde(default)]
    env: std::collections::BTreeMap<String, String>,
    ready_url: Option<String>,
    ready_timeout: Option<toml::Spanned<String>>,
    #[serde(default)]
    reuse_existing: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    vars: Vec<String>,
}

/// The nearest `tbt.toml` in `dir` or one of its ancestors.
pub fn find(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// The `tbt.toml` that governs `file` (a `.tbt` file), loaded, or `None` when there is none.
pub fn discover(file: &Path) -> Result<Option<Config>, ConfigError> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    find(&dir).map(|path| load(&path)).transpose()
}

/// Reads and parses a `tbt.toml`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    parse(path, &text)
}

/// Parses the text of a `tbt.toml` found at `path`.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: e.message().to_string(),
        range: e.span(),
    })?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let env = raw.env.map(|env| EnvDecl {
        file: env.file.map(|f| dir.join(f)),
        vars: env.vars,
    });
    let invalid = |message: String, range: Option<Range<usize>>| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
        range,
    };
    let duration = |key: &str, value: &toml::Spanned<String>| {
        parse_duration(value.get_ref()).ok_or_else(|| {
            invalid(
                format!(
                    "`{key}` is a duration such as \"250ms\", \"30s\" or \"2m\", not {:?}",
                    value.get_ref()
                ),
                Some(value.span()),
            )
        })
    };
    let receiver = match raw.receiver {
        None => ReceiverSection::default(),
        Some(r) => {
            let d = ReceiverSection::default();
            ReceiverSection {
                host: r.host.unwrap_or(d.host),
                grpc_port: r.grpc_port.unwrap_or(d.grpc_port),
                http_port: r.http_port.unwrap_or(d.http_port),
                max_request_bytes: r.max_request_bytes,
                keep_unmatched: r.keep_unmatched.unwrap_or(false),
            }
        }
    };
    let run = match raw.run {
        None => RunSection::default(),
        Some(r) => RunSection {
            timeout: r
                .timeout
                .as_ref()
                .map(|v| duration("run.timeout", v))
                .transpose()?,
            settle: r
                .settle
                .as_ref()
                .map(|v| duration("run.settle", v))
                .transpose()?,
            jobs: match r.jobs {
                Some(0) => return Err(invalid("`run.jobs` must be at least 1".into(), None)),
                other => other,
            },
        },
    };
    let server = match raw.server {
        None => None,
        Some(s) => {
            let span = s.command.span();
            let command = match s.command.into_inner() {
                RawCommand::Argv(argv) if argv.is_empty() => {
                    return Err(invalid(
                        "`server.command` is empty; give the program and its arguments".into(),
                        Some(span),
                    ));
                }
                RawCommand::Argv(argv) => Command::Argv(argv),
                RawCommand::Shell(line) if line.trim().is_empty() => {
                    return Err(invalid("`server.command` is empty".into(), Some(span)));
                }
                RawCommand::Shell(line) => Command::Shell(line),
            };
            Some(ServerSection {
                command,
                cwd: s.cwd.map_or_else(|| dir.to_path_buf(), |c| dir.join(c)),
                env: s.env.into_iter().collect(),
                ready_url: s.ready_url,
                ready_timeout: s
                    .ready_timeout
                    .as_ref()
                    .map(|v| duration("server.ready_timeout", v))
                    .transpose()?
                    .unwrap_or(Duration::from_secs(60)),
                reuse_existing: s.reuse_existing,
            })
        }
    };
    Ok(Config {
        path: path.to_path_buf(),
        env,
        receiver,
        run,
        server,
        backend: raw.backend,
    })
}

/// Parses a duration such as `250ms`, `1.5s`, `2m`, `500us` or `1h`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return None,
    };
    let seconds = number * scale;
    (seconds.is_finite() && (0.0..1e9).contains(&seconds)).then(|| Duration::from_secs_f64(seconds))
}

/// The variables of a dotenv file: `NAME=value` and `export NAME=value` lines, values
/// optionally in single quotes (taken as they are) or double quotes (with `\n`, `\"` and
/// `\\` escapes); blank lines and `#` comments are skipped.
pub fn env_file_values(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let line = line.strip_prefix("export ").map_or(line, str::trim_start);
            let (name, value) = line.split_once('=')?;
            let name = name.trim();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            let value = value.trim();
            let value = if let Some(inner) =
                value.strip_prefix('\'').and_then(|v| v.strip_suffix('\''))
            {
                inner.to_string()
            } else if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                let mut out = String::new();
                let mut chars = inner.chars();
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        match chars.next() {
                            Some('n') => out.push('\n'),
                            Some('t') => out.push('\t'),
                            Some(other) => out.push(other),
                            None => out.push('\\'),
                        }
                    } else {
                        out.push(c);
                    }
                }
                out
            } else {
                // An unquoted value ends at ` #` (a trailing comment).
                value
                    .split(" #")
                    .next()
                    .unwrap_or("")
                    .trim_end()
                    .to_string()
            };
            Some((name.to_string(), value))
        })
        .collect()
}

impl Config {
    /// The folder of `tbt.toml`: relative paths in it are relative to this folder.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The variables of the env file (none without one).
    pub fn env_values(&self) -> Result<Vec<(String, String)>, ConfigError> {
        let Some(file) = self.env.as_ref().and_then(|e| e.file.as_ref()) else {
            return Ok(Vec::new());
        };
        let text = std::fs::read_to_string(file).map_err(|e| ConfigError::Io {
            path: file.clone(),
            reason: e.to_string(),
        })?;
        Ok(env_file_values(&text))
    }

    /// The declared environment names (`vars` and the names in the env file), or `None` when
    /// `tbt.toml` has no `[env]` table.
    pub fn declared_env(&self) -> Result<Option<BTreeSet<String>>, ConfigError> {
        let Some(env) = &self.env else {
            return Ok(None);
        };
        let mut names: BTreeSet<String> = env.vars.iter().cloned().collect();
        if let Some(file) = &env.file {
            let text = std::fs::read_to_string(file).map_err(|e| ConfigError::Io {
                path: file.clone(),
                reason: e.to_string(),
            })?;
            names.extend(env_file_names(&text));
        }
        Ok(Some(names))
    }
}

/// The names defined by a dotenv file: `NAME=value` and `export NAME=value` lines; blank lines
/// and `#` comments are skipped.
pub fn env_file_names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let line = line.strip_prefix("export ").map_or(line, str::trim_start);
            let (name, _) = line.split_once('=')?;
            let name = name.trim();
            (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .then(|| name.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_env_file_names() {
        let names =
            env_file_names("# comment\nSHOP_URL=http://x\n\nexport TOKEN = abc\nnot a line\n=x\n");
        assert_eq!(names, ["SHOP_URL", "TOKEN"]);
    }

    #[test]
    fn parses_the_env_table() {
        let config = parse(
            Path::new("/p/tbt.toml"),
            "[env]\nfile = \".env\"\nvars = [\"A\"]\n[later]\nx = 1\n",
        )
        .expect("valid");
        assert_eq!(
            config.env,
            Some(EnvDecl {
                file: Some(PathBuf::from("/p/.env")),
                vars: vec!["A".into()]
            })
        );
        let none = parse(Path::new("/p/tbt.toml"), "").expect("valid");
        assert_eq!(none.env, None);
        let bad = parse(Path::new("/p/tbt.toml"), "[env]\nvars = \"A\"\n").expect_err("invalid");
        assert!(
            matches!(bad, ConfigError::Invalid { range: Some(_), .. }),
            "{bad:?}"
        );
    }

    #[test]
    fn parses_the_run_tables() {
        let config = parse(
            Path::new("/p/tbt.toml"),
            r#"
[receiver]
grpc_port = 0
keep_unmatched = true
[run]
timeout = "45s"
settle = "250ms"
jobs = 4
[server]
command = ["cargo", "run"]
cwd = "shop"
env = { A = "1" }
ready_url = "http://127.0.0.1:1/health"
ready_timeout = "2m"
[backend]
kind = "tempo"
"#,
        )
        .expect("valid");
        assert_eq!(config.receiver.grpc_port, 0);
        assert_eq!(config.receiver.http_port, 4318);
        assert!(config.receiver.keep_unmatched);
        assert_eq!(config.run.timeout, Some(Duration::from_secs(45)));
        assert_eq!(config.run.settle, Some(Duration::from_millis(250)));
        assert_eq!(config.run.jobs, Some(4));
        let server = config.server.expect("server");
        assert_eq!(
            server.command,
            Command::Argv(vec!["cargo".into(), "run".into()])
        );
        assert_eq!(server.cwd, PathBuf::from("/p/shop"));
        assert_eq!(server.env, vec![("A".into(), "1".into())]);
        assert_eq!(server.ready_timeout, Duration::from_secs(120));
        assert!(config.backend.is_some());
        let shell = parse(
            Path::new("/p/tbt.toml"),
            "[server]\ncommand = \"make run\"\n",
        )
        .expect("valid");
        assert_eq!(
            shell.server.expect("server").command,
            Command::Shell("make run".into())
        );
    }

    #[test]
    fn rejects_bad_run_tables() {
        for text in [
            "[run]\ntimeout = \"soon\"\n",
            "[run]\njobs = 0\n",
            "[server]\ncommand = []\n",
            "[receiver]\nport = 1\n",
            "[server]\ncommand = \"x\"\nready = \"y\"\n",
        ] {
            let err = parse(Path::new("/p/tbt.toml"), text).expect_err(text);
            assert!(
                matches!(err, ConfigError::Invalid { .. }),
                "{text}: {err:?}"
            );
        }
    }

    #[test]
    fn reads_env_file_values() {
        let values = env_file_values(
            "A=1\nexport B = \"two words\\n\"\nC='x # y'\nD=plain # comment\n# E=no\n",
        );
        assert_eq!(
            values,
            [
                ("A".to_string(), "1".to_string()),
                ("B".into(), "two words\n".into()),
                ("C".into(), "x # y".into()),
                ("D".into(), "plain".into()),
            ]
        );
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("500us"), Some(Duration::from_micros(500)));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("-1s"), None);
    }

    #[test]
    fn discovers_by_walking_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("tbt.toml"),
            "[env]\nfile = \".env\"\nvars = [\"B\"]\n",
        )
        .expect("write");
        std::fs::write(dir.path().join(".env"), "A=1\n").expect("write");
        std::fs::create_dir_all(dir.path().join("tests/deep")).expect("mkdir");
        let config = discover(&dir.path().join("tests/deep/x.tbt"))
            .expect("ok")
            .expect("found");
        let names = config.declared_env().expect("ok").expect("declared");
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["A", "B"]);
    }
}
