//! Compiling regexes at check time, and mapping an error inside a pattern back to the source.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Mutex, OnceLock};

/// Why a pattern does not compile: the byte range inside the pattern and the reason.
pub(crate) type RegexError = (Range<usize>, String);

/// Caches the verdict per pattern and flags for the whole process: generated and real files
/// repeat patterns, and the database checks each test of a file on its own.
pub(crate) struct RegexCache;

type Verdicts = HashMap<(String, String), Option<RegexError>>;

/// The process-wide verdicts (bounded: cleared when it grows too large).
fn verdicts() -> &'static Mutex<Verdicts> {
    static VERDICTS: OnceLock<Mutex<Verdicts>> = OnceLock::new();
    VERDICTS.get_or_init(Mutex::default)
}

impl RegexCache {
    /// Compiles `pattern` with `flags` (`i`, `m`, `s`, `x`; others were reported by the parser).
    pub fn check(&mut self, pattern: &str, flags: &str) -> Option<RegexError> {
        let key = (pattern.to_string(), flags.to_string());
        if let Ok(seen) = verdicts().lock()
            && let Some(verdict) = seen.get(&key)
        {
            return verdict.clone();
        }
        let verdict = compile(pattern, flags);
        if let Ok(mut seen) = verdicts().lock() {
            if seen.len() > 10_000 {
                seen.clear();
            }
            seen.insert(key, verdict.clone());
        }
        verdict
    }
}

fn compile(pattern: &str, flags: &str) -> Option<RegexError> {
    let flag = |c| flags.contains(c);
    let parsed = regex_syntax::ParserBuilder::new()
        .case_insensitive(flag('i'))
        .multi_line(flag('m'))
        .dot_matches_new_line(flag('s'))
        .ignore_whitespace(flag('x'))
        .build()
        .parse(pattern);
    if let Err(error) = parsed {
        return Some(match &error {
            regex_syntax::Error::Parse(e) => (
                e.span().start.offset..e.span().end.offset,
                e.kind().to_string(),
            ),
            regex_syntax::Error::Translate(e) => (
                e.span().start.offset..e.span().end.offset,
                e.kind().to_string(),
            ),
            _ => (0..pattern.len(), error.to_string()),
        });
    }
    regex::RegexBuilder::new(pattern)
        .case_insensitive(flag('i'))
        .multi_line(flag('m'))
        .dot_matches_new_line(flag('s'))
        .ignore_whitespace(flag('x'))
        .build()
        .err()
        .map(|e| {
            (
                0..pattern.len(),
                e.to_string()
                    .lines()
                    .last()
                    .unwrap_or("does not compile")
                    .trim()
                    .to_string(),
            )
        })
}

/// Maps an offset in the pattern of a regex literal to an offset in its source text (the text
/// after the opening `/`): the parser unescaped `\/` to `/`.
pub(crate) fn regex_offset(raw: &str, offset: usize) -> usize {
    let bytes = raw.as_bytes();
    let (mut raw_at, mut pattern_at) = (0, 0);
    while pattern_at < offset && raw_at < bytes.len() {
        raw_at += if bytes[raw_at] == b'\\' && bytes.get(raw_at + 1) == Some(&b'/') {
            2
        } else {
            1
        };
        pattern_at += 1;
    }
    raw_at
}

/// Maps an offset in the decoded value of a plain string literal to an offset in its source
/// text (the text after the opening quote).
pub(crate) fn string_offset(raw: &str, offset: usize) -> usize {
    let mut chars = raw.char_indices().peekable();
    let mut decoded = 0;
    while decoded < offset {
        let Some((_, c)) = chars.next() else { break };
        if c != '\\' {
            decoded += c.len_utf8();
            continue;
        }
        match chars.next() {
            Some((_, 'u')) => {
                let mut hex = String::new();
                for (_, c) in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    if c != '{' {
                        hex.push(c);
                    }
                }
                decoded += u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .map_or(1, char::len_utf8);
            }
            Some(_) => decoded += 1,
            None => break,
        }
    }
    chars.peek().map_or(raw.len(), |&(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_where_in_the_pattern() {
        let mut cache = RegexCache;
        let (range, message) = cache.check("^GET (", "").expect("invalid");
        assert_eq!(range, 5..6);
        assert!(message.contains("unclosed group"), "{message}");
        assert!(cache.check("^GET /orders", "i").is_none());
    }

    #[test]
    fn maps_offsets_through_escapes() {
        assert_eq!(regex_offset(r"a\/b(", 3), 4);
        assert_eq!(string_offset(r"\\d+(", 3), 4);
        assert_eq!(string_offset(r"\u{e9}x", 2), 6);
    }
}
