//! Expressions: literals, selectors, fields, quantifiers and ordering chains.

use super::Checker;
use crate::analysis::Target;
use crate::regex_check::{regex_offset, string_offset};
use crate::resolve::AttrScope;
use crate::ty::Ty;
use tbt_diagnostics::{Diagnostic, TextRange, codes};
use tbt_syntax::ast::{
    Combinator, Expr, ExprKind, Name, Pseudo, Quantifier, RegexLit, StringLit, StringPart, UnaryOp,
};
use tbt_syntax::suggest::closest;

impl Checker<'_> {
    /// Types an expression, records its type, and returns it.
    pub(crate) fn expr(&mut self, e: &Expr) -> Ty {
        let ty = self.expr_kind(e);
        self.record(e.range, &ty);
        ty
    }

    fn expr_kind(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Int(_) => Ty::Int,
            ExprKind::Float(_) => Ty::Double,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Duration { .. } => Ty::Duration,
            ExprKind::String(lit) => {
                self.interpolations(lit);
                Ty::String
            }
            ExprKind::Regex(lit) => {
                self.regex_literal(lit, e.range);
                Ty::Regex
            }
            ExprKind::List(items) => self.list(items),
            ExprKind::Object(entries) => {
                for entry in entries {
                    self.expr(&entry.value);
                }
                Ty::Json
            }
            ExprKind::Path(path) => self.path(path),
            ExprKind::Span => Ty::Selection,
            ExprKind::Field(..) => self.field(e),
            ExprKind::Index(base, index) => self.index(base, index),
            ExprKind::Pseudo(base, pseudo) => self.pseudo(base, pseudo),
            ExprKind::Combine {
                left,
                combinator,
                right,
            } => self.combine(left.as_deref(), *combinator, right, e.range),
            ExprKind::Call(name, args) => self.call(name, args, e.range),
            ExprKind::Unary(UnaryOp::Not, x) => {
                let ty = self.expr(x);
                self.expect_bool(x, &ty, "the operand of `not`");
                Ty::Bool
            }
            ExprKind::Unary(UnaryOp::Neg, x) => {
                let ty = self.expr(x);
                if ty.is_numeric() || ty.is_dynamic() || ty == Ty::Duration {
                    return if matches!(ty, Ty::Enum(_)) {
                        Ty::Int
                    } else {
                        ty
                    };
                }
                self.report(
                    Diagnostic::new(
                        codes::TYPE_MISMATCH,
                        x.range,
                        format!("cannot negate {ty:#}"),
                    )
                    .with_label(format!("this is {ty:#}"))
                    .with_help("`-` applies to numbers and durations"),
                );
                Ty::Error
            }
            ExprKind::Exists(x) => {
                if is_literal(x) {
                    self.expr(x);
                    self.report(
                        Diagnostic::new(
                            codes::TYPE_MISMATCH,
                            x.range,
                            "`exists` applies to an attribute or a name, not a literal",
                        )
                        .with_label("always exists")
                        .with_help("write an attribute: `http.route exists`"),
                    );
                } else {
                    self.expr(x);
                }
                Ty::Bool
            }
            ExprKind::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs),
            ExprKind::Quantified(q, x) => {
                if let Quantifier::Exactly(n, _) = q {
                    let ty = self.expr(n);
                    self.expect_int(n, &ty);
                }
                let ty = self.expr(x);
                let word = match q {
                    Quantifier::No(_) => "`no`",
                    Quantifier::Some(_) => "`some`",
                    Quantifier::Any(_) => "`any`",
                    Quantifier::Exactly(..) => "`exactly`",
                };
                self.expect_selection(x, &ty, word);
                Ty::Bool
            }
            ExprKind::Order { steps, within, .. } => {
                for step in steps {
                    self.order_step(step);
                }
                if let Some(bound) = within {
                    let ty = self.expr(bound);
                    self.expect_duration(bound, &ty, "`within`");
                }
                Ty::Bool
            }
            ExprKind::Paren(x) => self.expr(x),
            ExprKind::Error => Ty::Error,
        }
    }

    fn interpolations(&mut self, lit: &StringLit) {
        for part in &lit.parts {
            if let StringPart::Interpolation(path) = part {
                let ty = self.path(path);
                self.record(path.range, &ty);
                if matches!(ty, Ty::Selection | Ty::Service | Ty::Regex) {
                    self.report(
                        Diagnostic::new(
                            codes::TYPE_MISMATCH,
                            path.range,
                            format!("{ty:#} cannot be interpolated into a string"),
                        )
                        .with_label(format!("this is {ty:#}"))
                        .with_help("interpolate a value: a string, a number, a duration or json"),
                    );
                }
            }
        }
    }

    /// Compiles a regex literal, reporting an error at its position in the pattern.
    fn regex_literal(&mut self, lit: &RegexLit, range: TextRange) {
        let Some((at, message)) = self.regexes.check(&lit.pattern, &lit.flags) else {
            return;
        };
        let raw = self.slice(range).get(1..).unwrap_or("");
        let start = range.start + 1 + regex_offset(raw, at.start) as u32;
        let end = range.start + 1 + regex_offset(raw, at.end) as u32;
        self.invalid_regex(
            TextRange::new(start, end.max(start + 1).min(range.end)),
            &message,
        );
    }

    /// Compiles a plain string literal used as a regex.
    pub(super) fn regex_string(&mut self, lit: &StringLit) {
        let Some(pattern) = lit.as_plain() else {
            return;
        };
        let Some((at, message)) = self.regexes.check(pattern, "") else {
            return;
        };
        let raw = self.slice(lit.range).get(1..).unwrap_or("");
        let start = lit.range.start + 1 + string_offset(raw, at.start) as u32;
        let end = lit.range.start + 1 + string_offset(raw, at.end) as u32;
        self.invalid_regex(
            TextRange::new(start, end.max(start + 1).min(lit.range.end)),
            &message,
        );
    }

    fn invalid_regex(&mut self, range: TextRange, message: &str) {
        self.report(
            Diagnostic::new(codes::INVALID_REGEX, range, format!("invalid regex: {message}"))
                .with_label(message.to_string())
                .with_help("regexes use the syntax of the Rust regex crate; escape a special character with `\\`"),
        );
    }

    fn list(&mut self, items: &[Expr]) -> Ty {
        let mut item_ty: Option<Ty> = None;
        for item in items {
            let ty = self.expr(item);
            if ty.is_dynamic() {
                continue;
            }
            match &item_ty {
                None => item_ty = Some(ty),
                Some(first) if *first == ty => {}
                Some(first) if first.is_numeric() && ty.is_numeric() => item_ty = Some(Ty::Double),
                Some(first) if first.is_stringy() && ty.is_stringy() => item_ty = Some(Ty::String),
                Some(first) => {
                    let first = first.clone();
                    self.report(
                        Diagnostic::new(
                            codes::TYPE_MISMATCH,
                            item.range,
                            format!("a list of `{first}` cannot hold {ty:#}"),
                        )
                        .with_label(format!("this is {ty:#}"))
                        .with_help("the items of a list have one type"),
                    );
                }
            }
        }
        Ty::list(item_ty.unwrap_or(Ty::Json))
    }

    /// `a.b.c` after something that is not a plain path: a projection of a selection, a field of
    /// json, an entry of a map. `span.x` inside a span context is the current span's `x`.
    fn field(&mut self, e: &Expr) -> Ty {
        let mut names: Vec<&Name> = Vec::new();
        let mut base = e;
        while let ExprKind::Field(inner, name) = &base.kind {
            names.push(name);
            base = inner;
        }
        names.reverse();
        let (Some(first), Some(last)) = (names.first(), names.last()) else {
            return Ty::Error;
        };
        let range = first.range.cover(last.range);
        let dotted = dotted(&names);
        if matches!(base.kind, ExprKind::Span) && self.place.span {
            return self.attribute(&dotted, range, AttrScope::Span);
        }
        let base_ty = self.expr(base);
        let single = matches!(&base.kind, ExprKind::Pseudo(_, p) if matches!(p.name.text.as_str(), "first" | "last" | "nth"));
        if single && base_ty == Ty::Selection {
            // One span: `pay:first.duration` is a duration, not a list of one.
            return self.attribute(&dotted, range, AttrScope::Any);
        }
        self.field_of(&base_ty, &dotted, range, base.range)
    }

    /// The field `dotted` (at `range`) of a value of type `base`.
    pub(super) fn field_of(
        &mut self,
        base: &Ty,
        dotted: &str,
        range: TextRange,
        base_range: TextRange,
    ) -> Ty {
        match base {
            Ty::Selection => {
                let item = self.attribute(dotted, range, AttrScope::Any);
                if item == Ty::Error {
                    Ty::Error
                } else {
                    Ty::list(item)
                }
            }
            Ty::Json | Ty::Error => base.clone(),
            Ty::Map(item) => (**item).clone(),
            other => {
                self.report(
                    Diagnostic::new(codes::NO_SUCH_FIELD, range, format!("{other:#} has no field `{dotted}`"))
                        .with_label("no such field")
                        .with_secondary(base_range, format!("this is {other:#}"))
                        .with_help("fields are read from json values, from selections (a projection) and from maps"),
                );
                Ty::Error
            }
        }
    }

    fn index(&mut self, base: &Expr, index: &Expr) -> Ty {
        let base_ty = self.expr(base);
        match &base_ty {
            Ty::Selection => {
                let ty = self.with_span(true, |c| c.expr(index));
                if matches!(ty, Ty::Int) {
                    self.report(
                        Diagnostic::new(
                            codes::TYPE_MISMATCH,
                            index.range,
                            "a selector's brackets hold a predicate, not an index",
                        )
                        .with_label("this is an `int`")
                        .with_help(
                            "to pick the n-th span by start time, write `:nth(n)` (1 is the first)",
                        ),
                    );
                } else {
                    self.expect_bool(index, &ty, "a selector's predicate");
                }
                Ty::Selection
            }
            Ty::List(item) => {
                // `events[name == "exception"]` filters a list; `xs[0]` picks an item.
                let ty = self.with_span(true, |c| c.expr(index));
                if ty == Ty::Bool || ty.is_dynamic() {
                    return base_ty.clone();
                }
                self.expect_int(index, &ty);
                (**item).clone()
            }
            Ty::Map(item) => {
                let ty = self.expr(index);
                if !ty.is_stringy() && !ty.is_dynamic() {
                    self.report(
                        Diagnostic::new(
                            codes::TYPE_MISMATCH,
                            index.range,
                            format!("a map is indexed by a string, not {ty:#}"),
                        )
                        .with_label(format!("this is {ty:#}"))
                        .with_help(
                            "write the key as a string: `response.headers[\"content-type\"]`",
                        ),
                    );
                }
                (**item).clone()
            }
            Ty::Json | Ty::Error => {
                self.expr(index);
                base_ty
            }
            other => {
                self.expr(index);
                self.report(
                    Diagnostic::new(
                        codes::TYPE_MISMATCH,
                        index.range,
                        format!("{other:#} cannot be indexed"),
                    )
                    .with_label("index")
                    .with_secondary(base.range, format!("this is {other:#}"))
                    .with_help("lists, maps, json values and selections can be indexed"),
                );
                Ty::Error
            }
        }
    }

    fn pseudo(&mut self, base: &Expr, pseudo: &Pseudo) -> Ty {
        let ty = self.expr(base);
        self.expect_selection(base, &ty, &format!("`:{}`", pseudo.name.text));
        for arg in pseudo.args.iter().flatten() {
            match pseudo.name.text.as_str() {
                "has" | "not" => {
                    let ty = self.with_span(true, |c| c.expr(arg));
                    self.expect_selection(arg, &ty, &format!("`:{}`", pseudo.name.text));
                }
                "nth" => {
                    let ty = self.expr(arg);
                    self.expect_int(arg, &ty);
                }
                _ => {
                    self.expr(arg);
                }
            }
        }
        Ty::Selection
    }

    fn combine(
        &mut self,
        left: Option<&Expr>,
        combinator: Combinator,
        right: &Expr,
        range: TextRange,
    ) -> Ty {
        match left {
            Some(left) => {
                let ty = self.expr(left);
                self.expect_selection(
                    left,
                    &ty,
                    &format!("the left side of `{}`", combinator.as_str()),
                );
            }
            None if !self.place.span => {
                let op_range =
                    TextRange::new(range.start, range.start + combinator.as_str().len() as u32);
                self.report(
                    Diagnostic::new(
                        codes::RELATIVE_SELECTOR_OUTSIDE_BLOCK,
                        op_range,
                        format!("`{}` without a left side needs a current span", combinator.as_str()),
                    )
                    .with_label("relative to what?")
                    .with_help(format!(
                        "use it inside a span block or selector, or write the left side: `span[...] {} span[...]`",
                        combinator.as_str()
                    )),
                );
            }
            None => {}
        }
        let ty = self.expr(right);
        self.expect_selection(
            right,
            &ty,
            &format!("the right side of `{}`", combinator.as_str()),
        );
        Ty::Selection
    }

    fn order_step(&mut self, step: &Expr) {
        // A string is a service with an unusual name, which no schema can declare.
        if let ExprKind::String(lit) = &step.kind
            && let Some(name) = lit.as_plain()
        {
            self.resolve(step.range, Target::UndeclaredService(name.into()));
            self.record(step.range, &Ty::Service);
            return;
        }
        if let ExprKind::Path(path) = &step.kind
            && let [segment] = path.segments.as_slice()
            && self.scopes.lookup(&segment.text).is_none()
        {
            self.service(segment);
            self.record(step.range, &Ty::Service);
            return;
        }
        let ty = self.expr(step);
        if matches!(ty, Ty::Selection | Ty::Service) || ty.is_dynamic() {
            return;
        }
        self.report(
            Diagnostic::new(codes::INVALID_ORDERING, step.range, format!("an ordering chain relates services and selections, not {ty:#}"))
                .with_label(format!("this is {ty:#}"))
                .with_help("write a service name (`order-service`) or a selection (`span[name == \"charge\"]`)"),
        );
    }

    /// A service named in an ordering chain or compared with `service.name`.
    pub(super) fn service(&mut self, name: &Name) {
        self.service_named(&name.text, name.range, name.range);
    }

    /// Checks the service `text`; `range` is where it is written, `fix_range` what a fix replaces.
    pub(super) fn service_named(&mut self, text: &str, range: TextRange, fix_range: TextRange) {
        let schema = self.cx.schema;
        if let Some(at) = schema.services.get(text) {
            self.resolve(range, Target::Service(at.clone()));
            return;
        }
        self.resolve(range, Target::UndeclaredService(text.into()));
        if schema.services.is_empty() {
            return;
        }
        let names: Vec<&str> = schema.services.keys().map(|s| s.as_str()).collect();
        let mut d = Diagnostic::new(
            codes::UNKNOWN_SERVICE,
            range,
            format!("unknown service `{text}`"),
        )
        .with_label("not declared in any visible schema");
        d = match closest(text, &names) {
            Some(best) => {
                let replacement = if fix_range == range {
                    best.to_string()
                } else {
                    format!("\"{best}\"")
                };
                d.with_help(format!("did you mean `{best}`?")).with_fix(
                    format!("replace with `{best}`"),
                    fix_range,
                    replacement,
                )
            }
            None => d.with_help(format!(
                "the declared services are {}; declare it with `services {text}` in a schema",
                list(&names)
            )),
        };
        self.report(d);
    }
}

/// Whether an expression is a literal value.
pub(super) fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Duration { .. }
        | ExprKind::String(_) => true,
        ExprKind::Regex(_) | ExprKind::List(_) | ExprKind::Object(_) => true,
        ExprKind::Paren(x) => is_literal(x),
        _ => false,
    }
}

fn dotted(names: &[&Name]) -> String {
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(&name.text);
    }
    out
}

/// `a, b and c`, each in backticks (at most twelve, then how many in all).
pub(super) fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(12).map(|n| format!("`{n}`")).collect();
    match shown.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        _ if names.len() > 12 => format!("{}, ... ({} in all)", shown.join(", "), names.len()),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
