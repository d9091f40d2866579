//! Shortening the model's prose to one sentence.

/// Words after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &["e.g.", "i.e.", "vs.", "approx.", "etc."];

/// The first sentence of the first paragraph of `text`, whitespace collapsed and trimmed.
/// Markdown (links, code spans) is kept as is. A sentence ends at `.`, `!` or `?` followed by
/// a space and then anything but a lowercase letter, outside code spans, brackets and
/// parentheses, and not after a common abbreviation (`e.g.`). A lone `Deprecated.` takes the
/// next sentence along, which says what to use instead.
pub(super) fn first_sentence(text: &str) -> String {
    let paragraph = first_paragraph(text);
    let flat = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut = sentence_end(&flat, 0).unwrap_or(flat.len());
    if &flat[..cut] == "Deprecated." {
        cut = sentence_end(&flat, cut).unwrap_or(flat.len());
    }
    flat[..cut].to_owned()
}

/// The lines of `text` up to its first blank line.
fn first_paragraph(text: &str) -> String {
    let mut out = String::new();
    for line in text.trim_start().lines() {
        if line.trim().is_empty() {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The byte offset just past the end of the first sentence of `flat` (single-spaced) that
/// starts at or after `from`, if another sentence follows it.
fn sentence_end(flat: &str, from: usize) -> Option<usize> {
    let mut in_code = false;
    let mut depth = 0usize;
    for (i, c) in flat.char_indices().skip_while(|&(i, _)| i < from) {
        match c {
            '`' => in_code = !in_code,
            _ if in_code => {}
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '.' | '!' | '?' if depth == 0 => {
                let end = i + c.len_utf8();
                let rest = &flat[end..];
                let Some(next) = rest.strip_prefix(' ').and_then(|r| r.chars().next()) else {
                    continue;
                };
                let word_start = flat[..i].rfind(' ').map_or(0, |s| s + 1);
                let word = &flat[word_start..end];
                if !next.is_lowercase() && !ABBREVIATIONS.contains(&word) {
                    return Some(end);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::first_sentence;

    #[test]
    fn keeps_the_first_sentence() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("  One\n  line.\n"), "One line.");
        assert_eq!(first_sentence("No period"), "No period");
        assert_eq!(first_sentence("First.\n\nSecond paragraph."), "First.");
        assert_eq!(first_sentence("List:\n\n- a\n- b"), "List:");
    }

    #[test]
    fn does_not_cut_inside_markup_or_abbreviations() {
        assert_eq!(
            first_sentence("Use `a. B` and [x. Y](http://e.com/a. B) now. Then."),
            "Use `a. B` and [x. Y](http://e.com/a. B) now."
        );
        assert_eq!(
            first_sentence("A value, e.g. Foo or i.e. Bar. Next."),
            "A value, e.g. Foo or i.e. Bar."
        );
        assert_eq!(
            first_sentence("Version 1.2 is here. Next."),
            "Version 1.2 is here."
        );
        assert_eq!(
            first_sentence("Ends with etc. and more."),
            "Ends with etc. and more."
        );
        assert_eq!(first_sentence("Why? Because."), "Why?");
        assert_eq!(
            first_sentence("Deprecated. Use `x` instead. More."),
            "Deprecated. Use `x` instead."
        );
    }
}
