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
//! (W0105); without one, every name is accepted. Other tables are ignored here, so later
//! versions can add them.

#![warn(missing_docs)]

use serde::Deserialize;
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The name of the project file.
pub const FILE_NAME: &str = "tbt.toml";

/// A loaded `tbt.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The path of the `tbt.toml` file.
    pub path: PathBuf,
    /// The `[env]` table, if any.
    pub env: Option<EnvDecl>,
}

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
    Ok(Config {
        path: path.to_path_buf(),
        env,
    })
}

impl Config {
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
            "[env]\nfile = \".env\"\nvars = [\"A\"]\n[run]\nx = 1\n",
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
