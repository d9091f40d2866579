//! The editor grammars agree with the compiler.
//!
//! Every example, every ```tbt snippet of `docs/language.md`, every file of `tests/corpus/`,
//! every example of the diagnostic-code registry and every input of the tree-sitter grammar's
//! own tests (`grammar/tree-sitter-tbt/test/`) is parsed by both the compiler
//! (`tbt_syntax::parse`) and the tree-sitter grammar (`grammar/tree-sitter-tbt`):
//!
//! - tree-sitter finds an ERROR or MISSING node exactly when the compiler reports a syntax
//!   error (see [`SYNTAX_CODES`]);
//! - where neither finds one, both read the same tree: every statement and expression is
//!   printed in one canonical form from each side, and the two texts must be equal. This pins
//!   down precedence, associativity, the same-line rule of arguments, selector combinators...
//!
//! The same holds for thousands of small random edits of the examples and the valid corpus
//! (`TBT_GRAMMAR_EDITS`, `TBT_GRAMMAR_SEED` and `TBT_GRAMMAR_DUMP` explore and reproduce).
//!
//! The keywords and operators of `grammar.js`, of the external scanner and of the TextMate
//! grammar are checked against the lexer's `Kind::KEYWORDS` and `Kind::PUNCTUATION`, and the
//! editors' copies of the queries against the grammar's.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use tbt_diagnostics::codes::{self, CODES};
use tbt_diagnostics::{Code, Diagnostic, LineIndex};
use tbt_syntax::Kind;
use tbt_syntax::ast::*;
use tbt_tests::{files_with_extension, workspace_root};
use tree_sitter::{Node, Parser, Tree};

/// The codes that make a file syntactically invalid: those emitted by the lexer, the delimiter
/// pass, the parser and the literal decoders it calls. tree-sitter must reject a file exactly
/// when the compiler reports one of them.
const SYNTAX_CODES: &[(Code, &str)] = &[
    (codes::UNEXPECTED_TOKEN, "parser"),
    (codes::UNTERMINATED_STRING, "lexer"),
    (codes::UNTERMINATED_REGEX, "lexer"),
    (codes::INVALID_ESCAPE, "string decoder"),
    (codes::INVALID_CHARACTER, "lexer"),
    (codes::UNCLOSED_DELIMITER, "delimiter pass"),
    (codes::UNMATCHED_CLOSING, "delimiter pass"),
    (
        codes::INVALID_NUMBER,
        "number decoder: an integer that overflows i64, a float that overflows f64",
    ),
    (codes::UNKNOWN_DURATION_UNIT, "duration decoder"),
    (codes::INVALID_INTERPOLATION, "string decoder"),
    (
        codes::MISSING_NAME,
        "parser: `test` or `suite` without a name",
    ),
    (codes::EXPECTED_EXPRESSION, "parser"),
    (codes::INVALID_REGEX_FLAG, "regex decoder"),
    (codes::SINGLE_EQUALS, "parser"),
    (codes::FOREIGN_OPERATOR, "lexer"),
    (codes::EMPTY_SELECTOR, "parser: `x[]`"),
    (
        codes::INVALID_QUANTIFIER,
        "parser: `exactly` without a count",
    ),
    (
        codes::MISPLACED_WITHIN,
        "parser: `within` without `->` or `=>`",
    ),
    (codes::KEYWORD_AS_NAME, "parser: `let expect = 1`"),
    (
        codes::UNKNOWN_STATEMENT,
        "parser: `assert x`, or an expression without a block",
    ),
    (codes::MISSING_BLOCK, "parser"),
    (codes::INCOMPLETE_ENUM, "parser: `\"a\" |`"),
];

/// The codes that are not syntax errors, and why tree-sitter accepts what they reject.
const NOT_SYNTAX_CODES: &[(Code, &str)] = &[
    (
        codes::INVALID_UTF8,
        "input, not syntax: tbt_syntax::parse takes a &str",
    ),
    (
        codes::NESTING_TOO_DEEP,
        "a resource limit of the compiler (128 levels of nesting, 1024 operators per statement)",
    ),
    (
        codes::UNKNOWN_TRIGGER,
        "validate.rs: trigger kinds are names",
    ),
    // E0014 is also emitted by the parser for a word in `schema { }` that is neither `services`
    // nor `attribute`; that use is a syntax error (see `is_syntax_error`).
    (codes::UNKNOWN_OPTION, "validate.rs: option names are names"),
    (
        codes::MISPLACED_STATEMENT,
        "validate.rs: one statement rule serves every block",
    ),
    (
        codes::CHAINED_COMPARISON,
        "validate.rs: comparisons parse left-associatively",
    ),
    (codes::TOO_MANY_ERRORS, "a summary of other diagnostics"),
    (codes::UNKNOWN_TYPE, "validate.rs: type names are names"),
    (
        codes::UNKNOWN_PSEUDO_CLASS,
        "validate.rs: pseudo-class names are names",
    ),
    (
        codes::PSEUDO_CLASS_ARGUMENT,
        "validate.rs: any argument list parses",
    ),
    (codes::DUPLICATE_TRIGGER, "validate.rs"),
    (codes::MISSING_TRIGGER, "a later phase"),
    (codes::DUPLICATE_OPTION, "validate.rs"),
    (codes::UNKNOWN_BODY_KIND, "validate.rs"),
    (
        codes::TRIGGER_ARGUMENTS,
        "validate.rs: any number of arguments parses",
    ),
    (
        codes::OPTION_ARGUMENTS,
        "validate.rs: any number of arguments parses",
    ),
    (codes::EMPTY_FILE, "a warning"),
    (codes::IO_ERROR, "input, not syntax"),
];

fn grammar_dir() -> std::path::PathBuf {
    workspace_root().join("grammar/tree-sitter-tbt")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn relative(path: &Path) -> String {
    path.strip_prefix(workspace_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

// ----- the inputs ---------------------------------------------------------------------------

/// One text to parse, and where it comes from.
struct Input {
    origin: String,
    text: String,
}

/// The ```tbt snippets of a Markdown text (not ```tbt,ignore), with their fence lines.
fn markdown_snippets(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String, bool)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match current.as_mut() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let mut words = info
                        .split(|c: char| c == ',' || c.is_whitespace())
                        .filter(|w| !w.is_empty());
                    let keep = words.next() == Some("tbt") && !words.any(|w| w == "ignore");
                    current = Some((i + 1, String::new(), keep));
                }
            }
            Some((fence, text, keep)) => {
                if trimmed.trim_end() == "```" {
                    if *keep {
                        out.push((*fence, std::mem::take(text)));
                    }
                    current = None;
                } else {
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
    }
    out
}

/// The entries of a tree-sitter corpus file: (name, input, expects an error).
fn corpus_entries(text: &str) -> Vec<(String, String, bool)> {
    let lines: Vec<&str> = text.lines().collect();
    let is_rule = |line: &str, c: char| line.len() >= 3 && line.chars().all(|x| x == c);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !is_rule(lines[i], '=') {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut name = Vec::new();
        while j < lines.len() && !is_rule(lines[j], '=') {
            name.push(lines[j]);
            j += 1;
        }
        let error = name.iter().any(|l| l.trim() == ":error");
        let name = name.first().copied().unwrap_or("").trim().to_string();
        let start = j + 1;
        let mut k = start;
        while k < lines.len() && !is_rule(lines[k], '-') {
            k += 1;
        }
        let mut input = lines[start.min(lines.len())..k.min(lines.len())].join("\n");
        input.push('\n');
        out.push((name, input, error));
        i = k + 1;
    }
    out
}

fn inputs() -> Vec<Input> {
    let mut out = Vec::new();
    let mut add_files = |dir: &str, ext: &str| {
        for path in files_with_extension(dir, ext) {
            out.push(Input {
                origin: relative(&path),
                text: read(&path),
            });
        }
    };
    add_files("examples", "tbt");
    add_files("tests/corpus/valid", "tbt");
    add_files("tests/corpus/invalid", "tbt");
    add_files("grammar/tree-sitter-tbt/test/highlight", "tbt");
    let docs = workspace_root().join("docs/language.md");
    if docs.exists() {
        for (line, text) in markdown_snippets(&read(&docs)) {
            out.push(Input {
                origin: format!("docs/language.md:{line}"),
                text,
            });
        }
    }
    for path in files_with_extension("grammar/tree-sitter-tbt/test/corpus", "txt") {
        for (name, text, _) in corpus_entries(&read(&path)) {
            out.push(Input {
                origin: format!("{}: {name}", relative(&path)),
                text,
            });
        }
    }
    for info in CODES.iter().filter(|info| !info.example.is_empty()) {
        out.push(Input {
            origin: format!("codes.rs: example of {}", info.code),
            text: info.example.to_string(),
        });
    }
    out
}

// ----- both parsers ---------------------------------------------------------------------------

fn ts_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_tbt::LANGUAGE.into())
        .expect("the tree-sitter grammar loads");
    parser
}

/// Whether a compiler diagnostic is a syntax error.
fn is_syntax_error(diagnostic: &Diagnostic, file: &SourceFile) -> bool {
    if SYNTAX_CODES
        .iter()
        .any(|(code, _)| *code == diagnostic.code)
    {
        return true;
    }
    // The parser reports an unknown word in a schema with E0014; validate.rs never reports E0014
    // inside a schema.
    diagnostic.code == codes::UNKNOWN_OPTION
        && inside_schema(&file.items, diagnostic.primary.range.start)
}

fn inside_schema(stmts: &[Stmt], offset: u32) -> bool {
    stmts.iter().any(|stmt| match stmt {
        Stmt::Schema(schema) => schema.range.contains_inclusive(offset),
        Stmt::Test(Test { body, .. })
        | Stmt::Suite(Suite { body, .. })
        | Stmt::Block(SpanBlock { body, .. }) => inside_schema(body, offset),
        _ => false,
    })
}

/// The compiler's syntax errors, as `line:col CODE message`.
fn compiler_errors(text: &str, parse: &tbt_syntax::Parse) -> Vec<String> {
    let index = LineIndex::new(text);
    parse
        .diagnostics
        .iter()
        .filter(|d| is_syntax_error(d, &parse.file))
        .map(|d| {
            let at = index.line_col(d.primary.range.start);
            format!("{}:{} {} {}", at.line + 1, at.col + 1, d.code, d.message)
        })
        .collect()
}

/// Where a tree has an error: its first ERROR or MISSING node, as `line:col ERROR|MISSING x`.
fn first_ts_error(tree: &Tree) -> Option<String> {
    if !tree.root_node().has_error() {
        return None;
    }
    fn find(node: Node) -> Option<Node> {
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        if !node.has_error() {
            return None;
        }
        let mut cursor = node.walk();
        node.children(&mut cursor).find_map(find)
    }
    // A MISSING hidden token (such as the `_never` after a reserved keyword) is not a visible
    // node: the error is then only known to be somewhere.
    let Some(node) = find(tree.root_node()) else {
        return Some("an error in a hidden node".to_string());
    };
    let at = node.start_position();
    let what = if node.is_missing() {
        format!("MISSING {}", node.kind())
    } else {
        "ERROR".to_string()
    };
    Some(format!("{}:{} {what}", at.row + 1, at.column + 1))
}

// ----- the canonical form -------------------------------------------------------------------
//
// Statements and expressions print as S-expressions: `(== (. response status) 200)`. Literals
// print as written; paths as their segments joined with dots.

fn text_of(src: &str, range: tbt_diagnostics::TextRange) -> &str {
    &src[range.to_usize()]
}

struct Ast<'a> {
    src: &'a str,
}

impl Ast<'_> {
    fn stmts(&self, stmts: &[Stmt], out: &mut Vec<String>) {
        for stmt in stmts {
            out.push(self.stmt(stmt));
        }
    }

    fn stmt(&self, stmt: &Stmt) -> String {
        match stmt {
            Stmt::Use(u) => format!("(use {})", self.string(&u.path)),
            Stmt::Schema(schema) => {
                let items: Vec<String> = schema
                    .items
                    .iter()
                    .map(|item| self.schema_item(item))
                    .collect();
                list("schema", &items)
            }
            Stmt::Test(t) => self.named("test", t.name.as_ref(), &t.body),
            Stmt::Suite(s) => self.named("suite", s.name.as_ref(), &s.body),
            Stmt::Trigger(t) => {
                let mut parts = vec![t.kind.text.to_string()];
                parts.extend(t.args.iter().map(|a| self.expr(a)));
                let options: Vec<String> = t.options.iter().map(|o| self.option(o)).collect();
                parts.push(list("options", &options));
                list("trigger", &parts)
            }
            Stmt::Expect(e) => format!("(expect {})", self.expr(&e.expr)),
            Stmt::Let(l) => format!("(let {} {})", l.name.text, self.expr(&l.value)),
            Stmt::Output(l) => format!("(output {} {})", l.name.text, self.expr(&l.value)),
            Stmt::Wait(o) => {
                let args: Vec<String> = o.args.iter().map(|a| self.expr(a)).collect();
                format!("(wait {} {})", o.name.text, args.join(" "))
            }
            Stmt::Block(b) => {
                let selector = self.expr(&b.selector);
                let selector = match &b.quantifier {
                    Some(q) => self.quantified(q, selector),
                    None => selector,
                };
                let mut parts = vec![selector];
                self.stmts(&b.body, &mut parts);
                list("block", &parts)
            }
            Stmt::Error(_) => "ERROR".to_string(),
        }
    }

    fn named(&self, what: &str, name: Option<&StringLit>, body: &[Stmt]) -> String {
        let mut parts = vec![name.map_or("ERROR".to_string(), |n| self.string(n))];
        self.stmts(body, &mut parts);
        list(what, &parts)
    }

    fn option(&self, o: &Opt) -> String {
        let mut parts = vec![o.name.text.to_string()];
        parts.extend(o.args.iter().map(|a| self.expr(a)));
        if let Some(value) = &o.value {
            parts.push("=".to_string());
            parts.push(self.expr(value));
        }
        list("option", &parts)
    }

    fn schema_item(&self, item: &SchemaItem) -> String {
        match item {
            SchemaItem::Services(s) => {
                let names: Vec<String> = s.names.iter().map(|n| n.text.to_string()).collect();
                list("services", &names)
            }
            SchemaItem::Attribute(a) => {
                let mut parts = vec![a.name.dotted(), self.type_expr(&a.ty)];
                if let Some(doc) = &a.doc {
                    parts.push(self.string(doc));
                }
                list("attribute", &parts)
            }
            SchemaItem::Error(_) => "ERROR".to_string(),
        }
    }

    fn type_expr(&self, ty: &TypeExpr) -> String {
        match ty {
            TypeExpr::Named(n) => n.text.to_string(),
            TypeExpr::List(inner, _) => format!("(list {})", self.type_expr(inner)),
            TypeExpr::Enum(members, _) => {
                let members: Vec<String> = members.iter().map(|m| self.string(m)).collect();
                list("enum", &members)
            }
            TypeExpr::Error(_) => "ERROR".to_string(),
        }
    }

    fn string(&self, s: &StringLit) -> String {
        text_of(self.src, s.range).to_string()
    }

    fn quantified(&self, q: &Quantifier, inner: String) -> String {
        match q {
            Quantifier::No(_) => format!("(no {inner})"),
            Quantifier::Some(_) => format!("(some {inner})"),
            Quantifier::Any(_) => format!("(any {inner})"),
            Quantifier::Exactly(n, _) => format!("(exactly {} {inner})", self.expr(n)),
        }
    }

    fn expr(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Duration { .. }
            | ExprKind::String(_)
            | ExprKind::Regex(_) => text_of(self.src, e.range).to_string(),
            ExprKind::Span => "span".to_string(),
            ExprKind::Path(p) => p.dotted(),
            ExprKind::List(items) => {
                let items: Vec<String> = items.iter().map(|i| self.expr(i)).collect();
                list("list", &items)
            }
            ExprKind::Object(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|entry| {
                        let key = if entry.bare_key {
                            entry.key.as_plain().unwrap_or_default().to_string()
                        } else {
                            self.string(&entry.key)
                        };
                        format!("({key} {})", self.expr(&entry.value))
                    })
                    .collect();
                list("object", &entries)
            }
            ExprKind::Field(base, name) => format!("(. {} {})", self.expr(base), name.text),
            ExprKind::Index(base, index) => {
                format!("([] {} {})", self.expr(base), self.expr(index))
            }
            ExprKind::Pseudo(base, pseudo) => match &pseudo.args {
                None => format!("(: {} {})", self.expr(base), pseudo.name.text),
                Some(args) => {
                    let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                    format!(
                        "(: {} {} {})",
                        self.expr(base),
                        pseudo.name.text,
                        list("args", &args)
                    )
                }
            },
            ExprKind::Combine {
                left,
                combinator,
                right,
            } => format!(
                "({} {} {})",
                combinator.as_str(),
                left.as_ref().map_or("_".to_string(), |l| self.expr(l)),
                self.expr(right)
            ),
            ExprKind::Call(name, args) => {
                let mut parts = vec![name.text.to_string()];
                parts.extend(args.iter().map(|a| self.expr(a)));
                list("call", &parts)
            }
            ExprKind::Unary(UnaryOp::Not, x) => format!("(not {})", self.expr(x)),
            ExprKind::Unary(UnaryOp::Neg, x) => format!("(- {})", self.expr(x)),
            ExprKind::Exists(x) => format!("(exists {})", self.expr(x)),
            ExprKind::Binary(op, l, r) => {
                format!("({} {} {})", op.as_str(), self.expr(l), self.expr(r))
            }
            ExprKind::Quantified(q, x) => self.quantified(q, self.expr(x)),
            ExprKind::Order { steps, ops, within } => {
                let mut parts = vec![self.expr(&steps[0])];
                for (op, step) in ops.iter().zip(&steps[1..]) {
                    parts.push(op.as_str().to_string());
                    parts.push(self.expr(step));
                }
                if let Some(bound) = within {
                    parts.push("within".to_string());
                    parts.push(self.expr(bound));
                }
                list("order", &parts)
            }
            ExprKind::Paren(x) => format!("(paren {})", self.expr(x)),
            ExprKind::Error => "ERROR".to_string(),
        }
    }
}

fn list(head: &str, parts: &[String]) -> String {
    if parts.is_empty() {
        format!("({head})")
    } else {
        format!("({head} {})", parts.join(" "))
    }
}

/// The same canonical form, from a tree-sitter tree.
struct Cst<'a> {
    src: &'a str,
}

impl<'a> Cst<'a> {
    fn text(&self, node: Node) -> &'a str {
        &self.src[node.byte_range()]
    }

    /// The named children, without comments.
    fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
        let mut cursor = node.walk();
        node.named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect()
    }

    fn field<'t>(node: Node<'t>, name: &str) -> Node<'t> {
        node.child_by_field_name(name)
            .unwrap_or_else(|| panic!("{} has no field {name}", node.kind()))
    }

    fn fields<'t>(node: Node<'t>, name: &str) -> Vec<Node<'t>> {
        let mut cursor = node.walk();
        node.children_by_field_name(name, &mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect()
    }

    fn stmts(&self, node: Node, out: &mut Vec<String>) {
        for child in Self::children(node) {
            out.push(self.stmt(child));
        }
    }

    fn stmt(&self, node: Node) -> String {
        match node.kind() {
            "use_statement" => format!("(use {})", self.text(Self::field(node, "path"))),
            "schema_statement" => {
                let items: Vec<String> = Self::children(Self::field(node, "body"))
                    .into_iter()
                    .map(|i| self.schema_item(i))
                    .collect();
                list("schema", &items)
            }
            "test_statement" | "suite_statement" => {
                let mut parts = vec![self.text(Self::field(node, "name")).to_string()];
                self.stmts(Self::field(node, "body"), &mut parts);
                list(
                    if node.kind() == "test_statement" {
                        "test"
                    } else {
                        "suite"
                    },
                    &parts,
                )
            }
            "trigger_statement" => {
                let mut parts = vec![self.text(Self::field(node, "kind")).to_string()];
                parts.extend(
                    Self::fields(node, "argument")
                        .into_iter()
                        .map(|a| self.expr(a)),
                );
                let options: Vec<String> = node
                    .child_by_field_name("options")
                    .map(|block| {
                        Self::children(block)
                            .into_iter()
                            .map(|o| self.option(o))
                            .collect()
                    })
                    .unwrap_or_default();
                parts.push(list("options", &options));
                list("trigger", &parts)
            }
            "expect_statement" => format!("(expect {})", self.expr(Self::field(node, "condition"))),
            "let_statement" | "output_statement" => format!(
                "({} {} {})",
                if node.kind() == "let_statement" {
                    "let"
                } else {
                    "output"
                },
                self.text(Self::field(node, "name")),
                self.expr(Self::field(node, "value"))
            ),
            "wait_statement" => format!(
                "(wait {} {})",
                self.text(Self::field(node, "kind")),
                self.expr(Self::field(node, "value"))
            ),
            "span_block" => {
                let mut parts = vec![self.expr(Self::field(node, "selector"))];
                self.stmts(Self::field(node, "body"), &mut parts);
                list("block", &parts)
            }
            other => panic!("unexpected statement node {other}"),
        }
    }

    fn option(&self, node: Node) -> String {
        let mut parts = vec![self.text(Self::field(node, "name")).to_string()];
        parts.extend(
            Self::fields(node, "argument")
                .into_iter()
                .map(|a| self.expr(a)),
        );
        if let Some(value) = node.child_by_field_name("value") {
            parts.push("=".to_string());
            parts.push(self.expr(value));
        }
        list("option", &parts)
    }

    fn schema_item(&self, node: Node) -> String {
        match node.kind() {
            "services_declaration" => {
                // A service written as a string is named by its text.
                let names: Vec<String> = Self::fields(node, "service")
                    .into_iter()
                    .map(|n| self.text(n).trim_matches('"').to_string())
                    .collect();
                list("services", &names)
            }
            "attribute_declaration" => {
                let mut parts = vec![
                    self.path(Self::field(node, "name")),
                    self.type_expr(Self::field(node, "type")),
                ];
                if let Some(doc) = node.child_by_field_name("documentation") {
                    parts.push(self.text(doc).to_string());
                }
                list("attribute", &parts)
            }
            other => panic!("unexpected schema node {other}"),
        }
    }

    fn type_expr(&self, node: Node) -> String {
        match node.kind() {
            "type_identifier" => self.text(node).to_string(),
            "list_type" => format!("(list {})", self.type_expr(Self::field(node, "element"))),
            "enum_type" => {
                let members: Vec<String> = Self::fields(node, "member")
                    .into_iter()
                    .map(|m| self.text(m).to_string())
                    .collect();
                list("enum", &members)
            }
            other => panic!("unexpected type node {other}"),
        }
    }

    /// An identifier or a path, with its segments joined by dots.
    fn path(&self, node: Node) -> String {
        if node.kind() == "path" {
            let segments: Vec<&str> = Self::children(node)
                .into_iter()
                .map(|s| self.text(s))
                .collect();
            segments.join(".")
        } else {
            self.text(node).to_string()
        }
    }

    fn expr(&self, node: Node) -> String {
        match node.kind() {
            "number" | "duration" | "string" | "regex" | "true" | "false" => {
                self.text(node).to_string()
            }
            "span" => "span".to_string(),
            "identifier" | "path" => self.path(node),
            "list" => {
                let items: Vec<String> = Self::children(node)
                    .into_iter()
                    .map(|i| self.expr(i))
                    .collect();
                list("list", &items)
            }
            "object" => {
                let entries: Vec<String> = Self::children(node)
                    .into_iter()
                    .map(|pair| {
                        let key = self.text(Self::field(pair, "key"));
                        format!("({key} {})", self.expr(Self::field(pair, "value")))
                    })
                    .collect();
                list("object", &entries)
            }
            "field_expression" => format!(
                "(. {} {})",
                self.expr(Self::field(node, "object")),
                self.text(Self::field(node, "field"))
            ),
            "index_expression" => format!(
                "([] {} {})",
                self.expr(Self::field(node, "object")),
                self.expr(Self::field(node, "index"))
            ),
            "pseudo_selector" => {
                let base = self.expr(Self::field(node, "selector"));
                let pseudo = Self::field(node, "pseudo_class");
                let name = self.text(Self::field(pseudo, "name"));
                match pseudo.child_by_field_name("arguments") {
                    None => format!("(: {base} {name})"),
                    Some(args) => {
                        format!("(: {base} {name} {})", self.arguments("args", args, vec![]))
                    }
                }
            }
            "combined_selector" => format!(
                "({} {} {})",
                self.text(Self::field(node, "combinator")),
                node.child_by_field_name("left")
                    .map_or("_".to_string(), |l| self.expr(l)),
                self.expr(Self::field(node, "right"))
            ),
            "call_expression" => {
                let name = self.path(Self::field(node, "function"));
                self.arguments("call", Self::field(node, "arguments"), vec![name])
            }
            "unary_expression" => format!(
                "({} {})",
                self.text(Self::field(node, "operator")),
                self.expr(Self::field(node, "operand"))
            ),
            "exists_expression" => format!("(exists {})", self.expr(Self::field(node, "operand"))),
            "binary_expression" => {
                let operator: Vec<&str> = Self::fields(node, "operator")
                    .into_iter()
                    .map(|o| self.text(o))
                    .collect();
                format!(
                    "({} {} {})",
                    operator.join(" "),
                    self.expr(Self::field(node, "left")),
                    self.expr(Self::field(node, "right"))
                )
            }
            "quantified_selector" => {
                let quantifier = Self::field(node, "quantifier");
                let inner = self.expr(Self::field(node, "selector"));
                match quantifier.child_by_field_name("count") {
                    Some(count) => format!("(exactly {} {inner})", self.text(count)),
                    None => format!("({} {inner})", self.text(quantifier)),
                }
            }
            "order_expression" => {
                // Steps and operators in order, then `within` and the bound.
                let mut parts = Vec::new();
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    match child.kind() {
                        "comment" => {}
                        "->" | "=>" | "within" => parts.push(child.kind().to_string()),
                        _ => parts.push(self.expr(child)),
                    }
                }
                list("order", &parts)
            }
            "parenthesized_expression" => {
                let inner = Self::children(node);
                format!("(paren {})", self.expr(inner[0]))
            }
            other => panic!("unexpected expression node {other}"),
        }
    }

    fn arguments(&self, head: &str, node: Node, mut parts: Vec<String>) -> String {
        parts.extend(Self::children(node).into_iter().map(|a| self.expr(a)));
        list(head, &parts)
    }
}

// ----- the tests ------------------------------------------------------------------------------

/// Where the compiler and tree-sitter read a file that both accept differently: the first
/// statement whose canonical forms differ.
fn shape_difference(text: &str, parse: &tbt_syntax::Parse, tree: &Tree) -> Option<String> {
    let ast = Ast { src: text };
    let cst = Cst { src: text };
    let mut left = Vec::new();
    ast.stmts(&parse.file.items, &mut left);
    let mut right = Vec::new();
    cst.stmts(tree.root_node(), &mut right);
    let i = (0..left.len().max(right.len())).find(|&i| left.get(i) != right.get(i))?;
    Some(format!(
        "statement {}\n  compiler:    {}\n  tree-sitter: {}",
        i + 1,
        left.get(i).map_or("(none)", String::as_str),
        right.get(i).map_or("(none)", String::as_str),
    ))
}

/// One disagreement, for the table.
struct Disagreement {
    origin: String,
    compiler: String,
    tree_sitter: String,
}

#[test]
fn tree_sitter_and_the_compiler_agree_on_every_file() {
    let inputs = inputs();
    assert!(
        inputs.len() > 50,
        "too few inputs ({}): are the examples and the corpus there?",
        inputs.len()
    );
    let mut parser = ts_parser();
    let mut disagreements = Vec::new();
    let mut shapes = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for input in &inputs {
        let parse = tbt_syntax::parse(&input.text);
        let errors = compiler_errors(&input.text, &parse);
        let tree = parser.parse(&input.text, None).expect("tree-sitter parses");
        let ts_error = first_ts_error(&tree);
        match (errors.is_empty(), &ts_error) {
            (true, None) => {
                valid += 1;
                if let Some(difference) = shape_difference(&input.text, &parse, &tree) {
                    shapes.push(format!("{}: {difference}", input.origin));
                }
            }
            (false, Some(_)) => invalid += 1,
            _ => disagreements.push(Disagreement {
                origin: input.origin.clone(),
                compiler: if errors.is_empty() {
                    "no syntax error".to_string()
                } else {
                    errors.join("; ")
                },
                tree_sitter: ts_error.unwrap_or_else(|| "no ERROR or MISSING node".to_string()),
            }),
        }
    }
    let mut report = String::new();
    if !disagreements.is_empty() {
        let width = disagreements
            .iter()
            .map(|d| d.origin.len())
            .max()
            .unwrap_or(0)
            .min(60);
        let _ = writeln!(
            report,
            "\n{} inputs where the compiler and tree-sitter disagree about syntax errors:\n",
            disagreements.len()
        );
        let _ = writeln!(
            report,
            "{:width$} | {:40} | compiler",
            "input", "tree-sitter"
        );
        let _ = writeln!(report, "{:-<width$}-+-{:-<40}-+-{:-<40}", "", "", "");
        for d in &disagreements {
            let _ = writeln!(
                report,
                "{:width$} | {:40} | {}",
                d.origin, d.tree_sitter, d.compiler
            );
        }
    }
    if !shapes.is_empty() {
        let _ = writeln!(
            report,
            "\n{} inputs that both accept but read differently:\n",
            shapes.len()
        );
        for s in &shapes {
            let _ = writeln!(report, "{s}\n");
        }
    }
    assert!(report.is_empty(), "{report}");
    eprintln!(
        "{} inputs agree: {valid} without syntax errors, {invalid} with",
        inputs.len()
    );
}

/// Every code of the syntax phase (`E00xx`, `W00xx`) is in exactly one of the two lists; the
/// codes of later phases (names and types, plans, input and output) are never syntax errors.
#[test]
fn every_diagnostic_code_is_classified() {
    for info in CODES.iter().filter(|info| {
        ["E00", "W00"]
            .iter()
            .any(|p| info.code.as_str().starts_with(p))
    }) {
        let syntax = SYNTAX_CODES.iter().any(|(c, _)| *c == info.code);
        let other = NOT_SYNTAX_CODES.iter().any(|(c, _)| *c == info.code);
        assert!(
            syntax ^ other,
            "{} ({}) must be in exactly one of SYNTAX_CODES and NOT_SYNTAX_CODES in tests/grammar.rs",
            info.code,
            info.name
        );
    }
}

/// The quoted strings of the JavaScript array `const NAME = [ ... ];` in `source`.
fn js_array(source: &str, name: &str) -> Vec<String> {
    let start = source
        .find(&format!("const {name} = ["))
        .unwrap_or_else(|| panic!("grammar.js has no {name}"));
    let rest = &source[start..];
    let body = &rest[rest.find('[').unwrap() + 1..rest.find("];").unwrap()];
    quoted(body, '\'')
}

/// The strings between `quote`s in `text` (no escapes).
fn quoted(text: &str, quote: char) -> Vec<String> {
    text.split(quote)
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn lexer_keywords() -> Vec<String> {
    Kind::KEYWORDS
        .iter()
        .map(|(text, _)| text.to_string())
        .collect()
}

fn lexer_punctuation() -> Vec<String> {
    Kind::PUNCTUATION
        .iter()
        .map(|(text, _)| text.to_string())
        .collect()
}

/// Every string a rule of `src/grammar.json` matches literally: STRING rules, and the values of
/// anonymous ALIAS rules (the external scanner's `>`, `>>`, `(`, `-` and `/`).
fn grammar_json_strings() -> BTreeSet<String> {
    fn walk(value: &serde_json::Value, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                let kind = map.get("type").and_then(|t| t.as_str());
                let text = map.get("value").and_then(|v| v.as_str());
                let named = map.get("named").and_then(|n| n.as_bool()).unwrap_or(false);
                if let (Some("STRING"), Some(text)) | (Some("ALIAS"), Some(text)) = (kind, text)
                    && (kind == Some("STRING") || !named)
                {
                    out.insert(text.to_string());
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&read(&grammar_dir().join("src/grammar.json")))
            .expect("src/grammar.json is JSON");
    let mut out = BTreeSet::new();
    walk(&json["rules"], &mut out);
    out
}

#[test]
fn the_tree_sitter_grammar_has_the_lexers_keywords_and_operators() {
    let source = read(&grammar_dir().join("grammar.js"));
    assert_eq!(
        js_array(&source, "KEYWORDS"),
        lexer_keywords(),
        "KEYWORDS in grammar.js"
    );
    assert_eq!(
        js_array(&source, "PUNCTUATION"),
        lexer_punctuation(),
        "PUNCTUATION in grammar.js"
    );

    let strings = grammar_json_strings();
    for text in lexer_keywords().iter().chain(&lexer_punctuation()) {
        assert!(
            strings.contains(text),
            "src/grammar.json never matches `{text}`: is src/ generated from grammar.js?"
        );
    }
    // The grammar's words are the lexer's keywords and the schema's contextual keywords.
    let contextual = js_array(&source, "CONTEXTUAL_KEYWORDS");
    let words: BTreeSet<&String> = strings
        .iter()
        .filter(|s| s.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .collect();
    let expected: BTreeSet<String> = lexer_keywords().into_iter().chain(contextual).collect();
    assert_eq!(
        words,
        expected.iter().collect(),
        "the words of src/grammar.json"
    );
}

#[test]
fn the_external_scanner_has_the_lexers_keywords() {
    let source = read(&grammar_dir().join("src/scanner.c"));
    let array = |name: &str| {
        let start = source
            .find(&format!("{name}[] = {{"))
            .unwrap_or_else(|| panic!("scanner.c has no {name}"));
        let rest = &source[start..];
        quoted(&rest[..rest.find("};").unwrap()], '"')
    };
    assert_eq!(array("KEYWORDS"), lexer_keywords(), "KEYWORDS in scanner.c");
    let chain = array("CHAIN_KEYWORDS");
    let statement: Vec<String> = Kind::KEYWORDS
        .iter()
        .filter(|(text, kind)| kind.starts_statement() && !chain.iter().any(|c| c == text))
        .map(|(text, _)| text.to_string())
        .collect();
    assert_eq!(
        array("STATEMENT_KEYWORDS"),
        statement,
        "STATEMENT_KEYWORDS in scanner.c"
    );
    for keyword in &chain {
        assert!(
            lexer_keywords().contains(keyword),
            "CHAIN_KEYWORDS in scanner.c: `{keyword}` is no keyword"
        );
    }
}

#[test]
fn the_textmate_grammar_has_the_lexers_keywords_and_operators() {
    let path = workspace_root().join("grammar/tbt.tmLanguage.json");
    let source = read(&path);
    let json: serde_json::Value =
        serde_json::from_str(&source).expect("tbt.tmLanguage.json is JSON");
    assert_eq!(json["scopeName"], "source.tbt");

    // Every `match` of the repository entry `keywords` is `...(?:word|word|...)...`.
    let mut words = Vec::new();
    for pattern in json["repository"]["keywords"]["patterns"]
        .as_array()
        .expect("repository.keywords.patterns")
    {
        let regex = pattern["match"]
            .as_str()
            .expect("a keyword pattern has a match");
        let group = &regex[regex.find("(?:").expect("a (?:...) group") + 3..];
        let group = &group[..group.find(')').unwrap()];
        words.extend(group.split('|').map(str::to_string));
    }
    let mut expected = lexer_keywords();
    expected.sort();
    words.sort();
    assert_eq!(words, expected, "the keywords of tbt.tmLanguage.json");

    // Every operator is matched, whole, by a pattern of the repository entry `operators`.
    let operators: Vec<regex::Regex> = json["repository"]["operators"]["patterns"]
        .as_array()
        .expect("repository.operators.patterns")
        .iter()
        .map(|p| {
            regex::Regex::new(&format!("^(?:{})$", p["match"].as_str().unwrap()))
                .expect("a plain regex")
        })
        .collect();
    for text in lexer_punctuation() {
        assert!(
            operators.iter().any(|r| r.is_match(&text)),
            "tbt.tmLanguage.json has no operator pattern for `{text}`"
        );
    }
}

/// Small edits of every example (a token inserted, a span deleted, a line break added or
/// removed...), chosen by a fixed seed: the two parsers must still agree on each result. This
/// reaches the corners that hand-written tests miss. `TBT_GRAMMAR_EDITS` (edited texts per
/// example, default 300) and `TBT_GRAMMAR_SEED` explore further.
#[test]
fn tree_sitter_and_the_compiler_agree_on_edited_examples() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let edits_per_file = env("TBT_GRAMMAR_EDITS", 300) as usize;
    #[rustfmt::skip]
    const INSERTS: &[&str] = &[
        "\n", " ", "#", "\"", "{", "}", "[", "]", "(", ")", ",", ".", ":", "=", "==", "!=", "<", ">", ">=",
        ">>", "->", "=>", "+", "-", "*", "/", "%", "|", "\\", "$", "${", "@", ";", "!", "&&", "0", "1_", "1e",
        "2s", "9223372036854775808", "1.5", "x", "a-b", "span", "not", "in", "and", "matches", "/a/",
        "exists", "no", "exactly", "within", "let", "expect", "trigger", "test", "services", "attribute",
        "true", "\"s\"", "{}", "[]", "x[]", ":first", "> span", "\n>> span",
    ];
    let mut seed: u64 = env("TBT_GRAMMAR_SEED", 0x9E37_79B9_7F4A_7C15).max(1);
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let mut parser = ts_parser();
    let mut disagreements = Vec::new();
    let mut total = 0;
    let mut originals = files_with_extension("examples", "tbt");
    originals.extend(files_with_extension("tests/corpus/valid", "tbt"));
    for path in originals {
        let original = read(&path);
        for _ in 0..edits_per_file {
            let mut text = original.clone();
            let mut at = 0;
            for _ in 0..1 + next(3) / 2 {
                let boundaries: Vec<usize> = (0..=text.len())
                    .filter(|&i| text.is_char_boundary(i))
                    .collect();
                at = boundaries[next(boundaries.len())];
                match next(4) {
                    0 => text.insert_str(at, INSERTS[next(INSERTS.len())]),
                    1 => {
                        let end =
                            boundaries[(boundaries.partition_point(|&b| b < at) + 1 + next(8))
                                .min(boundaries.len() - 1)];
                        text.replace_range(at..end, "");
                    }
                    2 => {
                        // Join a line with the next, or break one.
                        match text[at..].find('\n') {
                            Some(i) if next(2) == 0 => text.replace_range(at + i..at + i + 1, " "),
                            _ => text.insert(at, '\n'),
                        }
                    }
                    _ => {
                        let insert = INSERTS[next(INSERTS.len())];
                        text.insert_str(at, &format!(" {insert} "));
                    }
                }
            }
            total += 1;
            let parse = tbt_syntax::parse(&text);
            let errors = compiler_errors(&text, &parse);
            let tree = parser.parse(&text, None).expect("tree-sitter parses");
            let ts_error = first_ts_error(&tree);
            if errors.is_empty() != ts_error.is_none() {
                disagreements.push(Disagreement {
                    origin: format!(
                        "{} edited at byte {at}:\n{}",
                        relative(&path),
                        excerpt(&text, at)
                    ),
                    compiler: if errors.is_empty() {
                        "no syntax error".to_string()
                    } else {
                        errors.join("; ")
                    },
                    tree_sitter: ts_error.unwrap_or_else(|| "no ERROR or MISSING node".to_string()),
                });
            }
        }
    }
    let mut report = String::new();
    for d in disagreements.iter().take(20) {
        let _ = writeln!(
            report,
            "{}\n  tree-sitter: {}\n  compiler:    {}\n",
            d.origin, d.tree_sitter, d.compiler
        );
    }
    assert!(
        disagreements.is_empty(),
        "\n{} of {total} edited examples disagree; the first ones:\n\n{report}",
        disagreements.len()
    );
}

/// The lines around byte `at`, for a report.
fn excerpt(text: &str, at: usize) -> String {
    let line = text[..at].matches('\n').count();
    let lines: Vec<&str> = text.lines().collect();
    let from = line.saturating_sub(1);
    let to = (line + 2).min(lines.len());
    (from..to)
        .map(|i| format!("    {:4} | {}", i + 1, lines[i]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level forms of a query file, each with the comment lines just above it.
fn query_forms(query: &str) -> (String, Vec<String>) {
    let mut header = String::new();
    let mut forms = Vec::new();
    let mut pending = String::new();
    let mut current = String::new();
    let mut depth = 0i32;
    let mut seen_form = false;
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        if depth == 0 && current.is_empty() {
            match c {
                ';' => {
                    let mut line = String::from(c);
                    while let Some(&n) = chars.peek() {
                        chars.next();
                        line.push(n);
                        if n == '\n' {
                            break;
                        }
                    }
                    if seen_form {
                        pending.push_str(&line)
                    } else {
                        header.push_str(&line)
                    }
                    continue;
                }
                c if c.is_whitespace() => {
                    if c == '\n' && !seen_form && !header.is_empty() && !header.ends_with("\n\n") {
                        header.push('\n');
                    }
                    continue;
                }
                _ => {}
            }
        }
        seen_form = true;
        current.push(c);
        match c {
            '"' => {
                while let Some(n) = chars.next() {
                    current.push(n);
                    if n == '\\' {
                        current.extend(chars.next());
                    } else if n == '"' {
                        break;
                    }
                }
            }
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if depth == 0 && matches!(c, ')' | ']' | '"') {
            // The quantifiers and captures after the form, on its line, belong to it.
            loop {
                let mut lookahead = chars.clone();
                let mut gap = String::new();
                while lookahead.peek() == Some(&' ') {
                    gap.push(' ');
                    lookahead.next();
                }
                let Some(&n) = lookahead.peek() else { break };
                if !matches!(n, '@' | '?' | '*' | '+') {
                    break;
                }
                chars = lookahead;
                current.push_str(&gap);
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || n == ')' {
                        break;
                    }
                    current.push(n);
                    chars.next();
                }
            }
            forms.push(format!("{pending}{current}"));
            pending.clear();
            current.clear();
        }
    }
    (header, forms)
}

/// Helix's names for the captures of grammar/tree-sitter-tbt/queries/highlights.scm.
const HELIX_CAPTURES: &[(&str, &str)] = &[
    ("@number", "@constant.numeric"),
    ("@boolean", "@constant.builtin.boolean"),
    ("@string.escape", "@constant.character.escape"),
    ("@property", "@variable.other.member"),
    ("@function.call", "@function"),
];

/// Helix's highlights.scm: the grammar's, with the patterns in reverse order (Helix takes the
/// first match where tree-sitter and Neovim take the last) and Helix's capture names.
fn helix_highlights(grammar_highlights: &str) -> String {
    let (_, forms) = query_forms(grammar_highlights);
    let mut out = String::from(
        "; Highlights for tbt in Helix: GENERATED from grammar/tree-sitter-tbt/queries/highlights.scm\n\
         ; by tests/grammar.rs (TBT_UPDATE_EDITOR_QUERIES=1 cargo test -p tbt-tests --test grammar).\n\
         ; The patterns are in reverse order, since Helix takes the first match, and the capture\n\
         ; names are Helix's.\n",
    );
    for form in forms.iter().rev() {
        let mut form = form.clone();
        for (from, to) in HELIX_CAPTURES {
            form = form
                .split_inclusive(|c: char| c.is_whitespace() || c == ')')
                .map(|piece| {
                    let trimmed = piece.trim_end_matches(|c: char| c.is_whitespace() || c == ')');
                    if trimmed == *from {
                        format!("{to}{}", &piece[trimmed.len()..])
                    } else {
                        piece.to_string()
                    }
                })
                .collect();
        }
        // Section comments describe the order of the grammar's file; keep only the patterns.
        let form: String = form
            .lines()
            .filter(|l| !l.trim_start().starts_with(';'))
            .collect::<Vec<_>>()
            .join("\n");
        out.push('\n');
        out.push_str(form.trim());
        out.push('\n');
    }
    out
}

/// The editors' copies of the queries are current: Neovim's are a symlink to the grammar's,
/// Helix's highlights are generated from them (see [`helix_highlights`]).
#[test]
fn the_editor_queries_are_current() {
    let queries = grammar_dir().join("queries");
    let neovim = workspace_root().join("editors/neovim/queries/tbt");
    assert_eq!(
        std::fs::canonicalize(&neovim).ok(),
        std::fs::canonicalize(&queries).ok(),
        "editors/neovim/queries/tbt must be a symlink to grammar/tree-sitter-tbt/queries"
    );

    let helix = workspace_root().join("editors/helix/queries/tbt");
    let mut expected = vec![(
        "highlights.scm",
        helix_highlights(&read(&queries.join("highlights.scm"))),
    )];
    for name in ["injections.scm", "locals.scm"] {
        expected.push((name, read(&queries.join(name))));
    }
    let update = std::env::var_os("TBT_UPDATE_EDITOR_QUERIES").is_some();
    let mut stale = Vec::new();
    for (name, text) in expected {
        let path = helix.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if update {
                std::fs::write(&path, &text).unwrap();
            } else {
                stale.push(relative(&path));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{} out of date: run `TBT_UPDATE_EDITOR_QUERIES=1 cargo test -p tbt-tests --test grammar`",
        stale.join(", ")
    );

    // Every query parses for the grammar: the grammar's own, and Helix's.
    let language: tree_sitter::Language = tree_sitter_tbt::LANGUAGE.into();
    for dir in [&queries, &helix] {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "scm") {
                let text = read(&path);
                // Helix's indent and text-object captures are not tree-sitter's, but they parse.
                tree_sitter::Query::new(&language, &text)
                    .unwrap_or_else(|e| panic!("{}: {e}", relative(&path)));
            }
        }
    }
}
