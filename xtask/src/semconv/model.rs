//! The part of the semantic-conventions model that the table keeps.

/// The attributes of one version of the semantic conventions.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The conventions' version, e.g. `1.44.0`.
    pub version: String,
    /// Every attribute, sorted by name, names unique.
    pub attributes: Vec<Attribute>,
}

/// One attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// The name; for a template, the prefix without `.<key>`.
    pub name: String,
    /// The value type.
    pub ty: Type,
    /// Whether the model's type was `template[T]`.
    pub template: bool,
    /// The stability.
    pub stability: Stability,
    /// The first sentence of the brief.
    pub brief: String,
    /// The deprecation, if any.
    pub deprecated: Option<Deprecation>,
}

/// A value type.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// A type without members: `string`, `int[]`, ...
    Plain(Plain),
    /// An enum, with its members in model order.
    Enum(Vec<Member>),
}

/// A type without members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plain {
    String,
    Int,
    Double,
    Boolean,
    Any,
    StringArray,
    IntArray,
    DoubleArray,
    BooleanArray,
}

impl Plain {
    /// The type named `name` in the model (`string`, `int[]`, ...).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "string" => Plain::String,
            "int" => Plain::Int,
            "double" => Plain::Double,
            "boolean" => Plain::Boolean,
            "any" => Plain::Any,
            "string[]" => Plain::StringArray,
            "int[]" => Plain::IntArray,
            "double[]" => Plain::DoubleArray,
            "boolean[]" => Plain::BooleanArray,
            _ => return None,
        })
    }
}

/// An enum member.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The value.
    pub value: MemberValue,
    /// The first sentence of the brief; empty when there is none.
    pub brief: String,
    /// Whether the member is deprecated.
    pub deprecated: bool,
}

/// An enum member's value.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberValue {
    Str(String),
    Int(i64),
}

/// The stability of a definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stability {
    Stable,
    ReleaseCandidate,
    Beta,
    Alpha,
    Development,
    Deprecated,
}

impl Stability {
    /// The stability named `name` in the model; `experimental` is the older name of
    /// `development`.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "stable" => Stability::Stable,
            "release_candidate" => Stability::ReleaseCandidate,
            "beta" => Stability::Beta,
            "alpha" => Stability::Alpha,
            "development" | "experimental" => Stability::Development,
            "deprecated" => Stability::Deprecated,
            _ => return None,
        })
    }
}

/// Why an attribute is deprecated.
#[derive(Debug, Clone, PartialEq)]
pub struct Deprecation {
    /// The kind of deprecation.
    pub reason: Reason,
    /// The replacing attribute, for a rename.
    pub renamed_to: Option<String>,
    /// The first sentence of the note, if any.
    pub note: Option<String>,
}

/// The kind of a deprecation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Renamed,
    Obsoleted,
    Uncategorized,
}

impl Reason {
    /// The reason named `name` in the model.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "renamed" => Reason::Renamed,
            "obsoleted" => Reason::Obsoleted,
            "uncategorized" => Reason::Uncategorized,
            _ => return None,
        })
    }
}
