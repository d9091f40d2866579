//! Turns a trigger's evaluated inputs (from the engine) into a request the trigger crate can
//! send, checking the values' types: a header value must be text, a timeout a duration, a
//! `body json` any value. Every problem points at the argument that caused it.

use std::path::{Path, PathBuf};
use std::time::Duration;
use tbt_diagnostics::TextRange;
use tbt_engine::{InputArg, InputOption, OwnedValue, TriggerInputs};
use tbt_trigger::{ExecSpec, GrpcSpec, HttpAuth, HttpBody, HttpSpec, TlsOptions, TriggerSpec};

/// The default time a trigger may take.
pub const DEFAULT_TRIGGER_TIMEOUT: Duration = Duration::from_secs(30);

/// A trigger input of the wrong shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub range: TextRange,
}

type R<T> = Result<T, SpecError>;

fn err<T>(range: TextRange, message: impl Into<String>) -> R<T> {
    Err(SpecError {
        message: message.into(),
        range,
    })
}

/// What a trigger needs: a request to send, or the id of an existing trace.
#[derive(Clone, Debug)]
pub enum Planned {
    /// Send this request.
    Fire(Box<TriggerSpec>),
    /// Wait for (or fetch) this existing trace.
    Existing([u8; 16]),
}

/// Builds the request. `dir` is the test file's folder: relative paths (`body file`, `tls ca`,
/// `proto`, `cwd`) are relative to it.
pub fn planned(inputs: &TriggerInputs, dir: &Path) -> R<Planned> {
    match inputs.kind.as_str() {
        "http" => http(inputs, dir).map(|s| Planned::Fire(Box::new(TriggerSpec::Http(s)))),
        "grpc" => grpc(inputs, dir).map(|s| Planned::Fire(Box::new(TriggerSpec::Grpc(s)))),
        "exec" => exec(inputs, dir).map(|s| Planned::Fire(Box::new(TriggerSpec::Exec(s)))),
        "trace" => {
            let (text, range) = text_arg(inputs.args.first(), inputs.range, "a trace id")?;
            match parse_trace_id(&text) {
                Some(id) => Ok(Planned::Existing(id)),
                None => err(
                    range,
                    format!(
                        "{text:?} is not a trace id: a trace id is 32 hex digits, not all zeros"
                    ),
                ),
            }
        }
        other => err(inputs.range, format!("unknown trigger kind `{other}`")),
    }
}

/// Parses 32 hex digits (not all zero).
pub fn parse_trace_id(text: &str) -> Option<[u8; 16]> {
    let text = text.trim();
    if text.len() != 32 {
        return None;
    }
    let mut id = [0u8; 16];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    (id != [0; 16]).then_some(id)
}

fn value_of(arg: Option<&InputArg>, at: TextRange, what: &str) -> R<(OwnedValue, TextRange)> {
    match arg {
        Some(InputArg::Value(v, r)) => Ok((v.clone(), *r)),
        Some(InputArg::Word(w, r)) => Ok((OwnedValue::Str(w.clone()), *r)),
        None => err(at, format!("missing {what}")),
    }
}

/// A text argument: strings as they are; numbers and booleans as written.
fn text_arg(arg: Option<&InputArg>, at: TextRange, what: &str) -> R<(String, TextRange)> {
    let (v, r) = value_of(arg, at, what)?;
    Ok((text(&v, r, what)?, r))
}

fn text(v: &OwnedValue, r: TextRange, what: &str) -> R<String> {
    match v {
        OwnedValue::Str(s) => Ok(s.clone()),
        OwnedValue::Int(_) | OwnedValue::Double(_) | OwnedValue::Bool(_) => Ok(v.text()),
        OwnedValue::Missing => err(r, format!("{what} is missing (a field that is not there)")),
        other => err(
            r,
            format!(
                "{what} must be a string, not {} {}",
                article(other.type_name()),
                other.display()
            ),
        ),
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn word(arg: Option<&InputArg>, at: TextRange) -> R<(String, TextRange)> {
    match arg {
        Some(InputArg::Word(w, r)) => Ok((w.clone(), *r)),
        Some(InputArg::Value(OwnedValue::Str(s), r)) => Ok((s.clone(), *r)),
        Some(other) => err(other.range(), "expected a word here"),
        None => err(at, "missing a word"),
    }
}

fn duration(opt: &InputOption) -> R<Duration> {
    let (v, r) = value_of(opt.args.first(), opt.range, "a duration")?;
    match v {
        OwnedValue::Duration(n) if n > 0 => Ok(Duration::from_nanos(n as u64)),
        OwnedValue::Duration(_) => err(r, format!("`{}` must be longer than zero", opt.name)),
        other => err(
            r,
            format!(
                "`{}` needs a duration such as `5s`, not {}",
                opt.name,
                other.display()
            ),
        ),
    }
}

fn path(opt_arg: Option<&InputArg>, at: TextRange, dir: &Path, what: &str) -> R<PathBuf> {
    let (p, _) = text_arg(opt_arg, at, what)?;
    let p = PathBuf::from(p);
    Ok(if p.is_absolute() { p } else { dir.join(p) })
}

/// `"name" = value` options (headers, query, metadata, env).
fn pair(opt: &InputOption) -> R<(String, String)> {
    let (name, _) = text_arg(opt.args.first(), opt.range, "a name")?;
    let Some((value, range)) = &opt.value else {
        return err(opt.range, format!("`{}` needs `= value`", opt.name));
    };
    Ok((
        name,
        text(value, *range, &format!("the value of `{}`", opt.name))?,
    ))
}

fn tls(opt: &InputOption, dir: &Path, tls: &mut TlsOptions) -> R<()> {
    let (kind, r) = word(opt.args.first(), opt.range)?;
    match kind.as_str() {
        "ca" => tls
            .ca
            .push(path(opt.args.get(1), opt.range, dir, "a CA file")?),
        "cert" => {
            let cert = path(opt.args.get(1), opt.range, dir, "a certificate file")?;
            let key = path(opt.args.get(2), opt.range, dir, "a key file")?;
            tls.client_cert = Some((cert, key));
        }
        "insecure" => tls.insecure = true,
        other => {
            return err(
                r,
                format!("unknown `tls` option `{other}` (ca, cert, insecure)"),
            );
        }
    }
    Ok(())
}

fn http(inputs: &TriggerInputs, dir: &Path) -> R<HttpSpec> {
    let (method, _) = text_arg(inputs.args.first(), inputs.range, "a method")?;
    let (url, url_range) = text_arg(inputs.args.get(1), inputs.range, "a URL")?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return err(
            url_range,
            format!("{url:?} is not an http:// or https:// URL"),
        );
    }
    let mut spec = HttpSpec {
        method: method.to_ascii_uppercase(),
        url,
        headers: Vec::new(),
        query: Vec::new(),
        body: None,
        auth: None,
        timeout: DEFAULT_TRIGGER_TIMEOUT,
        tls: TlsOptions::default(),
        redirects: 0,
    };
    for opt in &inputs.options {
        match opt.name.as_str() {
            "header" => spec.headers.push(pair(opt)?),
            "query" => spec.query.push(pair(opt)?),
            "body" => {
                let (kind, r) = word(opt.args.first(), opt.range)?;
                let (value, vr) = value_of(opt.args.get(1), opt.range, "a body")?;
                spec.body = Some(match kind.as_str() {
                    "json" => HttpBody::Json(value.to_json()),
                    "text" => HttpBody::Text(text(&value, vr, "a text body")?),
                    "form" => match value {
                        OwnedValue::Object(entries) => HttpBody::Form(
                            entries
                                .iter()
                                .map(|(k, v)| Ok((k.clone(), text(v, vr, "a form field")?)))
                                .collect::<R<_>>()?,
                        ),
                        other => {
                            return err(
                                vr,
                                format!("`body form` needs an object, not {}", other.display()),
                            );
                        }
                    },
                    "file" => HttpBody::File(path(opt.args.get(1), opt.range, dir, "a file")?),
                    other => {
                        return err(
                            r,
                            format!("unknown body kind `{other}` (json, text, form, file)"),
                        );
                    }
                });
            }
            "auth" => {
                let (kind, r) = word(opt.args.first(), opt.range)?;
                spec.auth = Some(match kind.as_str() {
                    "basic" => HttpAuth::Basic {
                        user: text_arg(opt.args.get(1), opt.range, "a user")?.0,
                        password: text_arg(opt.args.get(2), opt.range, "a password")?.0,
                    },
                    "bearer" => {
                        HttpAuth::Bearer(text_arg(opt.args.get(1), opt.range, "a token")?.0)
                    }
                    other => return err(r, format!("unknown auth kind `{other}` (basic, bearer)")),
                });
            }
            "timeout" => spec.timeout = duration(opt)?,
            "tls" => tls(opt, dir, &mut spec.tls)?,
            "redirects" => {
                let (v, r) = value_of(opt.args.first(), opt.range, "a count")?;
                spec.redirects = match v {
                    OwnedValue::Int(n) if (0..=100).contains(&n) => n as u32,
                    other => {
                        return err(
                            r,
                            format!(
                                "`redirects` needs a count from 0 to 100, not {}",
                                other.display()
                            ),
                        );
                    }
                };
            }
            other => {
                return err(
                    opt.range,
                    format!("`{other}` is not an option of `trigger http`"),
                );
            }
        }
    }
    Ok(spec)
}

fn grpc(inputs: &TriggerInputs, dir: &Path) -> R<GrpcSpec> {
    let (address, _) = text_arg(inputs.args.first(), inputs.range, "an address")?;
    let (method, method_range) = text_arg(inputs.args.get(1), inputs.range, "a method")?;
    if !method.contains('/') {
        return err(
            method_range,
            format!("{method:?} is not a gRPC method: write \"package.Service/Method\""),
        );
    }
    let mut spec = GrpcSpec {
        address,
        method,
        message: serde_json::Value::Object(serde_json::Map::new()),
        metadata: Vec::new(),
        protos: Vec::new(),
        import_paths: Vec::new(),
        reflection: false,
        timeout: DEFAULT_TRIGGER_TIMEOUT,
        tls: TlsOptions::default(),
    };
    for opt in &inputs.options {
        match opt.name.as_str() {
            "message" => {
                spec.message = value_of(opt.args.first(), opt.range, "a message")?
                    .0
                    .to_json()
            }
            "metadata" => spec.metadata.push(pair(opt)?),
            "proto" => spec
                .protos
                .push(path(opt.args.first(), opt.range, dir, "a .proto file")?),
            "import_path" => {
                spec.import_paths
                    .push(path(opt.args.first(), opt.range, dir, "a folder")?)
            }
            "reflection" => spec.reflection = true,
            "timeout" => spec.timeout = duration(opt)?,
            "tls" => tls(opt, dir, &mut spec.tls)?,
            other => {
                return err(
                    opt.range,
                    format!("`{other}` is not an option of `trigger grpc`"),
                );
            }
        }
    }
    if spec.protos.is_empty() && !spec.reflection {
        return err(
            inputs.range,
            "`trigger grpc` needs `proto \"file.proto\"` or `reflection` to encode the message",
        );
    }
    Ok(spec)
}

fn exec(inputs: &TriggerInputs, dir: &Path) -> R<ExecSpec> {
    let mut argv = Vec::new();
    for arg in &inputs.args {
        match arg {
            InputArg::Value(OwnedValue::List(items), r) => {
                for item in items {
                    argv.push(text(item, *r, "an argument")?);
                }
            }
            InputArg::Value(v, r) => argv.push(text(v, *r, "an argument")?),
            InputArg::Word(w, _) => argv.push(w.clone()),
        }
    }
    if argv.is_empty() {
        return err(
            inputs.range,
            "`trigger exec` needs a command: [\"program\", \"arg\", ...]",
        );
    }
    let mut spec = ExecSpec {
        argv,
        shell: false,
        cwd: dir.to_path_buf(),
        env: Vec::new(),
        stdin: None,
        timeout: DEFAULT_TRIGGER_TIMEOUT,
    };
    for opt in &inputs.options {
        match opt.name.as_str() {
            "cwd" => spec.cwd = path(opt.args.first(), opt.range, dir, "a folder")?,
            "env" => spec.env.push(pair(opt)?),
            "shell" => spec.shell = true,
            "stdin" => spec.stdin = Some(text_arg(opt.args.first(), opt.range, "the input")?.0),
            "timeout" => spec.timeout = duration(opt)?,
            other => {
                return err(
                    opt.range,
                    format!("`{other}` is not an option of `trigger exec`"),
                );
            }
        }
    }
    if spec.shell && spec.argv.len() != 1 {
        return err(
            inputs.range,
            "with `shell`, the list holds one string: the shell command line",
        );
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids() {
        assert_eq!(
            parse_trace_id("4bf92f3577b34da6a3ce929d0e0e4736").map(|i| i[0]),
            Some(0x4b)
        );
        assert_eq!(parse_trace_id("00000000000000000000000000000000"), None);
        assert_eq!(parse_trace_id("4bf92f"), None);
        assert_eq!(parse_trace_id("zzf92f3577b34da6a3ce929d0e0e4736"), None);
    }
}
