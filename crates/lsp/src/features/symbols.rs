//! Document symbols (tests, suites and their tests, schemas with their attributes and
//! services, top-level constants) and workspace symbols (the same, in every file).

use super::Doc;
use crate::host::Snapshot;
use tbt_diagnostics::TextRange;
use tbt_syntax::ast::{SchemaItem, Stmt, StringLit};
use tower_lsp_server::ls_types::{DocumentSymbol, Location, OneOf, SymbolKind, WorkspaceSymbol};

/// A symbol before conversion: name, kind, full range, name range and children.
struct Item {
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: TextRange,
    selection: TextRange,
    children: Vec<Item>,
}

fn items(doc: &Doc<'_>) -> Vec<Item> {
    let mut out = Vec::new();
    for &(at, part) in tbt_db::parts(doc.db(), doc.file) {
        let parsed = tbt_db::parse_part(doc.db(), part);
        collect(&parsed.file.items, at, &mut out);
    }
    out
}

fn name_of(name: &Option<StringLit>, fallback: TextRange) -> (String, TextRange) {
    match name {
        Some(lit) => (
            lit.as_plain()
                .map_or_else(|| "(interpolated name)".to_string(), str::to_string),
            lit.range,
        ),
        None => ("(unnamed)".to_string(), fallback),
    }
}

fn collect(stmts: &[Stmt], at: u32, out: &mut Vec<Item>) {
    for stmt in stmts {
        let range = stmt.range().shift(at);
        match stmt {
            Stmt::Test(t) => {
                let (name, selection) = name_of(&t.name, t.range);
                out.push(Item {
                    name,
                    detail: Some("test".to_string()),
                    kind: SymbolKind::FUNCTION,
                    range,
                    selection: selection.shift(at),
                    children: Vec::new(),
                });
            }
            Stmt::Suite(s) => {
                let (name, selection) = name_of(&s.name, s.range);
                let mut children = Vec::new();
                collect(&s.body, at, &mut children);
                out.push(Item {
                    name,
                    detail: Some("suite".to_string()),
                    kind: SymbolKind::MODULE,
                    range,
                    selection: selection.shift(at),
                    children,
                });
            }
            Stmt::Schema(schema) => {
                let mut children = Vec::new();
                for item in &schema.items {
                    match item {
                        SchemaItem::Attribute(a) => children.push(Item {
                            name: a.name.dotted(),
                            detail: Some(tbt_semantics::Ty::from_type_expr(&a.ty).to_string()),
                            kind: SymbolKind::FIELD,
                            range: a.range.shift(at),
                            selection: a.name.range.shift(at),
                            children: Vec::new(),
                        }),
                        SchemaItem::Services(s) => children.extend(s.names.iter().map(|n| Item {
                            name: n.text.to_string(),
                            detail: Some("service".to_string()),
                            kind: SymbolKind::INTERFACE,
                            range: n.range.shift(at),
                            selection: n.range.shift(at),
                            children: Vec::new(),
                        })),
                        SchemaItem::Error(_) => {}
                    }
                }
                out.push(Item {
                    name: "schema".to_string(),
                    detail: None,
                    kind: SymbolKind::STRUCT,
                    range,
                    selection: TextRange::new(range.start, range.start + 6),
                    children,
                });
            }
            Stmt::Let(l) => out.push(Item {
                name: l.name.text.to_string(),
                detail: Some("let".to_string()),
                kind: SymbolKind::CONSTANT,
                range,
                selection: l.name.range.shift(at),
                children: Vec::new(),
            }),
            _ => {}
        }
    }
}

/// The symbols of a document, nested.
pub fn document_symbols(doc: &Doc<'_>) -> Vec<DocumentSymbol> {
    fn convert(doc: &Doc<'_>, item: Item) -> DocumentSymbol {
        #[allow(deprecated)]
        DocumentSymbol {
            name: item.name,
            detail: item.detail,
            kind: item.kind,
            tags: None,
            deprecated: None,
            range: doc.lines.range(item.range),
            selection_range: doc.lines.range(item.selection),
            children: (!item.children.is_empty())
                .then(|| item.children.into_iter().map(|c| convert(doc, c)).collect()),
        }
    }
    items(doc).into_iter().map(|i| convert(doc, i)).collect()
}

/// The symbols of every file whose name matches `query` (case-insensitive, the query's
/// characters in order), sorted by file and position.
pub fn workspace_symbols(snap: &Snapshot, query: &str) -> Vec<WorkspaceSymbol> {
    let query = query.to_lowercase();
    let mut out = Vec::new();
    for file in snap.files() {
        let Some(uri) = snap.uri(file) else {
            continue;
        };
        let doc = Doc::of(snap, file, uri);
        let mut stack: Vec<(Item, Option<String>)> =
            items(&doc).into_iter().rev().map(|i| (i, None)).collect();
        while let Some((item, container)) = stack.pop() {
            let Item {
                name,
                kind,
                selection,
                children,
                ..
            } = item;
            stack.extend(children.into_iter().rev().map(|c| (c, Some(name.clone()))));
            if !fuzzy_match(&name.to_lowercase(), &query) {
                continue;
            }
            out.push(WorkspaceSymbol {
                name,
                kind,
                tags: None,
                container_name: container,
                location: OneOf::Left(Location::new(doc.uri.clone(), doc.lines.range(selection))),
                data: None,
            });
        }
    }
    out
}

/// Whether the characters of `query` appear in `name` in order.
fn fuzzy_match(name: &str, query: &str) -> bool {
    let mut chars = name.chars();
    query.chars().all(|q| chars.any(|c| c == q))
}
