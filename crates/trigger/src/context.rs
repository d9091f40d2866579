//! The W3C trace context a trigger injects.

use std::fmt::Write as _;

/// The W3C trace context of one test run: the trace the system under test joins, and the
/// trigger span that parents its root spans.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TraceContext {
    /// The trace id; never all zeros.
    pub trace_id: [u8; 16],
    /// The trigger span's id: the parent of the system's root spans; never all zeros.
    pub span_id: [u8; 8],
    /// Whether the trace is sampled (`-01` flags); tbt always samples its own traces.
    pub sampled: bool,
    /// The `tracestate` header value; empty when there is none.
    pub tracestate: String,
}

impl TraceContext {
    /// A sampled context with a fresh random trace id and span id and no trace state.
    pub fn random() -> Self {
        TraceContext {
            trace_id: random_nonzero(),
            span_id: random_nonzero(),
            sampled: true,
            tracestate: String::new(),
        }
    }

    /// The `traceparent` header value: `00-<32 hex trace id>-<16 hex span id>-<flags>`.
    pub fn traceparent(&self) -> String {
        let flags = if self.sampled { "01" } else { "00" };
        format!("00-{}-{}-{flags}", self.trace_id_hex(), self.span_id_hex())
    }

    /// The trace id as 32 lower-case hex digits.
    pub fn trace_id_hex(&self) -> String {
        hex(&self.trace_id)
    }

    /// The span id as 16 lower-case hex digits.
    pub fn span_id_hex(&self) -> String {
        hex(&self.span_id)
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Random bytes that are not all zero (an all-zero id is invalid in W3C trace context).
fn random_nonzero<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    loop {
        if getrandom::fill(&mut bytes).is_err() {
            // No OS randomness: fall back to the clock and a counter, still unique per call.
            fallback_fill(&mut bytes);
        }
        if bytes.iter().any(|&b| b != 0) {
            return bytes;
        }
    }
}

fn fallback_fill(bytes: &mut [u8]) {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    for chunk in bytes.chunks_mut(8) {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            hasher.write_u128(now.as_nanos());
        }
        let word = hasher.finish().to_le_bytes();
        chunk.copy_from_slice(&word[..chunk.len()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_has_the_w3c_shape() {
        let ctx = TraceContext {
            trace_id: [0x4b; 16],
            span_id: [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7],
            sampled: true,
            tracestate: String::new(),
        };
        assert_eq!(
            ctx.traceparent(),
            "00-4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b-00f067aa0ba902b7-01"
        );
        let unsampled = TraceContext {
            sampled: false,
            ..ctx
        };
        assert!(unsampled.traceparent().ends_with("-00"));
    }

    #[test]
    fn random_contexts_differ_and_are_valid() {
        let a = TraceContext::random();
        let b = TraceContext::random();
        assert_ne!(a.trace_id, b.trace_id);
        assert_ne!(a.span_id, [0; 8]);
        assert!(a.sampled);
        assert_eq!(a.traceparent().len(), 55);
    }

    #[test]
    fn fallback_randomness_is_nonzero_and_varies() {
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        fallback_fill(&mut a);
        fallback_fill(&mut b);
        assert_ne!(a, b);
    }
}
