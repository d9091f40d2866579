//! Lookups that need no scopes: span attributes, response fields.

use crate::schema::{VisibleAttribute, VisibleSchema};
use crate::ty::Ty;
use tbt_semconv::{AttributeDef, Intrinsic};

/// Where an attribute name is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AttrScope {
    /// Intrinsics, then span and resource attributes.
    Any,
    /// `span.x`: intrinsics and span attributes.
    Span,
    /// `resource.x`: resource attributes only.
    Resource,
}

/// What an attribute name is.
pub(crate) enum AttrLookup<'s> {
    Intrinsic(&'static Intrinsic),
    User(&'s VisibleAttribute),
    Semconv(&'static AttributeDef),
    /// Not known; `known_namespace` when its namespace is one the conventions or a schema use.
    Unknown {
        known_namespace: bool,
    },
}

impl AttrLookup<'_> {
    /// The attribute's type (unknown attributes are json).
    pub fn ty(&self) -> Ty {
        match self {
            AttrLookup::Intrinsic(i) => Ty::from_intrinsic(i.ty),
            AttrLookup::User(a) => a.ty.clone(),
            AttrLookup::Semconv(def) => Ty::from_semconv(&def.ty),
            AttrLookup::Unknown { .. } => Ty::Json,
        }
    }
}

/// Looks an attribute up: intrinsics first, then the user schema, then the conventions.
pub(crate) fn lookup_attribute<'s>(
    schema: &'s VisibleSchema,
    name: &str,
    scope: AttrScope,
) -> AttrLookup<'s> {
    if scope != AttrScope::Resource
        && let Some(i) = tbt_semconv::intrinsic(name)
    {
        return AttrLookup::Intrinsic(i);
    }
    if let Some(a) = schema.attributes.get(name) {
        return AttrLookup::User(a);
    }
    if let Some(def) = tbt_semconv::lookup(name) {
        return AttrLookup::Semconv(def);
    }
    // A field of a json attribute (`order.meta.anything`) is json too.
    let mut prefix = name;
    while let Some((head, _)) = prefix.rsplit_once('.') {
        let user_json = schema
            .attributes
            .get(head)
            .is_some_and(|a| a.ty == Ty::Json);
        let semconv_json =
            tbt_semconv::lookup(head).is_some_and(|d| d.ty == tbt_semconv::AttrType::Any);
        if user_json || semconv_json {
            return AttrLookup::Unknown {
                known_namespace: false,
            };
        }
        prefix = head;
    }
    let known_namespace = name.contains('.')
        && (tbt_semconv::is_known_namespace(name)
            || schema
                .namespaces
                .contains_key(name.split('.').next().unwrap_or(name)));
    AttrLookup::Unknown { known_namespace }
}

/// Whether `name` would be taken as an attribute inside a span context (for the message that
/// says it needs one).
pub(crate) fn is_attribute_like(schema: &VisibleSchema, name: &str) -> bool {
    !matches!(
        lookup_attribute(schema, name, AttrScope::Any),
        AttrLookup::Unknown {
            known_namespace: false
        }
    )
}

/// The kind of a test's trigger, which decides the fields of `response`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TriggerKind {
    Http,
    Grpc,
    Exec,
    Trace,
    /// No trigger, or an unknown one (already reported): every field is json.
    Unknown,
}

impl TriggerKind {
    pub fn from_name(name: &str) -> TriggerKind {
        match name {
            "http" => TriggerKind::Http,
            "grpc" => TriggerKind::Grpc,
            "exec" => TriggerKind::Exec,
            "trace" => TriggerKind::Trace,
            _ => TriggerKind::Unknown,
        }
    }

    /// The fields of `response` and their types.
    pub fn fields(self) -> &'static [(&'static str, FieldTy)] {
        match self {
            TriggerKind::Http => &[
                ("status", FieldTy::Int),
                ("headers", FieldTy::StringMap),
                ("body", FieldTy::String),
                ("json", FieldTy::Json),
                ("duration", FieldTy::Duration),
            ],
            TriggerKind::Grpc => &[
                ("status", FieldTy::Int),
                ("message", FieldTy::Json),
                ("json", FieldTy::Json),
                ("metadata", FieldTy::StringMap),
                ("duration", FieldTy::Duration),
            ],
            TriggerKind::Exec => &[
                ("exit_code", FieldTy::Int),
                ("stdout", FieldTy::String),
                ("stderr", FieldTy::String),
                ("duration", FieldTy::Duration),
            ],
            TriggerKind::Trace | TriggerKind::Unknown => &[],
        }
    }
}

/// The type of a response field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldTy {
    Int,
    String,
    StringMap,
    Json,
    Duration,
}

impl FieldTy {
    pub fn ty(self) -> Ty {
        match self {
            FieldTy::Int => Ty::Int,
            FieldTy::String => Ty::String,
            FieldTy::StringMap => Ty::Map(std::sync::Arc::new(Ty::String)),
            FieldTy::Json => Ty::Json,
            FieldTy::Duration => Ty::Duration,
        }
    }
}

/// The aggregate functions.
pub(crate) const FUNCTIONS: &[&str] = &[
    "count",
    "sum",
    "min",
    "max",
    "avg",
    "p50",
    "p90",
    "p95",
    "p99",
    "percentile",
];
