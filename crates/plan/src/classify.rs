//! Predicates of a filter: their shape, their cost class, the order they run in, and the
//! access path of the filter.

use crate::deps::expr_deps;
use crate::ir::{
    Access, CmpOp, Conjunct, Cost, Expr, ExprKind, Intrinsic, PredClass, Scope, SlotId, Subject,
};

/// Classifies one predicate.
pub(crate) fn conjunct(expr: Expr, block: &dyn Fn(SlotId) -> bool) -> Conjunct {
    let class = shape(&expr, block);
    let cost = match &class {
        PredClass::Compare { subject, op, .. } => compare_cost(subject, *op),
        PredClass::Exists(Subject::Intrinsic(_)) => Cost::Flag,
        PredClass::Exists(Subject::Attr(_)) => Cost::AttrEq,
        PredClass::General => general_cost(&expr),
    };
    let fallible = match &class {
        PredClass::Compare { value, .. } => !is_literal(value),
        PredClass::Exists(_) => false,
        PredClass::General => fallible(&expr),
    };
    Conjunct {
        class,
        expr,
        cost,
        fallible,
    }
}

/// Orders conjuncts cheap first (infallible ones by cost, then fallible ones in source order)
/// and picks the access path.
pub(crate) fn order(mut conjuncts: Vec<Conjunct>) -> (Vec<Conjunct>, Access) {
    conjuncts.sort_by_key(|c| {
        if c.fallible {
            (1, Cost::Nested)
        } else {
            (0, c.cost)
        }
    });
    let access = conjuncts
        .iter()
        .enumerate()
        .find_map(|(i, c)| {
            c.class
                .required_attr()
                .filter(|a| a.scope != Scope::Resource && !c.fallible)
                .map(|a| Access::AttrIndex {
                    attr: a.clone(),
                    conjunct: i,
                })
        })
        .unwrap_or(Access::Scan);
    (conjuncts, access)
}

fn shape(expr: &Expr, block: &dyn Fn(SlotId) -> bool) -> PredClass {
    let independent = |e: &Expr| expr_deps(e, block).is_constant();
    match &expr.kind {
        ExprKind::Cmp(op, lhs, rhs) => {
            if let ExprKind::Span(subject) = &lhs.kind
                && independent(rhs)
            {
                return PredClass::Compare {
                    subject: subject.clone(),
                    op: *op,
                    value: (**rhs).clone(),
                };
            }
            if let ExprKind::Span(subject) = &rhs.kind
                && independent(lhs)
                && let Some(flipped) = op.flipped()
            {
                return PredClass::Compare {
                    subject: subject.clone(),
                    op: flipped,
                    value: (**lhs).clone(),
                };
            }
            PredClass::General
        }
        ExprKind::Exists(x) => match &x.kind {
            ExprKind::Span(subject) => PredClass::Exists(subject.clone()),
            _ => PredClass::General,
        },
        _ => PredClass::General,
    }
}

fn compare_cost(subject: &Subject, op: CmpOp) -> Cost {
    match op {
        CmpOp::Eq | CmpOp::Ne | CmpOp::In | CmpOp::NotIn => match subject {
            Subject::Intrinsic(Intrinsic::Kind | Intrinsic::Status) => Cost::Flag,
            Subject::Intrinsic(Intrinsic::Events | Intrinsic::Links) => Cost::General,
            Subject::Intrinsic(_) => Cost::IntrinsicEq,
            Subject::Attr(_) => Cost::AttrEq,
        },
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => Cost::Range,
        CmpOp::Contains => Cost::Text,
        CmpOp::Matches => Cost::Regex,
    }
}

/// The cost of a general predicate: nested selections are the dearest, then regexes.
fn general_cost(e: &Expr) -> Cost {
    let mut cost = Cost::General;
    visit(e, &mut |x| {
        let c = match &x.kind {
            ExprKind::Quantified(..)
            | ExprKind::Selection(_)
            | ExprKind::Project { .. }
            | ExprKind::Order(_) => Cost::Nested,
            ExprKind::Cmp(CmpOp::Matches, ..) => Cost::Regex,
            _ => Cost::General,
        };
        cost = cost.max(c);
    });
    cost
}

/// Whether evaluating `e` can fail: arithmetic (overflow, `%` by zero), environment variables
/// (unset), the response (absent), bindings (whose value may have failed), dynamic values.
fn fallible(e: &Expr) -> bool {
    let mut out = false;
    visit(e, &mut |x| {
        out |= matches!(
            x.kind,
            ExprKind::Arith(..)
                | ExprKind::Env { .. }
                | ExprKind::Response(_)
                | ExprKind::Slot(_)
                | ExprKind::Invalid(_)
                | ExprKind::Aggregate { .. }
                | ExprKind::Neg(_)
        );
    });
    out
}

fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Const(_) => true,
        ExprKind::List(items) => items.iter().all(is_literal),
        _ => false,
    }
}

/// Calls `f` on `e` and every expression below it (not inside selections' filters).
fn visit(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    e.for_each_operand(&mut |x| visit(x, f));
}
