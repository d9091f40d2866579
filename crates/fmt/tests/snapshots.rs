//! Snapshot tests: every ugly input under `tests/cases/` and its formatted output.

mod common;

#[test]
fn format_cases() {
    insta::glob!("cases/*.tbt", |path| {
        let input =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let label = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let formatted = common::check(&label, &input);
        insta::assert_snapshot!(formatted);
    });
}
