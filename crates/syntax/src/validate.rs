//! Structural checks that need no names or types: where statements may appear, trigger and
//! option shapes, pseudo-classes, chained comparisons, schema type names.

use crate::ast::*;
use crate::suggest::closest;
use tbt_diagnostics::{Diagnostic, TextRange, codes};

/// Where a statement is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    File,
    Suite,
    Test,
    Block,
}

impl Place {
    fn describe(self) -> &'static str {
        match self {
            Place::File => "at the top level of a file",
            Place::Suite => "in a suite",
            Place::Test => "in a test",
            Place::Block => "in a span block",
        }
    }

    fn allows(self, stmt: &Stmt) -> bool {
        matches!(
            (self, stmt),
            (_, Stmt::Error(_))
                | (
                    Place::File,
                    Stmt::Use(_) | Stmt::Schema(_) | Stmt::Test(_) | Stmt::Suite(_) | Stmt::Let(_),
                )
                | (Place::Suite, Stmt::Test(_) | Stmt::Let(_))
                | (
                    Place::Test,
                    Stmt::Trigger(_)
                        | Stmt::Expect(_)
                        | Stmt::Let(_)
                        | Stmt::Output(_)
                        | Stmt::Wait(_)
                        | Stmt::Block(_),
                )
                | (
                    Place::Block,
                    Stmt::Expect(_) | Stmt::Let(_) | Stmt::Block(_)
                )
        )
    }
}

/// The shape of one option: how many positional arguments, whether it takes `= value`,
/// whether it may repeat, and the words its first argument may be.
struct OptionSpec {
    name: &'static str,
    args: (usize, usize),
    value: bool,
    repeatable: bool,
    kinds: &'static [&'static str],
}

const fn spec(
    name: &'static str,
    args: (usize, usize),
    value: bool,
    repeatable: bool,
    kinds: &'static [&'static str],
) -> OptionSpec {
    OptionSpec {
        name,
        args,
        value,
        repeatable,
        kinds,
    }
}

const TIMEOUT: OptionSpec = spec("timeout", (1, 1), false, false, &[]);
const TLS: OptionSpec = spec("tls", (1, 3), false, true, &["ca", "cert", "insecure"]);

const HTTP_OPTIONS: &[OptionSpec] = &[
    spec("header", (1, 1), true, true, &[]),
    spec("query", (1, 1), true, true, &[]),
    spec(
        "body",
        (2, 2),
        false,
        false,
        &["json", "text", "form", "file"],
    ),
    spec("auth", (2, 3), false, false, &["basic", "bearer"]),
    TIMEOUT,
    TLS,
    spec("redirects", (1, 1), false, false, &[]),
];
const GRPC_OPTIONS: &[OptionSpec] = &[
    spec("metadata", (1, 1), true, true, &[]),
    spec("message", (1, 1), false, false, &[]),
    spec("proto", (1, 1), false, true, &[]),
    spec("import_path", (1, 1), false, true, &[]),
    spec("reflection", (0, 0), false, false, &[]),
    TIMEOUT,
    TLS,
];
const EXEC_OPTIONS: &[OptionSpec] = &[
    spec("cwd", (1, 1), false, false, &[]),
    spec("env", (1, 1), true, true, &[]),
    spec("shell", (0, 0), false, false, &[]),
    spec("stdin", (1, 1), false, false, &[]),
    TIMEOUT,
];
const WAIT_OPTIONS: &[OptionSpec] = &[
    spec("until", (1, 1), false, false, &[]),
    spec("timeout", (1, 1), false, false, &[]),
    spec("settle", (1, 1), false, false, &[]),
];

/// A trigger kind: its name, its positional argument count range, what the arguments are, and
/// its options.
type TriggerSpec = (
    &'static str,
    (usize, usize),
    &'static str,
    &'static [OptionSpec],
);

/// The trigger kinds.
const TRIGGERS: &[TriggerSpec] = &[
    (
        "http",
        (2, 2),
        "a method and a URL: `trigger http GET \"http://127.0.0.1:8080/health\"`",
        HTTP_OPTIONS,
    ),
    (
        "grpc",
        (2, 2),
        "an address and a method: `trigger grpc \"127.0.0.1:50051\" \"shop.Cart/AddItem\"`",
        GRPC_OPTIONS,
    ),
    (
        "exec",
        (1, usize::MAX),
        "a command as a list: `trigger exec [\"./job.sh\", \"--once\"]`",
        EXEC_OPTIONS,
    ),
    (
        "trace",
        (1, 1),
        "a trace id: `trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"`",
        &[],
    ),
];

/// The pseudo-classes with the number of arguments each takes (`None`: no parentheses).
const PSEUDO_CLASSES: &[(&str, Option<usize>)] = &[
    ("root", None),
    ("leaf", None),
    ("first", None),
    ("last", None),
    ("nth", Some(1)),
    ("has", Some(1)),
    ("not", Some(1)),
];

/// The schema type names.
pub const TYPE_NAMES: &[&str] = &[
    "string",
    "int",
    "double",
    "bool",
    "duration",
    "timestamp",
    "json",
];

struct Validator<'a> {
    text: &'a str,
    out: &'a mut Vec<Diagnostic>,
}

pub(crate) fn validate(
    file: &SourceFile,
    text: &str,
    comments: &[TextRange],
    out: &mut Vec<Diagnostic>,
) {
    if file.items.is_empty() && !out.iter().any(Diagnostic::is_error) {
        let range = comments
            .first()
            .map_or(TextRange::new(0, text.len() as u32), |c| *c);
        out.push(
            Diagnostic::new(
                codes::EMPTY_FILE,
                range,
                "this file has no tests, suites or schema",
            )
            .with_label("nothing to check")
            .with_help("add a `test \"name\" { ... }`, or delete the file"),
        );
    }
    let mut v = Validator { text, out };
    v.block(&file.items, Place::File);
}

impl Validator<'_> {
    fn block(&mut self, stmts: &[Stmt], place: Place) {
        for stmt in stmts {
            if !place.allows(stmt) {
                self.misplaced(stmt, place);
            }
            self.stmt(stmt, place);
        }
        if place == Place::Test {
            self.triggers(stmts);
        }
    }

    fn misplaced(&mut self, stmt: &Stmt, place: Place) {
        let range = stmt.range();
        let keyword_range = TextRange::new(
            range.start,
            (range.start + stmt.keyword().len() as u32).min(range.end),
        );
        let help = match stmt {
            Stmt::Use(_) | Stmt::Schema(_) | Stmt::Suite(_) => {
                "move it to the top level of the file"
            }
            Stmt::Test(_) => "tests live at the top level or in a suite; is a `}` missing above?",
            Stmt::Trigger(_) | Stmt::Wait(_) | Stmt::Output(_) => "move it directly into the test",
            Stmt::Expect(_) | Stmt::Block(_) => "assertions live in tests and span blocks",
            Stmt::Let(_) | Stmt::Error(_) => "",
        };
        self.out.push(
            Diagnostic::new(
                codes::MISPLACED_STATEMENT,
                keyword_range,
                format!("`{}` is not allowed {}", stmt.keyword(), place.describe()),
            )
            .with_label("misplaced")
            .with_help(help),
        );
    }

    fn stmt(&mut self, stmt: &Stmt, _place: Place) {
        match stmt {
            Stmt::Use(_) | Stmt::Error(_) => {}
            Stmt::Schema(schema) => self.schema(schema),
            Stmt::Test(test) => {
                self.block(&test.body, Place::Test);
                let has_block = self
                    .text
                    .get(test.range.to_usize())
                    .is_some_and(|t| t.contains('{'));
                if has_block && !test.body.iter().any(|s| matches!(s, Stmt::Trigger(_))) {
                    let keyword = TextRange::new(
                        test.range.start,
                        (test.range.start + 4).min(test.range.end),
                    );
                    let at = test
                        .name
                        .as_ref()
                        .map_or(keyword, |name| keyword.cover(name.range));
                    self.out.push(
                        Diagnostic::new(codes::MISSING_TRIGGER, at, "this test has no trigger")
                            .with_label("what produces the trace?")
                            .with_help("start the test with `trigger http ...`, `trigger grpc ...`, `trigger exec [...]`, or `trigger trace \"<trace id>\"`"),
                    );
                }
            }
            Stmt::Suite(suite) => self.block(&suite.body, Place::Suite),
            Stmt::Trigger(trigger) => self.trigger(trigger),
            Stmt::Expect(expect) => self.expr(&expect.expr),
            Stmt::Let(binding) | Stmt::Output(binding) => self.expr(&binding.value),
            Stmt::Wait(opt) => {
                self.options(std::slice::from_ref(opt), WAIT_OPTIONS, "wait");
                for arg in &opt.args {
                    self.expr(arg);
                }
            }
            Stmt::Block(block) => {
                if let Some(Quantifier::Exactly(n, _)) = &block.quantifier {
                    self.expr(n);
                }
                self.expr(&block.selector);
                self.block(&block.body, Place::Block);
            }
        }
    }

    fn triggers(&mut self, stmts: &[Stmt]) {
        let mut triggers = stmts.iter().filter_map(|s| match s {
            Stmt::Trigger(t) => Some(t),
            _ => None,
        });
        if let Some(first) = triggers.next() {
            for extra in triggers {
                self.out.push(
                    Diagnostic::new(
                        codes::DUPLICATE_TRIGGER,
                        extra.range,
                        "a test has one trigger",
                    )
                    .with_label("second trigger")
                    .with_secondary(first.range, "first trigger")
                    .with_help("split this into two tests, or run them in order in a `suite`"),
                );
            }
        }
    }

    fn trigger(&mut self, trigger: &Trigger) {
        for arg in &trigger.args {
            self.expr(arg);
        }
        let kind = trigger.kind.text.as_str();
        let Some((_, (min, max), shape, options)) =
            TRIGGERS.iter().find(|(name, ..)| *name == kind)
        else {
            let names: Vec<&str> = TRIGGERS.iter().map(|t| t.0).collect();
            let mut d = Diagnostic::new(
                codes::UNKNOWN_TRIGGER,
                trigger.kind.range,
                format!("unknown trigger `{kind}`"),
            )
            .with_label("not a trigger kind");
            d = match closest(kind, &names) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")).with_fix(
                    format!("replace with `{best}`"),
                    trigger.kind.range,
                    best,
                ),
                None => d.with_help("the triggers are `http`, `grpc`, `exec` and `trace`"),
            };
            self.out.push(d);
            return;
        };
        let n = trigger.args.len();
        if n < *min || n > *max {
            let range = match (trigger.args.first(), trigger.args.last()) {
                (Some(first), Some(last)) => first.range.cover(last.range),
                _ => trigger.kind.range,
            };
            self.out.push(
                Diagnostic::new(
                    codes::TRIGGER_ARGUMENTS,
                    range,
                    format!(
                        "`trigger {kind}` takes {shape_short}",
                        shape_short = arity(*min, *max)
                    ),
                )
                .with_label(format!("{n} given"))
                .with_help(format!("`{kind}` takes {shape}")),
            );
        }
        self.options(&trigger.options, options, kind);
    }

    fn options(&mut self, opts: &[Opt], specs: &[OptionSpec], owner: &str) {
        let mut seen: Vec<(&str, TextRange)> = Vec::new();
        for opt in opts {
            for e in opt.args.iter().chain(opt.value.iter()) {
                self.expr(e);
            }
            let name = opt.name.text.as_str();
            let Some(spec) = specs.iter().find(|s| s.name == name) else {
                let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
                let mut d = Diagnostic::new(
                    codes::UNKNOWN_OPTION,
                    opt.name.range,
                    format!("`{owner}` has no option `{name}`"),
                )
                .with_label("unknown option");
                d = match closest(name, &names) {
                    Some(best) => d.with_help(format!("did you mean `{best}`?")).with_fix(
                        format!("replace with `{best}`"),
                        opt.name.range,
                        best,
                    ),
                    None if names.is_empty() => d.with_help(format!("`{owner}` takes no options")),
                    None => {
                        d.with_help(format!("the options of `{owner}` are {}", names.join(", ")))
                    }
                };
                self.out.push(d);
                continue;
            };
            if !spec.repeatable {
                if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                    self.out.push(
                        Diagnostic::new(
                            codes::DUPLICATE_OPTION,
                            opt.name.range,
                            format!("`{name}` is set twice"),
                        )
                        .with_label("second time")
                        .with_secondary(*first, "first set here")
                        .with_help("keep one of them")
                        .with_fix("remove this one", opt.range, ""),
                    );
                }
                seen.push((name, opt.name.range));
            }
            let n = opt.args.len();
            if n < spec.args.0 || n > spec.args.1 || opt.value.is_some() != spec.value {
                let value = if spec.value { " and `= value`" } else { "" };
                self.out.push(
                    Diagnostic::new(
                        codes::OPTION_ARGUMENTS,
                        opt.range,
                        format!("`{name}` takes {}{value}", arity(spec.args.0, spec.args.1)),
                    )
                    .with_label("wrong arguments")
                    .with_help(option_example(name)),
                );
                continue;
            }
            if let Some(first_word) = opt.args.first().and_then(|a| match &a.kind {
                ExprKind::Path(p) if p.segments.len() == 1 => Some(p.segments[0].text.as_str()),
                _ => None,
            }) {
                let wanted = match (name, first_word) {
                    ("tls", "insecure") => Some(0),
                    ("tls", "ca") | ("auth", "bearer") => Some(1),
                    ("tls", "cert") | ("auth", "basic") => Some(2),
                    _ => None,
                };
                if let Some(wanted) = wanted
                    && opt.args.len() - 1 != wanted
                {
                    self.out.push(
                        Diagnostic::new(
                            codes::OPTION_ARGUMENTS,
                            opt.range,
                            format!("`{name} {first_word}` takes {}", arity(wanted, wanted)),
                        )
                        .with_label(format!("{} given", opt.args.len() - 1))
                        .with_help(format!(
                            "{}; put each option on its own line",
                            option_example(name)
                        )),
                    );
                    continue;
                }
            }
            if !spec.kinds.is_empty() {
                let first = &opt.args[0];
                let word = match &first.kind {
                    ExprKind::Path(p) if p.segments.len() == 1 => Some(p.segments[0].text.as_str()),
                    _ => None,
                };
                if !word.is_some_and(|w| spec.kinds.contains(&w)) {
                    let code = if name == "body" {
                        codes::UNKNOWN_BODY_KIND
                    } else {
                        codes::OPTION_ARGUMENTS
                    };
                    let mut d = Diagnostic::new(
                        code,
                        first.range,
                        format!(
                            "`{name}` must be followed by one of {}",
                            spec.kinds.join(", ")
                        ),
                    )
                    .with_label(format!("unknown {name} kind"));
                    if let Some(best) = word.and_then(|w| closest(w, spec.kinds)) {
                        d = d.with_help(format!("did you mean `{best}`?")).with_fix(
                            format!("replace with `{best}`"),
                            first.range,
                            best,
                        );
                    } else {
                        d = d.with_help(option_example(name));
                    }
                    self.out.push(d);
                }
            }
        }
    }

    fn schema(&mut self, schema: &Schema) {
        for item in &schema.items {
            if let SchemaItem::Attribute(attr) = item {
                self.type_expr(&attr.ty);
            }
        }
    }

    fn type_expr(&mut self, ty: &TypeExpr) {
        match ty {
            TypeExpr::Named(name) if !TYPE_NAMES.contains(&name.text.as_str()) => {
                let alias = match name.text.as_str() {
                    "float" | "float64" | "f64" | "number" | "decimal" => Some("double"),
                    "integer" | "int64" | "i64" | "long" => Some("int"),
                    "boolean" => Some("bool"),
                    "str" | "text" => Some("string"),
                    _ => None,
                };
                let mut d = Diagnostic::new(
                    codes::UNKNOWN_TYPE,
                    name.range,
                    format!("unknown type `{}`", name.text),
                )
                .with_label("not a type");
                d = match alias.or_else(|| closest(&name.text, TYPE_NAMES)) {
                    Some(best) => d
                        .with_help(format!("did you mean `{best}`?"))
                        .with_fix(format!("replace with `{best}`"), name.range, best),
                    None => d.with_help("the types are string, int, double, bool, duration, timestamp, json, T[] and \"a\" | \"b\""),
                };
                self.out.push(d);
            }
            TypeExpr::List(inner, _) => self.type_expr(inner),
            _ => {}
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Binary(op, lhs, rhs) => {
                if op.is_comparison()
                    && let ExprKind::Binary(inner, ..) = &lhs.kind
                    && inner.is_comparison()
                {
                    self.out.push(
                        Diagnostic::new(
                            codes::CHAINED_COMPARISON,
                            expr.range,
                            "comparisons cannot be chained",
                        )
                        .with_label(format!("`{}` then `{}`", inner.as_str(), op.as_str()))
                        .with_help("write two comparisons joined by `and`: `a < b and b < c`"),
                    );
                }
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Pseudo(base, pseudo) => {
                self.pseudo(pseudo);
                self.expr(base);
            }
            ExprKind::List(items) | ExprKind::Call(_, items) => {
                items.iter().for_each(|e| self.expr(e))
            }
            ExprKind::Object(entries) => entries.iter().for_each(|e| self.expr(&e.value)),
            ExprKind::Field(base, _)
            | ExprKind::Unary(_, base)
            | ExprKind::Exists(base)
            | ExprKind::Paren(base) => self.expr(base),
            ExprKind::Index(base, index) => {
                self.expr(base);
                self.expr(index);
            }
            ExprKind::Combine { left, right, .. } => {
                if let Some(left) = left {
                    self.expr(left);
                }
                self.expr(right);
            }
            ExprKind::Quantified(q, inner) => {
                if let Quantifier::Exactly(n, _) = q {
                    self.expr(n);
                }
                self.expr(inner);
            }
            ExprKind::Order { steps, within, .. } => {
                steps.iter().for_each(|e| self.expr(e));
                if let Some(w) = within {
                    self.expr(w);
                }
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Duration { .. }
            | ExprKind::String(_)
            | ExprKind::Regex(_)
            | ExprKind::Path(_)
            | ExprKind::Span
            | ExprKind::Error => {}
        }
    }

    fn pseudo(&mut self, pseudo: &Pseudo) {
        let name = pseudo.name.text.as_str();
        let Some((_, arity)) = PSEUDO_CLASSES.iter().find(|(n, _)| *n == name) else {
            let names: Vec<&str> = PSEUDO_CLASSES.iter().map(|p| p.0).collect();
            let mut d = Diagnostic::new(
                codes::UNKNOWN_PSEUDO_CLASS,
                pseudo.range,
                format!("unknown pseudo-class `:{name}`"),
            )
            .with_label("not a pseudo-class");
            d = match closest(name, &names) {
                Some(best) => d
                    .with_help(format!("did you mean `:{best}`?"))
                    .with_fix(format!("replace with `:{best}`"), pseudo.name.range, best),
                None => d.with_help("the pseudo-classes are :root, :leaf, :first, :last, :nth(N), :has(selector), :not(selector)"),
            };
            self.out.push(d);
            return;
        };
        if let Some(args) = &pseudo.args {
            for a in args {
                self.expr(a);
            }
        }
        let given = pseudo.args.as_ref().map(Vec::len);
        if given != *arity {
            let help = match arity {
                None => format!("write `:{name}` without parentheses"),
                Some(_) if name == "nth" => {
                    "write `:nth(N)`; 1 is the first span by start time".to_string()
                }
                Some(_) => format!(
                    "write `:{name}(selector)`, e.g. `:{name}(> span[db.system.name exists])`"
                ),
            };
            self.out.push(
                Diagnostic::new(
                    codes::PSEUDO_CLASS_ARGUMENT,
                    pseudo.range,
                    format!("wrong arguments for `:{name}`"),
                )
                .with_label(match arity {
                    None => "takes no arguments".to_string(),
                    Some(n) => format!("takes {n} argument"),
                })
                .with_help(help),
            );
        }
    }
}

fn arity(min: usize, max: usize) -> String {
    match (min, max) {
        (0, 0) => "no arguments".to_string(),
        (a, b) if a == b => format!("{a} argument{}", if a == 1 { "" } else { "s" }),
        (a, usize::MAX) => format!("at least {a} argument{}", if a == 1 { "" } else { "s" }),
        (a, b) => format!("{a} to {b} arguments"),
    }
}

fn option_example(name: &str) -> String {
    let example = match name {
        "header" => "header \"content-type\" = \"application/json\"",
        "query" => "query \"page\" = \"2\"",
        "body" => "body json { \"sku\": \"BOOK-42\" }` or `body text \"hello\"",
        "auth" => "auth bearer env.secret.TOKEN` or `auth basic \"user\" env.secret.PASSWORD",
        "timeout" => "timeout 5s",
        "tls" => {
            "tls ca \"certs/ca.pem\"`, `tls cert \"client.pem\" \"client.key\"` or `tls insecure"
        }
        "redirects" => "redirects 5",
        "metadata" => "metadata \"x-tenant\" = \"acme\"",
        "message" => "message { \"sku\": \"BOOK-42\" }",
        "proto" => "proto \"protos/shop.proto\"",
        "import_path" => "import_path \"protos\"",
        "reflection" => "reflection",
        "cwd" => "cwd \"jobs\"",
        "env" => "env \"BATCH_SIZE\" = \"10\"",
        "shell" => "shell",
        "stdin" => "stdin \"input\"",
        "until" => "wait until some span[name == \"ship\"]",
        "settle" => "wait settle 500ms",
        _ => return "see docs/language.md".to_string(),
    };
    format!("write `{example}`")
}
