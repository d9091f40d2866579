//! The canonical, comment-preserving formatter of `.tbt` files.
//!
//! [`format`] parses a file and prints it in the one canonical layout. It refuses a file with
//! syntax errors (it never guesses at broken code) and returns their diagnostics instead.
//!
//! # The layout
//!
//! - Two spaces of indentation per block; one statement per line.
//! - `{` ends the header's line; `}` stands on its own line. A block with no statements and no
//!   comments is printed `{}` on the header's line: `test "todo" {}`, `span[x] {}`, `schema {}`.
//! - A trigger prints `trigger http POST "url" {`, one option per line, then `}`; a trigger
//!   without options has no braces at all: `trigger http GET "url"`.
//! - Blank lines between statements are kept, but several collapse into one. There is never a
//!   blank line right after `{` or right before `}`. In every statement list (the file, a
//!   suite), `test`, `suite` and `schema` items are set apart from their neighbours by exactly
//!   one blank line. The file ends with exactly one newline (an empty file stays empty), and no
//!   line has trailing whitespace.
//! - One space around binary operators, `->`, `=>`, `within`, `=` and the selector combinators
//!   `>` and `>>`; one space after `,`, and after `:` in objects. Nothing inside `[]` and `()`:
//!   `span[status == error]`, `count(x)`, `[1, 2]`, `span:nth(2)`, `:has(> span[x])`. Objects
//!   get one space inside their braces: `{ "sku": "BOOK-42", "qty": 1 }`; the empty object is
//!   `{}`. Trailing commas are dropped.
//! - Literals (numbers, durations, strings, regexes), names and path segments are copied from
//!   the source verbatim, so escapes and spellings such as `1_000` or `1.50` survive.
//!   Parentheses are kept exactly as written.
//! - Comments are all kept, in order. A comment on its own line stays on its own line, at the
//!   indentation of the statement that follows it (or of the block's content when it is the
//!   last thing in a block). A comment after code on the same line stays there, separated from
//!   the code by one space. A comment that cannot keep its place, because it was inside an
//!   expression written over several lines or between a header and its `{`, moves to its own
//!   line just above the statement it was in. Trailing whitespace in comments is removed.
//! - No line is wrapped, however long. Expressions are built as documents with break points
//!   (see `doc.rs`), so wrapping can be added later.

mod doc;
mod expr;
mod printer;

use tbt_diagnostics::Diagnostic;
use tbt_syntax::Parse;

/// Formats the text of a `.tbt` file.
///
/// Returns the formatted text, or the error diagnostics if the file does not parse cleanly;
/// warnings do not prevent formatting. Formatting is idempotent and keeps the meaning of the
/// file: the formatted text parses to the same tree (up to ranges), with the same comments in
/// the same order.
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    format_parsed(text, &tbt_syntax::parse(text))
}

/// Formats a file that is already parsed: `parse` must be `tbt_syntax::parse(text)`.
///
/// Useful to callers that keep the parse around, such as the language server.
pub fn format_parsed(text: &str, parse: &Parse) -> Result<String, Vec<Diagnostic>> {
    if parse.has_errors() {
        return Err(parse
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect());
    }
    Ok(printer::print(text, &parse.file, &parse.comments))
}
