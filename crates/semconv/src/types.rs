//! The types of the attribute table.
//!
//! The `const fn` constructors marked `pub(crate)` exist only so that `generated.rs` stays
//! compact; users of the crate read these types, they never build them.

use std::fmt;

/// One attribute of the semantic conventions, as found in the built-in table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeDef {
    /// The attribute's name, e.g. `http.request.method`. For a template attribute this is
    /// the prefix without the trailing `.<key>`, e.g. `http.request.header`.
    pub name: &'static str,
    /// The type of the attribute's value.
    pub ty: AttrType,
    /// How stable the attribute's definition is.
    pub stability: Stability,
    /// The first sentence of the attribute's brief, whitespace collapsed, markdown kept as is.
    pub brief: &'static str,
    /// Set when the attribute is deprecated, with why and what replaces it.
    pub deprecated: Option<Deprecation>,
    /// Whether this is a template attribute (`template[T]` in the model): it stands for every
    /// attribute named `<name>.<key>`, e.g. `http.request.header.content-type`.
    pub template: bool,
}

impl AttributeDef {
    /// A plain (non-template, non-deprecated) attribute.
    pub(crate) const fn new(
        name: &'static str,
        ty: AttrType,
        stability: Stability,
        brief: &'static str,
    ) -> Self {
        Self {
            name,
            ty,
            stability,
            brief,
            deprecated: None,
            template: false,
        }
    }

    /// Marks the attribute as a template (`<name>.<key>`).
    pub(crate) const fn template(self) -> Self {
        Self {
            template: true,
            ..self
        }
    }

    /// Marks the attribute as deprecated.
    pub(crate) const fn deprecated(
        self,
        reason: DeprecationReason,
        renamed_to: Option<&'static str>,
        note: Option<&'static str>,
    ) -> Self {
        Self {
            deprecated: Some(Deprecation {
                reason,
                renamed_to,
                note,
            }),
            ..self
        }
    }

    /// Whether the attribute is deprecated.
    pub fn is_deprecated(&self) -> bool {
        self.deprecated.is_some()
    }

    /// The name as written in the conventions: `http.request.header.<key>` for a template,
    /// the plain name otherwise.
    pub fn display_name(&self) -> String {
        if self.template {
            format!("{}.<key>", self.name)
        } else {
            self.name.to_owned()
        }
    }

    /// Whether `name` is this attribute: equal to it, or for a template, `<name>.<key>` with a
    /// non-empty key.
    pub fn matches(&self, name: &str) -> bool {
        if self.template {
            name.strip_prefix(self.name)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|key| !key.is_empty())
                || name == self.name
        } else {
            name == self.name
        }
    }
}

/// The type of an attribute's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// `string`
    String,
    /// `int` (a 64-bit signed integer)
    Int,
    /// `double`
    Double,
    /// `boolean`
    Boolean,
    /// `any`: any value, including arrays and maps.
    Any,
    /// `string[]`
    StringArray,
    /// `int[]`
    IntArray,
    /// `double[]`
    DoubleArray,
    /// `boolean[]`
    BooleanArray,
    /// An enum. Semantic-convention enums are open: values outside the listed members are
    /// allowed (and deserve a warning at most).
    Enum(EnumType),
}

impl AttrType {
    /// An open enum whose values are strings.
    pub(crate) const fn str_enum(members: &'static [EnumMember]) -> Self {
        AttrType::Enum(EnumType {
            base: EnumBase::String,
            members,
        })
    }

    /// An open enum whose values are integers.
    pub(crate) const fn int_enum(members: &'static [EnumMember]) -> Self {
        AttrType::Enum(EnumType {
            base: EnumBase::Int,
            members,
        })
    }

    /// The type's name as the conventions spell it (`string`, `int[]`, ...); an enum is named
    /// after its underlying type with an `enum` prefix, e.g. `enum string`.
    pub fn name(&self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Int => "int",
            AttrType::Double => "double",
            AttrType::Boolean => "boolean",
            AttrType::Any => "any",
            AttrType::StringArray => "string[]",
            AttrType::IntArray => "int[]",
            AttrType::DoubleArray => "double[]",
            AttrType::BooleanArray => "boolean[]",
            AttrType::Enum(e) => match e.base {
                EnumBase::String => "enum string",
                EnumBase::Int => "enum int",
            },
        }
    }

    /// The enum's definition, if this type is an enum.
    pub fn as_enum(&self) -> Option<&EnumType> {
        match self {
            AttrType::Enum(e) => Some(e),
            _ => None,
        }
    }

    /// Whether values of this type are arrays.
    pub fn is_array(&self) -> bool {
        matches!(
            self,
            AttrType::StringArray
                | AttrType::IntArray
                | AttrType::DoubleArray
                | AttrType::BooleanArray
        )
    }
}

impl fmt::Display for AttrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An enum attribute's definition: its underlying type and its known members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumType {
    /// The type of the enum's values.
    pub base: EnumBase,
    /// The known members, in the order the conventions list them. The enum is open: other
    /// values are allowed.
    pub members: &'static [EnumMember],
}

impl EnumType {
    /// The member whose value is the string `value`, if any.
    pub fn member_str(&self, value: &str) -> Option<&'static EnumMember> {
        self.members
            .iter()
            .find(|m| matches!(m.value, EnumValue::Str(v) if v == value))
    }

    /// The member whose value is the integer `value`, if any.
    pub fn member_int(&self, value: i64) -> Option<&'static EnumMember> {
        self.members
            .iter()
            .find(|m| m.value == EnumValue::Int(value))
    }
}

/// The underlying type of an enum's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumBase {
    /// The values are strings.
    String,
    /// The values are integers.
    Int,
}

/// A value of an enum member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumValue {
    /// A string value, e.g. `"GET"`.
    Str(&'static str),
    /// An integer value, e.g. `0`.
    Int(i64),
}

impl fmt::Display for EnumValue {
    /// Strings are written quoted (`"GET"`), integers plain (`0`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnumValue::Str(s) => write!(f, "{s:?}"),
            EnumValue::Int(i) => write!(f, "{i}"),
        }
    }
}

/// One known member of an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumMember {
    /// The member's value as it appears on spans.
    pub value: EnumValue,
    /// The first sentence of the member's brief, if it has one.
    pub brief: Option<&'static str>,
    /// Whether this member is deprecated.
    pub deprecated: bool,
}

impl EnumMember {
    /// A string member; an empty `brief` means none.
    pub(crate) const fn str(value: &'static str, brief: &'static str) -> Self {
        Self::new(EnumValue::Str(value), brief)
    }

    /// An integer member; an empty `brief` means none.
    pub(crate) const fn int(value: i64, brief: &'static str) -> Self {
        Self::new(EnumValue::Int(value), brief)
    }

    const fn new(value: EnumValue, brief: &'static str) -> Self {
        Self {
            value,
            brief: if brief.is_empty() { None } else { Some(brief) },
            deprecated: false,
        }
    }

    /// Marks the member as deprecated.
    pub(crate) const fn deprecated(self) -> Self {
        Self {
            deprecated: true,
            ..self
        }
    }
}

/// How stable a definition is, from most to least stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stability {
    /// `stable`: will not change incompatibly.
    Stable,
    /// `release_candidate`: expected to become stable as is.
    ReleaseCandidate,
    /// `beta`
    Beta,
    /// `alpha`
    Alpha,
    /// `development` (also the model's older spelling `experimental`): may change or go away.
    Development,
    /// `deprecated`: should no longer be used.
    Deprecated,
}

impl Stability {
    /// The stability's name as the conventions spell it, e.g. `release_candidate`.
    pub fn name(&self) -> &'static str {
        match self {
            Stability::Stable => "stable",
            Stability::ReleaseCandidate => "release_candidate",
            Stability::Beta => "beta",
            Stability::Alpha => "alpha",
            Stability::Development => "development",
            Stability::Deprecated => "deprecated",
        }
    }
}

impl fmt::Display for Stability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why and how an attribute is deprecated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deprecation {
    /// The kind of deprecation.
    pub reason: DeprecationReason,
    /// The attribute that replaces this one, when `reason` is [`DeprecationReason::Renamed`].
    pub renamed_to: Option<&'static str>,
    /// The first sentence of the deprecation note, if any (e.g. "Replaced by `x`.").
    pub note: Option<&'static str>,
}

/// The kind of an attribute's deprecation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeprecationReason {
    /// Renamed: the same attribute under a new name ([`Deprecation::renamed_to`]).
    Renamed,
    /// Obsoleted: removed with no direct replacement.
    Obsoleted,
    /// Deprecated for another reason; the note, if any, says more.
    Uncategorized,
}

impl DeprecationReason {
    /// The reason's name as the conventions spell it, e.g. `renamed`.
    pub fn name(&self) -> &'static str {
        match self {
            DeprecationReason::Renamed => "renamed",
            DeprecationReason::Obsoleted => "obsoleted",
            DeprecationReason::Uncategorized => "uncategorized",
        }
    }
}

impl fmt::Display for DeprecationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
