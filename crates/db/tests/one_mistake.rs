//! One mistake, one diagnostic: the checker does not echo a syntax error on the same line.

use std::path::Path;

fn codes(text: &str) -> Vec<String> {
    let mut db = tbt_db::RootDatabase::new();
    let file = db.set_file(Path::new("/t.tbt"), text.to_string());
    tbt_db::check(&db, file)
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect()
}

#[test]
fn a_doubled_operator_is_one_diagnostic() {
    // The parser repairs the line to `expect response.status` (an int), which the checker
    // would call E0101 on its own.
    let text = "test \"t\" {\n  trigger http GET \"http://127.0.0.1:1/\"\n  expect response.status == == 200\n}\n";
    assert_eq!(codes(text), ["E0017"]);
}

#[test]
fn semantic_errors_on_other_lines_are_kept() {
    let text = "test \"t\" {\n  trigger http GET \"http://127.0.0.1:1/\"\n  expect response.status == == 200\n  expect response.status\n}\n";
    assert_eq!(codes(text), ["E0017", "E0101"]);
}
