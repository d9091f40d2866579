//! A compact, stable text dump of a store: an indented span tree per trace id, with service,
//! name, kind, status, duration, start offset and attributes (sorted by key). Used by
//! snapshot tests and by failure reports.
//!
//! ```text
//! trace 0000000000000000000000000000002a: 2 spans
//! resource 0: service.name="frontend"
//! - frontend: GET /cart [server, ok] 2ms @+0ns span=00000000000000a1
//!     http.request.method = "GET"
//!   - frontend: SELECT cart [client, unset] 1.5ms @+100µs span=00000000000000a2
//! ```

use std::fmt::{self, Write as _};

use crate::model::{SpanIdx, StatusCode, Trace};

impl Trace {
    /// The whole store as an indented tree (see the module docs of `dump`).
    pub fn dump(&self) -> String {
        self.to_string()
    }

    /// The subtree of `root` only.
    pub fn dump_subtree(&self, root: SpanIdx) -> String {
        let mut out = String::new();
        let base = self.start(root);
        for (s, depth) in self.walk_from(root) {
            // Writing into a String cannot fail.
            let _ = write_span(&mut out, self, s, depth, base);
        }
        out
    }
}

/// Formats nanoseconds as a short human duration: `950ns`, `123µs`, `1.5ms`, `2.003s`.
pub fn format_duration(nanos: u64) -> String {
    fn scaled(v: u64, unit: u64, suffix: &str) -> String {
        let whole = v / unit;
        let frac = v % unit;
        if frac == 0 {
            return format!("{whole}{suffix}");
        }
        // Three decimals, trailing zeros trimmed.
        let frac3 = frac * 1000 / unit;
        let s = format!("{whole}.{frac3:03}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        format!("{s}{suffix}")
    }
    match nanos {
        0..1_000 => format!("{nanos}ns"),
        1_000..1_000_000 => scaled(nanos, 1_000, "µs"),
        1_000_000..1_000_000_000 => scaled(nanos, 1_000_000, "ms"),
        _ => scaled(nanos, 1_000_000_000, "s"),
    }
}

const MAX_INDENT: usize = 32;

pub(crate) fn write_dump(f: &mut fmt::Formatter<'_>, t: &Trace) -> fmt::Result {
    let mut out = String::new();
    let ntraces = t.trace_ids().len();
    for (r, res) in t.resources().enumerate() {
        let attrs: Vec<String> = res
            .attrs()
            .sorted()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", t.display_value(v)))
            .collect();
        writeln!(out, "resource {r}: {}", attrs.join(", "))?;
    }
    let mut roots_of: Vec<Vec<SpanIdx>> = vec![Vec::new(); ntraces];
    for &r in t.roots() {
        roots_of[t.trace_index(r) as usize].push(r);
    }
    let mut counts = vec![0usize; ntraces];
    for &x in &t.spans.trace {
        counts[x as usize] += 1;
    }
    for (ti, tid) in t.trace_ids().iter().enumerate() {
        let roots = &roots_of[ti];
        let count = counts[ti];
        let base = roots.iter().map(|&r| t.start(r)).min().unwrap_or(0);
        write!(
            out,
            "trace {tid}: {count} span{}",
            if count == 1 { "" } else { "s" }
        )?;
        if roots.len() > 1 {
            write!(out, ", {} roots", roots.len())?;
        }
        let dups = t.duplicates().iter().filter(|d| d.trace_id == *tid).count();
        if dups > 0 {
            write!(out, ", {dups} duplicate span id(s) dropped")?;
        }
        out.push('\n');
        for &root in roots {
            for (s, depth) in t.walk_from(root) {
                write_span(&mut out, t, s, depth, base)?;
            }
        }
        if ntraces > 1 {
            out.push('\n');
        }
    }
    f.write_str(&out)
}

fn write_span(out: &mut String, t: &Trace, s: SpanIdx, depth: usize, base: u64) -> fmt::Result {
    let span = t.span(s);
    // Indentation stops growing past MAX_INDENT levels (traces can be very deep); the depth
    // is printed instead.
    let pad = "  ".repeat(depth.min(MAX_INDENT));
    let deep = if depth > MAX_INDENT {
        format!("[depth {depth}] ")
    } else {
        String::new()
    };
    let service = match span.service() {
        "" => "?",
        x => x,
    };
    let status = match span.status() {
        StatusCode::Error if !span.status_message().is_empty() => {
            format!("error: {:?}", span.status_message())
        }
        st => st.as_str().to_string(),
    };
    let offset = span.start().saturating_sub(base);
    write!(
        out,
        "{pad}- {deep}{service}: {} [{}, {status}] {} @+{} span={}",
        span.name(),
        span.kind(),
        format_duration(span.duration_nanos()),
        format_duration(offset),
        span.span_id()
    )?;
    if let Some(missing) = t.missing_parent_id(s) {
        write!(out, " (orphan: parent {missing} not found)")?;
    }
    if t.cycle_cuts().binary_search(&s).is_ok() {
        out.push_str(" (parent link cut: cycle)");
    }
    out.push('\n');
    let scope = span.scope();
    if !scope.name().is_empty() || !scope.version().is_empty() || !scope.attrs().is_empty() {
        write!(out, "{pad}    scope {}", scope.name())?;
        if !scope.version().is_empty() {
            write!(out, " {}", scope.version())?;
        }
        write_inline_attrs(out, t, scope.attrs())?;
        out.push('\n');
    }
    for (k, v) in span.attrs().sorted() {
        writeln!(out, "{pad}    {k} = {}", t.display_value(v))?;
    }
    for e in span.events() {
        write!(
            out,
            "{pad}    event {:?} @+{}",
            e.name(),
            format_duration(e.time_unix_nano().saturating_sub(base))
        )?;
        write_inline_attrs(out, t, e.attrs())?;
        out.push('\n');
    }
    for l in span.links() {
        write!(out, "{pad}    link {}/{}", l.trace_id(), l.span_id())?;
        write_inline_attrs(out, t, l.attrs())?;
        out.push('\n');
    }
    Ok(())
}

fn write_inline_attrs(
    out: &mut String,
    t: &Trace,
    attrs: crate::model::AttrList<'_>,
) -> fmt::Result {
    if attrs.is_empty() {
        return Ok(());
    }
    out.push_str(" {");
    for (i, (k, v)) in attrs.sorted().into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write!(out, "{k}: {}", t.display_value(v))?;
    }
    out.push('}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::format_duration;

    #[test]
    fn durations() {
        assert_eq!(format_duration(0), "0ns");
        assert_eq!(format_duration(950), "950ns");
        assert_eq!(format_duration(123_000), "123µs");
        assert_eq!(format_duration(1_500_000), "1.5ms");
        assert_eq!(format_duration(2_003_000_000), "2.003s");
        assert_eq!(format_duration(100_000), "100µs");
    }
}
