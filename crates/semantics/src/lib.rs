//! Name resolution and type checking of `.tbt` files.
//!
//! This crate knows nothing of salsa or LSP: it takes syntax trees and schemas and returns
//! diagnostics, the type of every expression and the resolution of every name
//! ([`Analysis`]). The salsa database (`tbt-db`) caches its results per file.
//!
//! # Names
//!
//! * `let` binds a name in its block (file, suite, test or span block) from the next statement
//!   on; an inner block may shadow an outer name; two `let`s of one name in one block are an
//!   error (E0113).
//! * `output` binds like `let` in its test, and is also visible to the later tests of the same
//!   suite (E0112 when two tests of a suite define the same output).
//! * The top-level `let`s of files reached through `use` (transitively) are visible everywhere
//!   in the importing file, below its own names.
//! * `let pay = span[...]` is a named selection: `pay { ... }`, `pay:first`, `count(pay)`,
//!   `pay.duration` (a projection).
//! * `env.NAME` and `env.secret.NAME` are strings; when the environment is declared (tbt.toml),
//!   an undeclared name is a warning (W0105).
//! * `response.<field>` is the trigger's response (see [`check`] for the fields per trigger).
//!
//! # Attributes
//!
//! Inside a selector's brackets, a span block, or `:has(...)`/`:not(...)` (a *span context*), a
//! dotted path that is not a name resolves as an attribute of the current span: intrinsics first
//! (`name`, `duration`, `status`, `kind`, `start`, `end`, `status.message`, ...), then the
//! visible user schema, then the semantic conventions. `resource.x` and `span.x` name the scope
//! explicitly. An unknown attribute in a known namespace (one the conventions or a visible schema
//! use) is a warning with "did you mean" (W0101); outside known namespaces it is silently of type
//! `json`. Deprecated attributes warn (W0102) with their replacement as a machine-applicable fix.
//! Outside a span context, an attribute is an error (E0111). Names bound by `let` come first,
//! as `docs/language.md` says: `let name = ...` hides the intrinsic `name`. Inside a span
//! context, a one-word path that is no attribute but is close to a visible name is reported as
//! a misspelt name (E0104) rather than taken as an unknown attribute. In an ordering chain, a
//! single-segment path that is not a name is a service, and so is a string (a service with an
//! unusual name, never checked). Next to an operand of enum type (`status == error`,
//! `kind in [server, client]`), a bare word that is not a name is an enum value. An open enum
//! whose only member is `_OTHER` (`error.type`) accepts every value silently.
//!
//! # Types and rules
//!
//! The types are in [`Ty`]. `json` (dynamic) and the error type combine with anything without a
//! diagnostic; the error type is what an already-reported expression gets, so one mistake gives
//! one diagnostic.
//!
//! * Arithmetic: `int op int` is `int` (`/` gives `double`); `int op double` and
//!   `double op double` are `double`; `duration ± duration` is `duration`; `duration * number`,
//!   `number * duration` and `duration / number` are `duration`; `duration / duration` is
//!   `double`; `timestamp - timestamp` is `duration`; `timestamp ± duration` is `timestamp`;
//!   `string + string` is `string`. Unary `-` takes numbers and durations.
//! * Comparisons give `bool`. `==`/`!=`: numbers with numbers, strings with strings and string
//!   enums, bool with bool, durations with durations, timestamps with timestamps, lists with
//!   lists of comparable items. `<`, `<=`, `>`, `>=`: numbers, durations, timestamps, strings.
//!   A number literal next to a duration is E0102 (a duration without a unit).
//! * A string literal compared with an enum must be a member: closed enums (schema
//!   `"a" | "b"`, intrinsics `status` and `kind`) give E0107, open semconv enums W0104.
//! * `contains`: string × string, or list × item. `matches`: string × regex; a string literal on
//!   the right is compiled as a regex too, any other string is accepted (compiled at run time).
//!   Regex literals are compiled at check time (E0103, pointing into the pattern).
//! * `in`/`not in`: item × list. `exists`: any attribute or name, gives `bool`.
//! * `and`, `or`, `not`: `bool`. `expect` needs a `bool`.
//! * Quantifiers `no`, `some`, `any`, `exactly N` take a selection and give `bool`.
//! * `count(selection)` and `count(list)` (`events`, `links`, a projection) are `int`; `count`
//!   of anything else is E0105. `sum`, `min`, `max`, `avg`, `p50`, `p90`, `p95`, `p99` and
//!   `percentile(values, q)` take a list (a projection `sel.attr` or `sel.duration` is the list
//!   of the selected spans' values): numbers or durations (and timestamps and strings for
//!   `min`/`max`). They keep the item type (`sum` of durations is a duration, a percentile of
//!   ints an int), except `avg` of numbers, which is a `double`. A projection of `:first`,
//!   `:last` or `:nth(n)` is the one span's value, not a list.
//! * A list is indexed by an `int` (`xs[0]`) or filtered by a predicate
//!   (`events[name == "exception"]`, evaluated with the item's fields as bare names).
//! * Ordering chains (`a -> b => c within 500ms`) relate services and selections and give
//!   `bool`; the bound is a duration.
//! * `response.*`: see [`check`].

#![warn(missing_docs)]

mod analysis;
mod check;
pub mod fixes;
mod regex_check;
mod resolve;
pub mod schema;
mod scope;
pub mod ty;

pub use analysis::{Analysis, BindingKind, Resolution, Target};
pub use check::{Context, check};
pub use schema::{
    ConstantDecl, FileSchema, Location, SchemaSource, VisibleSchema, file_schema, shift_diagnostic,
};
pub use ty::{EnumTy, Ty};

use std::path::Path;
use std::sync::Arc;
use tbt_diagnostics::Diagnostic;

/// Checks one file on its own (no `use` is followed, no environment is declared): syntax,
/// schema and semantic diagnostics, sorted by position. For tests and tools that have no
/// database; the CLI and the language server go through `tbt-db`.
pub fn check_text(path: &str, text: &str) -> Vec<Diagnostic> {
    let parse = tbt_syntax::parse(text);
    let path: Arc<Path> = Arc::from(Path::new(path));
    let schema = file_schema(&parse.file);
    let visible = VisibleSchema::single(&path, &schema);
    let cx = Context {
        path: path.clone(),
        schema: &visible,
        env: None,
        earlier: &[],
    };
    let analysis = check(&parse.file, text, &cx);
    let mut out = parse.diagnostics;
    out.extend(schema.diagnostics);
    out.extend(visible.diagnostics);
    out.extend(analysis.diagnostics);
    sort_diagnostics(&mut out);
    out
}

/// Sorts diagnostics by position and code and removes exact duplicates.
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.primary.range.start, a.primary.range.end, a.code).cmp(&(
            b.primary.range.start,
            b.primary.range.end,
            b.code,
        ))
    });
    diagnostics.dedup_by(|a, b| {
        a.code == b.code && a.primary.range == b.primary.range && a.message == b.message
    });
}
