//! The lexer never panics; every token, comment and diagnostic range lies inside the text, on
//! character boundaries, and tokens come in order without overlapping.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tbt_diagnostics::TextRange;

fn check(text: &str, range: TextRange, what: &str) {
    let (start, end) = (range.start as usize, range.end as usize);
    assert!(
        start <= end && end <= text.len(),
        "{what} {range:?} outside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what} {range:?} splits a character"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lexed = tbt_syntax::lex(text);
    let mut previous_end = 0;
    for token in &lexed.tokens {
        check(text, token.range, "token");
        assert!(
            token.range.start >= previous_end,
            "tokens overlap or are out of order at {:?}",
            token.range
        );
        previous_end = token.range.end;
    }
    for &comment in &lexed.comments {
        check(text, comment, "comment");
        assert!(
            text[comment.to_usize()].starts_with('#'),
            "comment {comment:?} does not start with `#`"
        );
    }
    for diagnostic in &lexed.diagnostics {
        check(text, diagnostic.primary.range, "diagnostic");
    }
});
