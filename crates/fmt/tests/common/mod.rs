//! Helpers shared by the formatter's tests: a range-free view of the tree, and the properties
//! every formatted file must have.

#![allow(dead_code)]

use tbt_diagnostics::TextRange;
use tbt_syntax::ast::*;

const NO: TextRange = TextRange { start: 0, end: 0 };

/// The tree with every range cleared, so that trees of differently laid-out texts compare.
pub fn normalize(file: &SourceFile) -> SourceFile {
    let mut file = file.clone();
    file.items.iter_mut().for_each(stmt);
    file
}

fn name(n: &mut Name) {
    n.range = NO;
}

fn path(p: &mut Path) {
    p.range = NO;
    p.segments.iter_mut().for_each(name);
}

fn string(s: &mut StringLit) {
    s.range = NO;
    for part in &mut s.parts {
        if let StringPart::Interpolation(p) = part {
            path(p);
        }
    }
}

fn stmt(s: &mut Stmt) {
    match s {
        Stmt::Use(u) => {
            u.range = NO;
            string(&mut u.path);
        }
        Stmt::Schema(schema) => {
            schema.range = NO;
            schema.items.iter_mut().for_each(schema_item);
        }
        Stmt::Test(test) => {
            test.range = NO;
            test.name.iter_mut().for_each(string);
            test.body.iter_mut().for_each(stmt);
        }
        Stmt::Suite(suite) => {
            suite.range = NO;
            suite.name.iter_mut().for_each(string);
            suite.body.iter_mut().for_each(stmt);
        }
        Stmt::Trigger(trigger) => {
            trigger.range = NO;
            name(&mut trigger.kind);
            trigger.args.iter_mut().for_each(expr);
            trigger.options.iter_mut().for_each(opt);
        }
        Stmt::Expect(expect) => {
            expect.range = NO;
            expr(&mut expect.expr);
        }
        Stmt::Let(binding) | Stmt::Output(binding) => {
            binding.range = NO;
            name(&mut binding.name);
            expr(&mut binding.value);
        }
        Stmt::Wait(o) => opt(o),
        Stmt::Block(block) => {
            block.range = NO;
            block.quantifier.iter_mut().for_each(quantifier);
            expr(&mut block.selector);
            block.body.iter_mut().for_each(stmt);
        }
        Stmt::Error(range) => *range = NO,
    }
}

fn schema_item(item: &mut SchemaItem) {
    match item {
        SchemaItem::Services(services) => {
            services.range = NO;
            services.names.iter_mut().for_each(name);
        }
        SchemaItem::Attribute(attribute) => {
            attribute.range = NO;
            path(&mut attribute.name);
            type_expr(&mut attribute.ty);
            attribute.doc.iter_mut().for_each(string);
        }
        SchemaItem::Error(range) => *range = NO,
    }
}

fn type_expr(ty: &mut TypeExpr) {
    match ty {
        TypeExpr::Named(n) => name(n),
        TypeExpr::List(inner, range) => {
            *range = NO;
            type_expr(inner);
        }
        TypeExpr::Enum(members, range) => {
            *range = NO;
            members.iter_mut().for_each(string);
        }
        TypeExpr::Error(range) => *range = NO,
    }
}

fn opt(o: &mut Opt) {
    o.range = NO;
    name(&mut o.name);
    o.args.iter_mut().for_each(expr);
    o.value.iter_mut().for_each(expr);
}

fn quantifier(q: &mut Quantifier) {
    match q {
        Quantifier::No(r) | Quantifier::Some(r) | Quantifier::Any(r) => *r = NO,
        Quantifier::Exactly(n, r) => {
            *r = NO;
            expr(n);
        }
    }
}

fn expr(e: &mut Expr) {
    e.range = NO;
    match &mut e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Duration { .. }
        | ExprKind::Regex(_)
        | ExprKind::Span
        | ExprKind::Error => {}
        ExprKind::String(s) => string(s),
        ExprKind::List(items) => items.iter_mut().for_each(expr),
        ExprKind::Object(entries) => {
            for entry in entries {
                string(&mut entry.key);
                expr(&mut entry.value);
            }
        }
        ExprKind::Path(p) => path(p),
        ExprKind::Field(base, n) => {
            expr(base);
            name(n);
        }
        ExprKind::Index(base, index) => {
            expr(base);
            expr(index);
        }
        ExprKind::Pseudo(base, pseudo) => {
            expr(base);
            pseudo.range = NO;
            name(&mut pseudo.name);
            pseudo.args.iter_mut().flatten().for_each(expr);
        }
        ExprKind::Combine { left, right, .. } => {
            left.iter_mut().for_each(|l| expr(l));
            expr(right);
        }
        ExprKind::Call(n, args) => {
            name(n);
            args.iter_mut().for_each(expr);
        }
        ExprKind::Unary(_, x) | ExprKind::Exists(x) | ExprKind::Paren(x) => expr(x),
        ExprKind::Binary(_, l, r) => {
            expr(l);
            expr(r);
        }
        ExprKind::Quantified(q, x) => {
            quantifier(q);
            expr(x);
        }
        ExprKind::Order { steps, within, .. } => {
            steps.iter_mut().for_each(expr);
            within.iter_mut().for_each(|w| expr(w));
        }
    }
}

/// The comments of a text, trimmed, in order.
pub fn comments(text: &str) -> Vec<String> {
    tbt_syntax::parse(text)
        .comments
        .iter()
        .map(|c| text[c.to_usize()].trim_end().to_string())
        .collect()
}

/// Formats `input`, which must be free of syntax errors, and checks every property of the
/// formatter on it. Returns the formatted text.
#[track_caller]
pub fn check(label: &str, input: &str) -> String {
    let parsed = tbt_syntax::parse(input);
    assert!(
        !parsed.has_errors(),
        "{label}: the input has syntax errors: {:#?}",
        parsed.diagnostics
    );
    let once = match tbt_fmt::format(input) {
        Ok(once) => once,
        Err(errors) => panic!("{label}: format refused a valid input: {errors:#?}"),
    };

    let reparsed = tbt_syntax::parse(&once);
    assert!(
        !reparsed.has_errors(),
        "{label}: the formatted text has errors: {:#?}\n--- formatted ---\n{once}",
        reparsed.diagnostics
    );
    let (before, after) = (normalize(&parsed.file), normalize(&reparsed.file));
    if before != after {
        panic!(
            "{label}: formatting changed the meaning\n--- input ---\n{input}\n--- formatted ---\n{once}\n--- tree before ---\n{before:#?}\n--- tree after ---\n{after:#?}"
        );
    }

    assert_eq!(
        comments(input),
        comments(&once),
        "{label}: comments lost or reordered\n--- formatted ---\n{once}"
    );

    let twice = tbt_fmt::format(&once)
        .unwrap_or_else(|e| panic!("{label}: formatted text refused: {e:#?}"));
    assert_eq!(
        once, twice,
        "{label}: formatting is not idempotent\n--- input ---\n{input}"
    );

    check_layout(label, &once);
    once
}

/// Whitespace rules that hold for every formatted file.
#[track_caller]
pub fn check_layout(label: &str, out: &str) {
    if out.is_empty() {
        return;
    }
    assert!(
        out.ends_with('\n') && !out.ends_with("\n\n"),
        "{label}: the file must end with exactly one newline"
    );
    assert!(!out.starts_with('\n'), "{label}: blank line at the start");
    assert!(
        !out.contains("\n\n\n"),
        "{label}: more than one blank line in a row:\n{out}"
    );
    let lines: Vec<&str> = out.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(
            line.trim_end(),
            *line,
            "{label}: trailing whitespace on line {}",
            i + 1
        );
        let indent = line.len() - line.trim_start_matches(' ').len();
        assert_eq!(indent % 2, 0, "{label}: odd indentation on line {}", i + 1);
        if line.ends_with('{')
            && !line.contains('#')
            && let Some(next) = lines.get(i + 1)
        {
            assert!(
                !next.is_empty(),
                "{label}: blank line after `{{` on line {}",
                i + 1
            );
        }
        if line.trim() == "}" && i > 0 {
            assert!(
                !lines[i - 1].is_empty(),
                "{label}: blank line before `}}` on line {}",
                i + 1
            );
        }
    }
}
