//! The `let` and `output` names visible at a place of a file, and every place a file defines
//! one, read from the syntax tree of the part that holds the place.

use super::Doc;
use tbt_diagnostics::TextRange;
use tbt_semantics::BindingKind;
use tbt_syntax::ast::Stmt;

/// A name in scope.
#[derive(Clone, Debug)]
pub struct ScopeName {
    /// The name.
    pub name: String,
    /// `let`, `output`, or `None` for a constant of an imported file.
    pub kind: Option<BindingKind>,
    /// The type of its value, when known.
    pub ty: Option<String>,
}

impl ScopeName {
    /// A short description for completion lists: `let: int`.
    pub fn detail(&self) -> String {
        let kind = match self.kind {
            Some(BindingKind::Let) => "let",
            Some(BindingKind::Output) => "output",
            None => "imported constant",
        };
        match &self.ty {
            Some(ty) => format!("{kind}: {ty}"),
            None => kind.to_string(),
        }
    }
}

/// A place a name is defined: the name's range (file offsets) and its value's range.
#[derive(Clone, Copy, Debug)]
pub struct Definition {
    /// `let` or `output`.
    pub kind: BindingKind,
    /// The defining name.
    pub name: TextRange,
    /// The value.
    pub value: TextRange,
}

/// Every `let` and `output` of a file.
pub fn definitions(doc: &Doc<'_>) -> Vec<Definition> {
    let mut out = Vec::new();
    for &(at, part) in tbt_db::parts(doc.db(), doc.file) {
        let parsed = tbt_db::parse_part(doc.db(), part);
        collect_definitions(&parsed.file.items, at, &mut out);
    }
    out
}

fn collect_definitions(stmts: &[Stmt], at: u32, out: &mut Vec<Definition>) {
    for stmt in stmts {
        match stmt {
            Stmt::Let(l) | Stmt::Output(l) => out.push(Definition {
                kind: if matches!(stmt, Stmt::Let(_)) {
                    BindingKind::Let
                } else {
                    BindingKind::Output
                },
                name: l.name.range.shift(at),
                value: l.value.range.shift(at),
            }),
            Stmt::Test(t) => collect_definitions(&t.body, at, out),
            Stmt::Suite(s) => collect_definitions(&s.body, at, out),
            Stmt::Block(b) => collect_definitions(&b.body, at, out),
            _ => {}
        }
    }
}

/// The names visible at `offset`: the file's own `let`s and `output`s defined before it in the
/// blocks around it (and the outputs of the earlier tests of its suite), then the constants of
/// imported files.
pub fn names_in_scope(doc: &Doc<'_>, offset: u32) -> Vec<ScopeName> {
    let db = doc.db();
    let parts = tbt_db::parts(db, doc.file);
    let i = parts.partition_point(|(at, _)| *at <= offset);
    let mut found: Vec<(String, BindingKind, TextRange)> = Vec::new();
    // The top-level constants of earlier parts.
    for constant in &tbt_db::file_schema(db, doc.file).constants {
        let starts_before = i
            .checked_sub(1)
            .and_then(|i| parts.get(i))
            .is_some_and(|(at, _)| constant.range.start < *at);
        if starts_before {
            found.push((constant.name.to_string(), BindingKind::Let, constant.range));
        }
    }
    if let Some(&(at, part)) = i.checked_sub(1).and_then(|i| parts.get(i)) {
        let parsed = tbt_db::parse_part(db, part);
        visible_in(&parsed.file.items, at, offset, false, &mut found);
    }
    let check = tbt_db::check(db, doc.file);
    let mut out: Vec<ScopeName> = Vec::new();
    // Inner names shadow outer ones: keep the last definition of each name.
    for (name, kind, value) in found.into_iter().rev() {
        if out.iter().any(|n| n.name == name) {
            continue;
        }
        let ty = check.type_of(value).map(|ty| ty.to_string());
        out.push(ScopeName {
            name,
            kind: Some(kind),
            ty,
        });
    }
    for (name, constant) in &tbt_db::visible_schema(db, doc.file).constants {
        if !out.iter().any(|n| n.name == name.as_str()) {
            out.push(ScopeName {
                name: name.to_string(),
                kind: None,
                ty: Some(constant.ty.to_string()),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Collects the names of `stmts` (ranges relative to `at`) visible at `offset`, with the
/// ranges of their values.
fn visible_in(
    stmts: &[Stmt],
    at: u32,
    offset: u32,
    in_suite: bool,
    out: &mut Vec<(String, BindingKind, TextRange)>,
) {
    for stmt in stmts {
        let range = stmt.range().shift(at);
        if range.start >= offset {
            break;
        }
        let inside = range.contains_inclusive(offset) && offset < range.end;
        match stmt {
            Stmt::Let(l) | Stmt::Output(l) if range.end <= offset => {
                let kind = if matches!(stmt, Stmt::Let(_)) {
                    BindingKind::Let
                } else {
                    BindingKind::Output
                };
                out.push((l.name.text.to_string(), kind, l.value.range.shift(at)));
            }
            Stmt::Test(t) if in_suite && range.end <= offset => {
                // The outputs of an earlier test of the same suite.
                for stmt in &t.body {
                    if let Stmt::Output(l) = stmt {
                        out.push((
                            l.name.text.to_string(),
                            BindingKind::Output,
                            l.value.range.shift(at),
                        ));
                    }
                }
            }
            Stmt::Test(t) if inside => visible_in(&t.body, at, offset, false, out),
            Stmt::Suite(s) if inside => visible_in(&s.body, at, offset, true, out),
            Stmt::Block(b) if inside => visible_in(&b.body, at, offset, false, out),
            _ => {}
        }
    }
}
