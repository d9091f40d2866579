//! Tests and statements.

use super::{Cx, Lowerer};
use crate::ir::{
    ArgPlan, BlockPlan, BlockQuantifier, ExpectPlan, ExprKind, LetPlan, OptionPlan, SlotKind, Step,
    TestPlan, TriggerPlan, WaitPlan,
};
use tbt_syntax::ast::{self, Quantifier, Stmt};

impl Lowerer<'_> {
    /// A test; `prelude` holds the `let`s of its suite before it.
    pub(super) fn test(
        &mut self,
        test: &ast::Test,
        suite: Option<&str>,
        prelude: &[Step],
    ) -> TestPlan {
        let name = test
            .name
            .as_ref()
            .and_then(|n| n.as_plain())
            .unwrap_or("")
            .to_string();
        let trigger = test.body.iter().find_map(|s| match s {
            Stmt::Trigger(t) => Some(self.trigger(t)),
            _ => None,
        });
        let mut body = prelude.to_vec();
        body.extend(self.steps(&test.body, Cx::default()));
        TestPlan {
            name,
            suite: suite.map(str::to_string),
            range: test.range,
            trigger,
            body,
        }
    }

    fn trigger(&mut self, t: &ast::Trigger) -> TriggerPlan {
        let trace_id = (t.kind.text == "trace")
            .then(|| t.args.first().map(|arg| self.value(arg, Cx::default())))
            .flatten();
        let kind = t.kind.text.as_str();
        let args = t
            .args
            .iter()
            .enumerate()
            .map(|(i, arg)| self.trigger_arg(arg, i == 0 && kind == "http"))
            .collect();
        let options = t
            .options
            .iter()
            .map(|opt| {
                let worded = matches!(opt.name.text.as_str(), "body" | "auth" | "tls");
                OptionPlan {
                    name: opt.name.text.clone(),
                    args: opt
                        .args
                        .iter()
                        .enumerate()
                        .map(|(i, arg)| self.trigger_arg(arg, i == 0 && worded))
                        .collect(),
                    value: opt.value.as_ref().map(|v| self.value(v, Cx::default())),
                    range: opt.range,
                }
            })
            .collect();
        TriggerPlan {
            kind: t.kind.text.clone(),
            range: t.range,
            trace_id,
            args,
            options,
        }
    }

    /// A positional argument: a bare word where the syntax expects one (`GET`, `json`),
    /// otherwise a value.
    fn trigger_arg(&mut self, arg: &ast::Expr, word_allowed: bool) -> ArgPlan {
        match &arg.kind {
            ast::ExprKind::Path(path) if word_allowed && path.segments.len() == 1 => {
                ArgPlan::Word(path.dotted().into(), arg.range)
            }
            _ => ArgPlan::Value(self.value(arg, Cx::default())),
        }
    }

    /// The statements of a test (`cx.block` false) or a span block.
    fn steps(&mut self, stmts: &[Stmt], cx: Cx) -> Vec<Step> {
        let mut out = Vec::new();
        for stmt in stmts {
            match stmt {
                Stmt::Let(binding) | Stmt::Output(binding) => {
                    let output = matches!(stmt, Stmt::Output(_));
                    let value = self.value(&binding.value, cx);
                    let kind = match (output, cx.block) {
                        (true, _) => SlotKind::Output,
                        (false, true) => SlotKind::BlockLet,
                        (false, false) => SlotKind::Let,
                    };
                    let slot = self.bind(&binding.name, kind);
                    if matches!(value.kind, ExprKind::Selection(_)) {
                        self.shared.selections.insert(slot);
                    }
                    let plan = LetPlan {
                        slot,
                        name: binding.name.text.clone(),
                        value,
                        range: binding.range,
                    };
                    out.push(if output {
                        Step::Output(plan)
                    } else {
                        Step::Let(plan)
                    });
                }
                Stmt::Expect(expect) => {
                    let id = self.assertion_id();
                    out.push(Step::Expect(ExpectPlan {
                        id,
                        range: expect.range,
                        expr: self.value(&expect.expr, cx),
                    }));
                }
                Stmt::Block(block) => out.push(Step::Block(self.block(block, cx))),
                Stmt::Wait(opt) => out.push(Step::Wait(WaitPlan {
                    what: opt.name.text.clone(),
                    range: opt.range,
                    value: opt.args.first().map(|a| self.value(a, cx)),
                })),
                _ => {}
            }
        }
        out
    }

    /// A body of `expect`s only, as one conjunction.
    fn block_conjuncts(&self, body: &[Step]) -> Option<Vec<crate::ir::Conjunct>> {
        let mut parts = Vec::new();
        for step in body {
            let Step::Expect(e) = step else { return None };
            flatten_and(&e.expr, &mut parts);
        }
        let shared = &*self.shared;
        let conjuncts = parts
            .into_iter()
            .map(|e| crate::classify::conjunct(e, &|s| shared.is_block_slot(s)))
            .collect();
        Some(crate::classify::order(conjuncts).0)
    }

    fn block(&mut self, block: &ast::SpanBlock, cx: Cx) -> BlockPlan {
        let id = self.assertion_id();
        let quantifier = match &block.quantifier {
            None => BlockQuantifier::Every,
            Some(Quantifier::No(_)) => BlockQuantifier::No,
            Some(Quantifier::Some(_) | Quantifier::Any(_)) => BlockQuantifier::Some,
            Some(Quantifier::Exactly(n, _)) => BlockQuantifier::Exactly(self.value(n, cx)),
        };
        let header = block.quantifier.as_ref().map_or(block.selector.range, |q| {
            q.range().cover(block.selector.range)
        });
        let selection = self.selection(&block.selector, cx);
        let inner = Cx {
            span: true,
            item: false,
            block: true,
        };
        let body = self.steps(&block.body, inner);
        let conjuncts = self.block_conjuncts(&body);
        BlockPlan {
            id,
            range: block.range,
            header,
            quantifier,
            selection,
            body,
            conjuncts,
        }
    }
}

/// The operands of a chain of `and`s.
fn flatten_and(e: &crate::ir::Expr, out: &mut Vec<crate::ir::Expr>) {
    match &e.kind {
        ExprKind::And(a, b) => {
            flatten_and(a, out);
            flatten_and(b, out);
        }
        _ => out.push(e.clone()),
    }
}
