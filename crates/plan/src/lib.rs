//! The query plan of tbt.
//!
//! [`plan_file`] lowers a checked file (its syntax tree, and the resolutions and types of its
//! [`tbt_db::FileCheck`]) into a [`FilePlan`]: an IR that is not the AST, which the engine
//! (`tbt-engine`) runs over traces without ever seeing the syntax tree.
//!
//! - Names become slots ([`ExprKind::Slot`]), span attributes and intrinsics become
//!   [`Subject`]s of the current span, services become `service.name` selections, literals
//!   become constants (regexes compiled once, durations in nanoseconds).
//! - A selector's predicates become a [`SelKind::Filter`]: a conjunction ordered cheap first
//!   (`kind`/`status` flags, intrinsic equality, attribute equality and presence on interned
//!   ids, ranges, string work, general expressions, regexes, nested selections), with an
//!   access path ([`Access`]) that starts from a per-key attribute column when a conjunct
//!   needs an attribute to be present. Predicates that can fail (arithmetic) keep their
//!   source order after the others, so reordering never evaluates what the source guarded.
//! - Structural combinators become joins: `A > B` on parent indexes, `A >> B` on pre/post
//!   numbers; relative selectors, pseudo-classes, quantifiers, aggregates, projections and
//!   ordering chains are plan nodes of their own.
//! - Every assertion keeps its source range.
//!
//! [`explain`] prints a plan like SQL's EXPLAIN: an indented tree (what `tbt plan` shows).

#![warn(missing_docs)]

mod classify;
mod deps;
mod explain;
mod ir;
mod lower;
mod show;

pub use deps::{Deps, expr_deps, sel_deps};
pub use explain::{explain, explain_test};
pub use ir::*;
pub use show::{show_const, show_duration, show_expr, show_sel, show_subject};

use tbt_db::{Db, File};

/// Plans every test of a checked file. The file should have no errors (`tbt_db::check`);
/// constructs the checker rejected are planned as [`ExprKind::Invalid`], which fail when
/// evaluated.
pub fn plan_file(db: &dyn Db, file: File) -> FilePlan {
    lower::plan(db, file)
}
