//! Plan nodes as tbt source text (normalised): for EXPLAIN and for failure messages.

use crate::ir::{
    AggFn, Const, Expr, ExprKind, FilePlan, InterpPart, Quant, Scope, Sel, SelKind, Subject,
};
use std::fmt::Write as _;

/// An expression as tbt source.
pub fn show_expr(plan: &FilePlan, e: &Expr) -> String {
    let mut out = String::new();
    expr(&mut out, plan, e, 0);
    out
}

/// A selection as tbt source.
pub fn show_sel(plan: &FilePlan, s: &Sel) -> String {
    let mut out = String::new();
    sel(&mut out, plan, s);
    out
}

/// A constant as tbt source.
pub fn show_const(c: &Const) -> String {
    match c {
        Const::Int(n) => n.to_string(),
        Const::Double(x) => format!("{x:?}"),
        Const::Bool(b) => b.to_string(),
        Const::Str(s) => format!("{s:?}"),
        Const::Duration(d) => show_duration(*d),
        Const::Regex(_, shown) => shown.to_string(),
    }
}

/// A duration in the largest unit that divides it: `200ms`, `1500ms`, `2m`, `-5s`.
pub fn show_duration(nanos: i64) -> String {
    const UNITS: [(i64, &str); 6] = [
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
        (1, "ns"),
    ];
    if nanos == 0 {
        return "0s".into();
    }
    for (size, unit) in UNITS {
        if nanos % size == 0 {
            return format!("{}{unit}", nanos / size);
        }
    }
    format!("{nanos}ns")
}

/// A span's value as written.
pub fn show_subject(s: &Subject) -> String {
    match s {
        Subject::Intrinsic(i) => i.as_str().to_string(),
        Subject::Attr(a) => match a.scope {
            Scope::Any => a.key.to_string(),
            Scope::Span => format!("span.{}", a.key),
            Scope::Resource => format!("resource.{}", a.key),
        },
    }
}

/// Binding strength of a node, for parentheses.
fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Order(_) => 1,
        ExprKind::Or(..) => 2,
        ExprKind::And(..) => 3,
        ExprKind::Not(_) => 4,
        ExprKind::Cmp(..) | ExprKind::Exists(_) => 5,
        ExprKind::Arith(op, ..) => match op {
            crate::ir::ArithOp::Add | crate::ir::ArithOp::Sub => 6,
            _ => 7,
        },
        ExprKind::Neg(_) => 8,
        ExprKind::Quantified(..) => 10,
        _ => 12,
    }
}

fn expr(out: &mut String, plan: &FilePlan, e: &Expr, min: u8) {
    let own = level(e);
    if own < min {
        out.push('(');
    }
    let sub = |out: &mut String, x: &Expr, m: u8| expr(out, plan, x, m);
    match &e.kind {
        ExprKind::Const(c) => out.push_str(&show_const(c)),
        ExprKind::Interp(parts) => {
            out.push('"');
            for part in parts {
                match part {
                    InterpPart::Text(t) => {
                        let quoted = format!("{t:?}");
                        out.push_str(&quoted[1..quoted.len() - 1]);
                    }
                    InterpPart::Value(x) => {
                        out.push_str("${");
                        sub(out, x, 0);
                        out.push('}');
                    }
                }
            }
            out.push('"');
        }
        ExprKind::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                sub(out, x, 0);
            }
            out.push(']');
        }
        ExprKind::Object(entries) => {
            out.push_str("{ ");
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{k:?}: ");
                sub(out, x, 0);
            }
            out.push_str(" }");
        }
        ExprKind::Slot(slot) => out.push_str(
            plan.slots
                .get(*slot as usize)
                .map_or("?", |s| s.name.as_str()),
        ),
        ExprKind::Env { name, secret } => {
            let _ = write!(out, "env.{}{name}", if *secret { "secret." } else { "" });
        }
        ExprKind::Response(field) if field.is_empty() => out.push_str("response"),
        ExprKind::Response(field) => {
            let _ = write!(out, "response.{field}");
        }
        ExprKind::Span(s) => out.push_str(&show_subject(s)),
        ExprKind::Item(name) => out.push_str(name),
        ExprKind::Field(x, name) => {
            sub(out, x, 12);
            let _ = write!(out, ".{name}");
        }
        ExprKind::Index(x, i) | ExprKind::ListFilter(x, i) => {
            sub(out, x, 12);
            out.push('[');
            sub(out, i, 0);
            out.push(']');
        }
        ExprKind::Not(x) => {
            out.push_str("not ");
            sub(out, x, 4);
        }
        ExprKind::Neg(x) => {
            out.push('-');
            sub(out, x, 8);
        }
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            let word = if matches!(e.kind, ExprKind::And(..)) {
                "and"
            } else {
                "or"
            };
            sub(out, a, own);
            let _ = write!(out, " {word} ");
            sub(out, b, own + 1);
        }
        ExprKind::Cmp(op, a, b) => {
            // `kind == server`, `status in [ok, unset]`: enum values as written, bare.
            let flag = |x: &Expr| {
                matches!(
                    x.kind,
                    ExprKind::Span(Subject::Intrinsic(
                        crate::ir::Intrinsic::Kind | crate::ir::Intrinsic::Status
                    ))
                )
            };
            sub(out, a, 6);
            let _ = write!(out, " {} ", op.as_str());
            if flag(a) {
                enum_words(out, plan, b);
            } else {
                sub(out, b, 6);
            }
        }
        ExprKind::Arith(op, a, b) => {
            sub(out, a, own);
            let _ = write!(out, " {} ", op.as_str());
            sub(out, b, own + 1);
        }
        ExprKind::Exists(x) => {
            sub(out, x, 6);
            out.push_str(" exists");
        }
        ExprKind::Quantified(q, s) => {
            match q {
                Quant::No => out.push_str("no "),
                Quant::Some => out.push_str("some "),
                Quant::Exactly(n) => {
                    out.push_str("exactly ");
                    sub(out, n, 12);
                    out.push(' ');
                }
            }
            sel(out, plan, s);
        }
        ExprKind::Count(x) => {
            out.push_str("count(");
            sub(out, x, 0);
            out.push(')');
        }
        ExprKind::Aggregate { func, arg, q, .. } => {
            let name = match func {
                AggFn::Sum => "sum",
                AggFn::Min => "min",
                AggFn::Max => "max",
                AggFn::Avg => "avg",
                AggFn::Percentile => "percentile",
            };
            out.push_str(name);
            out.push('(');
            sub(out, arg, 0);
            if let Some(q) = q {
                out.push_str(", ");
                sub(out, q, 0);
            }
            out.push(')');
        }
        ExprKind::Project { sel: s, field, .. } => {
            let simple = matches!(
                s.kind,
                SelKind::All
                    | SelKind::Slot(_)
                    | SelKind::Filter { .. }
                    | SelKind::First(_)
                    | SelKind::Last(_)
                    | SelKind::Nth(..)
            );
            if !simple {
                out.push('(');
            }
            sel(out, plan, s);
            if !simple {
                out.push(')');
            }
            let _ = write!(out, ".{}", show_subject(field));
        }
        ExprKind::Selection(s) => sel(out, plan, s),
        ExprKind::Order(order) => {
            for (i, step) in order.steps.iter().enumerate() {
                if i > 0 {
                    let op = order.ops.get(i - 1).map_or("->", |o| o.as_str());
                    let _ = write!(out, " {op} ");
                }
                sel(out, plan, step);
            }
            if let Some(w) = &order.within {
                out.push_str(" within ");
                sub(out, w, 6);
            }
        }
        ExprKind::Invalid(why) => {
            let _ = write!(out, "<invalid: {why}>");
        }
    }
    if own < min {
        out.push(')');
    }
}

fn sel(out: &mut String, plan: &FilePlan, s: &Sel) {
    match &s.kind {
        SelKind::All => out.push_str("span"),
        SelKind::Service(name) => {
            if name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                && !name.is_empty()
            {
                out.push_str(name);
            } else {
                let _ = write!(out, "{name:?}");
            }
        }
        SelKind::Slot(slot) => out.push_str(
            plan.slots
                .get(*slot as usize)
                .map_or("?", |s| s.name.as_str()),
        ),
        SelKind::Filter {
            input, conjuncts, ..
        } => {
            sel(out, plan, input);
            out.push('[');
            for (i, c) in conjuncts.iter().enumerate() {
                if i > 0 {
                    out.push_str(" and ");
                }
                expr(out, plan, &c.expr, 4);
            }
            out.push(']');
        }
        SelKind::Child { parent, child } => {
            sel(out, plan, parent);
            out.push_str(" > ");
            sel(out, plan, child);
        }
        SelKind::Descendant {
            ancestor,
            descendant,
        } => {
            sel(out, plan, ancestor);
            out.push_str(" >> ");
            sel(out, plan, descendant);
        }
        SelKind::RelChild(x) => {
            out.push_str("> ");
            sel(out, plan, x);
        }
        SelKind::RelDescendant(x) => {
            out.push_str(">> ");
            sel(out, plan, x);
        }
        SelKind::First(x) | SelKind::Last(x) | SelKind::Root(x) | SelKind::Leaf(x) => {
            paren_sel(out, plan, x);
            out.push_str(match &s.kind {
                SelKind::First(_) => ":first",
                SelKind::Last(_) => ":last",
                SelKind::Root(_) => ":root",
                _ => ":leaf",
            });
        }
        SelKind::Nth(x, n) => {
            paren_sel(out, plan, x);
            out.push_str(":nth(");
            expr(out, plan, n, 0);
            out.push(')');
        }
        SelKind::Has(x, r) | SelKind::Not(x, r) => {
            paren_sel(out, plan, x);
            out.push_str(if matches!(s.kind, SelKind::Has(..)) {
                ":has("
            } else {
                ":not("
            });
            sel(out, plan, r);
            out.push(')');
        }
        SelKind::Dynamic(e) => expr(out, plan, e, 12),
    }
}

fn paren_sel(out: &mut String, plan: &FilePlan, s: &Sel) {
    let combined = matches!(
        s.kind,
        SelKind::Child { .. }
            | SelKind::Descendant { .. }
            | SelKind::RelChild(_)
            | SelKind::RelDescendant(_)
    );
    if combined {
        out.push('(');
    }
    sel(out, plan, s);
    if combined {
        out.push(')');
    }
}

/// An enum value (or a list of them) without quotes.
fn enum_words(out: &mut String, plan: &FilePlan, e: &Expr) {
    let bare = |x: &Expr| match &x.kind {
        ExprKind::Const(Const::Str(s)) if s.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(s.to_string())
        }
        _ => None,
    };
    match &e.kind {
        ExprKind::List(items) if items.iter().all(|x| bare(x).is_some()) => {
            let words: Vec<String> = items.iter().filter_map(bare).collect();
            let _ = write!(out, "[{}]", words.join(", "));
        }
        _ => match bare(e) {
            Some(word) => out.push_str(&word),
            None => expr(out, plan, e, 6),
        },
    }
}
