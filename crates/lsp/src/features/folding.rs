//! Folding ranges: blocks (tests, suites, schemas, triggers, span blocks) and runs of
//! comment lines.

use super::Doc;
use tbt_syntax::ast::Stmt;
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind};

/// The folding ranges of a document, in order.
pub fn folding_ranges(doc: &Doc<'_>) -> Vec<FoldingRange> {
    let mut out = Vec::new();
    for &(at, part) in tbt_db::parts(doc.db(), doc.file) {
        let parsed = tbt_db::parse_part(doc.db(), part);
        blocks(doc, &parsed.file.items, at, &mut out);
        comments(doc, &parsed.comments, at, &mut out);
    }
    out.sort_by_key(|r| (r.start_line, r.end_line));
    out
}

fn push(
    doc: &Doc<'_>,
    start: u32,
    end: u32,
    kind: Option<FoldingRangeKind>,
    out: &mut Vec<FoldingRange>,
) {
    let (start_line, end_line) = (doc.lines.line_of(start), doc.lines.line_of(end));
    if end_line > start_line {
        out.push(FoldingRange {
            start_line,
            end_line,
            kind,
            ..FoldingRange::default()
        });
    }
}

fn blocks(doc: &Doc<'_>, stmts: &[Stmt], at: u32, out: &mut Vec<FoldingRange>) {
    for stmt in stmts {
        let range = stmt.range().shift(at);
        match stmt {
            Stmt::Test(t) => {
                push(doc, range.start, range.end, None, out);
                blocks(doc, &t.body, at, out);
            }
            Stmt::Suite(s) => {
                push(doc, range.start, range.end, None, out);
                blocks(doc, &s.body, at, out);
            }
            Stmt::Block(b) => {
                push(doc, range.start, range.end, None, out);
                blocks(doc, &b.body, at, out);
            }
            Stmt::Schema(_) | Stmt::Trigger(_) => push(doc, range.start, range.end, None, out),
            _ => {}
        }
    }
}

/// Runs of two or more comment lines, one after the other.
fn comments(
    doc: &Doc<'_>,
    comments: &[tbt_diagnostics::TextRange],
    at: u32,
    out: &mut Vec<FoldingRange>,
) {
    let mut run: Option<(u32, u32)> = None;
    for comment in comments {
        let line = doc.lines.line_of(comment.start + at);
        run = match run {
            Some((start, end)) if line == end + 1 => Some((start, line)),
            Some((start, end)) => {
                flush(start, end, out);
                Some((line, line))
            }
            None => Some((line, line)),
        };
    }
    if let Some((start, end)) = run {
        flush(start, end, out);
    }
}

fn flush(start: u32, end: u32, out: &mut Vec<FoldingRange>) {
    if end > start {
        out.push(FoldingRange {
            start_line: start,
            end_line: end,
            kind: Some(FoldingRangeKind::Comment),
            ..FoldingRange::default()
        });
    }
}
