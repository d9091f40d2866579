//! Formatting with the formatter of `tbt fmt`. A file with syntax errors is not formatted.

use super::Doc;
use tbt_diagnostics::TextRange;
use tower_lsp_server::ls_types::TextEdit;

/// The edits that format the document: none when it is formatted already, `None` when it has
/// syntax errors. The edit covers only the part of the text that changes.
pub fn formatting(doc: &Doc<'_>) -> Option<Vec<TextEdit>> {
    let parse = tbt_db::parse(doc.db(), doc.file);
    let formatted = tbt_fmt::format_parsed(doc.text, parse).ok()?;
    Some(
        minimal_edit(doc.text, &formatted).map_or_else(Vec::new, |(range, new_text)| {
            vec![TextEdit {
                range: doc.lines.range(range),
                new_text,
            }]
        }),
    )
}

/// The one replacement that turns `old` into `new`: everything between their common prefix
/// and common suffix (at character boundaries).
fn minimal_edit(old: &str, new: &str) -> Option<(TextRange, String)> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some((
        TextRange::from(prefix..old.len() - suffix),
        new[prefix..new.len() - suffix].to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::minimal_edit;

    #[test]
    fn replaces_only_the_middle() {
        let (range, text) = minimal_edit("a  == b\n", "a == b\n").expect("differs");
        assert_eq!((range.start, range.end, text.as_str()), (2, 3, ""));
        assert_eq!(minimal_edit("x", "x"), None);
        let (range, text) = minimal_edit("é", "è").expect("differs");
        assert_eq!((range.start, range.end, text.as_str()), (0, 2, "è"));
    }
}
