//! The result of checking a file: diagnostics, resolutions and types, for the CLI and the
//! language server (hover, go to definition, references, rename).

use crate::schema::Location;
use crate::ty::Ty;
use smol_str::SmolStr;
use tbt_diagnostics::{Diagnostic, TextRange};
use tbt_semconv::{AttributeDef, Intrinsic};

/// What defines a local name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BindingKind {
    /// `let`
    Let,
    /// `output`
    Output,
}

/// What a name or path refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A `let` or `output` of this file; `range` is the defining name.
    Local {
        /// `let` or `output`.
        kind: BindingKind,
        /// The range of the name where it is defined.
        range: TextRange,
    },
    /// A top-level `let` of another file, reached through `use`.
    Constant(Location),
    /// An attribute declared in a schema.
    Attribute(Location),
    /// A service declared in a schema.
    Service(Location),
    /// A service that no schema declares.
    UndeclaredService(SmolStr),
    /// An attribute of the semantic conventions.
    Semconv(&'static AttributeDef),
    /// A span intrinsic.
    Intrinsic(&'static Intrinsic),
    /// `env.NAME` or `env.secret.NAME`.
    Env(SmolStr),
    /// `response.<field>`.
    Response(&'static str),
}

/// One use of a name and what it refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The range of the use (the whole path, or the name segment for `env.NAME`).
    pub range: TextRange,
    /// What it refers to.
    pub target: Target,
}

/// Everything the checker learnt about one file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Analysis {
    /// Name and type diagnostics (syntax and schema diagnostics are not repeated here).
    pub diagnostics: Vec<Diagnostic>,
    /// Every resolved use of a name, in source order.
    pub resolutions: Vec<Resolution>,
    /// The type of every expression, by range, in the order they were checked (inner
    /// expressions before the expressions that contain them).
    pub types: Vec<(TextRange, Ty)>,
}

impl Analysis {
    /// The type of the smallest expression that contains `offset`.
    pub fn type_at(&self, offset: u32) -> Option<&Ty> {
        self.types
            .iter()
            .filter(|(range, _)| range.contains_inclusive(offset))
            .min_by_key(|(range, _)| range.len())
            .map(|(_, ty)| ty)
    }

    /// The type of the expression at exactly `range`.
    pub fn type_of(&self, range: TextRange) -> Option<&Ty> {
        self.types
            .iter()
            .rev()
            .find(|(r, _)| *r == range)
            .map(|(_, ty)| ty)
    }

    /// The resolution of the name at `offset`.
    pub fn resolution_at(&self, offset: u32) -> Option<&Resolution> {
        self.resolutions
            .iter()
            .filter(|r| r.range.contains_inclusive(offset))
            .min_by_key(|r| r.range.len())
    }

    /// Every use of the same definition as `target` in this file.
    pub fn references<'a>(
        &'a self,
        target: &'a Target,
    ) -> impl Iterator<Item = &'a Resolution> + 'a {
        self.resolutions.iter().filter(move |r| &r.target == target)
    }
}
