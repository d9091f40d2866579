//! Splitting a file into parts that are parsed and checked on their own, so that editing one
//! test re-parses and re-checks that test only.
//!
//! A part starts at each `test` or `suite` keyword that begins a line at nesting depth 0; the
//! first part holds what comes before the first test (uses, schemas, constants). The scan
//! knows strings, comments and regex literals (after `matches` or `=~`), like the lexer. When
//! the brackets of the file do not balance, the file is one part, so a broken file is parsed
//! exactly as a whole.

/// The start offsets of the parts of `text` (the first is always 0).
pub(crate) fn split(text: &str) -> Vec<u32> {
    let bytes = text.as_bytes();
    let mut starts = vec![0u32];
    let mut depth: i64 = 0;
    let mut line_start = true;
    let mut seen_item = false;
    let mut after_matches = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = skip_line(bytes, i);
                continue;
            }
            b'"' => {
                i = skip_string(bytes, i);
                after_matches = false;
            }
            b'/' if after_matches => {
                i = skip_regex(bytes, i);
                after_matches = false;
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                i += 1;
                after_matches = false;
            }
            b'}' | b']' | b')' => {
                depth -= 1;
                if depth < 0 {
                    return vec![0];
                }
                i += 1;
                after_matches = false;
            }
            b'=' if bytes.get(i + 1) == Some(&b'~') => {
                i += 2;
                after_matches = true;
            }
            _ if b.is_ascii_alphabetic() || b == b'_' => {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'-')
                    .count();
                let word = &bytes[i..end];
                if line_start && depth == 0 && (word == b"test" || word == b"suite") && seen_item {
                    starts.push(line_begin(bytes, i) as u32);
                }
                after_matches = word == b"matches";
                seen_item = true;
                i = end;
            }
            _ => {
                i += 1;
                after_matches = false;
                seen_item = true;
            }
        }
        line_start = false;
    }
    if depth != 0 { vec![0] } else { starts }
}

fn line_begin(bytes: &[u8], at: usize) -> usize {
    bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1)
}

fn skip_line(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| at + p)
}

/// Past a string literal: to the closing quote, or to the end of the line.
fn skip_string(bytes: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Past a regex literal, as the lexer scans it: `/` inside `[...]` does not close it.
fn skip_regex(bytes: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => return i,
            b'\\' => i += 2,
            b'[' => {
                in_class = true;
                i += 1;
            }
            b']' => {
                in_class = false;
                i += 1;
            }
            b'/' if !in_class => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_before_top_level_tests_and_suites() {
        let text = "# header\nuse \"a.tbt\"\n\ntest \"a\" {\n  let test = 1\n}\n\n# doc\nsuite \"s\" {\n  test \"b\" {\n  }\n}\ntest \"c\" {\n  expect x matches /[}]{/\n  expect \"}\" == \"{\"\n}\n";
        let starts = split(text);
        let parts: Vec<&str> = starts
            .iter()
            .map(|&s| text[s as usize..].lines().next().unwrap_or(""))
            .collect();
        assert_eq!(
            parts,
            ["# header", "test \"a\" {", "suite \"s\" {", "test \"c\" {"]
        );
    }

    #[test]
    fn leading_comments_stay_with_the_first_test() {
        assert_eq!(split("# only a comment\ntest \"a\" {\n}\n"), [0]);
    }

    #[test]
    fn unbalanced_files_are_one_part() {
        assert_eq!(split("test \"a\" {\n\ntest \"b\" {\n}\n"), [0]);
        assert_eq!(split("test \"a\" {\n}\n}\ntest \"b\" {\n}\n"), [0]);
    }
}
