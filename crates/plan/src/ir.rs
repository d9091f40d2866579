//! The plan IR: what the engine runs. It is not the AST: names are resolved to slots,
//! attributes and intrinsics, selectors to selection operators with cost-ordered predicates,
//! structural combinators to interval joins, and literals to constants (regexes compiled).
//!
//! Every assertion keeps the source range it came from, so verdicts point at the source.

use smol_str::SmolStr;
use std::sync::Arc;
use tbt_diagnostics::TextRange;

/// A binding slot: a `let`, an `output` or a constant. Slots are numbered per file plan.
pub type SlotId = u32;

/// A selection node's number, unique in its file plan (the engine caches results by it).
pub type SelId = u32;

/// The plan of a whole file.
#[derive(Clone, Debug)]
pub struct FilePlan {
    /// The file's path, as given.
    pub path: String,
    /// The file's text (the ranges of the plan point into it).
    pub text: Arc<str>,
    /// The constants tests may read: top-level `let`s of the file and of the files it `use`s,
    /// evaluated on first use in each test.
    pub constants: Vec<LetPlan>,
    /// Every slot, by id.
    pub slots: Vec<SlotInfo>,
    /// The tests, in source order (suite tests in their suite's order).
    pub tests: Vec<TestPlan>,
    /// How many selection nodes the plan has.
    pub selections: u32,
}

impl FilePlan {
    /// The source text of a range ("" when out of bounds).
    pub fn source(&self, range: TextRange) -> &str {
        self.text.get(range.to_usize()).unwrap_or("")
    }
}

/// What a slot is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotInfo {
    /// The bound name.
    pub name: SmolStr,
    /// Where it is bound.
    pub kind: SlotKind,
    /// The range of the name where it is defined (empty for imported constants).
    pub range: TextRange,
}

/// Where a slot is bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotKind {
    /// A top-level `let` of this file or an imported one.
    Constant,
    /// A `let` in a suite or a test.
    Let,
    /// An `output` of a test.
    Output,
    /// A `let` in a span block: one value per selected span.
    BlockLet,
}

/// `let name = value` (or `output`), lowered.
#[derive(Clone, Debug)]
pub struct LetPlan {
    /// The slot it binds.
    pub slot: SlotId,
    /// The name.
    pub name: SmolStr,
    /// The value.
    pub value: Expr,
    /// The statement's range.
    pub range: TextRange,
}

/// One test.
#[derive(Clone, Debug)]
pub struct TestPlan {
    /// Its name.
    pub name: String,
    /// The suite it belongs to, if any.
    pub suite: Option<String>,
    /// The whole test's range.
    pub range: TextRange,
    /// The trigger (absent only after a reported error).
    pub trigger: Option<TriggerPlan>,
    /// The `let`s of its suite, then its statements, in source order.
    pub body: Vec<Step>,
}

impl TestPlan {
    /// Every assertion of the test, depth first (nested blocks after their block).
    pub fn assertions(&self) -> Vec<(u32, TextRange)> {
        fn walk(steps: &[Step], out: &mut Vec<(u32, TextRange)>) {
            for step in steps {
                match step {
                    Step::Expect(e) => out.push((e.id, e.range)),
                    Step::Block(b) => {
                        out.push((b.id, b.range));
                        walk(&b.body, out);
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.body, &mut out);
        out
    }
}

/// The trigger of a test. Offline evaluation skips it; for `trigger trace ID` the engine may
/// restrict the spans to that trace.
#[derive(Clone, Debug)]
pub struct TriggerPlan {
    /// `http`, `grpc`, `exec` or `trace`.
    pub kind: SmolStr,
    /// Its range.
    pub range: TextRange,
    /// For `trigger trace`: the trace id.
    pub trace_id: Option<Expr>,
    /// The positional arguments, in order.
    pub args: Vec<ArgPlan>,
    /// The options of the trigger's block, in order.
    pub options: Vec<OptionPlan>,
}

/// A positional argument of a trigger or an option.
#[derive(Clone, Debug)]
pub enum ArgPlan {
    /// A bare word that is part of the syntax: the method of `http` (`GET`), the kind of a
    /// `body`, `auth` or `tls` option (`json`, `bearer`, `ca`).
    Word(SmolStr, TextRange),
    /// A value, evaluated before the trigger runs.
    Value(Expr),
}

impl ArgPlan {
    /// The argument's range.
    pub fn range(&self) -> TextRange {
        match self {
            ArgPlan::Word(_, range) => *range,
            ArgPlan::Value(e) => e.range,
        }
    }
}

/// An option line of a trigger: `header "x" = value`, `body json {...}`, `timeout 5s`.
#[derive(Clone, Debug)]
pub struct OptionPlan {
    /// The option's name.
    pub name: SmolStr,
    /// Its positional arguments.
    pub args: Vec<ArgPlan>,
    /// The value after `=`.
    pub value: Option<Expr>,
    /// The option line's range.
    pub range: TextRange,
}

/// A statement of a test or a span block.
#[derive(Clone, Debug)]
pub enum Step {
    /// `let`
    Let(LetPlan),
    /// `output`
    Output(LetPlan),
    /// `expect`
    Expect(ExpectPlan),
    /// A span block.
    Block(BlockPlan),
    /// `wait ...`: a collection setting, ignored by offline evaluation.
    Wait(WaitPlan),
}

/// `expect EXPR`.
#[derive(Clone, Debug)]
pub struct ExpectPlan {
    /// The assertion's number in its file plan.
    pub id: u32,
    /// The statement's range.
    pub range: TextRange,
    /// The asserted boolean expression.
    pub expr: Expr,
}

/// A span block, plain or quantified.
#[derive(Clone, Debug)]
pub struct BlockPlan {
    /// The assertion's number in its file plan.
    pub id: u32,
    /// The whole block's range.
    pub range: TextRange,
    /// The range of the quantifier and selector (the block's header).
    pub header: TextRange,
    /// What the block asserts about the spans that satisfy its body.
    pub quantifier: BlockQuantifier,
    /// The selected spans.
    pub selection: Sel,
    /// The statements checked for each selected span.
    pub body: Vec<Step>,
    /// When the body is only `expect`s of span predicates: the same as one cost-ordered
    /// conjunction, which the engine applies column at a time to find the spans that satisfy
    /// the block (the body itself then only explains the spans reported).
    pub conjuncts: Option<Vec<Conjunct>>,
}

/// What a span block asserts.
#[derive(Clone, Debug)]
pub enum BlockQuantifier {
    /// No quantifier: every selected span satisfies the body, and at least one is selected.
    Every,
    /// `no`: no selected span satisfies the body.
    No,
    /// `some` / `any`: at least one selected span satisfies the body.
    Some,
    /// `exactly N`: exactly N selected spans satisfy the body.
    Exactly(Expr),
}

/// `wait until|timeout|settle ...`.
#[derive(Clone, Debug)]
pub struct WaitPlan {
    /// `until`, `timeout` or `settle`.
    pub what: SmolStr,
    /// The statement's range.
    pub range: TextRange,
    /// The condition or duration.
    pub value: Option<Expr>,
}

/// An expression.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its source range (empty for nodes that come from another file).
    pub range: TextRange,
}

impl Expr {
    /// Calls `f` on each operand held directly by this expression: not the expressions inside
    /// selections, quantifier counts or ordering bounds, which walkers treat on their own.
    pub fn for_each_operand(&self, f: &mut dyn FnMut(&Expr)) {
        match &self.kind {
            ExprKind::Interp(parts) => {
                for part in parts {
                    if let InterpPart::Value(x) = part {
                        f(x);
                    }
                }
            }
            ExprKind::List(items) => items.iter().for_each(f),
            ExprKind::Object(entries) => entries.iter().for_each(|(_, x)| f(x)),
            ExprKind::Field(x, _)
            | ExprKind::Not(x)
            | ExprKind::Neg(x)
            | ExprKind::Exists(x)
            | ExprKind::Count(x) => f(x),
            ExprKind::Index(a, b)
            | ExprKind::ListFilter(a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Cmp(_, a, b)
            | ExprKind::Arith(_, a, b) => {
                f(a);
                f(b);
            }
            ExprKind::Aggregate { arg, q, .. } => {
                f(arg);
                if let Some(q) = q {
                    f(q);
                }
            }
            _ => {}
        }
    }
}

/// A span intrinsic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Intrinsic {
    /// `name`
    Name,
    /// `duration`
    Duration,
    /// `status`
    Status,
    /// `status_message` / `status.message`
    StatusMessage,
    /// `kind`
    Kind,
    /// `start`
    Start,
    /// `end`
    End,
    /// `trace_id`
    TraceId,
    /// `span_id`
    SpanId,
    /// `parent_id`
    ParentId,
    /// `events`
    Events,
    /// `links`
    Links,
}

impl Intrinsic {
    /// The intrinsic called `name`.
    pub fn from_name(name: &str) -> Option<Intrinsic> {
        Some(match name {
            "name" => Intrinsic::Name,
            "duration" => Intrinsic::Duration,
            "status" => Intrinsic::Status,
            "status_message" | "status.message" => Intrinsic::StatusMessage,
            "kind" => Intrinsic::Kind,
            "start" => Intrinsic::Start,
            "end" => Intrinsic::End,
            "trace_id" => Intrinsic::TraceId,
            "span_id" => Intrinsic::SpanId,
            "parent_id" => Intrinsic::ParentId,
            "events" => Intrinsic::Events,
            "links" => Intrinsic::Links,
            _ => return None,
        })
    }

    /// Its name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Intrinsic::Name => "name",
            Intrinsic::Duration => "duration",
            Intrinsic::Status => "status",
            Intrinsic::StatusMessage => "status_message",
            Intrinsic::Kind => "kind",
            Intrinsic::Start => "start",
            Intrinsic::End => "end",
            Intrinsic::TraceId => "trace_id",
            Intrinsic::SpanId => "span_id",
            Intrinsic::ParentId => "parent_id",
            Intrinsic::Events => "events",
            Intrinsic::Links => "links",
        }
    }
}

/// Where an attribute is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The span's own attribute, else its resource's.
    Any,
    /// `span.x`: the span's own attributes only.
    Span,
    /// `resource.x`: the resource's attributes only.
    Resource,
}

/// An attribute of a span, by key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AttrRef {
    /// The dotted key.
    pub key: SmolStr,
    /// Where it is looked up.
    pub scope: Scope,
}

/// A value of a span: an intrinsic or an attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// An intrinsic.
    Intrinsic(Intrinsic),
    /// An attribute.
    Attr(AttrRef),
}

/// A constant.
#[derive(Clone, Debug)]
pub enum Const {
    /// An integer.
    Int(i64),
    /// A double.
    Double(f64),
    /// A boolean.
    Bool(bool),
    /// A string (also an enum value such as `error`).
    Str(SmolStr),
    /// A duration in nanoseconds.
    Duration(i64),
    /// A compiled regex, with the literal as written.
    Regex(Arc<regex::Regex>, SmolStr),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `contains`
    Contains,
    /// `matches`
    Matches,
    /// `in`
    In,
    /// `not in`
    NotIn,
}

impl CmpOp {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Contains => "contains",
            CmpOp::Matches => "matches",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        }
    }

    /// The operator with its operands swapped (`a < b` is `b > a`), when there is one.
    pub fn flipped(self) -> Option<CmpOp> {
        Some(match self {
            CmpOp::Eq => CmpOp::Eq,
            CmpOp::Ne => CmpOp::Ne,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            _ => return None,
        })
    }
}

/// An arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
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

impl ArithOp {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
        }
    }
}

/// An aggregate function (`count` is [`ExprKind::Count`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggFn {
    /// `sum`
    Sum,
    /// `min`
    Min,
    /// `max`
    Max,
    /// `avg`
    Avg,
    /// `p50`, `p90`, `p95`, `p99` and `percentile(values, q)`
    Percentile,
}

/// The item type of an aggregate's values, known from the checker, for the result of an
/// empty list (`sum` of no durations is `0s`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemHint {
    /// Ints.
    Int,
    /// Doubles.
    Double,
    /// Durations.
    Duration,
    /// Anything else, or unknown.
    Other,
}

/// A quantifier of an expression `no S`, `some S`, `exactly N S`.
#[derive(Clone, Debug)]
pub enum Quant {
    /// `no`
    No,
    /// `some` / `any`
    Some,
    /// `exactly N`
    Exactly(Box<Expr>),
}

/// A part of an interpolated string.
#[derive(Clone, Debug)]
pub enum InterpPart {
    /// Literal text.
    Text(String),
    /// `${path}`
    Value(Expr),
}

/// An ordering operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderOp {
    /// `->`: happens before.
    Before,
    /// `=>`: calls (parent of).
    Calls,
}

impl OrderOp {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderOp::Before => "->",
            OrderOp::Calls => "=>",
        }
    }
}

/// `a -> b => c within d`.
#[derive(Clone, Debug)]
pub struct OrderPlan {
    /// The steps' selections (services become `service.name` selections).
    pub steps: Vec<Sel>,
    /// The operators between consecutive steps.
    pub ops: Vec<OrderOp>,
    /// The bound on the whole sequence.
    pub within: Option<Box<Expr>>,
}

/// What an expression computes.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A constant.
    Const(Const),
    /// A string with `${...}` parts.
    Interp(Vec<InterpPart>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{ k: v }`
    Object(Vec<(SmolStr, Expr)>),
    /// The value of a binding.
    Slot(SlotId),
    /// `env.NAME` / `env.secret.NAME`.
    Env {
        /// The variable.
        name: SmolStr,
        /// Whether it is a secret (never printed).
        secret: bool,
    },
    /// `response.FIELD` (fields after it are [`ExprKind::Field`]/[`ExprKind::Index`]).
    Response(SmolStr),
    /// A value of the current span.
    Span(Subject),
    /// A field of the current list item (`name` in `events[name == "exception"]`).
    Item(SmolStr),
    /// A field of a value: json, a map, an object; a projection of a selection value.
    Field(Box<Expr>, SmolStr),
    /// `x[i]`: a list item, a map entry, a json member.
    Index(Box<Expr>, Box<Expr>),
    /// `list[predicate]`: the items for which the predicate holds.
    ListFilter(Box<Expr>, Box<Expr>),
    /// `not x`
    Not(Box<Expr>),
    /// `-x`
    Neg(Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// A comparison.
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// Arithmetic.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `x exists`
    Exists(Box<Expr>),
    /// `no S`, `some S`, `exactly N S`.
    Quantified(Quant, Box<Sel>),
    /// `count(x)`: the spans of a selection or the items of a list.
    Count(Box<Expr>),
    /// `sum(x)`, `p99(x)`, `percentile(x, q)`.
    Aggregate {
        /// The function.
        func: AggFn,
        /// The values.
        arg: Box<Expr>,
        /// The percentile (50 for `p50`...).
        q: Option<Box<Expr>>,
        /// The item type, for empty lists.
        hint: ItemHint,
    },
    /// `S.field`: the values of the selected spans, in start-time order; `single` for
    /// `S:first.field` and friends, which give the one span's value.
    Project {
        /// The selection.
        sel: Box<Sel>,
        /// The field.
        field: Subject,
        /// Whether the result is one value rather than a list.
        single: bool,
        /// Whether the order of the values matters (not under an aggregate).
        ordered: bool,
    },
    /// A selection as a value (`let pay = span[...]`).
    Selection(Box<Sel>),
    /// An ordering chain.
    Order(OrderPlan),
    /// Something the planner could not lower (reported by the checker); fails when evaluated.
    Invalid(String),
}

/// A selection of spans.
#[derive(Clone, Debug)]
pub struct Sel {
    /// Its number, for the engine's cache.
    pub id: SelId,
    /// The operator.
    pub kind: SelKind,
    /// Its source range.
    pub range: TextRange,
    /// Whether the result depends only on the trace and test-level values (not on the current
    /// span nor on a span block's `let`s): such a selection is computed once per test.
    pub cacheable: bool,
}

/// A selection operator.
#[derive(Clone, Debug)]
pub enum SelKind {
    /// `span`: every span of the test's trace.
    All,
    /// A service in an ordering chain: the spans whose `service.name` is this.
    Service(SmolStr),
    /// A named selection.
    Slot(SlotId),
    /// A conjunction of predicates over the input, ordered cheap first.
    Filter {
        /// The spans filtered.
        input: Box<Sel>,
        /// The predicates, in evaluation order.
        conjuncts: Vec<Conjunct>,
        /// How candidates are found when the input is every span.
        access: Access,
    },
    /// `A > B`: spans of B whose parent is in A (a parent-index join).
    Child {
        /// A.
        parent: Box<Sel>,
        /// B.
        child: Box<Sel>,
    },
    /// `A >> B`: spans of B with an ancestor in A (pre/post-order containment join).
    Descendant {
        /// A.
        ancestor: Box<Sel>,
        /// B.
        descendant: Box<Sel>,
    },
    /// `> B` relative to the current span: its children in B.
    RelChild(Box<Sel>),
    /// `>> B` relative to the current span: its descendants in B.
    RelDescendant(Box<Sel>),
    /// `:first`
    First(Box<Sel>),
    /// `:last`
    Last(Box<Sel>),
    /// `:nth(n)`
    Nth(Box<Sel>, Box<Expr>),
    /// `:root`
    Root(Box<Sel>),
    /// `:leaf`
    Leaf(Box<Sel>),
    /// `:has(R)`: spans from which the relative selection R selects something.
    Has(Box<Sel>, Box<Sel>),
    /// `:not(S)`: spans that S, evaluated from them, does not select.
    Not(Box<Sel>, Box<Sel>),
    /// A value used as a selection (a json `let`); empty unless it holds a selection.
    Dynamic(Box<Expr>),
}

/// One predicate of a filter.
#[derive(Clone, Debug)]
pub struct Conjunct {
    /// The recognised shape, for the engine's fast paths.
    pub class: PredClass,
    /// The predicate as an expression (always correct to evaluate).
    pub expr: Expr,
    /// Its cost class.
    pub cost: Cost,
    /// Whether evaluating it can fail (arithmetic): such predicates keep their source order
    /// after every infallible one, so reordering never evaluates one the source guarded.
    pub fallible: bool,
}

/// The shape of a predicate.
#[derive(Clone, Debug)]
pub enum PredClass {
    /// `SUBJECT op VALUE`, where VALUE does not depend on the span.
    Compare {
        /// The span's value.
        subject: Subject,
        /// The operator (operands normalised so the subject is on the left).
        op: CmpOp,
        /// The span-independent value.
        value: Expr,
    },
    /// `SUBJECT exists`.
    Exists(Subject),
    /// Anything else.
    General,
}

impl PredClass {
    /// The attribute whose presence the predicate requires (every comparison with a missing
    /// attribute is false), if any.
    pub fn required_attr(&self) -> Option<&AttrRef> {
        match self {
            PredClass::Compare {
                subject: Subject::Attr(a),
                ..
            }
            | PredClass::Exists(Subject::Attr(a)) => Some(a),
            _ => None,
        }
    }
}

/// The cost class of a predicate, cheapest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cost {
    /// `kind`/`status` comparisons: one byte per span.
    Flag,
    /// Other intrinsic equality (`name == "x"`: one interned id).
    IntrinsicEq,
    /// Attribute equality, membership or presence on interned key and value ids.
    AttrEq,
    /// Ranges (`<`, `>=`...) on intrinsics or attributes.
    Range,
    /// `contains` and other string work.
    Text,
    /// A general expression.
    General,
    /// `matches`.
    Regex,
    /// A predicate that evaluates a selection (`:has`-like work, aggregates).
    Nested,
}

impl Cost {
    /// A short name for EXPLAIN.
    pub fn as_str(self) -> &'static str {
        match self {
            Cost::Flag => "flag",
            Cost::IntrinsicEq => "intrinsic eq",
            Cost::AttrEq => "attr eq",
            Cost::Range => "range",
            Cost::Text => "text",
            Cost::General => "general",
            Cost::Regex => "regex",
            Cost::Nested => "nested",
        }
    }
}

/// How a filter over every span finds its candidates.
#[derive(Clone, Debug)]
pub enum Access {
    /// Scan every span.
    Scan,
    /// Start from the spans that have this attribute (a per-key column of interned values),
    /// applying the conjunct at this position on the column; falls back to a scan when a
    /// resource has the key.
    AttrIndex {
        /// The attribute.
        attr: AttrRef,
        /// The conjunct evaluated on the column.
        conjunct: usize,
    },
}
