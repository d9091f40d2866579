//! Checks the files given on the command line on their own and prints the diagnostics.
fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let diagnostics = tbt_semantics::check_text(&path, &text);
        let file = tbt_diagnostics::render::SourceFile {
            path: &path,
            text: &text,
        };
        print!(
            "{}",
            tbt_diagnostics::render::render_human(
                file,
                &diagnostics,
                tbt_diagnostics::render::HumanOptions { color: false }
            )
        );
    }
}
