//! A tiny text format for hand-written traces, built with `tbt_trace::TraceBuilder`.
//!
//! ```text
//! trace 00000000000000000000000000000001          # the trace id of the spans below
//! resource gw service.name="gateway" service.version="2.1.0"
//! # span ID PARENT RESOURCE KIND STATUS START END "NAME" key=value...
//! span 1 - gw server ok 0ms 120ms "POST /checkout" http.route="/checkout" retries=2
//! span 2 1 gw client error:"timeout" 5ms 100ms "call" ratio=0.5 ok=true tags=["a","b"]
//! event 2 "exception" 50ms exception.type="E"     # an event of span 2
//! link 2 00000000000000000000000000000009 42 kind="follows"
//! ```
//!
//! Span ids are numbers (written as 16 hex digits); a parent that no span has makes an orphan.
//! Times are offsets from 2024-01-01T00:00:00Z with a unit (`ns`, `us`, `ms`, `s`).

use std::collections::HashMap;
use tbt_trace::{
    AttrValue, ScopeIdx, SpanId, SpanInfo, SpanKind, StatusCode, Trace, TraceBuilder, TraceId,
};

/// 2024-01-01T00:00:00Z in unix nanoseconds.
pub const BASE: u64 = 1_704_067_200_000_000_000;

struct SpanLine {
    trace: TraceId,
    id: u64,
    parent: u64,
    scope: ScopeIdx,
    kind: SpanKind,
    status: StatusCode,
    message: String,
    start: u64,
    end: u64,
    name: String,
    attrs: Vec<(String, Scalar)>,
    events: Vec<(String, u64, Attrs)>,
    links: Vec<(TraceId, u64, Attrs)>,
}

/// Attributes as written in a trace file.
type Attrs = Vec<(String, Scalar)>;

#[derive(Clone, Debug)]
enum Scalar {
    Str(String),
    Int(i64),
    Double(f64),
    Bool(bool),
    List(Vec<Scalar>),
}

/// Parses a trace file.
pub fn parse(text: &str) -> Result<Trace, String> {
    let mut b = TraceBuilder::new();
    let mut scopes: HashMap<String, ScopeIdx> = HashMap::new();
    let mut spans: Vec<SpanLine> = Vec::new();
    let mut trace = TraceId(
        [0; 15]
            .iter()
            .copied()
            .chain([1])
            .collect::<Vec<u8>>()
            .try_into()
            .unwrap_or([0; 16]),
    );
    for (n, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        let words = split(line);
        let err = |m: &str| format!("line {}: {m}: {raw}", n + 1);
        match words.first().map(String::as_str) {
            Some("trace") => {
                trace = TraceId::from_hex(words.get(1).ok_or_else(|| err("no id"))?)
                    .ok_or_else(|| err("bad trace id"))?;
            }
            Some("resource") => {
                let name = words.get(1).ok_or_else(|| err("no name"))?.clone();
                let attrs = attrs(&words[2..]).map_err(|e| err(&e))?;
                let res = b.resource("", |r| {
                    for (k, v) in &attrs {
                        put(r, k, v);
                    }
                });
                let scope = b.scope(res, "tbt.tests", "1.0", "", |_| {});
                scopes.insert(name, scope);
            }
            Some("span") => {
                if words.len() < 9 {
                    return Err(err(
                        "a span needs ID PARENT RESOURCE KIND STATUS START END NAME",
                    ));
                }
                let id: u64 = words[1].parse().map_err(|_| err("bad id"))?;
                let parent: u64 = if words[2] == "-" {
                    0
                } else {
                    words[2].parse().map_err(|_| err("bad parent"))?
                };
                let scope = *scopes
                    .get(&words[3])
                    .ok_or_else(|| err("unknown resource"))?;
                let kind = SpanKind::from_name(&words[4]).ok_or_else(|| err("bad kind"))?;
                let (status, message) = match words[5].split_once(':') {
                    Some((s, m)) => (s.to_string(), unquote(m)),
                    None => (words[5].clone(), String::new()),
                };
                let status = StatusCode::from_name(&status).ok_or_else(|| err("bad status"))?;
                let start = time(&words[6]).ok_or_else(|| err("bad start"))?;
                let end = time(&words[7]).ok_or_else(|| err("bad end"))?;
                spans.push(SpanLine {
                    trace,
                    id,
                    parent,
                    scope,
                    kind,
                    status,
                    message,
                    start,
                    end,
                    name: unquote(&words[8]),
                    attrs: attrs(&words[9..]).map_err(|e| err(&e))?,
                    events: Vec::new(),
                    links: Vec::new(),
                });
            }
            Some("event") => {
                let id: u64 = words
                    .get(1)
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| err("bad span id"))?;
                let name = unquote(words.get(2).ok_or_else(|| err("no name"))?);
                let at = time(words.get(3).ok_or_else(|| err("no time"))?)
                    .ok_or_else(|| err("bad time"))?;
                let a = attrs(&words[4..]).map_err(|e| err(&e))?;
                let span = spans
                    .iter_mut()
                    .rev()
                    .find(|s| s.id == id)
                    .ok_or_else(|| err("no such span"))?;
                span.events.push((name, at, a));
            }
            Some("link") => {
                let id: u64 = words
                    .get(1)
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| err("bad span id"))?;
                let tid = TraceId::from_hex(words.get(2).ok_or_else(|| err("no trace"))?)
                    .ok_or_else(|| err("bad trace id"))?;
                let sid: u64 = words
                    .get(3)
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| err("bad linked span"))?;
                let a = attrs(&words[4..]).map_err(|e| err(&e))?;
                let span = spans
                    .iter_mut()
                    .rev()
                    .find(|s| s.id == id)
                    .ok_or_else(|| err("no such span"))?;
                span.links.push((tid, sid, a));
            }
            _ => return Err(err("unknown line")),
        }
    }
    for s in &spans {
        let mut w = b.span(SpanInfo {
            trace_id: s.trace,
            span_id: SpanId(s.id.to_be_bytes()),
            parent_span_id: SpanId(s.parent.to_be_bytes()),
            name: &s.name,
            kind: s.kind,
            status: s.status,
            status_message: &s.message,
            start_unix_nano: BASE + s.start,
            end_unix_nano: BASE + s.end,
            ..SpanInfo::new(s.scope)
        });
        for (k, v) in &s.attrs {
            let value = build(w.pool(), v);
            let key = w.pool().intern(k);
            w.attr_sym(key, value);
        }
        for (name, at, a) in &s.events {
            w.event(name, BASE + at, |e| {
                for (k, v) in a {
                    put(e, k, v);
                }
            });
        }
        for (tid, sid, a) in &s.links {
            w.link(*tid, SpanId(sid.to_be_bytes()), "", |l| {
                for (k, v) in a {
                    put(l, k, v);
                }
            });
        }
        w.finish();
    }
    b.finish().map_err(|e| e.to_string())
}

fn put(sink: &mut tbt_trace::AttrSink<'_>, key: &str, v: &Scalar) {
    let value = build(sink.pool(), v);
    let key = sink.pool().intern(key);
    sink.attr_sym(key, value);
}

fn build(pool: &mut tbt_trace::ValuePool, v: &Scalar) -> tbt_trace::Value {
    match v {
        Scalar::Str(s) => pool.value(AttrValue::Str(s)),
        Scalar::Int(i) => pool.value(AttrValue::Int(*i)),
        Scalar::Double(d) => pool.value(AttrValue::Double(*d)),
        Scalar::Bool(x) => pool.value(AttrValue::Bool(*x)),
        Scalar::List(items) => {
            let built: Vec<tbt_trace::Value> = items.iter().map(|i| build(pool, i)).collect();
            pool.array(&built)
        }
    }
}

fn attrs(words: &[String]) -> Result<Vec<(String, Scalar)>, String> {
    words
        .iter()
        .map(|w| {
            let (k, v) = w
                .split_once('=')
                .ok_or_else(|| format!("`{w}` is not key=value"))?;
            Ok((k.to_string(), scalar(v)?))
        })
        .collect()
}

fn scalar(v: &str) -> Result<Scalar, String> {
    if let Some(inner) = v.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        if inner.trim().is_empty() {
            return Ok(Scalar::List(Vec::new()));
        }
        return split_top(inner)
            .iter()
            .map(|x| scalar(x.trim()))
            .collect::<Result<_, _>>()
            .map(Scalar::List);
    }
    if v.starts_with('"') {
        return Ok(Scalar::Str(unquote(v)));
    }
    match v {
        "true" => return Ok(Scalar::Bool(true)),
        "false" => return Ok(Scalar::Bool(false)),
        _ => {}
    }
    if let Ok(i) = v.parse::<i64>() {
        return Ok(Scalar::Int(i));
    }
    v.parse::<f64>()
        .map(Scalar::Double)
        .map_err(|_| format!("bad value `{v}`"))
}

fn split_top(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn time(w: &str) -> Option<u64> {
    let units = [("ns", 1.0), ("us", 1e3), ("ms", 1e6), ("s", 1e9)];
    if w == "0" {
        return Some(0);
    }
    for (suffix, scale) in units {
        if let Some(num) = w.strip_suffix(suffix)
            && let Ok(x) = num.parse::<f64>()
        {
            return Some((x * scale).round() as u64);
        }
    }
    None
}

fn unquote(w: &str) -> String {
    let inner = w
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(w);
    inner.replace("\\\"", "\"").replace("\\n", "\n")
}

/// Splits on spaces, keeping quoted strings and bracketed lists whole.
fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut depth, mut escaped) = (false, 0, false);
    for c in line.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                cur.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            '[' if !quoted => {
                depth += 1;
                cur.push(c);
            }
            ']' if !quoted => {
                depth -= 1;
                cur.push(c);
            }
            ' ' | '\t' if !quoted && depth == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The line without a `#` comment (outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}
