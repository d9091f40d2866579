//! Whenever the formatter accepts a text, its output parses without errors and formatting it
//! again changes nothing.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(once) = tbt_fmt::format(text) else {
        return;
    };
    let reparsed = tbt_syntax::parse(&once);
    assert!(
        !reparsed.has_errors(),
        "the formatted text has errors: {:#?}\n--- input ---\n{text}\n--- formatted ---\n{once}",
        reparsed.diagnostics
    );
    match tbt_fmt::format(&once) {
        Ok(twice) => assert_eq!(once, twice, "not idempotent\n--- input ---\n{text}"),
        Err(errors) => panic!("the formatted text is refused: {errors:#?}"),
    }
});
