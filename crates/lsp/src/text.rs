//! The boundary between LSP positions (lines and UTF-16 columns) and tbt's byte offsets.
//!
//! Everything inside tbt counts bytes; this module is the only place that counts UTF-16 code
//! units. A [`Lines`] is built from a text once per request and converts both ways.

use tbt_diagnostics::TextRange;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// The line starts of a text, for converting between byte offsets and LSP positions.
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<u32>,
}

impl<'a> Lines<'a> {
    /// Indexes the lines of `text` (`\n` ends a line; a `\r` before it belongs to the line).
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        Lines { text, starts }
    }

    /// The text the lines are of.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The byte offset of an LSP position. A column past the end of its line clamps to the end
    /// of the line, a line past the end of the text to the end of the text, and a column in the
    /// middle of a surrogate pair to the start of the character.
    pub fn offset(&self, position: Position) -> u32 {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len() as u32;
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.text.len(), |&next| next as usize - 1);
        let line = &self.text[start as usize..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            let next = units + c.len_utf16() as u32;
            if next > position.character {
                return start + i as u32;
            }
            units = next;
        }
        start + line.len() as u32
    }

    /// The LSP position of a byte offset (clamped to the text and to a character boundary).
    pub fn position(&self, offset: u32) -> Position {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s as usize <= offset) - 1;
        let start = self.starts[line] as usize;
        let character = self.text[start..offset]
            .chars()
            .map(|c| c.len_utf16() as u32)
            .sum();
        Position {
            line: line as u32,
            character,
        }
    }

    /// The LSP range of a byte range.
    pub fn range(&self, range: TextRange) -> Range {
        Range {
            start: self.position(range.start),
            end: self.position(range.end),
        }
    }

    /// The byte range of an LSP range.
    pub fn text_range(&self, range: Range) -> TextRange {
        TextRange::new(self.offset(range.start), self.offset(range.end))
    }

    /// The zero-based line of a byte offset.
    pub fn line_of(&self, offset: u32) -> u32 {
        self.position(offset).line
    }
}

/// Applies editor changes to a text, in order. A change without a range replaces the whole
/// text; a range is read against the text as the earlier changes left it.
pub fn apply_changes(text: &mut String, changes: Vec<TextDocumentContentChangeEvent>) {
    for change in changes {
        match change.range {
            None => *text = change.text,
            Some(range) => {
                let lines = Lines::new(text);
                let range = lines.text_range(range);
                text.replace_range(range.to_usize(), &change.text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn converts_utf16_columns() {
        // `é` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let text = "aé😀b\r\nx\n";
        let lines = Lines::new(text);
        assert_eq!(lines.offset(pos(0, 0)), 0);
        assert_eq!(lines.offset(pos(0, 2)), 3);
        assert_eq!(lines.offset(pos(0, 3)), 3, "inside a surrogate pair");
        assert_eq!(lines.offset(pos(0, 4)), 7);
        assert_eq!(lines.offset(pos(0, 99)), 8, "clamped before \\r\\n");
        assert_eq!(lines.offset(pos(1, 1)), 11);
        assert_eq!(lines.offset(pos(9, 0)), text.len() as u32);
        for offset in [0, 1, 3, 7, 8, 10, 11, 12] {
            assert_eq!(lines.offset(lines.position(offset)), offset);
        }
        assert_eq!(lines.position(5), pos(0, 2), "inside a character");
    }

    #[test]
    fn applies_changes_in_order() {
        let mut text = "let a = 1\n".to_string();
        let change = |range: Option<Range>, text: &str| TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_string(),
        };
        apply_changes(
            &mut text,
            vec![
                change(Some(Range::new(pos(0, 4), pos(0, 5))), "bé"),
                change(Some(Range::new(pos(0, 6), pos(0, 6))), "c"),
                change(Some(Range::new(pos(1, 0), pos(1, 0))), "x"),
            ],
        );
        assert_eq!(text, "let béc = 1\nx");
        apply_changes(&mut text, vec![change(None, "new")]);
        assert_eq!(text, "new");
    }
}
