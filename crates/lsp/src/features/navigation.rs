//! Go to definition, references and rename, for `let` and `output` names, imported constants,
//! schema attributes and services, and `use` paths.

use super::Doc;
use super::scope::definitions;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tbt_db::File;
use tbt_diagnostics::TextRange;
use tbt_semantics::{Location as Place, Target};
use tower_lsp_server::ls_types::{
    Location, Position, PrepareRenameResponse, Range, TextEdit, Uri, WorkspaceEdit,
};

/// What the cursor names.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Symbol {
    /// A `let` or `output` of this file, by the range of its defining name.
    Local(TextRange),
    /// A declaration in some file: an attribute, a service or a top-level constant.
    Declared(Place, Kind),
    /// The file a `use` names.
    File(PathBuf),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Attribute,
    Service,
    Constant,
}

impl Kind {
    fn target(self, place: Place) -> Target {
        match self {
            Kind::Attribute => Target::Attribute(place),
            Kind::Service => Target::Service(place),
            Kind::Constant => Target::Constant(place),
        }
    }
}

fn symbol_at(doc: &Doc<'_>, offset: u32) -> Option<(Symbol, TextRange)> {
    let db = doc.db();
    if let Some(import) = tbt_db::imports(db, doc.file)
        .iter()
        .find(|i| i.range.contains_inclusive(offset))
    {
        return Some((Symbol::File(import.path.clone()), import.range));
    }
    if let Some(r) = tbt_db::check(db, doc.file).resolution_at(offset) {
        let symbol = match r.target {
            Target::Local { range, .. } => Symbol::Local(range),
            Target::Attribute(place) => Symbol::Declared(place, Kind::Attribute),
            Target::Service(place) => Symbol::Declared(place, Kind::Service),
            Target::Constant(place) => Symbol::Declared(place, Kind::Constant),
            _ => return None,
        };
        return Some((symbol, r.range));
    }
    if let Some(def) = definitions(doc)
        .into_iter()
        .find(|d| d.name.contains_inclusive(offset))
    {
        return Some((Symbol::Local(def.name), def.name));
    }
    let schema = tbt_db::file_schema(db, doc.file);
    let here = doc.file.path(db).clone();
    let declared = schema
        .attributes
        .iter()
        .map(|a| (a.range, Kind::Attribute))
        .chain(schema.services.iter().map(|s| (s.range, Kind::Service)));
    for (range, kind) in declared {
        if range.contains_inclusive(offset) {
            let place = Place { file: here, range };
            return Some((Symbol::Declared(place, kind), range));
        }
    }
    None
}

/// Where the name at `position` is defined.
pub fn definition(doc: &Doc<'_>, position: Position) -> Option<Location> {
    let (symbol, _) = symbol_at(doc, doc.offset(position))?;
    match symbol {
        Symbol::Local(range) => Some(Location::new(doc.uri.clone(), doc.lines.range(range))),
        Symbol::Declared(place, _) => location(doc, &place.file, place.range),
        Symbol::File(path) => {
            let uri = doc.snap.uri_of_path(&path)?;
            doc.snap.db.file(&path)?;
            Some(Location::new(uri, Range::default()))
        }
    }
}

/// The location of a range of another file (or of this one).
fn location(doc: &Doc<'_>, path: &Path, range: TextRange) -> Option<Location> {
    let file = doc.snap.db.file(path)?;
    let uri = doc.snap.uri(file)?;
    let text = file.text(doc.db());
    let lines = crate::text::Lines::new(text);
    Some(Location::new(uri, lines.range(range)))
}

/// Every place, by file, that names the symbol (the definition too when `declaration`).
fn places(doc: &Doc<'_>, symbol: &Symbol, declaration: bool) -> Vec<(File, TextRange)> {
    let db = doc.db();
    let mut out = Vec::new();
    match symbol {
        Symbol::Local(range) => {
            if declaration {
                out.push((doc.file, *range));
            }
            let target_range = *range;
            out.extend(
                tbt_db::check(db, doc.file)
                    .resolutions()
                    .filter(|r| matches!(r.target, Target::Local { range, .. } if range == target_range))
                    .map(|r| (doc.file, r.range)),
            );
            // A top-level constant is also seen by the files that `use` this one.
            let is_constant = tbt_db::file_schema(db, doc.file)
                .constants
                .iter()
                .any(|c| c.range == *range);
            if is_constant {
                let place = Place {
                    file: doc.file.path(db).clone(),
                    range: *range,
                };
                out.extend(uses_of(doc, &Target::Constant(place)));
            }
        }
        Symbol::Declared(place, kind) => {
            if declaration && let Some(file) = db.file(&place.file) {
                out.push((file, place.range));
            }
            out.extend(uses_of(doc, &kind.target(place.clone())));
        }
        Symbol::File(path) => {
            for file in doc.snap.files() {
                for import in tbt_db::imports(db, file).iter() {
                    if import.path == *path {
                        out.push((file, import.range));
                    }
                }
            }
        }
    }
    out.sort_by_key(|(file, range)| (file.path(db).clone(), range.start));
    out.dedup();
    out
}

/// The resolutions of `target` in every file of the workspace.
fn uses_of(doc: &Doc<'_>, target: &Target) -> Vec<(File, TextRange)> {
    let db = doc.db();
    let mut out = Vec::new();
    for file in doc.snap.files() {
        out.extend(
            tbt_db::check(db, file)
                .resolutions()
                .filter(|r| r.target == *target)
                .map(|r| (file, r.range)),
        );
    }
    out
}

/// Every reference to the name at `position`.
pub fn references(doc: &Doc<'_>, position: Position, declaration: bool) -> Vec<Location> {
    let Some((symbol, _)) = symbol_at(doc, doc.offset(position)) else {
        return Vec::new();
    };
    let mut lines: HashMap<Arc<Path>, (Uri, String)> = HashMap::new();
    let mut out = Vec::new();
    for (file, range) in places(doc, &symbol, declaration) {
        let path = file.path(doc.db()).clone();
        let entry = match lines.get(&path) {
            Some(entry) => entry,
            None => {
                let Some(uri) = doc.snap.uri(file) else {
                    continue;
                };
                lines
                    .entry(path)
                    .or_insert((uri, file.text(doc.db()).clone()))
            }
        };
        let index = crate::text::Lines::new(&entry.1);
        out.push(Location::new(entry.0.clone(), index.range(range)));
    }
    out
}

/// The range of the `let` or `output` name at `position`, if it can be renamed.
pub fn prepare_rename(doc: &Doc<'_>, position: Position) -> Option<PrepareRenameResponse> {
    let (symbol, at) = symbol_at(doc, doc.offset(position))?;
    let Symbol::Local(def) = symbol else {
        return None;
    };
    let name = doc.text.get(def.to_usize())?;
    let range = TextRange::new(at.start, at.start + name.len() as u32);
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: doc.lines.range(range),
        placeholder: name.to_string(),
    })
}

/// Why a rename was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum RenameError {
    /// The cursor is on nothing that can be renamed.
    NotRenamable,
    /// The new name is not a valid name.
    InvalidName(String),
}

/// Renames the `let` or `output` at `position` (and, for a top-level constant, its uses in
/// the files that import it; for an output, its uses in the later tests of the suite).
pub fn rename(
    doc: &Doc<'_>,
    position: Position,
    new_name: &str,
) -> Result<WorkspaceEdit, RenameError> {
    let (symbol, _) = symbol_at(doc, doc.offset(position)).ok_or(RenameError::NotRenamable)?;
    let Symbol::Local(def) = symbol else {
        return Err(RenameError::NotRenamable);
    };
    if !is_name(new_name) {
        return Err(RenameError::InvalidName(new_name.to_string()));
    }
    let old = doc
        .text
        .get(def.to_usize())
        .ok_or(RenameError::NotRenamable)?
        .to_string();
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (file, range) in places(doc, &symbol, true) {
        let text = file.text(doc.db());
        // A use may be a longer path (`pay.duration`): only its first segment is the name.
        let name = TextRange::new(range.start, range.start + old.len() as u32);
        if text.get(name.to_usize()) != Some(old.as_str()) {
            continue;
        }
        let Some(uri) = doc.snap.uri(file) else {
            continue;
        };
        let lines = crate::text::Lines::new(text);
        changes.entry(uri).or_default().push(TextEdit {
            range: lines.range(name),
            new_text: new_name.to_string(),
        });
    }
    Ok(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}

/// Whether `name` is a valid `let` name: a name token that is not a keyword.
fn is_name(name: &str) -> bool {
    let lexed = tbt_syntax::lex(name);
    matches!(lexed.tokens.as_slice(), [t] if t.kind == tbt_syntax::Kind::Ident && t.range.len() as usize == name.len())
        && lexed.diagnostics.is_empty()
}

#[cfg(test)]
mod tests {
    #[test]
    fn checks_names() {
        assert!(super::is_name("order_id"));
        assert!(super::is_name("order-id"));
        assert!(!super::is_name("expect"));
        assert!(!super::is_name("a b"));
        assert!(!super::is_name("1a"));
        assert!(!super::is_name(""));
    }
}
