//! The abstract syntax tree. Every node carries its byte range.
//!
//! The tree is built to be *total*: a construct that failed to parse is still present, as an
//! `Error` variant with the range that was skipped, so later phases see the whole file.
//! Parentheses are kept ([`ExprKind::Paren`]) so that the formatter reproduces them.

use smol_str::SmolStr;
use tbt_diagnostics::TextRange;

/// A name as written, with its range.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    /// The text of the name.
    pub text: SmolStr,
    /// Where it is.
    pub range: TextRange,
}

/// A dotted name such as `http.response.status_code`, `env.SHOP_URL` or `order-service`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    /// The segments, at least one.
    pub segments: Vec<Name>,
    /// Where it is.
    pub range: TextRange,
}

impl Path {
    /// The path joined with dots.
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            out.push_str(&segment.text);
        }
        out
    }
}

/// A parsed `.tbt` file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SourceFile {
    /// The top-level statements in order: `use`, `schema`, `test`, `suite` and `let`.
    pub items: Vec<Stmt>,
}

/// `use "shop.schema.tbt"`: imports the schemas and constants of another file.
#[derive(Clone, Debug, PartialEq)]
pub struct Use {
    /// The path, relative to this file.
    pub path: StringLit,
    /// Where it is.
    pub range: TextRange,
}

/// `schema { ... }`: declares services and attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// The declarations.
    pub items: Vec<SchemaItem>,
    /// Where it is.
    pub range: TextRange,
}

/// One declaration in a schema.
#[derive(Clone, Debug, PartialEq)]
pub enum SchemaItem {
    /// `services a, b, c`
    Services(Services),
    /// `attribute name: type "doc"`
    Attribute(AttributeDecl),
    /// Something that did not parse; already reported.
    Error(TextRange),
}

impl SchemaItem {
    /// The declaration's range.
    pub fn range(&self) -> TextRange {
        match self {
            SchemaItem::Services(x) => x.range,
            SchemaItem::Attribute(x) => x.range,
            SchemaItem::Error(range) => *range,
        }
    }
}

/// `services gateway, order-service`
#[derive(Clone, Debug, PartialEq)]
pub struct Services {
    /// The service names.
    pub names: Vec<Name>,
    /// Where it is.
    pub range: TextRange,
}

/// `attribute payment.amount: double "Amount charged"`
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeDecl {
    /// The attribute's dotted name.
    pub name: Path,
    /// Its type.
    pub ty: TypeExpr,
    /// A one-line description, shown on hover.
    pub doc: Option<StringLit>,
    /// Where it is.
    pub range: TextRange,
}

/// A type in a schema.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    /// `string`, `int`, `double`, `bool`, `duration`, `timestamp`, `json`.
    Named(Name),
    /// `T[]`
    List(Box<TypeExpr>, TextRange),
    /// `"a" | "b"`: a closed enum of strings.
    Enum(Vec<StringLit>, TextRange),
    /// A type that did not parse; already reported.
    Error(TextRange),
}

impl TypeExpr {
    /// The type's range.
    pub fn range(&self) -> TextRange {
        match self {
            TypeExpr::Named(name) => name.range,
            TypeExpr::List(_, range) | TypeExpr::Enum(_, range) | TypeExpr::Error(range) => *range,
        }
    }
}

/// `test "name" { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// The name (absent only after a reported error).
    pub name: Option<StringLit>,
    /// The body.
    pub body: Vec<Stmt>,
    /// Where it is.
    pub range: TextRange,
}

/// `suite "name" { ... }`: tests that run in order and pass outputs along.
#[derive(Clone, Debug, PartialEq)]
pub struct Suite {
    /// The name (absent only after a reported error).
    pub name: Option<StringLit>,
    /// The tests and constants, in order.
    pub body: Vec<Stmt>,
    /// Where it is.
    pub range: TextRange,
}

/// A statement. The same node serves every block; which statements a block may hold is
/// checked after parsing (see `validate`), so a misplaced statement is still parsed in full.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `use "path"`
    Use(Use),
    /// `schema { ... }`
    Schema(Schema),
    /// `test "name" { ... }`
    Test(Test),
    /// `suite "name" { ... }`
    Suite(Suite),
    /// `trigger http POST "url" { ... }`
    Trigger(Trigger),
    /// `expect <expr>`
    Expect(Expect),
    /// `let name = expr`
    Let(Let),
    /// `output name = expr`
    Output(Let),
    /// `wait until <expr>`, `wait timeout 10s`, `wait settle 500ms`
    Wait(Opt),
    /// `span[...] { ... }`, optionally quantified: `no span[...] { ... }`
    Block(SpanBlock),
    /// Something that did not parse; already reported.
    Error(TextRange),
}

impl Stmt {
    /// The statement's range.
    pub fn range(&self) -> TextRange {
        match self {
            Stmt::Use(x) => x.range,
            Stmt::Schema(x) => x.range,
            Stmt::Test(x) => x.range,
            Stmt::Suite(x) => x.range,
            Stmt::Trigger(x) => x.range,
            Stmt::Expect(x) => x.range,
            Stmt::Let(x) | Stmt::Output(x) => x.range,
            Stmt::Wait(x) => x.range,
            Stmt::Block(x) => x.range,
            Stmt::Error(range) => *range,
        }
    }

    /// The keyword that starts the statement, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            Stmt::Use(_) => "use",
            Stmt::Schema(_) => "schema",
            Stmt::Test(_) => "test",
            Stmt::Suite(_) => "suite",
            Stmt::Trigger(_) => "trigger",
            Stmt::Expect(_) => "expect",
            Stmt::Let(_) => "let",
            Stmt::Output(_) => "output",
            Stmt::Wait(_) => "wait",
            Stmt::Block(_) => "span block",
            Stmt::Error(_) => "error",
        }
    }
}

/// A trigger: `trigger <kind> <args...> { <options> }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    /// `http`, `grpc`, `exec` or `trace`.
    pub kind: Name,
    /// The positional arguments: the method and URL of `http`, the target and method of `grpc`,
    /// the argv list of `exec`, the id of `trace`.
    pub args: Vec<Expr>,
    /// The options in the block.
    pub options: Vec<Opt>,
    /// Where it is.
    pub range: TextRange,
}

/// An option line: a name, positional arguments, and an optional `= value`.
/// `header "content-type" = "application/json"`, `timeout 5s`, `body json { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Opt {
    /// The option's name.
    pub name: Name,
    /// Positional arguments.
    pub args: Vec<Expr>,
    /// The value after `=`.
    pub value: Option<Expr>,
    /// Where it is.
    pub range: TextRange,
}

/// `expect <expr>`
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// The asserted expression.
    pub expr: Expr,
    /// Where it is.
    pub range: TextRange,
}

/// `let name = expr` or `output name = expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct Let {
    /// The bound name.
    pub name: Name,
    /// The value.
    pub value: Expr,
    /// Where it is.
    pub range: TextRange,
}

/// A selector with a block: every selected span must satisfy the block, and the selection must
/// not be empty. With a quantifier, the quantifier counts the spans that satisfy the block.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanBlock {
    /// `no`, `some`, `any` or `exactly N` before the selector.
    pub quantifier: Option<Quantifier>,
    /// The selector.
    pub selector: Expr,
    /// The statements that each span must satisfy.
    pub body: Vec<Stmt>,
    /// Where it is.
    pub range: TextRange,
}

/// A quantifier over a selection.
#[derive(Clone, Debug, PartialEq)]
pub enum Quantifier {
    /// `no`: no span.
    No(TextRange),
    /// `some`: at least one span.
    Some(TextRange),
    /// `any`: the same as `some`.
    Any(TextRange),
    /// `exactly N`: exactly N spans.
    Exactly(Box<Expr>, TextRange),
}

impl Quantifier {
    /// The quantifier's range.
    pub fn range(&self) -> TextRange {
        match self {
            Quantifier::No(r)
            | Quantifier::Some(r)
            | Quantifier::Any(r)
            | Quantifier::Exactly(_, r) => *r,
        }
    }
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub range: TextRange,
}

/// A string literal: text parts and `${...}` interpolations.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StringLit {
    /// The parts in order. A string without interpolation has at most one text part.
    pub parts: Vec<StringPart>,
    /// Where it is, quotes included.
    pub range: TextRange,
}

impl StringLit {
    /// The value when the string has no interpolation.
    pub fn as_plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [StringPart::Text(text)] => Some(text),
            _ => None,
        }
    }
}

/// A part of a string literal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StringPart {
    /// Literal text, escapes resolved.
    Text(String),
    /// `${path}`
    Interpolation(Path),
}

/// A duration unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    /// `ns`
    Nanos,
    /// `us` or `µs`
    Micros,
    /// `ms`
    Millis,
    /// `s`
    Seconds,
    /// `m`
    Minutes,
    /// `h`
    Hours,
}

impl DurationUnit {
    /// Parses a unit suffix.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ns" => DurationUnit::Nanos,
            "us" | "µs" => DurationUnit::Micros,
            "ms" => DurationUnit::Millis,
            "s" => DurationUnit::Seconds,
            "m" => DurationUnit::Minutes,
            "h" => DurationUnit::Hours,
            _ => return None,
        })
    }

    /// Nanoseconds in one unit.
    pub fn nanos(self) -> u64 {
        match self {
            DurationUnit::Nanos => 1,
            DurationUnit::Micros => 1_000,
            DurationUnit::Millis => 1_000_000,
            DurationUnit::Seconds => 1_000_000_000,
            DurationUnit::Minutes => 60_000_000_000,
            DurationUnit::Hours => 3_600_000_000_000,
        }
    }

    /// The canonical suffix.
    pub fn suffix(self) -> &'static str {
        match self {
            DurationUnit::Nanos => "ns",
            DurationUnit::Micros => "us",
            DurationUnit::Millis => "ms",
            DurationUnit::Seconds => "s",
            DurationUnit::Minutes => "m",
            DurationUnit::Hours => "h",
        }
    }
}

/// A unary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `contains`
    Contains,
    /// `matches`
    Matches,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::Contains => "contains",
            BinaryOp::Matches => "matches",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }

    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::NotEq
            | BinaryOp::Lt
            | BinaryOp::LtEq
            | BinaryOp::Gt
            | BinaryOp::GtEq
            | BinaryOp::Contains
            | BinaryOp::Matches
            | BinaryOp::In
            | BinaryOp::NotIn => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 6,
        }
    }

    /// Whether this is a comparison (comparisons do not chain).
    pub fn is_comparison(self) -> bool {
        self.precedence() == 4
    }
}

/// A selector combinator: which side it selects is always the right one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Combinator {
    /// `A > B`: spans of B whose parent is in A.
    Child,
    /// `A >> B`: spans of B with an ancestor in A.
    Descendant,
}

impl Combinator {
    /// The combinator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Combinator::Child => ">",
            Combinator::Descendant => ">>",
        }
    }
}

/// An ordering operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderOp {
    /// `A -> B`: A happens before B.
    Before,
    /// `A => B`: A calls B (a parent/child edge in the trace).
    Calls,
}

impl OrderOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderOp::Before => "->",
            OrderOp::Calls => "=>",
        }
    }
}

/// A regex literal `/pattern/flags`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegexLit {
    /// The pattern, with `\/` unescaped to `/`.
    pub pattern: String,
    /// The flags after the closing slash.
    pub flags: SmolStr,
}

/// An entry of an object literal.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectEntry {
    /// The key: a name or a string.
    pub key: StringLit,
    /// Whether the key was written as a bare name rather than a string.
    pub bare_key: bool,
    /// The value.
    pub value: Expr,
}

/// A pseudo-class on a selection: `:first`, `:nth(2)`, `:has(> span[...])`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pseudo {
    /// Its name.
    pub name: Name,
    /// Its arguments; `None` when written without parentheses.
    pub args: Option<Vec<Expr>>,
    /// Where it is, colon included.
    pub range: TextRange,
}

/// What an expression is.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `42`
    Int(i64),
    /// `0.25`
    Float(f64),
    /// `true`, `false`
    Bool(bool),
    /// `200ms`: the value as written and its unit.
    Duration {
        /// The number before the unit, as written (`1.5` in `1.5s`).
        value: f64,
        /// The unit.
        unit: DurationUnit,
    },
    /// `"text ${name}"`
    String(StringLit),
    /// `/pattern/flags`
    Regex(RegexLit),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{ "sku": "BOOK-42", qty: 1 }`
    Object(Vec<ObjectEntry>),
    /// A name or dotted path: an attribute, a `let`, `env.NAME`, `response.status`, a service.
    Path(Path),
    /// `span`: every span of the trace.
    Span,
    /// `expr.name` after something that is not a plain path.
    Field(Box<Expr>, Name),
    /// `expr[expr]`: an index, or on a selection, a filter (`span[status == error]`).
    Index(Box<Expr>, Box<Expr>),
    /// `expr:pseudo(args)` on a selection.
    Pseudo(Box<Expr>, Pseudo),
    /// `A > B`, `A >> B`; with no left side, relative to the span of the enclosing block.
    Combine {
        /// The left side; `None` for a relative selector.
        left: Option<Box<Expr>>,
        /// The combinator.
        combinator: Combinator,
        /// The right side, which is what is selected.
        right: Box<Expr>,
    },
    /// `count(x)`, `p99(x)`, `percentile(x, 95)`
    Call(Name, Vec<Expr>),
    /// `not x`, `-x`
    Unary(UnaryOp, Box<Expr>),
    /// `x exists`
    Exists(Box<Expr>),
    /// `a + b`, `a == b`, `a and b`
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `no x`, `some x`, `any x`, `exactly N x`
    Quantified(Quantifier, Box<Expr>),
    /// `a -> b => c within 500ms`
    Order {
        /// The steps, at least two.
        steps: Vec<Expr>,
        /// The operators between the steps (one fewer than the steps).
        ops: Vec<OrderOp>,
        /// The bound after `within`.
        within: Option<Box<Expr>>,
    },
    /// `(x)`
    Paren(Box<Expr>),
    /// Something that did not parse; already reported.
    Error,
}
