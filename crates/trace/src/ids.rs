//! Trace and span ids, their lowercase-hex form and the parsers the importers share.

use std::fmt;

use base64::Engine as _;

/// A 16-byte trace id. Displays as 32 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TraceId(pub [u8; 16]);

/// An 8-byte span id. Displays as 16 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SpanId(pub [u8; 8]);

impl TraceId {
    /// The all-zero id (invalid in OTLP).
    pub const ZERO: TraceId = TraceId([0; 16]);

    /// Parses exactly 32 hex digits (either case).
    pub fn from_hex(s: &str) -> Option<TraceId> {
        let mut out = [0u8; 16];
        decode_hex_exact(s.as_bytes(), &mut out).then_some(TraceId(out))
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// True for the all-zero id.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 16]
    }
}

impl SpanId {
    /// The all-zero id (invalid in OTLP; means "no parent").
    pub const ZERO: SpanId = SpanId([0; 8]);

    /// Parses exactly 16 hex digits (either case).
    pub fn from_hex(s: &str) -> Option<SpanId> {
        let mut out = [0u8; 8];
        decode_hex_exact(s.as_bytes(), &mut out).then_some(SpanId(out))
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// True for the all-zero id.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 8]
    }

    /// The id as a big-endian integer.
    pub fn as_u64(&self) -> u64 {
        u64::from_be_bytes(self.0)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    let mut buf = [0u8; 32];
    for (i, b) in bytes.iter().enumerate() {
        buf[2 * i] = HEX[(b >> 4) as usize];
        buf[2 * i + 1] = HEX[(b & 15) as usize];
    }
    // Only ASCII hex digits were written.
    f.write_str(std::str::from_utf8(&buf[..bytes.len() * 2]).unwrap_or(""))
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

#[inline]
fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes `2 * out.len()` hex digits into `out`.
pub(crate) fn decode_hex_exact(s: &[u8], out: &mut [u8]) -> bool {
    if s.len() != out.len() * 2 {
        return false;
    }
    for (i, pair) in s.chunks_exact(2).enumerate() {
        match (hex_val(pair[0]), hex_val(pair[1])) {
            (Some(h), Some(l)) => out[i] = (h << 4) | l,
            _ => return false,
        }
    }
    true
}

/// Decodes 1..=`2 * out.len()` hex digits right-aligned into `out` (leading zeros implied),
/// as Jaeger and Zipkin write shortened or 64-bit ids.
pub(crate) fn decode_hex_padded(s: &[u8], out: &mut [u8]) -> bool {
    if s.is_empty() || s.len() > out.len() * 2 {
        return false;
    }
    out.fill(0);
    let first = out.len() * 2 - s.len();
    for (pos, &c) in (first..).zip(s) {
        let Some(v) = hex_val(c) else {
            return false;
        };
        let byte = &mut out[pos / 2];
        if pos.is_multiple_of(2) {
            *byte |= v << 4;
        } else {
            *byte |= v;
        }
    }
    true
}

/// Decodes an OTLP/JSON id: `2 * N` hex digits (the spec), or, leniently, standard or
/// URL-safe base64 of N bytes (as some exporters write the protobuf `bytes` field).
pub(crate) fn decode_id_lenient(s: &str, out: &mut [u8]) -> bool {
    if decode_hex_exact(s.as_bytes(), out) {
        return true;
    }
    let b64_len = out.len().div_ceil(3) * 4;
    if s.len() > b64_len || s.len() + 2 < b64_len {
        return false;
    }
    let mut buf = [0u8; 24];
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    for e in engines {
        if let Ok(n) = e.decode_slice(s.as_bytes(), &mut buf)
            && n == out.len()
        {
            out.copy_from_slice(&buf[..n]);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_forms() {
        let t = TraceId::from_hex("83A9efd15c1c98a977e0711cc93ee28b").unwrap();
        assert_eq!(t.to_string(), "83a9efd15c1c98a977e0711cc93ee28b");
        assert!(TraceId::from_hex("83a9").is_none());
        assert!(SpanId::from_hex("e127af99e3b3e07g").is_none());
        let mut out = [0u8; 16];
        assert!(decode_hex_padded(b"1", &mut out));
        assert_eq!(out[15], 1);
        assert!(decode_hex_padded(b"abc", &mut out));
        assert_eq!(&out[14..], &[0x0a, 0xbc]);
        let mut s = [0u8; 8];
        assert!(decode_id_lenient("4SevmeOz4HQ=", &mut s));
        assert_eq!(SpanId(s).to_string(), "e127af99e3b3e074");
        assert!(decode_id_lenient("4SevmeOz4HQ", &mut s));
        assert!(!decode_id_lenient("4Sevme", &mut s));
    }
}
