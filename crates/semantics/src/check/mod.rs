//! The checker: walks a file's statements with its scopes, types every expression and resolves
//! every name.
//!
//! `response.<field>` per trigger: `http` has `status` (int), `headers` (a map of strings:
//! `response.headers["etag"]`), `body` (string), `json` (json) and `duration`; `grpc` has
//! `status` (int), `message` and `json` (json), `metadata` (a map of strings) and `duration`;
//! `exec` has `exit_code` (int), `stdout`, `stderr` (strings) and `duration`; `trace` has none.

mod attrs;
mod calls;
mod expr;
mod ops;
mod stmt;

use crate::analysis::{Analysis, Resolution, Target};
use crate::regex_check::RegexCache;
use crate::resolve::TriggerKind;
use crate::schema::{ConstantDecl, VisibleSchema};
use crate::scope::{Binding, Frame, Scopes};
use crate::ty::Ty;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use tbt_diagnostics::{Diagnostic, TextRange};
use tbt_syntax::ast::{SourceFile, Stmt};

/// What a file is checked against.
pub struct Context<'a> {
    /// The file's path, for the locations of its own schema declarations.
    pub path: Arc<Path>,
    /// The declarations the file sees (its own and those reached through `use`).
    pub schema: &'a VisibleSchema,
    /// The declared environment (`tbt.toml`), or `None` when none is declared (then every
    /// `env.NAME` is accepted).
    pub env: Option<&'a BTreeSet<String>>,
    /// When the text checked is a part of the file (the database checks each top-level test
    /// or suite on its own), the top-level constants of the file defined before that part,
    /// with file ranges; empty for a whole file.
    pub earlier: &'a [ConstantDecl],
}

/// Checks a file: resolves every name and types every expression.
///
/// `text` is the file's text (for positions inside literals). Syntax and schema diagnostics are
/// not repeated: see [`crate::check_text`] for everything at once.
pub fn check(file: &SourceFile, text: &str, cx: &Context<'_>) -> Analysis {
    let mut checker = Checker::new(cx, text);
    checker.scopes.push(Frame::Imports);
    for (name, constant) in &cx.schema.constants {
        checker.scopes.bind(Binding {
            name: name.clone(),
            ty: constant.ty.clone(),
            target: Target::Constant(constant.at.clone()),
        });
    }
    checker.scopes.push(Frame::File);
    for constant in cx.earlier {
        checker.scopes.bind(Binding {
            name: constant.name.clone(),
            ty: constant.ty.clone(),
            target: Target::Constant(crate::Location {
                file: cx.path.clone(),
                range: constant.range,
            }),
        });
    }
    checker.stmts(&file.items);
    checker
        .out
        .resolutions
        .sort_by_key(|r| (r.range.start, r.range.end));
    checker.out
}

/// The types of a file's top-level `let`s, with only its own earlier constants in scope.
pub(crate) fn constant_types(file: &SourceFile) -> Vec<ConstantDecl> {
    if !file.items.iter().any(|s| matches!(s, Stmt::Let(_))) {
        return Vec::new();
    }
    let schema = VisibleSchema::default();
    let cx = Context {
        path: Arc::from(Path::new("")),
        schema: &schema,
        env: None,
        earlier: &[],
    };
    let mut checker = Checker::new(&cx, "");
    checker.scopes.push(Frame::File);
    let mut out = Vec::new();
    for item in &file.items {
        if let Stmt::Let(binding) = item {
            let ty = checker.expr(&binding.value);
            checker.bind_let(binding, ty.clone(), crate::BindingKind::Let);
            out.push(ConstantDecl {
                name: binding.name.text.clone(),
                range: binding.name.range,
                ty,
            });
        }
    }
    out
}

/// Where the checker is.
#[derive(Clone, Copy, Debug, Default)]
struct Place {
    /// Inside a selector's brackets, a span block or `:has(...)`: attributes are the current
    /// span's.
    span: bool,
    /// Inside a test (so `response` exists).
    test: bool,
}

pub(crate) struct Checker<'a> {
    cx: &'a Context<'a>,
    text: &'a str,
    scopes: Scopes,
    place: Place,
    trigger: TriggerKind,
    regexes: RegexCache,
    out: Analysis,
}

impl<'a> Checker<'a> {
    fn new(cx: &'a Context<'a>, text: &'a str) -> Self {
        Checker {
            cx,
            text,
            scopes: Scopes::default(),
            place: Place::default(),
            trigger: TriggerKind::Unknown,
            regexes: RegexCache,
            out: Analysis::default(),
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.out.diagnostics.push(diagnostic);
    }

    fn resolve(&mut self, range: TextRange, target: Target) {
        self.out.resolutions.push(Resolution { range, target });
    }

    fn record(&mut self, range: TextRange, ty: &Ty) {
        self.out.types.push((range, ty.clone()));
    }

    /// Runs `f` with the current span context set to `span`.
    fn with_span<T>(&mut self, span: bool, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.place.span;
        self.place.span = span;
        let out = f(self);
        self.place.span = saved;
        out
    }

    /// The source text of a range.
    fn slice(&self, range: TextRange) -> &'a str {
        self.text.get(range.to_usize()).unwrap_or("")
    }
}
