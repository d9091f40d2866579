//! Statements, blocks and comments, line by line.
//!
//! The printer walks the statements in source order and prints each one as a *line unit*: a
//! statement without a block, an option, a schema declaration, a block's header line (up to and
//! including `{`), or a closing `}`. Comments are not in the tree, only their ranges, sorted;
//! the printer keeps a cursor into them and, like Gleam's formatter, interleaves them by
//! position while it prints:
//!
//! - before a unit, every comment that starts before it is printed on its own line, at the
//!   unit's indentation;
//! - a comment that starts *inside* a unit (inside an expression that spanned several lines, or
//!   between a header and its `{`) cannot stay where it was, since the unit is printed on one
//!   line: it moves up, onto its own line just before the unit;
//! - after a unit, a comment that follows it on the same source line, with nothing but spaces
//!   in between, stays on that line, one space after the code;
//! - before a `}`, the remaining comments of the block are printed at the block's indentation.
//!
//! So no comment is ever dropped, and comments keep their order.

use crate::doc::Doc;
use crate::expr::Exprs;
use tbt_diagnostics::TextRange;
use tbt_syntax::ast::*;

/// One level of indentation.
const INDENT: &str = "  ";

/// Prints a file that parsed without errors.
pub(crate) fn print(src: &str, file: &SourceFile, comments: &[TextRange]) -> String {
    let mut printer = Printer {
        src,
        exprs: Exprs { src },
        comments,
        next: 0,
        out: String::with_capacity(src.len() + src.len() / 8 + 16),
        indent: 0,
        block_start: true,
        force_blank: false,
    };
    printer.stmts(&file.items);
    printer.comments_before(u32::MAX);
    printer.out
}

struct Printer<'a> {
    src: &'a str,
    exprs: Exprs<'a>,
    /// Every comment range, sorted.
    comments: &'a [TextRange],
    /// The first comment not printed yet.
    next: usize,
    out: String,
    /// The current indentation level.
    indent: usize,
    /// Whether nothing was printed since a `{` (or since the start of the file): no blank line
    /// may come next.
    block_start: bool,
    /// Whether the next line must be preceded by a blank line (between `test`, `suite` and
    /// `schema` items).
    force_blank: bool,
}

/// Whether a statement is one of the big items that are always set apart by a blank line.
fn is_item(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Test(_) | Stmt::Suite(_) | Stmt::Schema(_))
}

impl<'a> Printer<'a> {
    // ----- lines and comments -----

    /// The next comment not printed yet.
    fn peek(&self) -> Option<TextRange> {
        self.comments.get(self.next).copied()
    }

    /// A comment's text, without trailing whitespace (a `\r` of a CRLF file, spaces).
    fn comment_text(&self, comment: TextRange) -> &'a str {
        self.exprs.slice(comment).trim_end()
    }

    /// Whether the source has a blank line right before `offset`.
    fn blank_before(&self, offset: u32) -> bool {
        let before = self
            .src
            .as_bytes()
            .get(..offset as usize)
            .unwrap_or(self.src.as_bytes());
        let mut newlines = 0;
        for &byte in before.iter().rev() {
            match byte {
                b'\n' => newlines += 1,
                b' ' | b'\t' | b'\r' | b'\x0c' => {}
                _ => break,
            }
        }
        newlines >= 2
    }

    /// Starts a line: a blank line first if asked for (and allowed), then the indentation and
    /// the text. The caller ends the line with [`Printer::end_line`].
    fn start_line(&mut self, text: &str, blank: bool) {
        if (blank || self.force_blank) && !self.block_start {
            self.out.push('\n');
        }
        self.force_blank = false;
        self.block_start = false;
        for _ in 0..self.indent {
            self.out.push_str(INDENT);
        }
        self.out.push_str(text);
    }

    fn end_line(&mut self) {
        self.out.push('\n');
    }

    /// Prints the next comment on its own line.
    fn comment_line(&mut self, comment: TextRange, blank: bool) {
        self.next += 1;
        let text = self.comment_text(comment);
        self.start_line(text, blank);
        self.end_line();
    }

    /// Prints, each on its own line, the comments that start before `offset`.
    fn comments_before(&mut self, offset: u32) {
        while let Some(comment) = self.peek()
            && comment.start < offset
        {
            self.comment_line(comment, self.blank_before(comment.start));
        }
    }

    /// Whether a comment starts strictly between `open` and `close`.
    fn comment_between(&self, open: u32, close: u32) -> bool {
        let rest = self.comments.get(self.next..).unwrap_or_default();
        let first_after = rest.partition_point(|c| c.start <= open);
        rest.get(first_after).is_some_and(|c| c.start < close)
    }

    /// Appends the comment that follows `end` on the same source line, if only spaces separate
    /// them.
    fn trailing_comment(&mut self, end: u32) {
        let Some(comment) = self.peek() else { return };
        let between = self.src.get(end as usize..comment.start as usize);
        if between.is_some_and(|gap| {
            gap.bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\x0c'))
        }) {
            self.next += 1;
            self.out.push(' ');
            self.out.push_str(self.comment_text(comment));
        }
    }

    /// Prints one line unit: the source from `start` to `end` as `text`, with the comments
    /// before it, the comments inside it (moved up) and the comment after it.
    fn unit(&mut self, start: u32, end: u32, text: &str) {
        self.comments_before(start);
        let mut blank = self.blank_before(start);
        while let Some(comment) = self.peek()
            && comment.start < end
        {
            self.comment_line(comment, blank);
            blank = false;
        }
        self.start_line(text, blank);
        self.trailing_comment(end);
        self.end_line();
    }

    /// The offset of the `{` that follows `from` (after spaces and comments), if it is before
    /// `limit`.
    fn open_brace(&self, from: u32, limit: u32) -> Option<u32> {
        let bytes = self.src.as_bytes();
        let mut i = from as usize;
        while i < bytes.len() && i < limit as usize {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' => i += 1,
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'{' => return u32::try_from(i).ok(),
                _ => return None,
            }
        }
        None
    }

    /// Prints a statement with a block: `header {`, the body one level deeper, `}`. An empty
    /// block without comments is printed `header {}`.
    fn braced(
        &mut self,
        range: TextRange,
        header: &str,
        open_from: u32,
        empty: bool,
        body: impl FnOnce(&mut Self),
    ) {
        let close = range.end.saturating_sub(1);
        let Some(open) = self.open_brace(open_from, range.end) else {
            // Only after an error; print what there is.
            self.unit(range.start, range.end, header);
            return;
        };
        if empty && !self.comment_between(open, close) {
            self.unit(range.start, range.end, &format!("{header} {{}}"));
            return;
        }
        self.unit(range.start, open + 1, &format!("{header} {{"));
        self.block_start = true;
        self.indent += 1;
        body(self);
        self.comments_before(close);
        self.indent -= 1;
        self.block_start = false;
        self.force_blank = false;
        self.start_line("}", false);
        self.trailing_comment(range.end);
        self.end_line();
    }

    // ----- statements -----

    fn flat(doc: Doc<'_>) -> String {
        doc.flat()
    }

    /// A list of statements: a file, a suite, a test or a span block.
    fn stmts(&mut self, stmts: &[Stmt]) {
        for (i, stmt) in stmts.iter().enumerate() {
            if i > 0 && (is_item(stmt) || is_item(&stmts[i - 1])) {
                self.force_blank = true;
            }
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        let e = self.exprs;
        match stmt {
            Stmt::Use(u) => {
                let text = format!("use {}", e.slice(u.path.range));
                self.unit(u.range.start, u.range.end, &text);
            }
            Stmt::Schema(schema) => {
                let open_from = schema.range.start + "schema".len() as u32;
                self.braced(
                    schema.range,
                    "schema",
                    open_from,
                    schema.items.is_empty(),
                    |p| {
                        for item in &schema.items {
                            p.schema_item(item);
                        }
                    },
                );
            }
            Stmt::Test(test) => {
                self.named_block("test", test.name.as_ref(), &test.body, test.range)
            }
            Stmt::Suite(suite) => {
                self.named_block("suite", suite.name.as_ref(), &suite.body, suite.range)
            }
            Stmt::Trigger(trigger) => self.trigger(trigger),
            Stmt::Expect(expect) => {
                let text = format!("expect {}", Self::flat(e.expr(&expect.expr)));
                self.unit(expect.range.start, expect.range.end, &text);
            }
            Stmt::Let(binding) => self.binding("let", binding),
            Stmt::Output(binding) => self.binding("output", binding),
            Stmt::Wait(opt) => {
                let text = format!("wait {}", self.option_text(opt));
                self.unit(opt.range.start, opt.range.end, &text);
            }
            Stmt::Block(block) => {
                let mut header = String::new();
                if let Some(quantifier) = &block.quantifier {
                    header.push_str(&Self::flat(e.quantifier(quantifier)));
                    header.push(' ');
                }
                header.push_str(&Self::flat(e.expr(&block.selector)));
                self.braced(
                    block.range,
                    &header,
                    block.selector.range.end,
                    block.body.is_empty(),
                    |p| p.stmts(&block.body),
                );
            }
            Stmt::Error(range) => self.unit(range.start, range.end, e.slice(*range).trim()),
        }
    }

    fn named_block(
        &mut self,
        keyword: &str,
        name: Option<&StringLit>,
        body: &[Stmt],
        range: TextRange,
    ) {
        let (header, open_from) = match name {
            Some(name) => (
                format!("{keyword} {}", self.exprs.slice(name.range)),
                name.range.end,
            ),
            None => (keyword.to_string(), range.start + keyword.len() as u32),
        };
        self.braced(range, &header, open_from, body.is_empty(), |p| {
            p.stmts(body)
        });
    }

    fn binding(&mut self, keyword: &str, binding: &Let) {
        let e = self.exprs;
        let text = format!(
            "{keyword} {} = {}",
            Self::flat(e.name(&binding.name)),
            Self::flat(e.expr(&binding.value))
        );
        self.unit(binding.range.start, binding.range.end, &text);
    }

    /// `trigger kind args {` with one option per line, `}`; without options, no braces.
    fn trigger(&mut self, trigger: &Trigger) {
        let e = self.exprs;
        let mut header = format!("trigger {}", Self::flat(e.name(&trigger.kind)));
        for arg in &trigger.args {
            header.push(' ');
            header.push_str(&Self::flat(e.expr(arg)));
        }
        let args_end = trigger
            .args
            .last()
            .map_or(trigger.kind.range.end, |arg| arg.range.end);
        let range = trigger.range;
        let braces = self.open_brace(args_end, range.end);
        let comments_inside =
            braces.is_some_and(|open| self.comment_between(open, range.end.saturating_sub(1)));
        if trigger.options.is_empty() && !comments_inside {
            self.unit(range.start, range.end, &header);
            return;
        }
        self.braced(range, &header, args_end, trigger.options.is_empty(), |p| {
            for opt in &trigger.options {
                let text = p.option_text(opt);
                p.unit(opt.range.start, opt.range.end, &text);
            }
        });
    }

    /// `name args... = value`
    fn option_text(&self, opt: &Opt) -> String {
        let e = self.exprs;
        let mut text = Self::flat(e.name(&opt.name));
        for arg in &opt.args {
            text.push(' ');
            text.push_str(&Self::flat(e.expr(arg)));
        }
        if let Some(value) = &opt.value {
            text.push_str(" = ");
            text.push_str(&Self::flat(e.expr(value)));
        }
        text
    }

    fn schema_item(&mut self, item: &SchemaItem) {
        let e = self.exprs;
        let (range, text) = match item {
            SchemaItem::Services(services) => {
                // Verbatim: a service is a name or, when it is not a valid name, a string.
                let names: Vec<&str> = services
                    .names
                    .iter()
                    .map(|name| e.slice(name.range))
                    .collect();
                (services.range, format!("services {}", names.join(", ")))
            }
            SchemaItem::Attribute(attribute) => {
                let mut text = format!(
                    "attribute {}: {}",
                    Self::flat(e.path(&attribute.name)),
                    Self::flat(e.type_expr(&attribute.ty))
                );
                if let Some(doc) = &attribute.doc {
                    text.push(' ');
                    text.push_str(e.slice(doc.range));
                }
                (attribute.range, text)
            }
            SchemaItem::Error(range) => (*range, e.slice(*range).trim().to_string()),
        };
        self.unit(range.start, range.end, &text);
    }
}
