//! The built-in OpenTelemetry semantic conventions of tbt.
//!
//! The attribute table (`generated.rs`) is generated from the semantic-conventions model by
//! `cargo xtask semconv` and committed; nothing is read at build or run time. It holds every
//! attribute of the registry, deprecated ones included, sorted by name, so [`lookup`] is a
//! binary search. Next to it, a small hand-written table of span [`intrinsic`]s (`name`,
//! `duration`, `status`, ...).
//!
//! ```
//! let status = tbt_semconv::lookup("http.response.status_code").unwrap();
//! assert_eq!(status.ty, tbt_semconv::AttrType::Int);
//! let header = tbt_semconv::lookup("http.request.header.content-type").unwrap();
//! assert!(header.template);
//! ```

#![warn(missing_docs)]

#[rustfmt::skip]
mod generated;
mod intrinsic;
mod suggest;
mod types;

pub use intrinsic::{Intrinsic, IntrinsicType, KIND_VALUES, STATUS_VALUES, intrinsic, intrinsics};
pub use suggest::suggest;
pub use types::{
    AttrType, AttributeDef, Deprecation, DeprecationReason, EnumBase, EnumMember, EnumType,
    EnumValue, Stability,
};

/// The version of the semantic conventions the table was generated from.
pub static VERSION: &str = generated::VERSION;

/// Every attribute of the semantic conventions, sorted by name (templates under their prefix,
/// e.g. `http.request.header`).
pub fn attributes() -> &'static [AttributeDef] {
    generated::ATTRIBUTES
}

/// The attribute called `name`.
///
/// An exact match wins; otherwise the template with the longest prefix of `name` (ending at a
/// `.`) does, so `http.request.header.content-type` finds the `http.request.header` template.
pub fn lookup(name: &str) -> Option<&'static AttributeDef> {
    if let Some(def) = find(name) {
        return Some(def);
    }
    let mut prefix = name;
    while let Some((head, key)) = prefix.rsplit_once('.') {
        if !key.is_empty()
            && let Some(def) = find(head).filter(|d| d.template)
        {
            return Some(def);
        }
        prefix = head;
    }
    None
}

/// Whether the namespace of `name` (its first dotted segment, e.g. `http` in
/// `http.foo.bar`) is one that the semantic conventions define attributes in. `http.foo` is
/// in a known namespace, `payment.amount` is not; a name without a dot is its own namespace.
pub fn is_known_namespace(name: &str) -> bool {
    let ns = namespace_of(name);
    if ns.is_empty() {
        return false;
    }
    let table = attributes();
    // The names starting with `ns` are contiguous in the sorted table.
    let start = table.partition_point(|a| a.name < ns);
    table[start..]
        .iter()
        .take_while(|a| a.name.starts_with(ns))
        .any(|a| a.name[ns.len()..].starts_with('.'))
}

/// The first dotted segment of `name`.
pub(crate) fn namespace_of(name: &str) -> &str {
    name.split_once('.').map_or(name, |(ns, _)| ns)
}

/// The exact entry called `name`.
fn find(name: &str) -> Option<&'static AttributeDef> {
    let table = attributes();
    table
        .binary_search_by(|a| a.name.cmp(name))
        .ok()
        .map(|i| &table[i])
}
