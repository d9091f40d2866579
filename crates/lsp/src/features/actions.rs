//! Code actions: every fix of the diagnostics under the cursor as a quick fix (preferred when
//! `tbt check --fix` would apply it, a suggestion otherwise), and "fix all" applying every
//! machine-applicable fix of the file, as `tbt check --fix` does.

use super::Doc;
use super::diagnostics::to_lsp;
use std::collections::HashMap;
use tbt_diagnostics::TextRange;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, WorkspaceEdit,
};

/// The code actions for `range`. `only` restricts the kinds, as the client asks.
pub fn code_actions(
    doc: &Doc<'_>,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let wants = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let range = doc.lines.text_range(range);
    let diagnostics = &tbt_db::check(doc.db(), doc.file).diagnostics;
    let mut out = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        for d in diagnostics
            .iter()
            .filter(|d| touches(d.primary.range, range))
        {
            let preferred = tbt_semantics::fixes::is_machine_applicable(d);
            for fix in &d.fixes {
                let edits = fix
                    .edits
                    .iter()
                    .map(|e| TextEdit {
                        range: doc.lines.range(e.range),
                        new_text: e.replacement.clone(),
                    })
                    .collect();
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: capitalize(&fix.message),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![to_lsp(doc, d)]),
                    edit: Some(edit(doc, edits)),
                    is_preferred: Some(preferred),
                    ..CodeAction::default()
                }));
            }
        }
    }
    let fix_all = CodeActionKind::SOURCE_FIX_ALL;
    if wants(&fix_all) || only.is_none() {
        let (fixed, applied) = tbt_semantics::fixes::apply(doc.text, diagnostics);
        if applied > 0 {
            let whole = TextRange::new(0, doc.text.len() as u32);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!(
                    "Apply every certain fix ({applied} fix{})",
                    if applied == 1 { "" } else { "es" }
                ),
                kind: Some(fix_all),
                edit: Some(edit(
                    doc,
                    vec![TextEdit {
                        range: doc.lines.range(whole),
                        new_text: fixed,
                    }],
                )),
                ..CodeAction::default()
            }));
        }
    }
    out
}

/// Whether a diagnostic at `d` concerns the requested range (touching counts).
fn touches(d: TextRange, range: TextRange) -> bool {
    d.start <= range.end && range.start <= d.end
}

fn edit(doc: &Doc<'_>, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(doc.uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}
