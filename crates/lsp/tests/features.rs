//! Data-driven tests of every feature: each file of `tests/cases/` is a small workspace with a
//! cursor (`$0`) and one request; the answer, rendered for people, is an insta snapshot.
//!
//! A case file:
//!
//! ```text
//! request: rename new_name
//! --- main.tbt
//! test "t" { ... $0 ... }
//! --- shop.schema.tbt
//! schema { ... }
//! ```
//!
//! The files are written to a temporary folder that is the workspace root; the file with the
//! cursor is opened in the editor, the others stay closed (they count through the workspace).
//! The request's first word is the feature, the rest its argument.

mod support;

use serde_json::{Value, json};
use std::fmt::Write;
use std::path::Path;
use support::{Client, take_cursor, uri, workspace};
use tbt_lsp::text::Lines;
use tbt_lsp::tower_lsp_server::ls_types::{Position, Range};

struct Case {
    request: String,
    argument: String,
    files: Vec<(String, String)>,
}

fn read_case(text: &str) -> Case {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let request = header.strip_prefix("request:").unwrap_or(header).trim();
    let (request, argument) = request.split_once(' ').unwrap_or((request, ""));
    let mut files: Vec<(String, String)> = Vec::new();
    for line in lines {
        if let Some(name) = line.strip_prefix("--- ") {
            files.push((name.trim().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    Case {
        request: request.to_string(),
        argument: argument.trim().to_string(),
        files,
    }
}

#[test]
fn features() {
    insta::glob!("cases/*.txt", |path| {
        let text = std::fs::read_to_string(path).expect("read case");
        let case = read_case(&text);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let rendered = runtime.block_on(run(case));
        insta::assert_snapshot!(rendered);
    });
}

async fn run(case: Case) -> String {
    let mut cursor = None;
    let mut main = None;
    let files: Vec<(String, String)> = case
        .files
        .iter()
        .map(|(name, text)| {
            let (text, at) = take_cursor(text);
            if at.is_some() || main.is_none() {
                if at.is_some() {
                    cursor = at;
                }
                main = Some((name.clone(), text.clone()));
            }
            (name.clone(), text)
        })
        .collect();
    let (main_name, main_text) = main.expect("a case has a file");
    let (_dir, root) = workspace(&files);
    let mut client = Client::start(Some(&root)).await;
    let main_uri = uri(&root.join(&main_name));
    client.open(&main_uri, &main_text).await;
    let at = cursor.unwrap_or((0, 0));
    let r = Render {
        root: &root,
        files: &files,
    };
    let answer = match case.request.as_str() {
        "completion" => {
            let items = client
                .at("textDocument/completion", &main_uri, at, json!({}))
                .await;
            r.completion(items)
        }
        "hover" => {
            let hover = client
                .at("textDocument/hover", &main_uri, at, json!({}))
                .await;
            r.hover(&main_name, hover)
        }
        "definition" => {
            let found = client
                .at("textDocument/definition", &main_uri, at, json!({}))
                .await;
            r.locations(found)
        }
        "references" => {
            let context = json!({ "context": { "includeDeclaration": true } });
            let found = client
                .at("textDocument/references", &main_uri, at, context)
                .await;
            r.locations(found)
        }
        "prepareRename" => {
            let found = client
                .at("textDocument/prepareRename", &main_uri, at, json!({}))
                .await;
            r.json(found)
        }
        "rename" => {
            let name = json!({ "newName": case.argument });
            let edit = client.at("textDocument/rename", &main_uri, at, name).await;
            r.workspace_edit(edit)
        }
        "symbols" => {
            let doc = json!({ "textDocument": { "uri": main_uri } });
            let symbols = client.request("textDocument/documentSymbol", doc).await;
            r.symbols(symbols)
        }
        "workspaceSymbols" => {
            let query = json!({ "query": case.argument });
            let symbols = client.request("workspace/symbol", query).await;
            r.workspace_symbols(symbols)
        }
        "formatting" => {
            let params = json!({
                "textDocument": { "uri": main_uri },
                "options": { "tabSize": 2, "insertSpaces": true }
            });
            let edits = client.request("textDocument/formatting", params).await;
            r.text_edits(&main_name, edits)
        }
        "codeAction" => {
            let position = json!({ "line": at.0, "character": at.1 });
            let params = json!({
                "textDocument": { "uri": main_uri },
                "range": { "start": position, "end": position },
                "context": { "diagnostics": [] }
            });
            let actions = client.request("textDocument/codeAction", params).await;
            r.code_actions(actions)
        }
        "semanticTokens" => {
            let doc = json!({ "textDocument": { "uri": main_uri } });
            let tokens = client
                .request("textDocument/semanticTokens/full", doc)
                .await;
            r.semantic_tokens(&main_text, tokens)
        }
        "folding" => {
            let doc = json!({ "textDocument": { "uri": main_uri } });
            let ranges = client.request("textDocument/foldingRange", doc).await;
            r.folding(ranges)
        }
        "signatureHelp" => {
            let help = client
                .at("textDocument/signatureHelp", &main_uri, at, json!({}))
                .await;
            r.signature(help)
        }
        "diagnostics" => {
            let doc = json!({ "textDocument": { "uri": main_uri } });
            let report = client.request("textDocument/diagnostic", doc).await;
            r.diagnostics(report)
        }
        other => panic!("unknown request `{other}` in a case file"),
    };
    client.shutdown().await;
    let answer = answer.replace(&root.display().to_string(), "<root>");
    format!("{} {}\n\n{answer}", case.request, case.argument)
        .trim_end()
        .to_string()
        + "\n"
}

/// Renders answers for people: URIs as file names, positions as `line:column` (1-based),
/// edits applied.
struct Render<'a> {
    root: &'a Path,
    files: &'a [(String, String)],
}

fn ok(answer: Result<Value, Value>) -> Result<Value, String> {
    answer.map_err(|e| format!("error: {e}"))
}

fn pos(p: &Value) -> String {
    format!(
        "{}:{}",
        p["line"].as_u64().unwrap_or(0) + 1,
        p["character"].as_u64().unwrap_or(0) + 1
    )
}

fn range(r: &Value) -> String {
    format!("{}-{}", pos(&r["start"]), pos(&r["end"]))
}

fn to_range(r: &Value) -> Range {
    serde_json::from_value(r.clone()).unwrap_or_default()
}

impl Render<'_> {
    fn name(&self, uri: &Value) -> String {
        let uri = uri.as_str().unwrap_or_default();
        let root = support::uri(self.root);
        uri.strip_prefix(&root)
            .map_or(uri, |rest| rest.trim_start_matches('/'))
            .to_string()
    }

    fn text(&self, name: &str) -> &str {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, t)| t.as_str())
    }

    fn json(&self, answer: Result<Value, Value>) -> String {
        match ok(answer) {
            Ok(value) => serde_json::to_string_pretty(&value).unwrap_or_default(),
            Err(e) => e,
        }
    }

    fn completion(&self, answer: Result<Value, Value>) -> String {
        let items = match ok(answer) {
            Ok(Value::Array(items)) => items,
            Ok(other) => return format!("{other}"),
            Err(e) => return e,
        };
        let mut rows: Vec<(String, String)> = items
            .iter()
            .map(|item| {
                let label = item["label"].as_str().unwrap_or_default();
                let detail = item["detail"].as_str().unwrap_or_default();
                let insert = item["textEdit"]["newText"].as_str().unwrap_or_default();
                let deprecated = if item["tags"].as_array().is_some_and(|t| !t.is_empty()) {
                    " (deprecated)"
                } else {
                    ""
                };
                let mut row = format!("{label}{deprecated}");
                if !detail.is_empty() {
                    write!(row, "  · {detail}").ok();
                }
                if insert != label {
                    write!(row, "  => {insert:?}").ok();
                }
                let sort = item["sortText"].as_str().unwrap_or(label).to_string();
                (sort, row)
            })
            .collect();
        rows.sort();
        let total = rows.len();
        let mut out = format!("{total} items\n");
        for (_, row) in rows.iter().take(60) {
            out.push_str(row);
            out.push('\n');
        }
        if total > 60 {
            writeln!(out, "... and {} more", total - 60).ok();
        }
        out
    }

    fn hover(&self, main: &str, answer: Result<Value, Value>) -> String {
        match ok(answer) {
            Ok(Value::Null) => "no hover".to_string(),
            Ok(hover) => {
                let text = self.text(main);
                let lines = Lines::new(text);
                let at = lines.text_range(to_range(&hover["range"]));
                format!(
                    "on `{}` ({})\n\n{}",
                    &text[at.to_usize()],
                    range(&hover["range"]),
                    hover["contents"]["value"].as_str().unwrap_or_default()
                )
            }
            Err(e) => e,
        }
    }

    fn location(&self, location: &Value) -> String {
        let name = self.name(&location["uri"]);
        let text = self.text(&name);
        let lines = Lines::new(text);
        let at = lines.text_range(to_range(&location["range"]));
        let line_start = text[..at.start as usize].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at.start as usize..]
            .find('\n')
            .map_or(text.len(), |i| at.start as usize + i);
        format!(
            "{name}:{}  `{}`  in: {}",
            range(&location["range"]),
            &text[at.to_usize()],
            text[line_start..line_end].trim()
        )
    }

    fn locations(&self, answer: Result<Value, Value>) -> String {
        match ok(answer) {
            Ok(Value::Null) => "nothing".to_string(),
            Ok(Value::Array(locations)) => locations
                .iter()
                .map(|l| self.location(l))
                .collect::<Vec<_>>()
                .join("\n"),
            Ok(location) => self.location(&location),
            Err(e) => e,
        }
    }

    fn apply(&self, name: &str, edits: &[Value]) -> String {
        let text = self.text(name).to_string();
        let lines = Lines::new(&text);
        let mut edits: Vec<(tbt_diagnostics::TextRange, String)> = edits
            .iter()
            .map(|e| {
                (
                    lines.text_range(to_range(&e["range"])),
                    e["newText"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
        let mut out = text.clone();
        for (r, new) in edits {
            out.replace_range(r.to_usize(), &new);
        }
        out
    }

    fn workspace_edit(&self, answer: Result<Value, Value>) -> String {
        let edit = match ok(answer) {
            Ok(edit) => edit,
            Err(e) => return e,
        };
        let Some(changes) = edit["changes"].as_object() else {
            return format!("{edit}");
        };
        let mut names: Vec<(String, &Value)> = changes
            .iter()
            .map(|(u, e)| (self.name(&json!(u)), e))
            .collect();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = String::new();
        for (name, edits) in names {
            let edits = edits.as_array().cloned().unwrap_or_default();
            writeln!(
                out,
                "--- {name} ({} edits)\n{}",
                edits.len(),
                self.apply(&name, &edits)
            )
            .ok();
        }
        out
    }

    fn text_edits(&self, main: &str, answer: Result<Value, Value>) -> String {
        match ok(answer) {
            Ok(Value::Null) => "no edits (refused)".to_string(),
            Ok(Value::Array(edits)) => {
                format!("{} edits\n{}", edits.len(), self.apply(main, &edits))
            }
            Ok(other) => format!("{other}"),
            Err(e) => e,
        }
    }

    fn code_actions(&self, answer: Result<Value, Value>) -> String {
        let actions = match ok(answer) {
            Ok(Value::Array(actions)) => actions,
            Ok(other) => return format!("{other}"),
            Err(e) => return e,
        };
        let mut out = String::new();
        for action in actions {
            writeln!(
                out,
                "## {} [{}]{}",
                action["title"].as_str().unwrap_or_default(),
                action["kind"].as_str().unwrap_or_default(),
                if action["isPreferred"] == json!(true) {
                    " preferred"
                } else {
                    ""
                }
            )
            .ok();
            if let Some(code) = action["diagnostics"][0]["code"].as_str() {
                writeln!(out, "fixes {code}").ok();
            }
            out.push_str(&self.workspace_edit(Ok(action["edit"].clone())));
            out.push('\n');
        }
        if out.is_empty() {
            out.push_str("no actions");
        }
        out
    }

    fn semantic_tokens(&self, text: &str, answer: Result<Value, Value>) -> String {
        const TYPES: &[&str] = &[
            "keyword",
            "string",
            "number",
            "regexp",
            "comment",
            "operator",
            "variable",
            "property",
            "namespace",
            "function",
            "type",
        ];
        const MODIFIERS: &[&str] = &["declaration", "deprecated", "readonly", "defaultLibrary"];
        let data: Vec<u64> = match ok(answer) {
            Ok(v) => v["data"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default(),
            Err(e) => return e,
        };
        let lines = Lines::new(text);
        let (mut line, mut col) = (0u64, 0u64);
        let mut out = String::new();
        for chunk in data.chunks(5) {
            let [dl, ds, len, ty, mods] = chunk else {
                continue;
            };
            line += dl;
            col = if *dl == 0 { col + ds } else { *ds };
            let start = lines.offset(Position::new(line as u32, col as u32));
            let end = lines.offset(Position::new(line as u32, (col + len) as u32));
            let mods: Vec<&str> = MODIFIERS
                .iter()
                .enumerate()
                .filter(|(i, _)| mods & (1 << i) != 0)
                .map(|(_, m)| *m)
                .collect();
            writeln!(
                out,
                "{}:{} {:?} {}{}",
                line + 1,
                col + 1,
                &text[start as usize..end as usize],
                TYPES.get(*ty as usize).unwrap_or(&"?"),
                if mods.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", mods.join(", "))
                }
            )
            .ok();
        }
        out
    }

    fn folding(&self, answer: Result<Value, Value>) -> String {
        match ok(answer) {
            Ok(Value::Array(ranges)) => ranges
                .iter()
                .map(|r| {
                    format!(
                        "lines {}-{}{}",
                        r["startLine"].as_u64().unwrap_or(0) + 1,
                        r["endLine"].as_u64().unwrap_or(0) + 1,
                        r["kind"]
                            .as_str()
                            .map(|k| format!(" ({k})"))
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Ok(other) => format!("{other}"),
            Err(e) => e,
        }
    }

    fn signature(&self, answer: Result<Value, Value>) -> String {
        match ok(answer) {
            Ok(Value::Null) => "no signature".to_string(),
            Ok(help) => {
                let sig = &help["signatures"][0];
                let active = help["activeParameter"].as_u64().unwrap_or(0) as usize;
                format!(
                    "{}\nactive parameter: {}\n{}",
                    sig["label"].as_str().unwrap_or_default(),
                    sig["parameters"][active]["label"]
                        .as_str()
                        .unwrap_or_default(),
                    sig["documentation"]["value"].as_str().unwrap_or_default()
                )
            }
            Err(e) => e,
        }
    }

    fn symbols(&self, answer: Result<Value, Value>) -> String {
        fn walk(symbols: &[Value], depth: usize, out: &mut String) {
            for s in symbols {
                writeln!(
                    out,
                    "{}{} ({}) {} at {}",
                    "  ".repeat(depth),
                    s["name"].as_str().unwrap_or_default(),
                    s["kind"],
                    s["detail"].as_str().unwrap_or_default(),
                    range(&s["selectionRange"])
                )
                .ok();
                if let Some(children) = s["children"].as_array() {
                    walk(children, depth + 1, out);
                }
            }
        }
        match ok(answer) {
            Ok(Value::Array(symbols)) => {
                let mut out = String::new();
                walk(&symbols, 0, &mut out);
                out
            }
            Ok(other) => format!("{other}"),
            Err(e) => e,
        }
    }

    fn workspace_symbols(&self, answer: Result<Value, Value>) -> String {
        match ok(answer) {
            Ok(Value::Array(symbols)) => symbols
                .iter()
                .map(|s| {
                    format!(
                        "{} ({}) in {} at {}:{}",
                        s["name"].as_str().unwrap_or_default(),
                        s["kind"],
                        s["containerName"].as_str().unwrap_or("-"),
                        self.name(&s["location"]["uri"]),
                        pos(&s["location"]["range"]["start"])
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Ok(other) => format!("{other}"),
            Err(e) => e,
        }
    }

    fn diagnostics(&self, answer: Result<Value, Value>) -> String {
        match ok(answer) {
            Ok(report) => report["items"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|d| {
                            let related = d["relatedInformation"]
                                .as_array()
                                .map(|r| {
                                    r.iter()
                                        .map(|r| {
                                            format!(
                                                "\n    related {}: {}",
                                                range(&r["location"]["range"]),
                                                r["message"].as_str().unwrap_or_default()
                                            )
                                        })
                                        .collect::<String>()
                                })
                                .unwrap_or_default();
                            format!(
                                "{} {} (severity {}) {}\n    link: {}{related}",
                                range(&d["range"]),
                                d["code"].as_str().unwrap_or_default(),
                                d["severity"],
                                d["message"].as_str().unwrap_or_default(),
                                d["codeDescription"]["href"].as_str().unwrap_or_default(),
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            Err(e) => e,
        }
    }
}
