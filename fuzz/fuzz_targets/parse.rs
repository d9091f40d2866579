//! The parser never panics, and every range it reports (diagnostics, their secondary labels and
//! fixes, comments) lies inside the text and on character boundaries. Bytes that are not UTF-8
//! go through `decode`, whose diagnostic must point inside the bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tbt_diagnostics::{Diagnostic, TextRange};

fn check(text: &str, range: TextRange, what: &str, diagnostic: Option<&Diagnostic>) {
    let (start, end) = (range.start as usize, range.end as usize);
    assert!(
        start <= end && end <= text.len(),
        "{what} {range:?} outside the text ({} bytes): {diagnostic:#?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what} {range:?} splits a character: {diagnostic:#?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let text = match tbt_syntax::decode(data) {
        Ok(text) => text,
        Err(diagnostic) => {
            let range = diagnostic.primary.range;
            assert!(
                range.start < range.end && range.end as usize <= data.len(),
                "decode range {range:?}"
            );
            return;
        }
    };
    let parse = tbt_syntax::parse(text);
    for &comment in &parse.comments {
        check(text, comment, "comment", None);
    }
    for diagnostic in &parse.diagnostics {
        check(
            text,
            diagnostic.primary.range,
            "primary label",
            Some(diagnostic),
        );
        for label in &diagnostic.secondary {
            check(text, label.range, "secondary label", Some(diagnostic));
        }
        for fix in &diagnostic.fixes {
            for edit in &fix.edits {
                check(text, edit.range, "fix", Some(diagnostic));
            }
        }
    }
});
