//! EXPLAIN: a plan as an indented tree of operators, like SQL's EXPLAIN.
//!
//! ```text
//! test "checkout" [12:1-20:2]
//!   trigger http (skipped offline)
//!   expect [15:3] exactly 1 span[name == "process payment"]
//!     Quantify exactly 1
//!       Filter #0 (cached per test)
//!         access: scan
//!         1. name == "process payment"  [intrinsic eq]
//!         Scan every span
//! ```

use crate::ir::{
    Access, BlockQuantifier, Expr, ExprKind, FilePlan, LetPlan, Quant, Sel, SelKind, Step, TestPlan,
};
use crate::show::{show_expr, show_sel, show_subject};
use tbt_diagnostics::{LineIndex, TextRange};

/// Every test of a plan (and the constants they may read).
pub fn explain(plan: &FilePlan) -> String {
    let mut w = Writer::new(plan);
    for c in &plan.constants {
        w.binding("const", c, 0);
    }
    for test in &plan.tests {
        w.test(test);
    }
    w.out
}

/// One test of a plan.
pub fn explain_test(plan: &FilePlan, test: &TestPlan) -> String {
    let mut w = Writer::new(plan);
    w.test(test);
    w.out
}

struct Writer<'p> {
    plan: &'p FilePlan,
    lines: LineIndex,
    out: String,
}

impl<'p> Writer<'p> {
    fn new(plan: &'p FilePlan) -> Self {
        Writer {
            plan,
            lines: LineIndex::new(&plan.text),
            out: String::new(),
        }
    }

    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn at(&self, range: TextRange) -> String {
        let start = self.lines.line_col(range.start);
        format!("{}:{}", start.line + 1, start.col + 1)
    }

    fn span(&self, range: TextRange) -> String {
        let start = self.lines.line_col(range.start);
        let end = self.lines.line_col(range.end);
        format!(
            "{}:{}-{}:{}",
            start.line + 1,
            start.col + 1,
            end.line + 1,
            end.col + 1
        )
    }

    fn test(&mut self, test: &TestPlan) {
        let suite = test
            .suite
            .as_ref()
            .map(|s| format!(" in suite {s:?}"))
            .unwrap_or_default();
        let header = format!("test {:?}{suite} [{}]", test.name, self.span(test.range));
        self.line(0, &header);
        if let Some(t) = &test.trigger {
            let text = match &t.trace_id {
                Some(id) => format!(
                    "trigger trace {} (offline: the spans of that trace)",
                    show_expr(self.plan, id)
                ),
                None => format!("trigger {} (skipped offline)", t.kind),
            };
            self.line(1, &text);
        }
        self.steps(&test.body, 1);
    }

    fn binding(&mut self, word: &str, b: &LetPlan, depth: usize) {
        let text = format!(
            "{word} {} = {}  (slot {})",
            b.name,
            show_expr(self.plan, &b.value),
            b.slot
        );
        self.line(depth, &text);
        if has_selection(&b.value) {
            self.expr(&b.value, depth + 1);
        }
    }

    fn steps(&mut self, steps: &[Step], depth: usize) {
        for step in steps {
            match step {
                Step::Let(b) => self.binding("let", b, depth),
                Step::Output(b) => self.binding("output", b, depth),
                Step::Wait(w) => {
                    let value = w
                        .value
                        .as_ref()
                        .map(|v| show_expr(self.plan, v))
                        .unwrap_or_default();
                    let text = format!("wait {} {value} (ignored offline)", w.what);
                    self.line(depth, text.trim_end());
                }
                Step::Expect(e) => {
                    let text = format!(
                        "expect [{}] {}",
                        self.at(e.range),
                        show_expr(self.plan, &e.expr)
                    );
                    self.line(depth, &text);
                    if has_selection(&e.expr) {
                        self.expr(&e.expr, depth + 1);
                    }
                }
                Step::Block(b) => {
                    let q = match &b.quantifier {
                        BlockQuantifier::Every => {
                            "every selected span, and at least one".to_string()
                        }
                        BlockQuantifier::No => "no selected span".into(),
                        BlockQuantifier::Some => "at least one selected span".into(),
                        BlockQuantifier::Exactly(n) => {
                            format!("exactly {} selected spans", show_expr(self.plan, n))
                        }
                    };
                    let text = format!(
                        "block [{}] {}: {q} satisfies the body",
                        self.at(b.range),
                        show_sel(self.plan, &b.selection)
                    );
                    self.line(depth, &text);
                    self.sel(&b.selection, depth + 1);
                    self.line(depth + 1, "for each span:");
                    self.steps(&b.body, depth + 2);
                }
            }
        }
    }

    /// An expression's operator tree; scalar parts are shown inline.
    fn expr(&mut self, e: &Expr, depth: usize) {
        if !has_selection(e) {
            let text = format!("Value {}", show_expr(self.plan, e));
            self.line(depth, &text);
            return;
        }
        match &e.kind {
            ExprKind::Cmp(op, a, b) => {
                self.line(depth, &format!("Compare {}", op.as_str()));
                self.expr(a, depth + 1);
                self.expr(b, depth + 1);
            }
            ExprKind::Arith(op, a, b) => {
                self.line(depth, &format!("Arithmetic {}", op.as_str()));
                self.expr(a, depth + 1);
                self.expr(b, depth + 1);
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let word = if matches!(e.kind, ExprKind::And(..)) {
                    "And"
                } else {
                    "Or"
                };
                self.line(depth, &format!("{word} (short-circuit)"));
                self.expr(a, depth + 1);
                self.expr(b, depth + 1);
            }
            ExprKind::Not(x) => {
                self.line(depth, "Not");
                self.expr(x, depth + 1);
            }
            ExprKind::Quantified(q, s) => {
                let text = match q {
                    Quant::No => "Quantify no (none selected)".to_string(),
                    Quant::Some => "Quantify some (at least one selected)".to_string(),
                    Quant::Exactly(n) => format!("Quantify exactly {}", show_expr(self.plan, n)),
                };
                self.line(depth, &text);
                self.sel(s, depth + 1);
            }
            ExprKind::Count(x) => {
                self.line(depth, "Count");
                self.expr(x, depth + 1);
            }
            ExprKind::Aggregate { func, arg, q, .. } => {
                let q = q
                    .as_ref()
                    .map(|q| format!(" q={}", show_expr(self.plan, q)))
                    .unwrap_or_default();
                let name = format!("{func:?}").to_lowercase();
                self.line(depth, &format!("Aggregate {name}{q}"));
                self.expr(arg, depth + 1);
            }
            ExprKind::Project {
                sel,
                field,
                single,
                ordered,
            } => {
                let how = if *single {
                    "one span's value"
                } else if *ordered {
                    "values in start-time order"
                } else {
                    "values, any order"
                };
                self.line(depth, &format!("Project {} ({how})", show_subject(field)));
                self.sel(sel, depth + 1);
            }
            ExprKind::Selection(s) => self.sel(s, depth),
            ExprKind::Order(order) => {
                let ops: Vec<&str> = order.ops.iter().map(|o| o.as_str()).collect();
                let within = order
                    .within
                    .as_ref()
                    .map(|w| format!(" within {}", show_expr(self.plan, w)))
                    .unwrap_or_default();
                self.line(
                    depth,
                    &format!(
                        "Order {}{within} (one chain of spans, step by step)",
                        ops.join(" ")
                    ),
                );
                for step in &order.steps {
                    self.sel(step, depth + 1);
                }
            }
            _ => {
                let text = format!("Value {}", show_expr(self.plan, e));
                self.line(depth, &text);
            }
        }
    }

    fn sel(&mut self, s: &Sel, depth: usize) {
        let cached = if s.cacheable {
            " (cached per test)"
        } else {
            ""
        };
        match &s.kind {
            SelKind::All => self.line(depth, "Scan every span"),
            SelKind::Service(name) => self.line(
                depth,
                &format!("Service {name:?} (service.name of the resource)"),
            ),
            SelKind::Slot(slot) => {
                let name = self
                    .plan
                    .slots
                    .get(*slot as usize)
                    .map_or("?", |x| x.name.as_str())
                    .to_string();
                self.line(depth, &format!("Named selection {name} (slot {slot})"));
            }
            SelKind::Filter {
                input,
                conjuncts,
                access,
            } => {
                self.line(depth, &format!("Filter #{}{cached}", s.id));
                let access = match access {
                    _ if !matches!(input.kind, SelKind::All) => {
                        "access: the input's spans".to_string()
                    }
                    Access::Scan => "access: scan".to_string(),
                    Access::AttrIndex { attr, conjunct } => format!(
                        "access: attribute column {} (conjunct {}), else scan",
                        show_subject(&crate::ir::Subject::Attr(attr.clone())),
                        conjunct + 1
                    ),
                };
                self.line(depth + 1, &access);
                for (i, c) in conjuncts.iter().enumerate() {
                    let fallible = if c.fallible {
                        ", keeps source order"
                    } else {
                        ""
                    };
                    let text = format!(
                        "{}. {}  [{}{fallible}]",
                        i + 1,
                        show_expr(self.plan, &c.expr),
                        c.cost.as_str()
                    );
                    self.line(depth + 1, &text);
                }
                self.sel(input, depth + 1);
            }
            SelKind::Child { parent, child } => {
                self.line(depth, &format!("Child join (parent index){cached}"));
                self.sel(parent, depth + 1);
                self.sel(child, depth + 1);
            }
            SelKind::Descendant {
                ancestor,
                descendant,
            } => {
                self.line(
                    depth,
                    &format!("Descendant join (pre/post-order containment){cached}"),
                );
                self.sel(ancestor, depth + 1);
                self.sel(descendant, depth + 1);
            }
            SelKind::RelChild(x) => {
                self.line(depth, "Children of the current span");
                self.sel(x, depth + 1);
            }
            SelKind::RelDescendant(x) => {
                self.line(depth, "Descendants of the current span (pre-order range)");
                self.sel(x, depth + 1);
            }
            SelKind::First(x) | SelKind::Last(x) => {
                let word = if matches!(s.kind, SelKind::First(_)) {
                    "First"
                } else {
                    "Last"
                };
                self.line(depth, &format!("{word} by start time{cached}"));
                self.sel(x, depth + 1);
            }
            SelKind::Nth(x, n) => {
                let text = format!("Nth {} by start time{cached}", show_expr(self.plan, n));
                self.line(depth, &text);
                self.sel(x, depth + 1);
            }
            SelKind::Root(x) => {
                self.line(depth, &format!("Roots (no parent id){cached}"));
                self.sel(x, depth + 1);
            }
            SelKind::Leaf(x) => {
                self.line(depth, &format!("Leaves (no children){cached}"));
                self.sel(x, depth + 1);
            }
            SelKind::Has(x, r) | SelKind::Not(x, r) => {
                let word = if matches!(s.kind, SelKind::Has(..)) {
                    "Has (semi-join on the relative selection)"
                } else {
                    "Not (anti-join)"
                };
                self.line(depth, &format!("{word}{cached}"));
                self.sel(x, depth + 1);
                self.sel(r, depth + 1);
            }
            SelKind::Dynamic(e) => {
                let text = format!("Dynamic {}", show_expr(self.plan, e));
                self.line(depth, &text);
            }
        }
    }
}

/// Whether an expression evaluates a selection somewhere (then it is shown as a tree).
fn has_selection(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Quantified(..)
        | ExprKind::Selection(_)
        | ExprKind::Project { .. }
        | ExprKind::Order(_) => true,
        ExprKind::Field(x, _)
        | ExprKind::Not(x)
        | ExprKind::Neg(x)
        | ExprKind::Exists(x)
        | ExprKind::Count(x) => has_selection(x),
        ExprKind::Index(a, b)
        | ExprKind::ListFilter(a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::Arith(_, a, b) => has_selection(a) || has_selection(b),
        ExprKind::Aggregate { arg, .. } => has_selection(arg),
        _ => false,
    }
}
