//! The types of `.tbt` expressions and attributes.
//!
//! See the crate documentation for the rules that combine them.

use smol_str::SmolStr;
use std::fmt;
use std::sync::Arc;
use tbt_semconv::{AttrType, EnumBase, EnumType, EnumValue, IntrinsicType};
use tbt_syntax::ast::TypeExpr;

/// The type of an expression, an attribute or a binding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// Text.
    String,
    /// A 64-bit signed integer.
    Int,
    /// A 64-bit float.
    Double,
    /// `true` or `false`.
    Bool,
    /// A length of time: `200ms`.
    Duration,
    /// A point in time: a span's `start` and `end`.
    Timestamp,
    /// A list whose items have the given type.
    List(Arc<Ty>),
    /// A map from strings to the given type: `response.headers`.
    Map(Arc<Ty>),
    /// An enum: a set of known values, closed or open.
    Enum(EnumTy),
    /// A dynamic value (`response.json`, an unknown attribute): compares with anything.
    Json,
    /// A set of spans: `span[...]`, a named selection.
    Selection,
    /// A service named in an ordering chain: `order-service`.
    Service,
    /// A regex literal `/.../`.
    Regex,
    /// The type of something already reported as wrong; it combines with anything silently,
    /// so one mistake gives one diagnostic.
    Error,
}

/// An enum type: where its values come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnumTy {
    /// A semantic-conventions enum. Open: other values are allowed (with a warning).
    Semconv(&'static EnumType),
    /// A span intrinsic's values (`status`, `kind`). Closed.
    Intrinsic(&'static [&'static str]),
    /// A schema's `"a" | "b"`. Closed.
    Closed(Arc<[SmolStr]>),
}

impl std::hash::Hash for EnumTy {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            // The semconv table is static: an enum is identified by its address.
            EnumTy::Semconv(e) => (0u8, std::ptr::from_ref::<EnumType>(e) as usize).hash(state),
            EnumTy::Intrinsic(values) => (1u8, values).hash(state),
            EnumTy::Closed(values) => (2u8, values).hash(state),
        }
    }
}

impl EnumTy {
    /// Whether values outside the listed ones are errors.
    pub fn is_closed(&self) -> bool {
        !matches!(self, EnumTy::Semconv(_))
    }

    /// Whether the values are integers (some semconv enums are).
    pub fn is_int(&self) -> bool {
        matches!(self, EnumTy::Semconv(e) if e.base == EnumBase::Int)
    }

    /// Whether `value` is a member (string enums).
    pub fn has_str(&self, value: &str) -> bool {
        match self {
            EnumTy::Semconv(e) => e.member_str(value).is_some(),
            EnumTy::Intrinsic(values) => values.contains(&value),
            EnumTy::Closed(values) => values.iter().any(|v| v == value),
        }
    }

    /// Whether `value` is a member (integer enums).
    pub fn has_int(&self, value: i64) -> bool {
        matches!(self, EnumTy::Semconv(e) if e.member_int(value).is_some())
    }

    /// The members, as written in source (`"GET"`, `0`).
    pub fn members(&self) -> Vec<String> {
        match self {
            EnumTy::Semconv(e) => e.members.iter().map(|m| m.value.to_string()).collect(),
            EnumTy::Intrinsic(values) => values.iter().map(|v| format!("{v:?}")).collect(),
            EnumTy::Closed(values) => values.iter().map(|v| format!("{v:?}")).collect(),
        }
    }

    /// The string members, for "did you mean".
    pub fn str_members(&self) -> Vec<&str> {
        match self {
            EnumTy::Semconv(e) => e
                .members
                .iter()
                .filter_map(|m| match m.value {
                    EnumValue::Str(s) => Some(s),
                    EnumValue::Int(_) => None,
                })
                .collect(),
            EnumTy::Intrinsic(values) => values.to_vec(),
            EnumTy::Closed(values) => values.iter().map(SmolStr::as_str).collect(),
        }
    }
}

impl Ty {
    /// A list of `item`.
    pub fn list(item: Ty) -> Ty {
        Ty::List(Arc::new(item))
    }

    /// Whether the type is unknown or already wrong: such a type is never reported.
    pub fn is_dynamic(&self) -> bool {
        matches!(self, Ty::Json | Ty::Error)
    }

    /// `int`, `double`, or an integer enum.
    pub fn is_numeric(&self) -> bool {
        match self {
            Ty::Int | Ty::Double => true,
            Ty::Enum(e) => e.is_int(),
            _ => false,
        }
    }

    /// `string` or a string enum.
    pub fn is_stringy(&self) -> bool {
        match self {
            Ty::String => true,
            Ty::Enum(e) => !e.is_int(),
            _ => false,
        }
    }

    /// The item type of a list (dynamic types give themselves).
    pub fn item(&self) -> Option<Ty> {
        match self {
            Ty::List(item) => Some((**item).clone()),
            Ty::Json | Ty::Error => Some(self.clone()),
            _ => None,
        }
    }

    /// Whether a value of this type can be compared with `==` to a value of `other`.
    pub fn comparable(&self, other: &Ty) -> bool {
        if self.is_dynamic() || other.is_dynamic() {
            return true;
        }
        match (self, other) {
            (a, b) if a.is_numeric() && b.is_numeric() => true,
            (a, b) if a.is_stringy() && b.is_stringy() => true,
            (Ty::List(a), Ty::List(b)) => a.comparable(b),
            (Ty::Bool, Ty::Bool)
            | (Ty::Duration, Ty::Duration)
            | (Ty::Timestamp, Ty::Timestamp)
            | (Ty::Selection, Ty::Selection)
            | (Ty::Service, Ty::Service) => true,
            _ => false,
        }
    }

    /// Whether values of this type are ordered (`<`) against values of `other`.
    pub fn ordered_with(&self, other: &Ty) -> bool {
        if self.is_dynamic() || other.is_dynamic() {
            return true;
        }
        matches!(
            (self, other),
            (Ty::Duration, Ty::Duration) | (Ty::Timestamp, Ty::Timestamp)
        ) || (self.is_numeric() && other.is_numeric())
            || (self.is_stringy() && other.is_stringy())
    }

    /// The type of an attribute of the semantic conventions.
    pub fn from_semconv(ty: &'static AttrType) -> Ty {
        match ty {
            AttrType::String => Ty::String,
            AttrType::Int => Ty::Int,
            AttrType::Double => Ty::Double,
            AttrType::Boolean => Ty::Bool,
            AttrType::Any => Ty::Json,
            AttrType::StringArray => Ty::list(Ty::String),
            AttrType::IntArray => Ty::list(Ty::Int),
            AttrType::DoubleArray => Ty::list(Ty::Double),
            AttrType::BooleanArray => Ty::list(Ty::Bool),
            AttrType::Enum(e) => Ty::Enum(EnumTy::Semconv(e)),
        }
    }

    /// The type of a span intrinsic.
    pub fn from_intrinsic(ty: IntrinsicType) -> Ty {
        match ty {
            IntrinsicType::String => Ty::String,
            IntrinsicType::Duration => Ty::Duration,
            IntrinsicType::Timestamp => Ty::Timestamp,
            IntrinsicType::Enum(values) => Ty::Enum(EnumTy::Intrinsic(values)),
            IntrinsicType::EventList | IntrinsicType::LinkList => Ty::list(Ty::Json),
        }
    }

    /// The type written in a schema. Unknown type names were reported by the parser and give
    /// [`Ty::Error`].
    pub fn from_type_expr(ty: &TypeExpr) -> Ty {
        match ty {
            TypeExpr::Named(name) => match name.text.as_str() {
                "string" => Ty::String,
                "int" => Ty::Int,
                "double" => Ty::Double,
                "bool" => Ty::Bool,
                "duration" => Ty::Duration,
                "timestamp" => Ty::Timestamp,
                "json" => Ty::Json,
                _ => Ty::Error,
            },
            TypeExpr::List(item, _) => Ty::list(Ty::from_type_expr(item)),
            TypeExpr::Enum(members, _) => {
                let values: Vec<SmolStr> = members
                    .iter()
                    .filter_map(|m| m.as_plain().map(SmolStr::new))
                    .collect();
                Ty::Enum(EnumTy::Closed(values.into()))
            }
            TypeExpr::Error(_) => Ty::Error,
        }
    }

    /// Whether a schema may declare an attribute the semantic conventions define with type
    /// `semconv` as this type: the same type, `json` on either side, or a closed enum of strings
    /// in place of a string or a string enum (a narrowing).
    pub fn agrees_with_semconv(&self, semconv: &'static AttrType) -> bool {
        let theirs = Ty::from_semconv(semconv);
        match (self, &theirs) {
            (Ty::Error | Ty::Json, _) | (_, Ty::Json) => true,
            (Ty::Enum(EnumTy::Closed(_)), t) => t.is_stringy(),
            (Ty::String, Ty::Enum(e)) => !e.is_int(),
            (Ty::Int, Ty::Enum(e)) => e.is_int(),
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Ty {
    /// The type as written in a schema; the alternate form (`{:#}`) adds an article and
    /// backticks for messages: ``an `int` ``, ``a `string` ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            let mut plain = String::new();
            self.write_plain(&mut plain)?;
            let article = if plain.starts_with(['i', 'e', 'a', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            return write!(f, "{article} `{plain}`");
        }
        self.write_plain(f)
    }
}

impl Ty {
    fn write_plain(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            Ty::String => f.write_str("string"),
            Ty::Int => f.write_str("int"),
            Ty::Double => f.write_str("double"),
            Ty::Bool => f.write_str("bool"),
            Ty::Duration => f.write_str("duration"),
            Ty::Timestamp => f.write_str("timestamp"),
            Ty::List(item) => match **item {
                Ty::Enum(EnumTy::Closed(_)) => write!(f, "({item})[]"),
                _ => write!(f, "{item}[]"),
            },
            Ty::Map(item) => write!(f, "map of {item}"),
            Ty::Enum(EnumTy::Semconv(e)) => match e.base {
                EnumBase::String => f.write_str("string enum"),
                EnumBase::Int => f.write_str("int enum"),
            },
            Ty::Enum(e) => f.write_str(&e.members().join(" | ")),
            Ty::Json => f.write_str("json"),
            Ty::Selection => f.write_str("span selection"),
            Ty::Service => f.write_str("service"),
            Ty::Regex => f.write_str("regex"),
            Ty::Error => f.write_str("{unknown}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_the_schema_syntax() {
        assert_eq!(Ty::list(Ty::String).to_string(), "string[]");
        assert_eq!(format!("{:#}", Ty::Int), "an `int`");
        assert_eq!(format!("{:#}", Ty::Selection), "a `span selection`");
        assert_eq!(
            Ty::Enum(EnumTy::Closed(
                vec![SmolStr::new("a"), SmolStr::new("b")].into()
            ))
            .to_string(),
            "\"a\" | \"b\""
        );
        assert_eq!(
            Ty::from_intrinsic(IntrinsicType::Enum(tbt_semconv::STATUS_VALUES)).to_string(),
            "\"ok\" | \"error\" | \"unset\""
        );
    }

    #[test]
    fn numbers_compare_across_int_and_double() {
        assert!(Ty::Int.comparable(&Ty::Double));
        assert!(!Ty::Double.comparable(&Ty::String));
        assert!(Ty::Json.comparable(&Ty::Selection));
        assert!(Ty::Duration.ordered_with(&Ty::Duration));
        assert!(!Ty::Duration.ordered_with(&Ty::Int));
    }
}
