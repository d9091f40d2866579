//! Selections: `span`, filters, combinators, pseudo-classes, named selections, services.

use super::{Cx, Lowerer};
use crate::classify;
use crate::deps::sel_deps;
use crate::ir::{Conjunct, Expr, ExprKind, Sel, SelKind};
use tbt_diagnostics::TextRange;
use tbt_syntax::ast::{self, BinaryOp, Combinator, ExprKind as Ast};

impl Lowerer<'_> {
    /// Builds a selection node, deciding whether its result can be cached per test.
    pub(super) fn sel(&mut self, kind: SelKind, range: TextRange) -> Sel {
        let id = self.sel_id();
        let mut sel = Sel {
            id,
            kind,
            range,
            cacheable: false,
        };
        let shared = &*self.shared;
        sel.cacheable = sel_deps(&sel, &|s| shared.is_block_slot(s)).is_constant();
        sel
    }

    /// `e` as a selection; a value that is not one (already reported) becomes a dynamic
    /// selection.
    pub(super) fn selection(&mut self, e: &ast::Expr, cx: Cx) -> Sel {
        match self.try_selection(e, cx) {
            Some(sel) => sel,
            None => {
                let value = self.value(e, cx);
                self.sel(SelKind::Dynamic(Box::new(value)), e.range)
            }
        }
    }

    /// `e` as a selection, when it is one syntactically.
    pub(super) fn try_selection(&mut self, e: &ast::Expr, cx: Cx) -> Option<Sel> {
        let kind = match &e.kind {
            Ast::Span => SelKind::All,
            Ast::Paren(inner) => return self.try_selection(inner, cx),
            Ast::Path(path) => {
                let [name] = path.segments.as_slice() else {
                    return None;
                };
                let slot = self.binding(name)?;
                if !self.shared.selections.contains(&slot) {
                    return None;
                }
                SelKind::Slot(slot)
            }
            Ast::Index(base, pred) => {
                let input = self.try_selection(base, cx)?;
                return Some(self.filter(input, pred, e.range));
            }
            Ast::Pseudo(base, pseudo) => {
                let input = Box::new(self.selection(base, cx));
                let args = pseudo.args.as_deref().unwrap_or(&[]);
                let rel_cx = Cx {
                    span: true,
                    item: false,
                    block: cx.block,
                };
                match pseudo.name.text.as_str() {
                    "first" => SelKind::First(input),
                    "last" => SelKind::Last(input),
                    "root" => SelKind::Root(input),
                    "leaf" => SelKind::Leaf(input),
                    "nth" => {
                        let n = match args.first() {
                            Some(arg) => self.value(arg, cx),
                            None => invalid("`:nth` without a number", pseudo.range),
                        };
                        SelKind::Nth(input, Box::new(n))
                    }
                    "has" | "not" => {
                        let rel = match args.first() {
                            Some(arg) => self.selection(arg, rel_cx),
                            None => {
                                let value =
                                    invalid("a pseudo-class without its selector", pseudo.range);
                                self.sel(SelKind::Dynamic(Box::new(value)), pseudo.range)
                            }
                        };
                        if pseudo.name.text == "has" {
                            SelKind::Has(input, Box::new(rel))
                        } else {
                            SelKind::Not(input, Box::new(rel))
                        }
                    }
                    _ => {
                        SelKind::Dynamic(Box::new(invalid("an unknown pseudo-class", pseudo.range)))
                    }
                }
            }
            Ast::Combine {
                left,
                combinator,
                right,
            } => {
                let right = Box::new(self.selection(right, cx));
                match (left, combinator) {
                    (Some(left), Combinator::Child) => SelKind::Child {
                        parent: Box::new(self.selection(left, cx)),
                        child: right,
                    },
                    (Some(left), Combinator::Descendant) => SelKind::Descendant {
                        ancestor: Box::new(self.selection(left, cx)),
                        descendant: right,
                    },
                    (None, Combinator::Child) => SelKind::RelChild(right),
                    (None, Combinator::Descendant) => SelKind::RelDescendant(right),
                }
            }
            _ => return None,
        };
        Some(self.sel(kind, e.range))
    }

    /// `input[pred]`: consecutive filters merge into one conjunction.
    fn filter(&mut self, input: Sel, pred: &ast::Expr, range: TextRange) -> Sel {
        let span_cx = Cx {
            span: true,
            item: false,
            block: false,
        };
        let mut parts = Vec::new();
        flatten_and(pred, &mut parts);
        let mut conjuncts: Vec<Conjunct> = Vec::new();
        for part in parts {
            let expr = self.value(part, span_cx);
            let shared = &*self.shared;
            conjuncts.push(classify::conjunct(expr, &|s| shared.is_block_slot(s)));
        }
        let input = match input.kind {
            SelKind::Filter {
                input: inner,
                conjuncts: earlier,
                ..
            } => {
                let mut all = earlier;
                all.extend(conjuncts);
                conjuncts = all;
                *inner
            }
            _ => input,
        };
        let (conjuncts, access) = classify::order(conjuncts);
        self.sel(
            SelKind::Filter {
                input: Box::new(input),
                conjuncts,
                access,
            },
            range,
        )
    }

    /// A step of an ordering chain: a service (a bare name that is no binding, or a string) or
    /// a selection.
    pub(super) fn order_step(&mut self, step: &ast::Expr, cx: Cx) -> Sel {
        if let Ast::String(lit) = &step.kind
            && let Some(name) = lit.as_plain()
        {
            return self.sel(SelKind::Service(name.into()), step.range);
        }
        if let Ast::Path(path) = &step.kind
            && let [name] = path.segments.as_slice()
            && self.binding(name).is_none()
        {
            return self.sel(SelKind::Service(name.text.clone()), step.range);
        }
        self.selection(step, cx)
    }
}

/// The operands of a chain of `and`s (through parentheses).
fn flatten_and<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
    match &e.kind {
        Ast::Binary(BinaryOp::And, l, r) => {
            flatten_and(l, out);
            flatten_and(r, out);
        }
        Ast::Paren(inner) if matches!(inner.kind, Ast::Binary(BinaryOp::And, ..)) => {
            flatten_and(inner, out)
        }
        _ => out.push(e),
    }
}

/// A node that fails when evaluated, with the reason.
pub(super) fn invalid(why: &str, range: TextRange) -> Expr {
    Expr {
        kind: ExprKind::Invalid(why.to_string()),
        range,
    }
}
