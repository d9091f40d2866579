//! What an expression or a selection depends on besides the trace: the current span, the
//! current list item, and the `let`s of span blocks (one value per span).

use crate::ir::{Expr, ExprKind, InterpPart, Quant, Sel, SelKind, SlotId};

/// The dependencies of a plan node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deps {
    /// Reads the current span (an attribute, an intrinsic, a relative selector).
    pub span: bool,
    /// Reads the current list item.
    pub item: bool,
    /// Reads a slot bound in a span block.
    pub block_slot: bool,
}

impl Deps {
    fn or(self, other: Deps) -> Deps {
        Deps {
            span: self.span || other.span,
            item: self.item || other.item,
            block_slot: self.block_slot || other.block_slot,
        }
    }

    /// A node that depends on nothing: computed once wherever it is.
    pub fn is_constant(self) -> bool {
        !self.span && !self.item && !self.block_slot
    }
}

/// The dependencies of an expression; `block` says which slots are bound in span blocks.
pub fn expr_deps(e: &Expr, block: &dyn Fn(SlotId) -> bool) -> Deps {
    let d = |x: &Expr| expr_deps(x, block);
    match &e.kind {
        ExprKind::Const(_)
        | ExprKind::Env { .. }
        | ExprKind::Response(_)
        | ExprKind::Invalid(_) => Deps::default(),
        ExprKind::Interp(parts) => parts.iter().fold(Deps::default(), |acc, p| match p {
            InterpPart::Text(_) => acc,
            InterpPart::Value(x) => acc.or(d(x)),
        }),
        ExprKind::List(items) => items.iter().fold(Deps::default(), |acc, x| acc.or(d(x))),
        ExprKind::Object(entries) => entries
            .iter()
            .fold(Deps::default(), |acc, (_, x)| acc.or(d(x))),
        ExprKind::Slot(slot) => Deps {
            block_slot: block(*slot),
            ..Deps::default()
        },
        ExprKind::Span(_) => Deps {
            span: true,
            ..Deps::default()
        },
        ExprKind::Item(_) => Deps {
            item: true,
            ..Deps::default()
        },
        ExprKind::Field(x, _)
        | ExprKind::Not(x)
        | ExprKind::Neg(x)
        | ExprKind::Exists(x)
        | ExprKind::Count(x) => d(x),
        ExprKind::ListFilter(list, pred) => {
            // The predicate's item is the filtered list's.
            let inner = d(pred);
            d(list).or(Deps {
                item: false,
                ..inner
            })
        }
        ExprKind::Index(a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::Arith(_, a, b) => d(a).or(d(b)),
        ExprKind::Quantified(q, sel) => {
            let base = sel_deps(sel, block);
            match q {
                Quant::Exactly(n) => base.or(d(n)),
                _ => base,
            }
        }
        ExprKind::Aggregate { arg, q, .. } => {
            let base = d(arg);
            q.as_ref().map_or(base, |q| base.or(d(q)))
        }
        ExprKind::Project { sel, .. } | ExprKind::Selection(sel) => sel_deps(sel, block),
        ExprKind::Order(order) => {
            let steps = order
                .steps
                .iter()
                .fold(Deps::default(), |acc, s| acc.or(sel_deps(s, block)));
            order.within.as_ref().map_or(steps, |w| steps.or(d(w)))
        }
    }
}

/// The dependencies of a selection. A filter's predicates read the filtered span, not the
/// current one; a relative selector reads the current span.
pub fn sel_deps(sel: &Sel, block: &dyn Fn(SlotId) -> bool) -> Deps {
    let s = |x: &Sel| sel_deps(x, block);
    // Only the block slots of a node evaluated per candidate span matter.
    let rebound = |x: Deps| Deps {
        span: false,
        item: false,
        block_slot: x.block_slot,
    };
    match &sel.kind {
        SelKind::All | SelKind::Service(_) => Deps::default(),
        SelKind::Slot(slot) => Deps {
            block_slot: block(*slot),
            ..Deps::default()
        },
        SelKind::Filter {
            input, conjuncts, ..
        } => conjuncts.iter().fold(s(input), |acc, c| {
            acc.or(rebound(expr_deps(&c.expr, block)))
        }),
        SelKind::Child { parent, child } => s(parent).or(s(child)),
        SelKind::Descendant {
            ancestor,
            descendant,
        } => s(ancestor).or(s(descendant)),
        SelKind::RelChild(x) | SelKind::RelDescendant(x) => s(x).or(Deps {
            span: true,
            ..Deps::default()
        }),
        SelKind::First(x) | SelKind::Last(x) | SelKind::Root(x) | SelKind::Leaf(x) => s(x),
        SelKind::Nth(x, n) => s(x).or(expr_deps(n, block)),
        SelKind::Has(x, rel) | SelKind::Not(x, rel) => s(x).or(rebound(s(rel))),
        SelKind::Dynamic(e) => expr_deps(e, block),
    }
}
