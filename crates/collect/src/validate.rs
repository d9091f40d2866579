//! Per-span checks: a span that fails one is rejected alone and reported in the answer's
//! `partial_success`; the rest of its request goes through.

use opentelemetry_proto::tonic::trace::v1::Span;

/// Why a span is rejected, or `None` if it is well formed.
///
/// OTLP requires a 16-byte, non-zero trace id and an 8-byte, non-zero span id; a parent
/// span id is empty (a root) or 8 bytes; link ids follow the same rules. A span that ends
/// before it starts has no meaningful duration, so it is rejected too.
pub(crate) fn span_error(sp: &Span) -> Option<String> {
    if let Some(e) = id_error("trace_id", &sp.trace_id, 16) {
        return Some(e);
    }
    if let Some(e) = id_error("span_id", &sp.span_id, 8) {
        return Some(e);
    }
    if !sp.parent_span_id.is_empty() && sp.parent_span_id.len() != 8 {
        return Some(format!(
            "parent_span_id has {} bytes, expected 0 or 8",
            sp.parent_span_id.len()
        ));
    }
    if sp.end_time_unix_nano < sp.start_time_unix_nano {
        return Some(format!(
            "end_time_unix_nano {} is before start_time_unix_nano {}",
            sp.end_time_unix_nano, sp.start_time_unix_nano
        ));
    }
    for (i, l) in sp.links.iter().enumerate() {
        if let Some(e) = id_error("trace_id", &l.trace_id, 16) {
            return Some(format!("links[{i}].{e}"));
        }
        if let Some(e) = id_error("span_id", &l.span_id, 8) {
            return Some(format!("links[{i}].{e}"));
        }
    }
    None
}

fn id_error(field: &str, id: &[u8], len: usize) -> Option<String> {
    if id.len() != len {
        Some(format!("{field} has {} bytes, expected {len}", id.len()))
    } else if id.iter().all(|b| *b == 0) {
        Some(format!(
            "{field} is all zeros, which OTLP reserves for invalid"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_span() -> Span {
        Span {
            trace_id: vec![1; 16],
            span_id: vec![2; 8],
            start_time_unix_nano: 10,
            end_time_unix_nano: 20,
            ..Default::default()
        }
    }

    /// Breaks one thing about a valid span.
    type Spoil = fn(&mut Span);

    #[test]
    fn each_rule_names_its_field() {
        assert_eq!(span_error(&ok_span()), None);
        let cases: Vec<(Spoil, &str)> = vec![
            (
                |s| s.trace_id = vec![1; 15],
                "trace_id has 15 bytes, expected 16",
            ),
            (|s| s.trace_id = vec![0; 16], "trace_id is all zeros"),
            (|s| s.span_id = vec![], "span_id has 0 bytes, expected 8"),
            (|s| s.span_id = vec![0; 8], "span_id is all zeros"),
            (
                |s| s.parent_span_id = vec![3; 4],
                "parent_span_id has 4 bytes",
            ),
            (
                |s| s.end_time_unix_nano = 5,
                "end_time_unix_nano 5 is before",
            ),
            (
                |s| {
                    s.links.push(Default::default());
                },
                "links[0].trace_id has 0 bytes",
            ),
        ];
        for (break_it, expected) in cases {
            let mut s = ok_span();
            break_it(&mut s);
            let e = span_error(&s).unwrap_or_default();
            assert!(
                e.starts_with(expected),
                "{e:?} should start with {expected:?}"
            );
        }
    }
}
