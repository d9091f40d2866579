//! Property test over generated files.
//!
//! A proptest strategy generates random valid syntax trees: every operator, selectors with
//! combinators and pseudo-classes, quantifiers, ordering chains, every kind of literal, and
//! every statement (tests, suites, schemas, triggers of each kind with their options, `expect`,
//! `let`, `output`, `wait`, span blocks). A deliberately naive printer turns each tree into
//! ugly but valid text: parentheses around every compound expression, random spaces, tabs and
//! newlines between tokens, blank lines, and comments sprinkled between statements and inside
//! expressions. The formatter must accept that text, be idempotent on it, keep its meaning and
//! keep its comments.

mod common;

use proptest::prelude::*;
use tbt_diagnostics::TextRange;
use tbt_syntax::ast::*;

const R: TextRange = TextRange { start: 0, end: 0 };

const IDENTS: &[&str] = &[
    "a",
    "b",
    "name",
    "status",
    "order-service",
    "http",
    "x_1",
    "error",
    "ok",
    "kind",
];
/// Names after a dot may be keywords.
const WORDS: &[&str] = &[
    "id",
    "duration",
    "json",
    "status_code",
    "span",
    "count",
    "within",
];
/// Keywords that may start a dotted path.
const KEYWORD_HEADS: &[&str] = &["test", "use", "wait", "output", "in", "within", "exists"];
/// Service names: names, or strings when they are not valid names.
const SERVICES: &[&str] = &["gateway", "order-service", "legacy.billing", "two words"];
const CALLS: &[&str] = &["count", "sum", "p99", "percentile", "avg", "f"];
const TEXTS: &[&str] = &[
    "",
    "BOOK-42",
    "a\"b",
    "tab\tx",
    "dollar $x",
    "back\\slash",
    "ünïcode",
    "{json}",
    "line\nbreak",
];
const PATTERNS: &[&str] = &["^GET", "a.*b", "[0-9]+", "x/y", "(a|b)$"];
const TYPES: &[&str] = &[
    "string",
    "int",
    "double",
    "bool",
    "duration",
    "timestamp",
    "json",
];
const UNITS: &[DurationUnit] = &[
    DurationUnit::Nanos,
    DurationUnit::Micros,
    DurationUnit::Millis,
    DurationUnit::Seconds,
    DurationUnit::Minutes,
    DurationUnit::Hours,
];
const BINARY: &[BinaryOp] = &[
    BinaryOp::Or,
    BinaryOp::And,
    BinaryOp::Eq,
    BinaryOp::NotEq,
    BinaryOp::Lt,
    BinaryOp::LtEq,
    BinaryOp::Gt,
    BinaryOp::GtEq,
    BinaryOp::Contains,
    BinaryOp::In,
    BinaryOp::NotIn,
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Rem,
];

fn e(kind: ExprKind) -> Expr {
    Expr { kind, range: R }
}

fn name(text: &str) -> Name {
    Name {
        text: text.into(),
        range: R,
    }
}

fn path(segments: &[&str]) -> Path {
    Path {
        segments: segments.iter().map(|s| name(s)).collect(),
        range: R,
    }
}

fn plain(text: &str) -> StringLit {
    StringLit {
        parts: vec![StringPart::Text(text.to_string())],
        range: R,
    }
}

fn pick<T: Clone + std::fmt::Debug + 'static>(
    items: &'static [T],
) -> impl Strategy<Value = T> + Clone {
    proptest::sample::select(items)
}

// ----- strategies -----

fn string_lit() -> impl Strategy<Value = StringLit> + Clone {
    let part = prop_oneof![
        3 => pick(TEXTS).prop_map(|t| StringPart::Text(t.to_string())),
        1 => (pick(IDENTS), proptest::option::of(pick(WORDS))).prop_map(|(first, second)| {
            let mut segments = vec![first];
            segments.extend(second);
            StringPart::Interpolation(path(&segments))
        }),
    ];
    proptest::collection::vec(part, 0..3).prop_map(|parts| StringLit { parts, range: R })
}

fn path_expr() -> impl Strategy<Value = Expr> + Clone {
    let plain = (pick(IDENTS), proptest::collection::vec(pick(WORDS), 0..3));
    // A keyword starts a path when a dot follows: `test.case.name`.
    let keyword_headed = (
        pick(KEYWORD_HEADS),
        proptest::collection::vec(pick(WORDS), 1..3),
    );
    prop_oneof![4 => plain, 1 => keyword_headed].prop_map(|(first, rest)| {
        let mut segments = vec![first];
        segments.extend(rest);
        e(ExprKind::Path(path(&segments)))
    })
}

fn leaf() -> impl Strategy<Value = Expr> + Clone {
    prop_oneof![
        (0i64..2_000_000).prop_map(|n| e(ExprKind::Int(n))),
        (0u32..10_000).prop_map(|n| e(ExprKind::Float(f64::from(n) / 100.0))),
        any::<bool>().prop_map(|b| e(ExprKind::Bool(b))),
        (0u32..2000, pick(UNITS)).prop_map(|(n, unit)| e(ExprKind::Duration {
            value: f64::from(n) / 2.0,
            unit
        })),
        string_lit().prop_map(|s| e(ExprKind::String(s))),
        path_expr(),
        path_expr(),
        Just(e(ExprKind::Span)),
    ]
}

fn quantifier() -> impl Strategy<Value = Quantifier> + Clone {
    prop_oneof![
        Just(Quantifier::No(R)),
        Just(Quantifier::Some(R)),
        Just(Quantifier::Any(R)),
        (0i64..5).prop_map(|n| Quantifier::Exactly(Box::new(e(ExprKind::Int(n))), R)),
    ]
}

fn pseudo(inner: impl Strategy<Value = Expr> + Clone) -> impl Strategy<Value = Pseudo> + Clone {
    prop_oneof![
        pick(&["root", "leaf", "first", "last"]).prop_map(|n| Pseudo {
            name: name(n),
            args: None,
            range: R
        }),
        (pick(&["nth", "has", "not"]), inner).prop_map(|(n, arg)| Pseudo {
            name: name(n),
            args: Some(vec![arg]),
            range: R
        }),
    ]
}

/// `span` with postfix operations: what may follow a combinator.
fn span_unit(
    inner: impl Strategy<Value = Expr> + Clone + 'static,
) -> impl Strategy<Value = Expr> + Clone {
    #[derive(Clone, Debug)]
    enum Post {
        Field(&'static str),
        Index(Expr),
        Pseudo(Pseudo),
    }
    let post = prop_oneof![
        pick(WORDS).prop_map(Post::Field),
        inner.clone().prop_map(Post::Index),
        pseudo(inner).prop_map(Post::Pseudo),
    ];
    proptest::collection::vec(post, 0..3).prop_map(|posts| {
        posts.into_iter().fold(e(ExprKind::Span), |base, post| {
            e(match post {
                Post::Field(w) => ExprKind::Field(Box::new(base), name(w)),
                Post::Index(index) => ExprKind::Index(Box::new(base), Box::new(index)),
                Post::Pseudo(p) => ExprKind::Pseudo(Box::new(base), p),
            })
        })
    })
}

fn expr() -> impl Strategy<Value = Expr> + Clone {
    leaf().prop_recursive(3, 24, 3, |inner| {
        let b = |x: Expr| Box::new(x);
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3)
                .prop_map(|items| e(ExprKind::List(items))),
            proptest::collection::vec(
                (string_lit(), any::<bool>(), pick(IDENTS), inner.clone()),
                0..3
            )
            .prop_map(|entries| {
                e(ExprKind::Object(
                    entries
                        .into_iter()
                        .map(|(key, bare, word, value)| {
                            let key = if bare { plain(word) } else { key };
                            ObjectEntry {
                                key,
                                bare_key: bare,
                                value,
                            }
                        })
                        .collect(),
                ))
            }),
            (inner.clone(), pick(WORDS)).prop_map(move |(x, w)| e(ExprKind::Field(b(x), name(w)))),
            (inner.clone(), inner.clone()).prop_map(move |(x, i)| e(ExprKind::Index(b(x), b(i)))),
            (inner.clone(), pseudo(inner.clone()))
                .prop_map(move |(x, p)| e(ExprKind::Pseudo(b(x), p))),
            (
                proptest::option::of(inner.clone()),
                prop_oneof![Just(Combinator::Child), Just(Combinator::Descendant)],
                span_unit(inner.clone())
            )
                .prop_map(move |(left, combinator, right)| e(ExprKind::Combine {
                    left: left.map(b),
                    combinator,
                    right: b(right)
                })),
            (pick(CALLS), proptest::collection::vec(inner.clone(), 0..3))
                .prop_map(|(f, args)| e(ExprKind::Call(name(f), args))),
            (
                prop_oneof![Just(UnaryOp::Not), Just(UnaryOp::Neg)],
                inner.clone()
            )
                .prop_map(move |(op, x)| e(ExprKind::Unary(op, b(x)))),
            inner.clone().prop_map(move |x| e(ExprKind::Exists(b(x)))),
            (pick(BINARY), inner.clone(), inner.clone())
                .prop_map(move |(op, l, r)| e(ExprKind::Binary(op, b(l), b(r)))),
            (inner.clone(), pick(PATTERNS), pick(&["", "i", "im"])).prop_map(
                move |(l, pattern, flags)| {
                    let regex = e(ExprKind::Regex(RegexLit {
                        pattern: pattern.to_string(),
                        flags: flags.into(),
                    }));
                    e(ExprKind::Binary(BinaryOp::Matches, b(l), b(regex)))
                }
            ),
            (quantifier(), inner.clone()).prop_map(move |(q, x)| e(ExprKind::Quantified(q, b(x)))),
            (
                proptest::collection::vec(
                    (
                        prop_oneof![Just(OrderOp::Before), Just(OrderOp::Calls)],
                        inner.clone()
                    ),
                    1..3
                ),
                inner.clone(),
                proptest::option::of(inner.clone())
            )
                .prop_map(move |(rest, first, within)| {
                    let mut steps = vec![first];
                    let mut ops = Vec::new();
                    for (op, step) in rest {
                        ops.push(op);
                        steps.push(step);
                    }
                    e(ExprKind::Order {
                        steps,
                        ops,
                        within: within.map(b),
                    })
                }),
            inner.prop_map(move |x| e(ExprKind::Paren(b(x)))),
        ]
    })
}

fn opt(n: &str, args: Vec<Expr>, value: Option<Expr>) -> Opt {
    Opt {
        name: name(n),
        args,
        value,
        range: R,
    }
}

fn word(w: &str) -> Expr {
    e(ExprKind::Path(path(&[w])))
}

fn str_expr(text: &str) -> Expr {
    e(ExprKind::String(plain(text)))
}

fn duration(value: f64, unit: DurationUnit) -> Expr {
    e(ExprKind::Duration { value, unit })
}

fn options_of(candidates: Vec<Opt>, mask: u32) -> Vec<Opt> {
    candidates
        .into_iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, o)| o)
        .collect()
}

fn trigger() -> impl Strategy<Value = Stmt> {
    // `auth bearer (x)` would read as a call of `bearer`: the token is an atom, printed bare.
    let http = (
        pick(&["GET", "POST", "PUT"]),
        string_lit(),
        expr(),
        leaf(),
        any::<u32>(),
        any::<bool>(),
    )
        .prop_map(|(method, url, header_value, auth, mask, text_body)| {
            let body = if text_body {
                opt("body", vec![word("text"), str_expr("hello")], None)
            } else if method == "PUT" {
                // `body json [1, 2]`: the kind word is not indexed.
                let list = e(ExprKind::List(vec![
                    e(ExprKind::Int(1)),
                    e(ExprKind::Int(2)),
                ]));
                opt("body", vec![word("json"), list], None)
            } else {
                opt(
                    "body",
                    vec![
                        word("json"),
                        e(ExprKind::Object(vec![ObjectEntry {
                            key: plain("sku"),
                            bare_key: false,
                            value: str_expr("BOOK-42"),
                        }])),
                    ],
                    None,
                )
            };
            let options = options_of(
                vec![
                    opt("header", vec![str_expr("content-type")], Some(header_value)),
                    opt("query", vec![str_expr("page")], Some(e(ExprKind::Int(2)))),
                    body,
                    opt("auth", vec![word("bearer"), auth], None),
                    opt("timeout", vec![duration(5.0, DurationUnit::Seconds)], None),
                    opt("tls", vec![word("insecure")], None),
                    opt(
                        "tls",
                        vec![word("cert"), str_expr("c.pem"), str_expr("c.key")],
                        None,
                    ),
                    opt("redirects", vec![e(ExprKind::Int(3))], None),
                    opt("header", vec![str_expr("x-id")], Some(str_expr("abc"))),
                ],
                mask,
            );
            (
                vec![word(method), e(ExprKind::String(url))],
                "http",
                options,
            )
        });
    let grpc = (expr(), any::<u32>()).prop_map(|(metadata, mask)| {
        let message = e(ExprKind::Object(vec![ObjectEntry {
            key: plain("user_id"),
            bare_key: true,
            value: str_expr("u1"),
        }]));
        let options = options_of(
            vec![
                opt("message", vec![message], None),
                opt("metadata", vec![str_expr("x-tenant")], Some(metadata)),
                opt("proto", vec![str_expr("shop.proto")], None),
                opt("import_path", vec![str_expr("protos")], None),
                opt("reflection", vec![], None),
                opt("timeout", vec![duration(500.0, DurationUnit::Millis)], None),
            ],
            mask,
        );
        (
            vec![str_expr("127.0.0.1:50051"), str_expr("shop.Cart/AddItem")],
            "grpc",
            options,
        )
    });
    let exec = (
        proptest::collection::vec(string_lit(), 1..3),
        expr(),
        any::<u32>(),
    )
        .prop_map(|(argv, env, mask)| {
            let argv = e(ExprKind::List(
                argv.into_iter().map(|s| e(ExprKind::String(s))).collect(),
            ));
            let options = options_of(
                vec![
                    opt("cwd", vec![str_expr("jobs")], None),
                    opt("env", vec![str_expr("BATCH")], Some(env)),
                    opt("shell", vec![], None),
                    opt("stdin", vec![str_expr("input")], None),
                    opt("timeout", vec![duration(1.0, DurationUnit::Minutes)], None),
                ],
                mask,
            );
            (vec![argv], "exec", options)
        });
    let trace = Just((
        vec![str_expr("4bf92f3577b34da6a3ce929d0e0e4736")],
        "trace",
        Vec::new(),
    ));
    prop_oneof![http, grpc, exec, trace].prop_map(|(args, kind, options)| {
        Stmt::Trigger(Trigger {
            kind: name(kind),
            args,
            options,
            range: R,
        })
    })
}

fn binding(keyword: &'static str) -> impl Strategy<Value = Stmt> + Clone {
    (pick(IDENTS), expr()).prop_map(move |(n, value)| {
        let binding = Let {
            name: name(n),
            value,
            range: R,
        };
        if keyword == "let" {
            Stmt::Let(binding)
        } else {
            Stmt::Output(binding)
        }
    })
}

fn expect() -> impl Strategy<Value = Stmt> + Clone {
    expr().prop_map(|expr| Stmt::Expect(Expect { expr, range: R }))
}

fn span_block(depth: u32) -> BoxedStrategy<Stmt> {
    let body = if depth == 0 {
        prop_oneof![expect(), binding("let")].boxed()
    } else {
        prop_oneof![3 => expect(), 1 => binding("let"), 1 => span_block(depth - 1)].boxed()
    };
    (
        proptest::option::of(quantifier()),
        expr(),
        proptest::collection::vec(body, 0..3),
    )
        .prop_map(|(quantifier, selector, body)| {
            Stmt::Block(SpanBlock {
                quantifier,
                selector,
                body,
                range: R,
            })
        })
        .boxed()
}

fn test_item() -> impl Strategy<Value = Stmt> {
    let wait = (pick(&["until", "timeout", "settle"]), expr()).prop_map(|(n, value)| {
        Stmt::Wait(Opt {
            name: name(n),
            args: vec![value],
            value: None,
            range: R,
        })
    });
    let stmt = prop_oneof![3 => expect(), 1 => binding("let"), 1 => binding("output"), 1 => wait, 2 => span_block(2)];
    (
        pick(TEXTS),
        trigger(),
        proptest::collection::vec(stmt, 0..5),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(title, trigger, mut body, at)| {
            let at = at.index(body.len() + 1);
            body.insert(at, trigger);
            Stmt::Test(Test {
                name: Some(plain(title)),
                body,
                range: R,
            })
        })
}

fn schema() -> impl Strategy<Value = Stmt> {
    let ty = pick(TYPES).prop_flat_map(|t| {
        prop_oneof![
            Just(TypeExpr::Named(name(t))),
            Just(TypeExpr::List(Box::new(TypeExpr::Named(name(t))), R)),
            proptest::collection::vec(pick(&["success", "failure", "a\"b"]), 1..4)
                .prop_map(|members| TypeExpr::Enum(members.into_iter().map(plain).collect(), R)),
        ]
    });
    let item = prop_oneof![
        proptest::collection::vec(pick(SERVICES), 1..4).prop_map(|names| SchemaItem::Services(
            Services {
                names: names.into_iter().map(name).collect(),
                range: R
            }
        )),
        (
            pick(IDENTS),
            pick(WORDS),
            ty,
            proptest::option::of(pick(TEXTS))
        )
            .prop_map(|(first, second, ty, doc)| {
                SchemaItem::Attribute(AttributeDecl {
                    name: path(&[first, second]),
                    ty,
                    doc: doc.map(plain),
                    range: R,
                })
            }),
    ];
    proptest::collection::vec(item, 0..4).prop_map(|items| Stmt::Schema(Schema { items, range: R }))
}

fn file() -> impl Strategy<Value = SourceFile> {
    let suite = (
        pick(TEXTS),
        proptest::collection::vec(
            prop_oneof![binding("let").boxed(), test_item().boxed()],
            0..3,
        ),
    )
        .prop_map(|(title, body)| {
            Stmt::Suite(Suite {
                name: Some(plain(title)),
                body,
                range: R,
            })
        });
    let item = prop_oneof![
        1 => pick(&["a.tbt", "shop.schema.tbt"]).prop_map(|p| Stmt::Use(Use { path: plain(p), range: R })),
        1 => binding("let"),
        1 => schema(),
        3 => test_item(),
        1 => suite,
    ];
    proptest::collection::vec(item, 1..4).prop_map(|items| SourceFile { items })
}

// ----- the naive printer -----

/// Prints a tree as ugly but valid text. Its random choices come from a seed, so each case is
/// reproducible.
struct Naive {
    out: String,
    state: u64,
    comments: usize,
    /// Whether a newline may not be printed now (trigger and option lines, whose arguments
    /// must stay on the line of their owner).
    one_line: bool,
    /// Whether atoms must be printed bare (option kinds such as `json` are checked as words).
    bare_atoms: bool,
}

impl Naive {
    fn new(seed: u64) -> Self {
        Naive {
            out: String::new(),
            state: seed | 1,
            comments: 0,
            one_line: false,
            bare_atoms: false,
        }
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn choose(&mut self, items: &[&'static str]) -> &'static str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn spaces(&mut self, most: u64) {
        let n = self.next() % (most + 1);
        for _ in 0..n {
            self.out.push(' ');
        }
    }

    fn comment(&mut self) -> String {
        self.comments += 1;
        let junk = self.choose(&["", "  ", " with # inside", "\t", " ünï {\"x\"}"]);
        format!("# c{}{junk}", self.comments)
    }

    fn newline(&mut self) {
        self.out.push('\n');
        let indent = 1 + self.next() % 6;
        for _ in 0..indent {
            self.out.push(' ');
        }
    }

    /// Whitespace between two tokens, at least one character: spaces, tabs, newlines, comments.
    fn ws(&mut self) {
        if !self.one_line {
            match self.next() % 12 {
                0 => return self.newline(),
                1 => {
                    let comment = self.comment();
                    self.out.push(' ');
                    self.out.push_str(&comment);
                    return self.newline();
                }
                _ => {}
            }
        }
        let gap = self.choose(&[" ", "  ", "\t", " \t "]);
        self.out.push_str(gap);
    }

    /// Whitespace next to punctuation: may be empty.
    fn ws0(&mut self) {
        if self.chance(40) {
            self.ws();
        }
    }

    /// Whitespace that stays on the line: before `>` and `>>`, which begin a new statement at
    /// the start of a line.
    fn ws_inline(&mut self) {
        let gap = self.choose(&[" ", "  ", "\t", ""]);
        self.out.push_str(gap);
    }

    fn tok(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// A statement boundary: a newline at least, with blank lines and own-line comments.
    fn boundary(&mut self) {
        if self.one_line {
            return;
        }
        let comment = self.chance(25);
        if comment && self.chance(50) {
            // A comment trailing the previous statement.
            let text = self.comment();
            let gap = self.choose(&[" ", "    ", ""]);
            self.out.push_str(gap);
            self.out.push_str(&text);
        }
        for _ in 0..1 + self.next() % 3 {
            self.out.push('\n');
        }
        if comment && self.chance(60) {
            let text = self.comment();
            self.spaces(4);
            self.out.push_str(&text);
            self.out.push('\n');
        }
        self.spaces(6);
    }

    fn string(&mut self, lit: &StringLit) {
        self.out.push('"');
        for part in &lit.parts {
            match part {
                StringPart::Text(text) => {
                    for c in text.chars() {
                        match c {
                            '"' => self.out.push_str("\\\""),
                            '\\' => self.out.push_str("\\\\"),
                            '$' => self.out.push_str("\\$"),
                            '\n' => self.out.push_str("\\n"),
                            '\t' => {
                                let escape = self.choose(&["\\t", "\\u{9}"]);
                                self.out.push_str(escape);
                            }
                            c => self.out.push(c),
                        }
                    }
                }
                StringPart::Interpolation(p) => {
                    self.out.push_str("${");
                    self.out.push_str(&p.dotted());
                    self.out.push('}');
                }
            }
        }
        self.out.push('"');
    }

    fn path(&mut self, p: &Path) {
        for (i, segment) in p.segments.iter().enumerate() {
            if i > 0 {
                self.ws0();
                self.tok(".");
                self.ws0();
            }
            self.tok(&segment.text);
        }
    }

    fn int(&mut self, n: i64) {
        let digits = n.to_string();
        if n >= 1000 && self.chance(30) {
            // `1_000_000`: a spelling the formatter must keep.
            let mut spelled = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    spelled.push('_');
                }
                spelled.push(c);
            }
            self.tok(&spelled);
        } else {
            self.tok(&digits);
        }
    }

    fn is_atom(expr: &Expr) -> bool {
        matches!(
            expr.kind,
            ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Bool(_)
                | ExprKind::Duration { .. }
                | ExprKind::String(_)
                | ExprKind::Path(_)
                | ExprKind::Span
                | ExprKind::List(_)
                | ExprKind::Object(_)
                | ExprKind::Call(..)
                | ExprKind::Paren(_)
        )
    }

    /// An expression: compound ones always in parentheses, atoms sometimes.
    fn expr(&mut self, expr: &Expr) {
        let wrap = !Self::is_atom(expr) || (!self.bare_atoms && self.chance(15));
        if wrap {
            self.tok("(");
            self.ws0();
        }
        self.bare(expr);
        if wrap {
            self.ws0();
            self.tok(")");
        }
    }

    fn list(&mut self, open: &str, items: &[Expr], close: &str) {
        self.tok(open);
        self.ws0();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.ws0();
                self.tok(",");
                self.ws0();
            }
            self.expr(item);
        }
        // Trailing commas are allowed in lists and arguments, not in an index.
        let trailing_allowed = !items.is_empty() && open != "[" || items.len() > 1;
        if trailing_allowed && self.chance(20) {
            self.ws0();
            self.tok(",");
        }
        self.ws0();
        self.tok(close);
    }

    fn pseudo(&mut self, pseudo: &Pseudo) {
        self.ws0();
        self.tok(":");
        self.ws0();
        self.tok(&pseudo.name.text);
        if let Some(args) = &pseudo.args {
            self.ws0();
            self.list("(", args, ")");
        }
    }

    fn quantifier(&mut self, quantifier: &Quantifier) {
        match quantifier {
            Quantifier::No(_) => self.tok("no"),
            Quantifier::Some(_) => self.tok("some"),
            Quantifier::Any(_) => self.tok("any"),
            Quantifier::Exactly(n, _) => {
                self.tok("exactly");
                self.ws();
                self.bare(n);
            }
        }
    }

    /// `span` and its postfix operations, never in parentheses (it follows a combinator).
    fn span_unit(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Span => self.tok("span"),
            ExprKind::Field(base, n) => {
                self.span_unit(base);
                self.ws0();
                self.tok(".");
                self.ws0();
                self.tok(&n.text);
            }
            ExprKind::Index(base, index) => {
                self.span_unit(base);
                self.ws0();
                self.list("[", std::slice::from_ref(index), "]");
            }
            ExprKind::Pseudo(base, p) => {
                self.span_unit(base);
                self.pseudo(p);
            }
            _ => unreachable!("not a span unit: {expr:?}"),
        }
    }

    /// An expression without its own parentheses.
    fn bare(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Int(n) => self.int(*n),
            ExprKind::Float(x) => self.tok(&format!("{x:?}")),
            ExprKind::Bool(b) => self.tok(if *b { "true" } else { "false" }),
            ExprKind::Duration { value, unit } => {
                let suffix = if *unit == DurationUnit::Micros && self.chance(50) {
                    "µs"
                } else {
                    unit.suffix()
                };
                let number = if value.fract() == 0.0 {
                    format!("{}", *value as u64)
                } else {
                    format!("{value:?}")
                };
                let whole = value.fract() == 0.0 && *value >= 60.0 && *value % 60.0 != 0.0;
                let compound = match unit {
                    DurationUnit::Seconds if whole && self.chance(50) => Some(("m", "s")),
                    DurationUnit::Minutes if whole && self.chance(50) => Some(("h", "m")),
                    _ => None,
                };
                match compound {
                    // `2m30s`: a compound spelling the formatter must keep.
                    Some((big, small)) => {
                        let n = *value as u64;
                        self.tok(&format!("{}{big}{}{small}", n / 60, n % 60));
                    }
                    None => self.tok(&format!("{number}{suffix}")),
                }
            }
            ExprKind::String(lit) => self.string(lit),
            ExprKind::Regex(regex) => {
                let pattern = regex.pattern.replace('/', "\\/");
                self.tok(&format!("/{pattern}/{}", regex.flags));
            }
            ExprKind::List(items) => self.list("[", items, "]"),
            ExprKind::Object(entries) => {
                self.tok("{");
                self.ws0();
                for (i, entry) in entries.iter().enumerate() {
                    if i > 0 {
                        self.ws0();
                        self.tok(",");
                        self.ws0();
                    }
                    match (entry.bare_key, entry.key.as_plain()) {
                        (true, Some(key)) => self.tok(key),
                        _ => self.string(&entry.key),
                    }
                    self.ws0();
                    self.tok(":");
                    self.ws0();
                    self.expr(&entry.value);
                }
                if !entries.is_empty() && self.chance(20) {
                    self.tok(",");
                }
                self.ws0();
                self.tok("}");
            }
            ExprKind::Path(p) => self.path(p),
            ExprKind::Span => self.tok("span"),
            ExprKind::Field(base, n) => {
                self.expr(base);
                self.ws0();
                self.tok(".");
                self.ws0();
                self.tok(&n.text);
            }
            ExprKind::Index(base, index) => {
                self.expr(base);
                self.ws0();
                self.list("[", std::slice::from_ref(index), "]");
            }
            ExprKind::Pseudo(base, p) => {
                self.expr(base);
                self.pseudo(p);
            }
            ExprKind::Combine {
                left,
                combinator,
                right,
            } => {
                if let Some(left) = left {
                    self.expr(left);
                    self.ws_inline();
                }
                self.tok(combinator.as_str());
                self.ws0();
                self.span_unit(right);
            }
            ExprKind::Call(n, args) => {
                self.tok(&n.text);
                self.ws0();
                self.list("(", args, ")");
            }
            ExprKind::Unary(UnaryOp::Not, x) => {
                self.tok("not");
                self.ws();
                self.expr(x);
            }
            ExprKind::Unary(UnaryOp::Neg, x) => {
                self.tok("-");
                self.ws0();
                self.expr(x);
            }
            ExprKind::Exists(x) => {
                self.expr(x);
                self.ws();
                self.tok("exists");
            }
            ExprKind::Binary(BinaryOp::Matches, l, r) if matches!(r.kind, ExprKind::Regex(_)) => {
                self.expr(l);
                self.ws();
                self.tok("matches");
                // The regex must follow on the same line.
                let gap = self.choose(&[" ", "\t", "  "]);
                self.tok(gap);
                self.bare(r);
            }
            ExprKind::Binary(op, l, r) => {
                self.expr(l);
                if *op == BinaryOp::Gt {
                    self.out.push(' ');
                } else {
                    self.ws();
                }
                if *op == BinaryOp::NotIn {
                    self.tok("not");
                    self.ws();
                    self.tok("in");
                } else {
                    self.tok(op.as_str());
                }
                self.ws();
                self.expr(r);
            }
            ExprKind::Quantified(q, x) => {
                self.quantifier(q);
                self.ws();
                self.expr(x);
            }
            ExprKind::Order { steps, ops, within } => {
                for (i, step) in steps.iter().enumerate() {
                    if i > 0 {
                        self.ws0();
                        self.tok(ops[i - 1].as_str());
                        self.ws0();
                    }
                    self.expr(step);
                }
                if let Some(bound) = within {
                    self.ws();
                    self.tok("within");
                    self.ws();
                    self.expr(bound);
                }
            }
            ExprKind::Paren(x) => {
                self.tok("(");
                self.ws0();
                self.expr(x);
                self.ws0();
                self.tok(")");
            }
            ExprKind::Error => unreachable!("the generator makes no errors"),
        }
    }

    /// An expression that ends a statement: always in parentheses, so that the next statement
    /// (which may begin with `(`, `>` or a quantifier) cannot continue it.
    fn stmt_expr(&mut self, expr: &Expr) {
        self.tok("(");
        self.ws0();
        self.expr(expr);
        self.ws0();
        self.tok(")");
    }

    fn block(&mut self, body: impl FnOnce(&mut Self)) {
        self.tok("{");
        self.boundary();
        body(self);
        self.boundary();
        self.tok("}");
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for (i, stmt) in stmts.iter().enumerate() {
            if i > 0 {
                self.boundary();
            }
            self.stmt(stmt);
        }
    }

    fn option_line(&mut self, opt: &Opt) {
        self.one_line = true;
        self.tok(&opt.name.text);
        for arg in &opt.args {
            self.ws();
            self.bare_atoms = true;
            self.expr(arg);
            self.bare_atoms = false;
        }
        if let Some(value) = &opt.value {
            self.ws();
            self.tok("=");
            self.ws();
            self.stmt_expr(value);
        }
        self.one_line = false;
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Use(u) => {
                self.tok("use");
                self.ws();
                self.string(&u.path);
            }
            Stmt::Schema(schema) => {
                self.tok("schema");
                self.ws0();
                self.block(|p| {
                    for (i, item) in schema.items.iter().enumerate() {
                        if i > 0 {
                            p.boundary();
                        }
                        p.schema_item(item);
                    }
                });
            }
            Stmt::Test(test) => {
                self.tok("test");
                self.ws();
                self.string(test.name.as_ref().expect("named"));
                self.ws0();
                self.block(|p| p.stmts(&test.body));
            }
            Stmt::Suite(suite) => {
                self.tok("suite");
                self.ws();
                self.string(suite.name.as_ref().expect("named"));
                self.ws0();
                self.block(|p| p.stmts(&suite.body));
            }
            Stmt::Trigger(trigger) => {
                self.one_line = true;
                self.tok("trigger");
                self.ws();
                self.tok(&trigger.kind.text);
                self.bare_atoms = true;
                for arg in &trigger.args {
                    self.ws();
                    self.expr(arg);
                }
                self.bare_atoms = false;
                self.one_line = false;
                if !trigger.options.is_empty() || self.chance(20) {
                    self.ws0();
                    self.block(|p| {
                        for (i, opt) in trigger.options.iter().enumerate() {
                            if i > 0 {
                                p.boundary();
                            }
                            p.option_line(opt);
                        }
                    });
                }
            }
            Stmt::Expect(expect) => {
                self.tok("expect");
                self.ws();
                self.stmt_expr(&expect.expr);
            }
            Stmt::Let(binding) | Stmt::Output(binding) => {
                self.tok(if matches!(stmt, Stmt::Let(_)) {
                    "let"
                } else {
                    "output"
                });
                self.ws();
                self.tok(&binding.name.text);
                self.ws();
                self.tok("=");
                self.ws();
                self.stmt_expr(&binding.value);
            }
            Stmt::Wait(opt) => {
                self.tok("wait");
                self.ws();
                self.tok(&opt.name.text);
                self.ws();
                self.stmt_expr(&opt.args[0]);
            }
            Stmt::Block(block) => {
                if let Some(q) = &block.quantifier {
                    self.quantifier(q);
                    self.ws();
                }
                self.stmt_expr(&block.selector);
                self.ws0();
                self.block(|p| p.stmts(&block.body));
            }
            Stmt::Error(_) => unreachable!("the generator makes no errors"),
        }
    }

    fn type_expr(&mut self, ty: &TypeExpr) {
        match ty {
            TypeExpr::Named(n) => self.tok(&n.text),
            TypeExpr::List(inner, _) => {
                self.type_expr(inner);
                self.ws0();
                self.tok("[");
                self.ws0();
                self.tok("]");
            }
            TypeExpr::Enum(members, _) => {
                for (i, member) in members.iter().enumerate() {
                    if i > 0 {
                        self.ws0();
                        self.tok("|");
                        self.ws0();
                    }
                    self.string(member);
                }
            }
            TypeExpr::Error(_) => unreachable!("the generator makes no errors"),
        }
    }

    fn schema_item(&mut self, item: &SchemaItem) {
        match item {
            SchemaItem::Services(services) => {
                self.tok("services");
                self.ws();
                for (i, n) in services.names.iter().enumerate() {
                    if i > 0 {
                        self.ws0();
                        self.tok(",");
                        self.ws0();
                    }
                    if n.text.contains(['.', ' ']) {
                        self.string(&plain(&n.text));
                    } else {
                        self.tok(&n.text);
                    }
                }
            }
            SchemaItem::Attribute(attribute) => {
                self.tok("attribute");
                self.ws();
                self.path(&attribute.name);
                self.ws0();
                self.tok(":");
                self.ws0();
                self.type_expr(&attribute.ty);
                if let Some(doc) = &attribute.doc {
                    self.ws();
                    self.string(doc);
                }
            }
            SchemaItem::Error(_) => unreachable!("the generator makes no errors"),
        }
    }

    fn file(mut self, file: &SourceFile) -> String {
        if self.chance(30) {
            let text = self.comment();
            self.tok(&text);
            self.tok("\n");
        }
        for (i, item) in file.items.iter().enumerate() {
            if i > 0 {
                self.boundary();
            }
            self.stmt(item);
        }
        self.boundary();
        self.out
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn formatting_generated_files_keeps_their_meaning(tree in file(), seed in any::<u64>()) {
        let text = Naive::new(seed).file(&tree);
        let parsed = tbt_syntax::parse(&text);
        prop_assert!(!parsed.has_errors(), "the naive printer made invalid text:\n{text}\n{:#?}", parsed.diagnostics);
        common::check("generated", &text);
    }
}
