//! The `[backend]` table of `tbt.toml`:
//!
//! ```toml
//! [backend]
//! kind = "tempo"                      # "jaeger" (query api_v3), "jaeger-v1" or "tempo"
//! url = "http://localhost:3200"       # base URL; the trace path is appended
//! timeout = "10s"                     # per request; or an integer number of milliseconds
//! headers = { "X-Scope-OrgID" = "tenant-1", Authorization = "Bearer …" }
//!
//! [backend.poll]                      # backoff between polls: doubles from initial to max
//! initial = "50ms"
//! max = "1s"
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use serde::de::{self, Deserializer};
use serde::{Deserialize, de::DeserializeOwned};

use crate::duration;
use crate::error::BackendError;

/// The request timeout when the configuration sets none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which trace backend, and so which HTTP API, to query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// Jaeger's query api_v3: `GET {url}/api/v3/traces/{id}`, OTLP/JSON in `{"result": …}`.
    /// `kind = "jaeger"`.
    Jaeger,
    /// Jaeger's query v1 API (the one the UI uses): `GET {url}/api/traces/{id}`,
    /// `{"data": [trace]}`. `kind = "jaeger-v1"`.
    JaegerV1,
    /// Grafana Tempo: `GET {url}/api/v2/traces/{id}` as protobuf `TraceByIDResponse`.
    /// `kind = "tempo"`.
    Tempo,
}

impl BackendKind {
    /// Every kind, in the order error messages list them.
    pub const ALL: [BackendKind; 3] = [
        BackendKind::Jaeger,
        BackendKind::JaegerV1,
        BackendKind::Tempo,
    ];

    /// The name used in `tbt.toml`.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Jaeger => "jaeger",
            BackendKind::JaegerV1 => "jaeger-v1",
            BackendKind::Tempo => "tempo",
        }
    }

    /// A human description, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            BackendKind::Jaeger => "Jaeger (query api_v3)",
            BackendKind::JaegerV1 => "Jaeger (query v1)",
            BackendKind::Tempo => "Tempo",
        }
    }

    /// The kind named `name` in `tbt.toml`; the error suggests the closest name.
    pub fn from_name(name: &str) -> Result<BackendKind, String> {
        if let Some(kind) = BackendKind::ALL.into_iter().find(|k| k.name() == name) {
            return Ok(kind);
        }
        let names = BackendKind::ALL.map(BackendKind::name);
        let known = names.map(|n| format!("\"{n}\"")).join(", ");
        let hint = did_you_mean(name, &names)
            .map(|n| format!("; did you mean \"{n}\"?"))
            .unwrap_or_default();
        Err(format!(
            "unknown backend kind \"{name}\"{hint} (expected one of {known})"
        ))
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for BackendKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        BackendKind::from_name(&name).map_err(de::Error::custom)
    }
}

/// The `[backend.poll]` table: the backoff between polls of a trace that is not there (or
/// not complete) yet. The delay starts at `initial`, doubles after each poll up to `max`, and
/// each wait is jittered down by up to half so that parallel tests do not poll in step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollConfig {
    /// The first delay (default 50 ms).
    #[serde(
        default = "PollConfig::default_initial",
        deserialize_with = "duration::deserialize"
    )]
    pub initial: Duration,
    /// The largest delay (default 1 s).
    #[serde(
        default = "PollConfig::default_max",
        deserialize_with = "duration::deserialize"
    )]
    pub max: Duration,
}

impl PollConfig {
    fn default_initial() -> Duration {
        Duration::from_millis(50)
    }

    fn default_max() -> Duration {
        Duration::from_secs(1)
    }
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig {
            initial: PollConfig::default_initial(),
            max: PollConfig::default_max(),
        }
    }
}

/// The `[backend]` table of `tbt.toml`. Deserialize it as part of a larger structure, or use
/// [`BackendConfig::from_toml`] for error messages that name the offending key and suggest
/// the intended one. [`Backend::new`](crate::Backend::new) validates either way.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendConfig {
    /// Which backend API to query.
    pub kind: BackendKind,
    /// The base URL (`http` or `https`), e.g. `http://localhost:16686` for Jaeger or
    /// `http://localhost:3200` for Tempo; may have a path prefix for a proxy.
    pub url: String,
    /// Headers sent with every request (authentication, `X-Scope-OrgID` for multi-tenant
    /// Tempo). Values are marked sensitive and never appear in messages.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The timeout of one request (default [`DEFAULT_TIMEOUT`]).
    #[serde(default, deserialize_with = "duration::deserialize_opt")]
    pub timeout: Option<Duration>,
    /// The polling backoff (default [`PollConfig::default`]).
    #[serde(default)]
    pub poll: Option<PollConfig>,
}

/// Shows header names only: their values are often credentials.
impl fmt::Debug for BackendConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: BTreeMap<&str, Redacted> = self
            .headers
            .keys()
            .map(|name| (name.as_str(), Redacted))
            .collect();
        f.debug_struct("BackendConfig")
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("timeout", &self.timeout)
            .field("poll", &self.poll)
            .finish()
    }
}

/// Stands for a secret in debug output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The keys of `[backend]`.
const KEYS: [&str; 5] = ["kind", "url", "headers", "timeout", "poll"];
/// The keys of `[backend.poll]`.
const POLL_KEYS: [&str; 2] = ["initial", "max"];

impl BackendConfig {
    /// A configuration of `kind` at `url` with every other setting at its default.
    pub fn new(kind: BackendKind, url: impl Into<String>) -> Self {
        BackendConfig {
            kind,
            url: url.into(),
            headers: BTreeMap::new(),
            timeout: None,
            poll: None,
        }
    }

    /// Reads and validates the `[backend]` table (its contents, without the `backend` key).
    /// Unknown keys, missing keys and bad values are [`BackendErrorKind::Config`] errors that
    /// name the key (`backend.poll.max`) and, for a misspelling, the key that was meant.
    ///
    /// [`BackendErrorKind::Config`]: crate::BackendErrorKind::Config
    pub fn from_toml(table: &toml::Table) -> Result<Self, BackendError> {
        check_keys(table, "backend", &KEYS)?;
        let kind = field(table, "backend", "kind")?.ok_or_else(|| missing("kind"))?;
        let url = field(table, "backend", "url")?.ok_or_else(|| missing("url"))?;
        let headers = match table.get("headers") {
            None => BTreeMap::new(),
            Some(toml::Value::Table(headers)) => header_table(headers)?,
            Some(other) => {
                return Err(BackendError::config(format!(
                    "`backend.headers`: expected a table of header names to values, found {}",
                    type_name(other)
                )));
            }
        };
        let timeout = field::<TomlDuration>(table, "backend", "timeout")?.map(|d| d.0);
        let poll = match table.get("poll") {
            None => None,
            Some(toml::Value::Table(poll)) => {
                check_keys(poll, "backend.poll", &POLL_KEYS)?;
                let defaults = PollConfig::default();
                Some(PollConfig {
                    initial: field::<TomlDuration>(poll, "backend.poll", "initial")?
                        .map_or(defaults.initial, |d| d.0),
                    max: field::<TomlDuration>(poll, "backend.poll", "max")?
                        .map_or(defaults.max, |d| d.0),
                })
            }
            Some(other) => {
                return Err(BackendError::config(format!(
                    "`backend.poll`: expected a table with `initial` and `max`, found {}",
                    type_name(other)
                )));
            }
        };
        let config = BackendConfig {
            kind,
            url,
            headers,
            timeout,
            poll,
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: the URL, the header names and values, the backoff bounds.
    pub fn validate(&self) -> Result<(), BackendError> {
        self.base_url()?;
        for (name, value) in &self.headers {
            header(name, value)?;
        }
        let poll = self.poll_config();
        if poll.initial.is_zero() {
            return Err(BackendError::config(
                "`backend.poll.initial` must be greater than zero",
            ));
        }
        if poll.max < poll.initial {
            return Err(BackendError::config(format!(
                "`backend.poll.max` ({:?}) must not be less than `backend.poll.initial` ({:?})",
                poll.max, poll.initial
            )));
        }
        if self.timeout.is_some_and(|t| t.is_zero()) {
            return Err(BackendError::config(
                "`backend.timeout` must be greater than zero",
            ));
        }
        Ok(())
    }

    /// The request timeout in effect.
    pub fn request_timeout(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }

    /// The polling backoff in effect.
    pub fn poll_config(&self) -> PollConfig {
        self.poll.unwrap_or_default()
    }

    /// The base URL, parsed and checked, without a trailing slash.
    pub(crate) fn base_url(&self) -> Result<String, BackendError> {
        let url = Url::parse(self.url.trim()).map_err(|e| {
            BackendError::config(format!(
                "`backend.url`: \"{}\" is not a valid URL: {e}",
                self.url
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(BackendError::config(format!(
                "`backend.url`: \"{}\" must start with http:// or https://",
                self.url
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(BackendError::config(format!(
                "`backend.url`: \"{}\" has no host",
                self.url
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(BackendError::config(format!(
                "`backend.url`: \"{}\" must be a base URL without a query or fragment; tbt appends the API path",
                self.url
            )));
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }
}

/// A checked header, its value marked sensitive so that it never shows in debug output.
pub(crate) fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), BackendError> {
    let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        BackendError::config(format!(
            "`backend.headers`: \"{name}\" is not a valid HTTP header name"
        ))
    })?;
    let mut header_value = HeaderValue::from_str(value).map_err(|_| {
        BackendError::config(format!(
            "`backend.headers`: the value of \"{name}\" is not a valid HTTP header value (it must be visible ASCII, without line breaks)"
        ))
    })?;
    header_value.set_sensitive(true);
    Ok((header_name, header_value))
}

/// The `[backend.headers]` table: every value a string.
fn header_table(table: &toml::Table) -> Result<BTreeMap<String, String>, BackendError> {
    table
        .iter()
        .map(|(name, value)| match value {
            toml::Value::String(s) => Ok((name.clone(), s.clone())),
            other => Err(BackendError::config(format!(
                "`backend.headers`: the value of \"{name}\" must be a string, found {}",
                type_name(other)
            ))),
        })
        .collect()
}

/// A duration deserialized from a string or integer milliseconds.
struct TomlDuration(Duration);

impl<'de> Deserialize<'de> for TomlDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        duration::deserialize(d).map(TomlDuration)
    }
}

/// Refuses keys that are not in `known`, suggesting the closest known one.
fn check_keys(table: &toml::Table, prefix: &str, known: &[&str]) -> Result<(), BackendError> {
    for key in table.keys() {
        if known.contains(&key.as_str()) {
            continue;
        }
        let hint = did_you_mean(key, known)
            .map(|k| format!("; did you mean `{k}`?"))
            .unwrap_or_default();
        let listed = known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(BackendError::config(format!(
            "`{prefix}`: unknown key `{key}`{hint} (known keys: {listed})"
        )));
    }
    Ok(())
}

/// The value of `key`, deserialized; a type error names the key.
fn field<T: DeserializeOwned>(
    table: &toml::Table,
    prefix: &str,
    key: &str,
) -> Result<Option<T>, BackendError> {
    let Some(value) = table.get(key) else {
        return Ok(None);
    };
    value.clone().try_into::<T>().map(Some).map_err(|e| {
        let reason = e.to_string();
        BackendError::config(format!("`{prefix}.{key}`: {}", reason.trim_end()))
    })
}

fn missing(key: &str) -> BackendError {
    let example = match key {
        "kind" => "kind = \"jaeger\", \"jaeger-v1\" or \"tempo\"",
        _ => "url = \"http://localhost:16686\"",
    };
    BackendError::config(format!(
        "`backend`: the key `{key}` is missing (for example {example})"
    ))
}

fn type_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date-time",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

/// The candidate closest to `word`, when it is close enough to be a likely typo.
fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(&lower, c), *c))
        .filter(|&(d, c)| d <= (c.len() / 3).max(1) || c.starts_with(&lower) && lower.len() >= 3)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let kinds = BackendKind::ALL.map(BackendKind::name);
        assert_eq!(did_you_mean("jeager", &kinds), Some("jaeger"));
        assert_eq!(did_you_mean("Tempo", &kinds), Some("tempo"));
        assert_eq!(did_you_mean("jaeger_v1", &kinds), Some("jaeger-v1"));
        assert_eq!(did_you_mean("zipkin", &kinds), None);
        assert_eq!(did_you_mean("timout", &KEYS), Some("timeout"));
        assert_eq!(did_you_mean("header", &KEYS), Some("headers"));
        assert_eq!(did_you_mean("colour", &KEYS), None);
    }

    #[test]
    fn base_url_drops_the_trailing_slash_and_keeps_a_prefix() {
        let c = BackendConfig::new(BackendKind::Jaeger, "http://jaeger:16686/");
        assert_eq!(c.base_url(), Ok("http://jaeger:16686".to_owned()));
        let c = BackendConfig::new(BackendKind::Tempo, "https://proxy.example/tempo/");
        assert_eq!(c.base_url(), Ok("https://proxy.example/tempo".to_owned()));
    }
}
