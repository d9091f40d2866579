//! A small document IR for expressions: pieces of text and the places where a line may break.
//!
//! Today every expression is printed on one line, so [`Doc::render_flat`] is the only renderer.
//! The break points ([`Doc::Line`], [`Doc::SoftLine`]), the indentation they would get
//! ([`Doc::Nest`]) and the units that break together ([`Doc::Group`]) are already recorded by
//! the expression printer, so that a width-aware renderer in the style of Wadler's "prettier
//! printer" can be added later without touching the code that builds documents.

use std::borrow::Cow;

/// A document.
#[derive(Clone, Debug)]
pub(crate) enum Doc<'a> {
    /// Text without newlines.
    Text(Cow<'a, str>),
    /// Documents one after the other.
    Concat(Vec<Doc<'a>>),
    /// A space when flat, a newline when the enclosing group breaks.
    Line,
    /// Nothing when flat, a newline when the enclosing group breaks.
    SoftLine,
    /// Content indented one more level when its lines break.
    Nest(Box<Doc<'a>>),
    /// A unit that is printed flat if it fits, broken otherwise.
    Group(Box<Doc<'a>>),
}

impl<'a> Doc<'a> {
    /// Borrowed text.
    pub(crate) fn text(text: &'a str) -> Self {
        Doc::Text(Cow::Borrowed(text))
    }

    /// Owned text.
    pub(crate) fn owned(text: String) -> Self {
        Doc::Text(Cow::Owned(text))
    }

    /// Documents one after the other.
    pub(crate) fn concat(parts: impl IntoIterator<Item = Doc<'a>>) -> Self {
        Doc::Concat(parts.into_iter().collect())
    }

    /// Indented content.
    pub(crate) fn nest(self) -> Self {
        Doc::Nest(Box::new(self))
    }

    /// A unit that breaks together.
    pub(crate) fn group(self) -> Self {
        Doc::Group(Box::new(self))
    }

    /// The documents separated by `,` and a line break.
    pub(crate) fn comma_separated(items: impl IntoIterator<Item = Doc<'a>>) -> Self {
        let mut parts = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                parts.push(Doc::text(","));
                parts.push(Doc::Line);
            }
            parts.push(item);
        }
        Doc::Concat(parts)
    }

    /// Renders the document on one line.
    pub(crate) fn render_flat(&self, out: &mut String) {
        // Iterative: documents are as deep as the expressions they print.
        let mut stack: Vec<&Doc<'a>> = vec![self];
        while let Some(doc) = stack.pop() {
            match doc {
                Doc::Text(text) => out.push_str(text),
                Doc::Concat(parts) => stack.extend(parts.iter().rev()),
                Doc::Line => out.push(' '),
                Doc::SoftLine => {}
                Doc::Nest(inner) | Doc::Group(inner) => stack.push(inner),
            }
        }
    }

    /// The document on one line, as a string.
    pub(crate) fn flat(&self) -> String {
        let mut out = String::new();
        self.render_flat(&mut out);
        out
    }
}

impl Drop for Doc<'_> {
    /// Drops deep documents without deep recursion.
    fn drop(&mut self) {
        fn take_children<'a>(doc: &mut Doc<'a>, into: &mut Vec<Doc<'a>>) {
            match doc {
                Doc::Concat(parts) => into.append(parts),
                Doc::Nest(inner) | Doc::Group(inner) => {
                    into.push(std::mem::replace(&mut **inner, Doc::SoftLine))
                }
                Doc::Text(_) | Doc::Line | Doc::SoftLine => {}
            }
        }
        let mut pending = Vec::new();
        take_children(self, &mut pending);
        while let Some(mut doc) = pending.pop() {
            take_children(&mut doc, &mut pending);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_rendering_turns_lines_into_spaces() {
        let doc = Doc::concat([
            Doc::text("["),
            Doc::concat([
                Doc::SoftLine,
                Doc::comma_separated([Doc::text("1"), Doc::owned("2".into())]),
            ])
            .nest(),
            Doc::SoftLine,
            Doc::text("]"),
        ])
        .group();
        assert_eq!(doc.flat(), "[1, 2]");
    }

    #[test]
    fn deep_documents_render_and_drop() {
        let mut doc = Doc::text("x");
        for _ in 0..200_000 {
            doc = Doc::concat([Doc::text("("), doc.nest(), Doc::text(")")]).group();
        }
        assert_eq!(doc.flat().len(), 400_001);
    }
}
