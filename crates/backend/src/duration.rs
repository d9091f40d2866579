//! Durations in `tbt.toml`: a string such as `"500ms"`, `"5s"`, `"1m30s"` or `"1.5s"`, or an
//! integer number of milliseconds.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};

/// What a duration looks like, for error messages.
pub(crate) const EXPECTED: &str =
    "a duration such as \"500ms\", \"5s\" or \"1m30s\", or an integer number of milliseconds";

/// Parses a duration string: one or more `<number><unit>` parts, units `ms`, `s`, `m`, `h`;
/// the number may have a fractional part. Must be greater than zero.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err(format!("expected {EXPECTED}, found an empty string"));
    }
    let bad = || format!("expected {EXPECTED}, found \"{text}\"");
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("{} (the unit is missing)", bad()))?;
        if num_len == 0 {
            return Err(bad());
        }
        let number: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total += number * seconds_per_unit;
    }
    to_duration(total).ok_or_else(|| format!("the duration \"{text}\" must be greater than zero"))
}

/// Milliseconds as a duration; zero and negative values are refused.
pub(crate) fn from_millis(ms: i64) -> Result<Duration, String> {
    u64::try_from(ms)
        .ok()
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("the duration {ms} (milliseconds) must be greater than zero"))
}

fn to_duration(seconds: f64) -> Option<Duration> {
    if seconds.is_finite() && seconds > 0.0 {
        Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
    } else {
        None
    }
}

/// Deserializes a duration (string or integer milliseconds).
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    d.deserialize_any(DurationVisitor)
}

/// Deserializes an optional duration.
pub(crate) fn deserialize_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    deserialize(d).map(Some)
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
        parse(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
        from_millis(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
        from_millis(i64::try_from(v).unwrap_or(i64::MAX)).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_sums_parts() {
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse(" 2h "), Ok(Duration::from_secs(7200)));
        assert_eq!(from_millis(250), Ok(Duration::from_millis(250)));
    }

    #[test]
    fn refuses_what_is_not_a_positive_duration() {
        for bad in ["", "5", "s", "5 sec", "5x", "1..2s", "-1s", "ms5"] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
        assert!(parse("0s").is_err());
        assert!(parse("0ms").is_err());
        assert!(from_millis(0).is_err());
        assert!(from_millis(-3).is_err());
    }
}
