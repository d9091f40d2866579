//! The language features, each a plain function of a [`Snapshot`] and the request's
//! parameters, so they can be tested and measured without the protocol around them.

pub mod actions;
pub mod completion;
mod context;
pub mod diagnostics;
pub mod folding;
pub mod formatting;
pub mod hover;
pub mod navigation;
mod scope;
pub mod signature;
pub mod symbols;
pub mod tokens;

use crate::host::Snapshot;
use crate::text::Lines;
use tbt_db::File;
use tower_lsp_server::ls_types::{Position, Uri};

/// One document of a snapshot, with its line index.
pub struct Doc<'a> {
    /// The snapshot it belongs to.
    pub snap: &'a Snapshot,
    /// The file.
    pub file: File,
    /// Its URI.
    pub uri: Uri,
    /// Its text.
    pub text: &'a str,
    /// Its lines, for converting positions.
    pub lines: Lines<'a>,
}

impl<'a> Doc<'a> {
    /// The document at `uri`, if the workspace has it.
    pub fn new(snap: &'a Snapshot, uri: &Uri) -> Option<Doc<'a>> {
        let file = snap.file(uri)?;
        Some(Doc::of(snap, file, uri.clone()))
    }

    /// The document of `file`, known by `uri`.
    pub fn of(snap: &'a Snapshot, file: File, uri: Uri) -> Doc<'a> {
        let text = file.text(&snap.db).as_str();
        Doc {
            snap,
            file,
            uri,
            text,
            lines: Lines::new(text),
        }
    }

    /// The byte offset of a position.
    pub fn offset(&self, position: Position) -> u32 {
        self.lines.offset(position)
    }

    /// The database of the snapshot.
    pub fn db(&self) -> &'a tbt_db::RootDatabase {
        &self.snap.db
    }
}
