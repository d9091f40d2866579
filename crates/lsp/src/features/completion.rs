//! Completion: keywords and snippets, attributes (semantic conventions, the user's schemas and
//! the span intrinsics), enum values after a comparison, services, pseudo-classes, `env.`
//! names, `response.` fields, trigger options, and the `let` and `output` names in scope.

use super::Doc;
use super::context::{Block, Context, cursor};
use super::hover::{intrinsic_markdown, semconv_markdown};
use super::scope::names_in_scope;
use std::collections::BTreeSet;
use tbt_diagnostics::TextRange;
use tbt_semantics::{EnumTy, Ty};
use tbt_semconv::{AttrType, EnumValue};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionItemTag, CompletionTextEdit, Documentation,
    InsertTextFormat, MarkupContent, MarkupKind, Position, TextEdit,
};

/// The aggregate functions with their snippet arguments.
pub const AGGREGATES: &[(&str, &str)] = &[
    ("count", "count(${1:selection})"),
    ("sum", "sum(${1:values})"),
    ("avg", "avg(${1:values})"),
    ("min", "min(${1:values})"),
    ("max", "max(${1:values})"),
    ("p50", "p50(${1:values})"),
    ("p90", "p90(${1:values})"),
    ("p95", "p95(${1:values})"),
    ("p99", "p99(${1:values})"),
    ("percentile", "percentile(${1:values}, ${2:95})"),
];

/// The options of each trigger kind, in the order of [`TRIGGER_KINDS`].
const TRIGGER_OPTIONS: &[&[(&str, &str)]] = &[
    &[
        ("header", "header \"${1:name}\" = \"${2:value}\""),
        ("query", "query \"${1:name}\" = \"${2:value}\""),
        ("body", "body ${1|json,text,form,file|} $0"),
        ("auth", "auth ${1|bearer,basic|} $0"),
        ("timeout", "timeout ${1:5s}"),
        ("tls", "tls ${1|insecure,ca,cert|}"),
        ("redirects", "redirects ${1:5}"),
    ],
    &[
        ("metadata", "metadata \"${1:key}\" = \"${2:value}\""),
        ("message", "message { $0 }"),
        ("proto", "proto \"${1:service.proto}\""),
        ("import_path", "import_path \"${1:protos}\""),
        ("reflection", "reflection"),
        ("timeout", "timeout ${1:5s}"),
        ("tls", "tls ${1|insecure,ca,cert|}"),
    ],
    &[
        ("cwd", "cwd \"${1:dir}\""),
        ("env", "env \"${1:NAME}\" = \"${2:value}\""),
        ("shell", "shell"),
        ("stdin", "stdin \"${1:input}\""),
        ("timeout", "timeout ${1:5s}"),
    ],
    &[],
];

/// The trigger kinds with the snippet of their arguments.
const TRIGGER_SNIPPETS: &[(&str, &str)] = &[
    (
        "http",
        "http ${1|GET,POST,PUT,PATCH,DELETE|} \"${2:\\${env.BASE_URL\\}/path}\"",
    ),
    (
        "grpc",
        "grpc \"${1:localhost:50051}\" \"${2:package.Service/Method}\" {\n\tmessage { $0 }\n}",
    ),
    ("exec", "exec [\"${1:program}\"$0]"),
    ("trace", "trace \"${1:trace id}\""),
];

/// The fields of `response`, with their type and meaning.
pub const RESPONSE_FIELDS: &[(&str, &str, &str)] = &[
    (
        "status",
        "int",
        "The HTTP status code, or the gRPC status code.",
    ),
    (
        "headers",
        "map of strings",
        "The HTTP response headers: `response.headers[\"name\"]`.",
    ),
    ("body", "string", "The HTTP body as text."),
    (
        "json",
        "json",
        "The body (HTTP) or the response message (gRPC), parsed as JSON.",
    ),
    (
        "metadata",
        "map of strings",
        "The gRPC response metadata: headers and trailers.",
    ),
    ("exit_code", "int", "The exit code of an `exec` trigger."),
    (
        "stdout",
        "string",
        "What an `exec` trigger wrote to standard output.",
    ),
    (
        "stderr",
        "string",
        "What an `exec` trigger wrote to standard error.",
    ),
    (
        "duration",
        "duration",
        "How long the trigger took, as seen by tbt.",
    ),
];

/// The pseudo-classes, with their snippet and meaning.
const PSEUDO_CLASSES: &[(&str, &str, &str)] = &[
    ("root", "root", "Spans without a parent."),
    ("leaf", "leaf", "Spans without children."),
    ("first", "first", "The span that starts first."),
    ("last", "last", "The span that starts last."),
    (
        "nth",
        "nth(${1:2})",
        "The N-th span by start time, counting from 1.",
    ),
    (
        "has",
        "has(${1:> span[$2]})",
        "The spans for which the relative selector selects a span.",
    ),
    (
        "not",
        "not(${1:span[$2]})",
        "The spans the selector does not select.",
    ),
];

/// The types of a schema attribute.
const SCHEMA_TYPES: &[&str] = &[
    "string",
    "int",
    "double",
    "bool",
    "duration",
    "timestamp",
    "json",
];

/// The completions at `position`. `snippets` says whether the client takes snippet syntax.
pub fn completion(doc: &Doc<'_>, position: Position, snippets: bool) -> Vec<CompletionItem> {
    let offset = doc.offset(position);
    let part_start = part_start(doc, offset);
    let at = cursor(doc.text, part_start, offset);
    let mut out = Items {
        doc,
        word: at.word,
        snippets,
        items: Vec::new(),
    };
    match at.context {
        Context::Nothing => {}
        Context::Statement(block) => statements(&mut out, block, offset),
        Context::TriggerKind => {
            for (kind, snippet) in TRIGGER_SNIPPETS {
                out.snippet(kind, snippet, CompletionItemKind::KEYWORD, "trigger kind");
            }
        }
        Context::TriggerOption(kind) => {
            let options = kind.and_then(|k| TRIGGER_OPTIONS.get(k)).copied();
            for (name, snippet) in options.unwrap_or_default() {
                out.snippet(
                    name,
                    snippet,
                    CompletionItemKind::PROPERTY,
                    "trigger option",
                );
            }
        }
        Context::WaitOption => {
            out.snippet(
                "until",
                "until $0",
                CompletionItemKind::KEYWORD,
                "stop waiting once this holds",
            );
            out.snippet(
                "timeout",
                "timeout ${1:30s}",
                CompletionItemKind::KEYWORD,
                "the longest wait",
            );
            out.snippet(
                "settle",
                "settle ${1:500ms}",
                CompletionItemKind::KEYWORD,
                "quiet time that ends the trace",
            );
        }
        Context::SchemaType => {
            for ty in SCHEMA_TYPES {
                out.plain(ty, CompletionItemKind::TYPE_PARAMETER, "type");
            }
        }
        Context::Pseudo => {
            for (name, snippet, brief) in PSEUDO_CLASSES {
                out.snippet(name, snippet, CompletionItemKind::FUNCTION, brief);
            }
        }
        Context::Env { secret } => env_names(&mut out, secret),
        Context::Response => {
            for (field, ty, brief) in RESPONSE_FIELDS {
                let name = format!("response.{field}");
                let item = out.item(&name, &name, false, CompletionItemKind::FIELD, ty);
                item.documentation = Some(markdown(brief.to_string()));
            }
        }
        Context::Service => services(&mut out, false),
        Context::Value { left } => values(&mut out, &left),
        Context::Expr { span, after_expect } => expressions(&mut out, offset, span, after_expect),
        Context::UsePath => use_paths(&mut out),
    }
    out.items
}

/// Where the top-level part holding `offset` starts.
fn part_start(doc: &Doc<'_>, offset: u32) -> u32 {
    let parts = tbt_db::parts(doc.db(), doc.file);
    let i = parts.partition_point(|(at, _)| *at <= offset);
    i.checked_sub(1)
        .and_then(|i| parts.get(i))
        .map_or(0, |(at, _)| *at)
}

/// The items being collected, with what each replaces.
struct Items<'a, 'b> {
    doc: &'a Doc<'b>,
    word: TextRange,
    snippets: bool,
    items: Vec<CompletionItem>,
}

impl Items<'_, '_> {
    /// An item that replaces the word with `insert`.
    fn item(
        &mut self,
        label: &str,
        insert: &str,
        snippet: bool,
        kind: CompletionItemKind,
        detail: &str,
    ) -> &mut CompletionItem {
        let (insert, format) = if snippet && self.snippets {
            (insert.to_string(), Some(InsertTextFormat::SNIPPET))
        } else if snippet {
            (strip_snippet(insert), Some(InsertTextFormat::PLAIN_TEXT))
        } else {
            (insert.to_string(), None)
        };
        self.items.push(CompletionItem {
            label: label.to_string(),
            kind: Some(kind),
            detail: (!detail.is_empty()).then(|| detail.to_string()),
            filter_text: Some(label.to_string()),
            insert_text_format: format,
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: self.doc.lines.range(self.word),
                new_text: insert,
            })),
            ..CompletionItem::default()
        });
        let last = self.items.len() - 1;
        &mut self.items[last]
    }

    fn plain(
        &mut self,
        label: &str,
        kind: CompletionItemKind,
        detail: &str,
    ) -> &mut CompletionItem {
        self.item(label, label, false, kind, detail)
    }

    fn snippet(
        &mut self,
        label: &str,
        snippet: &str,
        kind: CompletionItemKind,
        detail: &str,
    ) -> &mut CompletionItem {
        let is_snippet = snippet != label;
        self.item(label, snippet, is_snippet, kind, detail)
    }

    /// The dotted word typed so far, up to its last dot (`http.` in `http.resp`).
    fn namespace(&self) -> &str {
        let word = &self.doc.text[self.word.to_usize()];
        word.rfind('.').map_or("", |i| &word[..=i])
    }
}

/// The text a snippet inserts when the client takes no snippets: placeholders keep their
/// default, choices their first option.
fn strip_snippet(snippet: &str) -> String {
    let mut out = String::new();
    let mut chars = snippet.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                let mut inner = String::new();
                let mut depth = 1;
                for c in chars.by_ref() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    inner.push(c);
                }
                let body = inner.trim_start_matches(|c: char| c.is_ascii_digit());
                if let Some(choices) = body.strip_prefix('|') {
                    out.push_str(choices.split([',', '|']).next().unwrap_or(""));
                } else if let Some(default) = body.strip_prefix(':') {
                    out.push_str(&strip_snippet(default));
                }
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

fn statements(out: &mut Items<'_, '_>, block: Block, offset: u32) {
    let kw = CompletionItemKind::KEYWORD;
    let snip = CompletionItemKind::SNIPPET;
    match block {
        Block::File => {
            out.snippet(
                "use",
                "use \"${1:shop.schema.tbt}\"",
                kw,
                "import schemas and constants",
            );
            out.snippet(
                "schema",
                "schema {\n\t$0\n}",
                snip,
                "declare services and attributes",
            );
            out.snippet("test", "test \"${1:name}\" {\n\t$0\n}", snip, "a test");
            out.snippet(
                "suite",
                "suite \"${1:name}\" {\n\ttest \"${2:first step}\" {\n\t\t$0\n\t}\n}",
                snip,
                "tests that run in order and share outputs",
            );
            out.snippet("let", "let ${1:name} = $0", kw, "a constant");
        }
        Block::Suite => {
            out.snippet("test", "test \"${1:name}\" {\n\t$0\n}", snip, "a test");
            out.snippet("let", "let ${1:name} = $0", kw, "a constant of the suite");
        }
        Block::Schema => {
            out.snippet("services", "services ${1:name}", kw, "declare services");
            out.snippet(
                "attribute",
                "attribute ${1:name}: ${2|string,int,double,bool,duration,timestamp,json|}",
                kw,
                "declare an attribute",
            );
        }
        Block::Test | Block::Span => {
            if block == Block::Test {
                for (kind, snippet) in TRIGGER_SNIPPETS {
                    let label = format!("trigger {kind}");
                    out.snippet(&label, &format!("trigger {snippet}"), snip, "trigger");
                }
                out.snippet(
                    "output",
                    "output ${1:name} = $0",
                    kw,
                    "a value for the next tests of the suite",
                );
                out.snippet(
                    "wait",
                    "wait ${1|until,timeout,settle|} $0",
                    kw,
                    "how long to collect spans",
                );
            }
            out.snippet("expect", "expect $0", kw, "an assertion");
            out.snippet(
                "let",
                "let ${1:name} = $0",
                kw,
                "a name for a value or a selection",
            );
            out.snippet(
                "span",
                "span[$1] {\n\t$0\n}",
                snip,
                "every selected span satisfies the block",
            );
            out.snippet(
                "no",
                "no span[$1] {\n\t$0\n}",
                snip,
                "no selected span satisfies the block",
            );
            out.snippet(
                "some",
                "some span[$1] {\n\t$0\n}",
                snip,
                "at least one selected span satisfies the block",
            );
            out.snippet(
                "exactly",
                "exactly ${1:1} span[$2] {\n\t$0\n}",
                snip,
                "exactly N selected spans satisfy the block",
            );
            for name in names_in_scope(out.doc, offset) {
                out.plain(&name.name, CompletionItemKind::VARIABLE, &name.detail());
            }
        }
        Block::Trigger(_) | Block::Object => {}
    }
}

fn expressions(out: &mut Items<'_, '_>, offset: u32, span: bool, after_expect: bool) {
    let namespace = out.namespace().to_string();
    if namespace.is_empty() {
        for name in names_in_scope(out.doc, offset) {
            out.plain(&name.name, CompletionItemKind::VARIABLE, &name.detail());
        }
        let kw = CompletionItemKind::KEYWORD;
        for word in ["not", "true", "false"] {
            out.plain(word, kw, "");
        }
        if !span || after_expect {
            for word in ["no", "some", "any", "exactly"] {
                out.plain(word, kw, "quantifier");
            }
        }
        out.snippet("span", "span[$1]", kw, "every span of the trace");
        out.plain(
            "response",
            CompletionItemKind::MODULE,
            "what the trigger returned",
        );
        out.plain("env", CompletionItemKind::MODULE, "the environment");
        for (name, snippet) in AGGREGATES {
            out.snippet(name, snippet, CompletionItemKind::FUNCTION, "aggregate");
        }
    }
    if span || after_expect {
        attributes(out, &namespace);
    }
}

/// The attributes whose names start with `namespace`: intrinsics, the visible schema, then
/// the semantic conventions (deprecated ones tagged and sorted last).
fn attributes(out: &mut Items<'_, '_>, namespace: &str) {
    let mut seen = BTreeSet::new();
    for intrinsic in tbt_semconv::intrinsics() {
        if intrinsic.name.starts_with(namespace) && seen.insert(intrinsic.name.to_string()) {
            let item = out.plain(
                intrinsic.name,
                CompletionItemKind::FIELD,
                intrinsic.ty.name(),
            );
            item.documentation = Some(markdown(intrinsic_markdown(intrinsic)));
            item.sort_text = Some(format!("0{}", intrinsic.name));
        }
    }
    let visible = tbt_db::visible_schema(out.doc.db(), out.doc.file);
    for (name, attribute) in &visible.attributes {
        if name.starts_with(namespace) && seen.insert(name.to_string()) {
            let detail = format!("{} · schema", attribute.ty);
            let item = out.plain(name, CompletionItemKind::FIELD, &detail);
            if let Some(doc) = &attribute.doc {
                item.documentation = Some(markdown(doc.clone()));
            }
            item.sort_text = Some(format!("1{name}"));
        }
    }
    let from = tbt_semconv::attributes().partition_point(|a| a.name < namespace);
    for def in &tbt_semconv::attributes()[from..] {
        if !def.name.starts_with(namespace) {
            break;
        }
        if !seen.insert(def.name.to_string()) {
            continue;
        }
        let label = if def.template {
            format!("{}.", def.name)
        } else {
            def.name.to_string()
        };
        let detail = format!("{} · {}", def.ty, def.stability);
        let deprecated = def.is_deprecated();
        let item = out.plain(&label, CompletionItemKind::FIELD, &detail);
        item.documentation = Some(markdown(semconv_markdown(def, &def.display_name())));
        item.sort_text = Some(format!("{}{}", if deprecated { 3 } else { 2 }, def.name));
        if deprecated {
            item.tags = Some(vec![CompletionItemTag::DEPRECATED]);
            item.detail = Some(format!("{detail} · deprecated"));
        }
    }
}

fn env_names(out: &mut Items<'_, '_>, secret: bool) {
    let prefix = if secret { "env.secret." } else { "env." };
    let declared = out.doc.file.env(out.doc.db()).clone();
    if !secret {
        out.plain(
            "env.secret.",
            CompletionItemKind::MODULE,
            "a secret: masked in reports",
        );
    }
    for name in declared.iter().flat_map(|names| names.iter()) {
        let label = format!("{prefix}{name}");
        out.plain(&label, CompletionItemKind::CONSTANT, "declared in tbt.toml");
    }
}

/// The services the schemas declare and those the file names (except at `word`, being typed).
fn service_names(doc: &Doc<'_>, word: TextRange) -> BTreeSet<String> {
    let db = doc.db();
    let mut names: BTreeSet<String> = tbt_db::visible_schema(db, doc.file)
        .services
        .keys()
        .map(|s| s.to_string())
        .collect();
    for file in doc.snap.files() {
        names.extend(
            tbt_db::file_schema(db, file)
                .services
                .iter()
                .map(|s| s.name.to_string()),
        );
    }
    names.extend(
        tbt_db::check(db, doc.file)
            .resolutions()
            // Not the name being typed.
            .filter(|r| !(r.range.start <= word.end && word.start <= r.range.end))
            .filter_map(|r| match r.target {
                tbt_semantics::Target::UndeclaredService(name) => Some(name.to_string()),
                _ => None,
            }),
    );
    names
}

fn services(out: &mut Items<'_, '_>, quoted: bool) {
    for name in service_names(out.doc, out.word) {
        let insert = if quoted {
            format!("{name:?}")
        } else {
            name.clone()
        };
        out.item(
            &insert,
            &insert,
            false,
            CompletionItemKind::MODULE,
            "service",
        );
    }
}

/// The values that can follow a comparison with `left`.
fn values(out: &mut Items<'_, '_>, left: &str) {
    if left == "service.name" || left == "resource.service.name" {
        services(out, true);
        return;
    }
    let enum_item = CompletionItemKind::ENUM_MEMBER;
    if let Some(intrinsic) = tbt_semconv::intrinsic(left)
        && let tbt_semconv::IntrinsicType::Enum(values) = intrinsic.ty
    {
        for value in values {
            out.plain(value, enum_item, intrinsic.name);
        }
        return;
    }
    let visible = tbt_db::visible_schema(out.doc.db(), out.doc.file);
    let name = left.strip_prefix("span.").unwrap_or(left);
    if let Some(attribute) = visible.attributes.get(name) {
        match &attribute.ty {
            Ty::Enum(EnumTy::Closed(members)) => {
                for member in members.iter() {
                    out.plain(&format!("{member:?}"), enum_item, name);
                }
            }
            Ty::Bool => {
                out.plain("true", enum_item, name);
                out.plain("false", enum_item, name);
            }
            _ => {}
        }
        return;
    }
    let name = name.strip_prefix("resource.").unwrap_or(name);
    let Some(def) = tbt_semconv::lookup(name) else {
        return;
    };
    match &def.ty {
        AttrType::Enum(e) => {
            for member in e.members {
                let text = match member.value {
                    EnumValue::Str(s) => format!("{s:?}"),
                    EnumValue::Int(i) => i.to_string(),
                };
                let item = out.plain(&text, enum_item, def.name);
                if let Some(brief) = member.brief {
                    item.documentation = Some(markdown(brief.to_string()));
                }
                if member.deprecated {
                    item.tags = Some(vec![CompletionItemTag::DEPRECATED]);
                }
            }
        }
        AttrType::Boolean => {
            out.plain("true", enum_item, def.name);
            out.plain("false", enum_item, def.name);
        }
        _ => {}
    }
}

/// The other `.tbt` files of the workspace, as paths relative to this file's folder.
fn use_paths(out: &mut Items<'_, '_>) {
    let db = out.doc.db();
    let here = out.doc.file.path(db).clone();
    let Some(dir) = here.parent() else {
        return;
    };
    let mut paths = Vec::new();
    for file in out.doc.snap.files() {
        let path = file.path(db);
        if **path == *here {
            continue;
        }
        if let Some(relative) = relative_path(dir, path) {
            paths.push(relative);
        }
    }
    for path in paths {
        out.plain(&path, CompletionItemKind::FILE, "");
    }
}

/// `to` relative to the folder `from`, with `/` separators and `..` where needed.
fn relative_path(from: &std::path::Path, to: &std::path::Path) -> Option<String> {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_snippets_for_plain_clients() {
        assert_eq!(
            strip_snippet("test \"${1:name}\" {\n\t$0\n}"),
            "test \"name\" {\n\t\n}"
        );
        assert_eq!(
            strip_snippet("http ${1|GET,POST|} \"${2:\\${env.X\\}/p}\""),
            "http GET \"${env.X}/p\""
        );
        assert_eq!(strip_snippet("has(${1:> span[$2]})"), "has(> span[])");
    }

    #[test]
    fn makes_relative_paths() {
        use std::path::Path;
        assert_eq!(
            relative_path(Path::new("/a/b"), Path::new("/a/b/c.tbt")).as_deref(),
            Some("c.tbt")
        );
        assert_eq!(
            relative_path(Path::new("/a/b"), Path::new("/a/d/c.tbt")).as_deref(),
            Some("../d/c.tbt")
        );
    }
}
