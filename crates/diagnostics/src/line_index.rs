use serde::Serialize;

/// A zero-based line and a zero-based column counted in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineCol {
    /// Zero-based line number.
    pub line: u32,
    /// Zero-based byte column within the line.
    pub col: u32,
}

/// Maps byte offsets to lines and columns and back. Built once per file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        LineIndex {
            line_starts,
            len: text.len() as u32,
        }
    }

    /// The line and byte column of `offset` (clamped to the end of the text).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        LineCol {
            line: line as u32,
            col: offset - self.line_starts[line],
        }
    }

    /// The byte offset of a line and byte column, clamped to the text.
    pub fn offset(&self, pos: LineCol) -> u32 {
        match self.line_starts.get(pos.line as usize) {
            Some(&start) => {
                let next = self
                    .line_starts
                    .get(pos.line as usize + 1)
                    .copied()
                    .unwrap_or(self.len);
                (start + pos.col).min(next.max(start)).min(self.len)
            }
            None => self.len,
        }
    }

    /// Number of lines (a text without a newline has one).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where `line` starts.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.line_starts.get(line as usize).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_offsets() {
        let text = "ab\ncd\n\nef";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() as u32 {
            assert_eq!(index.offset(index.line_col(offset)), offset);
        }
        assert_eq!(index.line_col(3), LineCol { line: 1, col: 0 });
        assert_eq!(index.line_col(6), LineCol { line: 2, col: 0 });
        assert_eq!(index.line_count(), 4);
    }
}
