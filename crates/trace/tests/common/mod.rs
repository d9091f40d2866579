//! Helpers shared by the integration tests.
#![allow(dead_code)]

use tbt_trace::{SpanRef, Trace};

/// The repository's test data folder.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");

/// Reads a fixture by path relative to `tests/fixtures`.
pub fn fixture(rel: &str) -> Vec<u8> {
    let p = format!("{FIXTURES}/{rel}");
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {p}: {e}"))
}

/// All files of a fixture folder, sorted.
pub fn fixture_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(format!("{FIXTURES}/{dir}"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn attrs_line(a: tbt_trace::AttrList<'_>, t: &Trace) -> String {
    a.sorted()
        .into_iter()
        .map(|(k, v)| format!("{k}={}", t.display_value(v)))
        .collect::<Vec<_>>()
        .join(",")
}

/// One line with every field of a span (ids, parent, times, kind, status, service,
/// resource, scope, attributes, events, links).
pub fn span_line(s: SpanRef<'_>) -> String {
    let t = s.trace();
    let events: Vec<String> = s
        .events()
        .map(|e| {
            format!(
                "{}@{}{{{}}}",
                e.name(),
                e.time_unix_nano(),
                attrs_line(e.attrs(), t)
            )
        })
        .collect();
    let links: Vec<String> = s
        .links()
        .map(|l| {
            format!(
                "{}/{}{{{}}}",
                l.trace_id(),
                l.span_id(),
                attrs_line(l.attrs(), t)
            )
        })
        .collect();
    format!(
        "{}/{} parent={} name={:?} kind={} status={}:{:?} start={} end={} service={:?} res={{{}}} scope={}@{}{{{}}} ts={:?} attrs={{{}}} events=[{}] links=[{}]",
        s.trace_id(),
        s.span_id(),
        s.parent_span_id().map_or("-".into(), |p| p.to_string()),
        s.name(),
        s.kind(),
        s.status(),
        s.status_message(),
        s.start(),
        s.end(),
        s.service(),
        attrs_line(s.resource().attrs(), t),
        s.scope().name(),
        s.scope().version(),
        attrs_line(s.scope().attrs(), t),
        s.trace_state(),
        attrs_line(s.attrs(), t),
        events.join(";"),
        links.join(";"),
    )
}

/// Every span as one line, sorted: two stores are the same model when these are equal.
pub fn canon(t: &Trace) -> Vec<String> {
    let mut v: Vec<String> = t.spans().map(span_line).collect();
    v.sort();
    v
}
