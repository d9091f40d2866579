//! Decoding of literal tokens: numbers, durations, strings with interpolation, regexes.
//! Every problem becomes a diagnostic; the decoders always return a value.

use crate::ast::{DurationUnit, ExprKind, Name, Path, RegexLit, StringLit, StringPart};
use smol_str::SmolStr;
use tbt_diagnostics::{Diagnostic, TextRange, codes};

/// Decodes a `Number` token.
pub(crate) fn number(text: &str, range: TextRange, diags: &mut Vec<Diagnostic>) -> ExprKind {
    if text.starts_with('.') {
        diags.push(
            Diagnostic::new(
                codes::INVALID_NUMBER,
                range,
                format!("`{text}` needs a digit before the dot"),
            )
            .with_label("write a leading zero")
            .with_help(format!("write `0{text}`"))
            .with_fix("add a leading zero", TextRange::empty(range.start), "0"),
        );
    }
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    if clean.contains(['.', 'e', 'E']) {
        match clean.parse::<f64>() {
            Ok(value) if value.is_finite() => ExprKind::Float(value),
            _ => {
                diags.push(
                    Diagnostic::new(
                        codes::INVALID_NUMBER,
                        range,
                        format!("`{text}` is not a finite number"),
                    )
                    .with_label("out of range for a 64-bit float"),
                );
                ExprKind::Error
            }
        }
    } else {
        match clean.parse::<i64>() {
            Ok(value) => ExprKind::Int(value),
            Err(_) => {
                diags.push(
                    Diagnostic::new(codes::INVALID_NUMBER, range, format!("integer `{text}` is too large"))
                        .with_label("does not fit in a 64-bit signed integer")
                        .with_help("integers range from -9223372036854775808 to 9223372036854775807; write a float such as `1e20` for larger values"),
                );
                ExprKind::Error
            }
        }
    }
}

/// Decodes a `NumberWithSuffix` token: a duration such as `200ms`, `1.5s` or `2m30s`, or a
/// diagnostic for an unknown unit. A compound duration lists units from largest to smallest and
/// is stored in its smallest unit.
pub(crate) fn duration(text: &str, range: TextRange, diags: &mut Vec<Diagnostic>) -> ExprKind {
    let mut total_nanos = 0f64;
    let mut smallest: Option<DurationUnit> = None;
    let mut rest = text;
    let mut offset = 0usize;
    while !rest.is_empty() {
        let digits = number_prefix_len(rest);
        let number_text = &rest[..digits];
        let after = &rest[digits..];
        let unit_len = after
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(after.len());
        let suffix = &after[..unit_len];
        if suffix.is_empty() && offset == 0 && digits == text.len() {
            // `1_`: a number with a trailing underscore, no unit at all.
            return number(text, range, diags);
        }
        let unit_range = TextRange::new(
            range.start + (offset + digits) as u32,
            range.start + (offset + digits + unit_len) as u32,
        );
        let Some(unit) = DurationUnit::parse(suffix) else {
            let mut diagnostic = Diagnostic::new(
                codes::UNKNOWN_DURATION_UNIT,
                range,
                format!("unknown duration unit `{suffix}`"),
            )
            .with_label("not one of ns, us, ms, s, m, h");
            match suggest_unit(suffix) {
                Some(unit) => {
                    diagnostic = diagnostic
                        .with_help(format!("write `{number_text}{unit}`"))
                        .with_fix(format!("use `{unit}`"), unit_range, unit);
                }
                None if suffix.eq_ignore_ascii_case("d")
                    || suffix.to_ascii_lowercase().starts_with("day") =>
                {
                    diagnostic = diagnostic.with_help(format!(
                        "there is no day unit; write hours, e.g. `{}h`",
                        number_text.parse::<f64>().map_or(24.0, |d| d * 24.0)
                    ));
                }
                None => {
                    diagnostic = diagnostic
                        .with_help("durations are written like `200ms`, `1.5s` or `2m30s`")
                }
            }
            diags.push(diagnostic);
            return ExprKind::Error;
        };
        if smallest.is_some_and(|previous| unit.nanos() >= previous.nanos()) {
            diags.push(
                Diagnostic::new(
                    codes::UNKNOWN_DURATION_UNIT,
                    range,
                    format!("`{text}` repeats or reorders its units"),
                )
                .with_label("units must go from largest to smallest")
                .with_help("write compound durations like `1h30m` or `2m30s`"),
            );
            return ExprKind::Error;
        }
        let clean: String = number_text.chars().filter(|&c| c != '_').collect();
        match clean.parse::<f64>() {
            Ok(value) if value.is_finite() => total_nanos += value * unit.nanos() as f64,
            _ => {
                diags.push(
                    Diagnostic::new(
                        codes::INVALID_NUMBER,
                        range,
                        format!("`{text}` is not a valid duration"),
                    )
                    .with_label("the number is out of range"),
                );
                return ExprKind::Error;
            }
        }
        smallest = Some(unit);
        offset += digits + unit_len;
        rest = &after[unit_len..];
    }
    match smallest {
        Some(unit) => ExprKind::Duration {
            value: total_nanos / unit.nanos() as f64,
            unit,
        },
        None => ExprKind::Error,
    }
}

/// The length of the number at the start of `text`: digits, `_`, one `.`, and an exponent.
fn number_prefix_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_' || bytes[i] == b'.') {
        i += 1;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    i
}

fn suggest_unit(suffix: &str) -> Option<&'static str> {
    Some(match suffix.to_ascii_lowercase().as_str() {
        "nsec" | "nanos" | "nanosecond" | "nanoseconds" => "ns",
        "usec" | "micros" | "microsecond" | "microseconds" => "us",
        "msec" | "msecs" | "millis" | "millisecond" | "milliseconds" | "mss" => "ms",
        "sec" | "secs" | "second" | "seconds" | "ss" => "s",
        "min" | "mins" | "minute" | "minutes" => "m",
        "hr" | "hrs" | "hour" | "hours" => "h",
        "d" | "day" | "days" => return None,
        _ => return None,
    })
}

/// Decodes a string token (quotes included): escapes and `${path}` interpolations.
pub(crate) fn string(
    text: &str,
    range: TextRange,
    terminated: bool,
    diags: &mut Vec<Diagnostic>,
) -> StringLit {
    let body_end = if terminated && text.len() >= 2 {
        text.len() - 1
    } else {
        text.len()
    };
    let body = text.get(1..body_end).unwrap_or("");
    let base = range.start + 1;
    // Most strings have no escape and no interpolation: take them as they are.
    if !body.contains(['\\', '$']) {
        let parts = if body.is_empty() {
            Vec::new()
        } else {
            vec![StringPart::Text(body.to_string())]
        };
        return StringLit { parts, range };
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let Some((_, escaped)) = chars.next() else {
                    break;
                };
                match escaped {
                    'n' => current.push('\n'),
                    'r' => current.push('\r'),
                    't' => current.push('\t'),
                    '0' => current.push('\0'),
                    '\\' => current.push('\\'),
                    '"' => current.push('"'),
                    '$' => current.push('$'),
                    'u' => match unicode_escape(&body[i + 2..]) {
                        Some((ch, len)) => {
                            current.push(ch);
                            for _ in 0..len {
                                chars.next();
                            }
                        }
                        None => diags.push(
                            Diagnostic::new(
                                codes::INVALID_ESCAPE,
                                TextRange::new(base + i as u32, base + i as u32 + 2),
                                "invalid unicode escape",
                            )
                            .with_label("expected `\\u{HEX}` with 1 to 6 hex digits naming a Unicode scalar value"),
                        ),
                    },
                    other => {
                        let esc_range = TextRange::new(base + i as u32, base + (i + 1 + other.len_utf8()) as u32);
                        diags.push(
                            Diagnostic::new(codes::INVALID_ESCAPE, esc_range, format!("unknown escape `\\{other}`"))
                                .with_label("not a valid escape")
                                .with_help("write `\\\\` for a backslash; escapes are \\n \\r \\t \\0 \\\\ \\\" \\$ \\u{...}")
                                .with_fix("escape the backslash", TextRange::new(esc_range.start, esc_range.start + 1), "\\\\"),
                        );
                        current.push('\\');
                        current.push(other);
                    }
                }
            }
            '$' if matches!(chars.peek(), Some((_, '{'))) => {
                chars.next();
                let start = i + 2;
                match body[start..].find('}') {
                    Some(len) => {
                        let inner = &body[start..start + len];
                        let inner_range =
                            TextRange::new(base + start as u32, base + (start + len) as u32);
                        for _ in 0..inner.chars().count() + 1 {
                            chars.next();
                        }
                        match interpolation_path(inner, inner_range) {
                            Some(path) => {
                                if !current.is_empty() {
                                    parts.push(StringPart::Text(std::mem::take(&mut current)));
                                }
                                parts.push(StringPart::Interpolation(path));
                            }
                            None => diags.push(
                                Diagnostic::new(
                                    codes::INVALID_INTERPOLATION,
                                    TextRange::new(inner_range.start - 2, inner_range.end + 1),
                                    if inner.trim().is_empty() {
                                        "empty interpolation".to_string()
                                    } else {
                                        format!("`{inner}` is not a name")
                                    },
                                )
                                .with_label("expected a name or dotted path such as `env.SHOP_URL`")
                                .with_help("write `\\${` for a literal `${`"),
                            ),
                        }
                    }
                    None => {
                        diags.push(
                            Diagnostic::new(
                                codes::INVALID_INTERPOLATION,
                                TextRange::new(base + i as u32, base + body.len() as u32),
                                "unterminated interpolation",
                            )
                            .with_label("this `${` has no closing `}`")
                            .with_help("close it with `}`, or write `\\${` for a literal `${`"),
                        );
                        break;
                    }
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push(StringPart::Text(current));
    }
    StringLit { parts, range }
}

fn unicode_escape(rest: &str) -> Option<(char, usize)> {
    let inner = rest.strip_prefix('{')?;
    let close = inner.find('}')?;
    let hex = &inner[..close];
    if hex.is_empty() || hex.len() > 6 {
        return None;
    }
    let value = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(value)?, close + 2))
}

/// Parses the inside of `${...}` as a dotted path of names.
fn interpolation_path(inner: &str, range: TextRange) -> Option<Path> {
    let leading = inner.len() - inner.trim_start().len();
    let trimmed = inner.trim();
    if trimmed.is_empty() {
        return None;
    }
    let mut segments = Vec::new();
    let mut offset = range.start + leading as u32;
    for segment in trimmed.split('.') {
        let valid = segment
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !segment.ends_with('-')
            && !segment.contains("--");
        if !valid {
            return None;
        }
        let end = offset + segment.len() as u32;
        segments.push(Name {
            text: SmolStr::new(segment),
            range: TextRange::new(offset, end),
        });
        offset = end + 1;
    }
    let path_range = TextRange::new(
        range.start + leading as u32,
        range.start + (leading + trimmed.len()) as u32,
    );
    Some(Path {
        segments,
        range: path_range,
    })
}

/// Decodes a regex token `/pattern/flags`.
pub(crate) fn regex(
    text: &str,
    range: TextRange,
    terminated: bool,
    diags: &mut Vec<Diagnostic>,
) -> RegexLit {
    let body = text.get(1..).unwrap_or("");
    let (pattern, flags) = if terminated {
        match body.rfind('/') {
            Some(close) => (&body[..close], &body[close + 1..]),
            None => (body, ""),
        }
    } else {
        (body, "")
    };
    let flags_start = range.end - flags.len() as u32;
    for (i, flag) in flags.char_indices() {
        if !matches!(flag, 'i' | 'm' | 's' | 'x') {
            let at = flags_start + i as u32;
            diags.push(
                Diagnostic::new(
                    codes::INVALID_REGEX_FLAG,
                    TextRange::new(at, at + flag.len_utf8() as u32),
                    format!("unknown regex flag `{flag}`"),
                )
                .with_label("the flags are i, m, s and x")
                .with_fix(
                    format!("remove `{flag}`"),
                    TextRange::new(at, at + flag.len_utf8() as u32),
                    "",
                ),
            );
        }
    }
    RegexLit {
        pattern: pattern.replace("\\/", "/"),
        flags: SmolStr::new(flags),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_decode_escapes_and_interpolations() {
        let mut diags = Vec::new();
        let text = r#""a\n${env.URL}/x\${y}\u{e9}""#;
        let lit = string(text, TextRange::new(0, text.len() as u32), true, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(lit.parts.len(), 3);
        assert_eq!(lit.parts[0], StringPart::Text("a\n".into()));
        match &lit.parts[1] {
            StringPart::Interpolation(path) => {
                assert_eq!(path.dotted(), "env.URL");
                assert_eq!(&text[path.range.to_usize()], "env.URL");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(lit.parts[2], StringPart::Text("/x${y}é".into()));
    }

    #[test]
    fn durations() {
        let mut diags = Vec::new();
        assert_eq!(
            duration("1.5s", TextRange::new(0, 4), &mut diags),
            ExprKind::Duration {
                value: 1.5,
                unit: DurationUnit::Seconds
            }
        );
        assert_eq!(
            duration("2m30s", TextRange::new(0, 5), &mut diags),
            ExprKind::Duration {
                value: 150.0,
                unit: DurationUnit::Seconds
            }
        );
        assert_eq!(
            duration("1e3ms", TextRange::new(0, 5), &mut diags),
            ExprKind::Duration {
                value: 1000.0,
                unit: DurationUnit::Millis
            }
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            duration("5sec", TextRange::new(0, 4), &mut diags),
            ExprKind::Error
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].fixes[0].edits[0].replacement, "s");
        assert_eq!(diags[0].fixes[0].edits[0].range, TextRange::new(1, 4));
    }
}
