//! Schemas: what one file declares ([`FileSchema`]) and what a file sees once its `use`s are
//! followed ([`VisibleSchema`]).
//!
//! A file's declarations are read from its syntax tree alone, so they can be computed (and
//! cached) per file. The visible schema merges the file's own declarations with those of every
//! file it reaches through `use`, transitively; the first declaration of a name wins, the file's
//! own first. User declarations extend the built-in semantic conventions: redeclaring a semconv
//! attribute with the same type (to give it a doc) is fine, with another type it is an error.

use crate::check::constant_types;
use crate::ty::Ty;
use smol_str::SmolStr;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use tbt_diagnostics::{Diagnostic, TextRange, codes};
use tbt_syntax::ast::{SchemaItem, SourceFile, Stmt, TypeExpr};

/// A place in some file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file.
    pub file: Arc<Path>,
    /// The range in it.
    pub range: TextRange,
}

/// `use "path"` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UseDecl {
    /// The path as written, relative to the importing file.
    pub path: String,
    /// The range of the string literal.
    pub range: TextRange,
}

/// A declared service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceDecl {
    /// Its name.
    pub name: SmolStr,
    /// The range of the name.
    pub range: TextRange,
}

/// A declared attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeDecl {
    /// The dotted name.
    pub name: SmolStr,
    /// Its type.
    pub ty: Ty,
    /// The doc string, if any.
    pub doc: Option<String>,
    /// The range of the name.
    pub range: TextRange,
    /// For a closed enum, each member and the range of its string literal.
    pub members: Vec<(SmolStr, TextRange)>,
}

/// A top-level `let`: a constant other files see through `use`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConstantDecl {
    /// Its name.
    pub name: SmolStr,
    /// The range of the name.
    pub range: TextRange,
    /// Its type, inferred from the value with only the file's own earlier constants in scope
    /// (a reference to an imported constant makes it dynamic).
    pub ty: Ty,
}

/// Everything one file declares for others: imports, services, attributes, constants.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FileSchema {
    /// The `use` statements, in order.
    pub uses: Vec<UseDecl>,
    /// The declared services.
    pub services: Vec<ServiceDecl>,
    /// The declared attributes.
    pub attributes: Vec<AttributeDecl>,
    /// The top-level constants.
    pub constants: Vec<ConstantDecl>,
    /// Problems in the declarations themselves: a semconv attribute redeclared with another
    /// type, an attribute declared twice with different types.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a file's declarations from its syntax tree.
pub fn file_schema(file: &SourceFile) -> FileSchema {
    let mut out = FileSchema::default();
    for item in &file.items {
        match item {
            Stmt::Use(u) => {
                if let Some(path) = u.path.as_plain() {
                    out.uses.push(UseDecl {
                        path: path.to_string(),
                        range: u.path.range,
                    });
                }
            }
            Stmt::Schema(schema) => {
                for item in &schema.items {
                    match item {
                        SchemaItem::Services(s) => {
                            out.services.extend(s.names.iter().map(|n| ServiceDecl {
                                name: n.text.clone(),
                                range: n.range,
                            }))
                        }
                        SchemaItem::Attribute(a) => declare(&mut out, a),
                        SchemaItem::Error(_) => {}
                    }
                }
            }
            _ => {}
        }
    }
    out.constants = constant_types(file);
    out
}

fn declare(out: &mut FileSchema, a: &tbt_syntax::ast::AttributeDecl) {
    let name = SmolStr::new(a.name.dotted());
    let ty = Ty::from_type_expr(&a.ty);
    let members = match &a.ty {
        TypeExpr::Enum(members, _) => members
            .iter()
            .filter_map(|m| m.as_plain().map(|v| (SmolStr::new(v), m.range)))
            .collect(),
        _ => Vec::new(),
    };
    if let Some(def) = tbt_semconv::lookup(&name)
        && !ty.agrees_with_semconv(&def.ty)
    {
        out.diagnostics.push(
            Diagnostic::new(
                codes::SEMCONV_TYPE_CONFLICT,
                a.ty.range(),
                format!(
                    "`{name}` is a semantic-conventions attribute of type `{}`",
                    Ty::from_semconv(&def.ty)
                ),
            )
            .with_label(format!("declared here as `{ty}`"))
            .with_secondary(a.name.range, "defined by OpenTelemetry")
            .with_help(format!(
                "declare it as `{}` (to document it) or pick a name outside the `{}` namespace",
                Ty::from_semconv(&def.ty),
                name.split('.').next().unwrap_or(&name)
            )),
        );
    }
    if let Some(first) = out.attributes.iter().find(|d| d.name == name) {
        if first.ty != ty && ty != Ty::Error && first.ty != Ty::Error {
            out.diagnostics.push(
                Diagnostic::new(
                    codes::SCHEMA_CONFLICT,
                    a.ty.range(),
                    format!("`{name}` is declared twice with different types"),
                )
                .with_label(format!("`{ty}` here"))
                .with_secondary(first.range, format!("`{}` here", first.ty))
                .with_help("keep one declaration"),
            );
        }
        return;
    }
    out.attributes.push(AttributeDecl {
        name,
        ty,
        doc: a
            .doc
            .as_ref()
            .and_then(|d| d.as_plain().map(str::to_string)),
        range: a.name.range,
        members,
    });
}

impl FileSchema {
    /// Joins the declarations of consecutive parts of one file, each with its start offset
    /// (ranges in a part are relative to its start): the result has file ranges, and an
    /// attribute declared in two parts with different types is reported.
    pub fn concat(parts: &[(u32, &FileSchema)]) -> FileSchema {
        let mut out = FileSchema::default();
        for &(at, part) in parts {
            let shift = |r: TextRange| r.shift(at);
            out.uses.extend(part.uses.iter().map(|u| UseDecl {
                range: shift(u.range),
                ..u.clone()
            }));
            out.services
                .extend(part.services.iter().map(|s| ServiceDecl {
                    range: shift(s.range),
                    ..s.clone()
                }));
            out.constants
                .extend(part.constants.iter().map(|c| ConstantDecl {
                    range: shift(c.range),
                    ..c.clone()
                }));
            out.diagnostics
                .extend(part.diagnostics.iter().map(|d| shift_diagnostic(d, at)));
            for a in &part.attributes {
                let a = AttributeDecl {
                    range: shift(a.range),
                    members: a
                        .members
                        .iter()
                        .map(|(m, r)| (m.clone(), shift(*r)))
                        .collect(),
                    ..a.clone()
                };
                if let Some(first) = out.attributes.iter().find(|d| d.name == a.name) {
                    if first.ty != a.ty && !first.ty.is_dynamic() && !a.ty.is_dynamic() {
                        out.diagnostics.push(
                            Diagnostic::new(
                                codes::SCHEMA_CONFLICT,
                                a.range,
                                format!("`{}` is declared twice with different types", a.name),
                            )
                            .with_label(format!("`{}` here", a.ty))
                            .with_secondary(first.range, format!("`{}` here", first.ty))
                            .with_help("keep one declaration"),
                        );
                    }
                    continue;
                }
                out.attributes.push(a);
            }
        }
        out
    }
}

/// A diagnostic moved right by `by` bytes, labels and fixes included.
pub fn shift_diagnostic(d: &Diagnostic, by: u32) -> Diagnostic {
    let mut d = d.clone();
    if by == 0 {
        return d;
    }
    d.primary.range = d.primary.range.shift(by);
    for label in &mut d.secondary {
        label.range = label.range.shift(by);
    }
    for fix in &mut d.fixes {
        for edit in &mut fix.edits {
            edit.range = edit.range.shift(by);
        }
    }
    d
}

/// A declared attribute as seen from some file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisibleAttribute {
    /// Its type.
    pub ty: Ty,
    /// Its doc string.
    pub doc: Option<String>,
    /// Where it is declared.
    pub at: Location,
    /// For a closed enum, where each member is declared.
    pub members: Vec<(SmolStr, TextRange)>,
}

/// An imported constant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisibleConstant {
    /// Its type.
    pub ty: Ty,
    /// Where it is declared.
    pub at: Location,
}

/// One file's declarations, as an input to [`VisibleSchema::build`].
#[derive(Clone, Copy, Debug)]
pub struct SchemaSource<'a> {
    /// The file's path.
    pub path: &'a Arc<Path>,
    /// Its declarations.
    pub schema: &'a FileSchema,
    /// For an imported file, the range of the `use` in the importing file that reaches it.
    pub via: Option<TextRange>,
}

/// The declarations a file sees: its own and those of every file it reaches through `use`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct VisibleSchema {
    /// Attributes by dotted name.
    pub attributes: BTreeMap<SmolStr, VisibleAttribute>,
    /// Services by name.
    pub services: BTreeMap<SmolStr, Location>,
    /// Constants of imported files by name (the file's own are checked in order, not here).
    pub constants: BTreeMap<SmolStr, VisibleConstant>,
    /// The namespaces (first segments) of the declared attributes.
    pub namespaces: BTreeMap<SmolStr, ()>,
    /// Conflicts between files, reported in the importing file.
    pub diagnostics: Vec<Diagnostic>,
}

impl VisibleSchema {
    /// Merges the declarations of a file (first) and of the files it reaches (then, in order).
    pub fn build(sources: &[SchemaSource<'_>]) -> VisibleSchema {
        let mut out = VisibleSchema::default();
        for source in sources {
            for a in &source.schema.attributes {
                let at = Location {
                    file: source.path.clone(),
                    range: a.range,
                };
                match out.attributes.get(&a.name) {
                    Some(first) => {
                        if first.ty != a.ty && !first.ty.is_dynamic() && !a.ty.is_dynamic() {
                            let range = source.via.unwrap_or(a.range);
                            out.diagnostics.push(
                                Diagnostic::new(
                                    codes::SCHEMA_CONFLICT,
                                    range,
                                    format!(
                                        "`{}` is declared as `{}` and as `{}`",
                                        a.name, first.ty, a.ty
                                    ),
                                )
                                .with_label(format!("`{}` in `{}`", a.ty, file_name(source.path)))
                                .with_help(format!(
                                    "`{}` says `{}`; keep one declaration",
                                    file_name(&first.at.file),
                                    first.ty
                                )),
                            );
                        }
                    }
                    None => {
                        let ns = a.name.split('.').next().unwrap_or(&a.name);
                        out.namespaces.insert(SmolStr::new(ns), ());
                        out.attributes.insert(
                            a.name.clone(),
                            VisibleAttribute {
                                ty: a.ty.clone(),
                                doc: a.doc.clone(),
                                at,
                                members: a.members.clone(),
                            },
                        );
                    }
                }
            }
            for s in &source.schema.services {
                out.services
                    .entry(s.name.clone())
                    .or_insert_with(|| Location {
                        file: source.path.clone(),
                        range: s.range,
                    });
            }
            if source.via.is_some() {
                for c in &source.schema.constants {
                    out.constants
                        .entry(c.name.clone())
                        .or_insert_with(|| VisibleConstant {
                            ty: c.ty.clone(),
                            at: Location {
                                file: source.path.clone(),
                                range: c.range,
                            },
                        });
                }
            }
        }
        out
    }

    /// A schema that sees only one file's own declarations.
    pub fn single(path: &Arc<Path>, schema: &FileSchema) -> VisibleSchema {
        VisibleSchema::build(&[SchemaSource {
            path,
            schema,
            via: None,
        }])
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
