//! Statements: blocks, bindings, triggers, waits, expectations.

use super::Checker;
use crate::analysis::BindingKind;
use crate::resolve::TriggerKind;
use crate::scope::{Binding, Frame};
use crate::ty::Ty;
use smol_str::SmolStr;
use std::collections::HashMap;
use tbt_diagnostics::{Diagnostic, TextRange, codes};
use tbt_syntax::ast::{Expr, ExprKind, Let, Opt, SpanBlock, Stmt, Suite, Test, Trigger};

impl Checker<'_> {
    pub(super) fn stmts(&mut self, stmts: &[Stmt]) {
        for stmt in stmts {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Use(_) | Stmt::Schema(_) | Stmt::Error(_) => {}
            Stmt::Test(test) => self.test(test, None),
            Stmt::Suite(suite) => self.suite(suite),
            Stmt::Trigger(trigger) => self.trigger(trigger),
            Stmt::Expect(expect) => {
                let ty = self.expr(&expect.expr);
                self.expect_bool(&expect.expr, &ty, "an expectation");
            }
            Stmt::Let(binding) => {
                let ty = self.expr(&binding.value);
                self.bind_let(binding, ty, BindingKind::Let);
            }
            Stmt::Output(binding) => {
                let ty = self.expr(&binding.value);
                self.bind_let(binding, ty, BindingKind::Output);
            }
            Stmt::Wait(opt) => self.wait(opt),
            Stmt::Block(block) => self.block(block),
        }
    }

    /// Binds a `let` or `output` in the innermost frame, reporting a second definition there.
    pub(super) fn bind_let(&mut self, binding: &Let, ty: Ty, kind: BindingKind) {
        let new = Binding::local(binding.name.text.clone(), binding.name.range, ty, kind);
        let Some(earlier) = self.scopes.bind(new) else {
            return;
        };
        let name = &binding.name.text;
        if let crate::Target::Constant(at) = &earlier.target
            && at.file == self.cx.path
        {
            // Defined in an earlier part of this file, checked separately.
            self.report(
                Diagnostic::new(codes::DUPLICATE_DEFINITION, binding.name.range, format!("`{name}` is already defined above"))
                    .with_label("defined again")
                    .with_help("rename one of them; an inner block may shadow an outer name, the same block may not"),
            );
        }
        if let Some(first) = earlier.local_range() {
            self.report(
                Diagnostic::new(codes::DUPLICATE_DEFINITION, binding.name.range, format!("`{name}` is already defined in this block"))
                    .with_label("defined again")
                    .with_secondary(first, "first defined here")
                    .with_help("rename one of them; an inner block may shadow an outer name, the same block may not"),
            );
        }
    }

    fn suite(&mut self, suite: &Suite) {
        self.scopes.push(Frame::Suite);
        let mut outputs: HashMap<SmolStr, TextRange> = HashMap::new();
        for stmt in &suite.body {
            match stmt {
                Stmt::Test(test) => self.test(test, Some(&mut outputs)),
                other => self.stmt(other),
            }
        }
        self.scopes.pop();
    }

    /// Checks a test; in a suite, its outputs become visible to the later tests.
    fn test(&mut self, test: &Test, suite_outputs: Option<&mut HashMap<SmolStr, TextRange>>) {
        let trigger = test.body.iter().find_map(|s| match s {
            Stmt::Trigger(t) => Some(TriggerKind::from_name(&t.kind.text)),
            _ => None,
        });
        let saved = (self.trigger, self.place);
        self.trigger = trigger.unwrap_or(TriggerKind::Unknown);
        self.place.test = true;
        self.scopes.push(Frame::Test);
        self.stmts(&test.body);
        let bindings = self.scopes.pop();
        (self.trigger, self.place) = saved;
        let Some(outputs) = suite_outputs else { return };
        for stmt in &test.body {
            let Stmt::Output(output) = stmt else { continue };
            let name = &output.name.text;
            if let Some(&first) = outputs.get(name) {
                if first != output.name.range {
                    self.report(
                        Diagnostic::new(codes::DUPLICATE_OUTPUT, output.name.range, format!("output `{name}` is already defined in this suite"))
                            .with_label("defined again")
                            .with_secondary(first, "first defined here")
                            .with_help("outputs are visible to the later tests of the suite, so each name may be defined once; rename one"),
                    );
                }
                continue;
            }
            outputs.insert(name.clone(), output.name.range);
            if let Some(binding) = bindings
                .iter()
                .rev()
                .find(|b| b.local_range() == Some(output.name.range))
            {
                self.scopes.bind_in(Frame::Suite, binding.clone());
            }
        }
    }

    fn trigger(&mut self, trigger: &Trigger) {
        for (i, arg) in trigger.args.iter().enumerate() {
            if i == 0 && trigger.kind.text == "http" && matches!(arg.kind, ExprKind::Path(_)) {
                continue; // the method: GET, POST, ...
            }
            self.expr(arg);
        }
        for opt in &trigger.options {
            self.option(opt);
        }
    }

    fn option(&mut self, opt: &Opt) {
        let worded = matches!(opt.name.text.as_str(), "body" | "auth" | "tls");
        for (i, arg) in opt.args.iter().enumerate() {
            if i == 0 && worded && matches!(arg.kind, ExprKind::Path(_)) {
                continue; // the kind: json, bearer, ca, ...
            }
            let ty = self.expr(arg);
            match opt.name.text.as_str() {
                "timeout" | "settle" => {
                    self.expect_duration(arg, &ty, &format!("`{}`", opt.name.text))
                }
                "redirects" => self.expect_int(arg, &ty),
                _ => {}
            }
        }
        if let Some(value) = &opt.value {
            self.expr(value);
        }
    }

    fn wait(&mut self, opt: &Opt) {
        if opt.name.text == "until" {
            for arg in &opt.args {
                let ty = self.expr(arg);
                if ty != Ty::Selection {
                    self.expect_bool(arg, &ty, "`wait until`");
                }
            }
        } else {
            self.option(opt);
        }
    }

    fn block(&mut self, block: &SpanBlock) {
        if let Some(tbt_syntax::ast::Quantifier::Exactly(n, _)) = &block.quantifier {
            let ty = self.expr(n);
            self.expect_int(n, &ty);
        }
        let ty = self.expr(&block.selector);
        self.expect_selection(&block.selector, &ty, "a span block");
        self.scopes.push(Frame::Block);
        self.with_span(true, |c| c.stmts(&block.body));
        self.scopes.pop();
    }

    /// Reports `expr` unless it is a bool (or dynamic).
    pub(super) fn expect_bool(&mut self, expr: &Expr, ty: &Ty, what: &str) {
        if *ty == Ty::Bool || ty.is_dynamic() {
            return;
        }
        let help = match ty {
            Ty::Selection => {
                "to assert that spans exist, write `some span[...]`; a block `span[...] { ... }` asserts on each span"
            }
            Ty::Service => "to order services, write `a -> b`",
            _ => "write a comparison, e.g. `x == 1`",
        };
        self.report(
            Diagnostic::new(
                codes::TYPE_MISMATCH,
                expr.range,
                format!("{what} must be a `bool`, not `{ty}`"),
            )
            .with_label(format!("this is {ty:#}"))
            .with_help(help),
        );
    }

    pub(super) fn expect_int(&mut self, expr: &Expr, ty: &Ty) {
        if *ty != Ty::Int && !ty.is_dynamic() {
            self.report(
                Diagnostic::new(
                    codes::TYPE_MISMATCH,
                    expr.range,
                    format!("expected an `int`, found `{ty}`"),
                )
                .with_label(format!("this is {ty:#}"))
                .with_help("write a whole number, e.g. `1`"),
            );
        }
    }

    /// Reports `expr` unless it is a selection (or dynamic).
    pub(super) fn expect_selection(&mut self, expr: &Expr, ty: &Ty, what: &str) {
        if *ty == Ty::Selection || ty.is_dynamic() {
            return;
        }
        self.report(
            Diagnostic::new(
                codes::NOT_A_SELECTION,
                expr.range,
                format!("{what} needs a span selection, not `{ty}`"),
            )
            .with_label(format!("this is {ty:#}"))
            .with_help(
                "select spans with `span[...]`, or name a selection with `let pay = span[...]`",
            ),
        );
    }

    /// Reports `expr` unless it is a duration; a bare number gets E0102.
    pub(super) fn expect_duration(&mut self, expr: &Expr, ty: &Ty, what: &str) {
        if *ty == Ty::Duration || ty.is_dynamic() {
            return;
        }
        if self.unitless(expr) {
            return;
        }
        self.report(
            Diagnostic::new(
                codes::TYPE_MISMATCH,
                expr.range,
                format!("{what} needs a `duration`, not `{ty}`"),
            )
            .with_label(format!("this is {ty:#}"))
            .with_help("write a duration such as `500ms` or `5s`"),
        );
    }
}
