//! Hover: what a name is. Attributes show their type, brief, stability and deprecation (with
//! the replacement); `let` and `output` names their type; `use` paths the file they name.

use super::Doc;
use super::completion::RESPONSE_FIELDS;
use super::scope::definitions;
use std::path::Path;
use tbt_semantics::{BindingKind, Target};
use tbt_semconv::{AttributeDef, DeprecationReason, Intrinsic};
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

/// The hover at `position`.
pub fn hover(doc: &Doc<'_>, position: Position) -> Option<Hover> {
    let offset = doc.offset(position);
    let db = doc.db();
    let (range, value) = if let Some(import) = tbt_db::imports(db, doc.file)
        .iter()
        .find(|i| i.range.contains_inclusive(offset))
    {
        let state = if import.file.is_some() {
            "imports its schemas and constants"
        } else {
            "**not found**"
        };
        (
            import.range,
            format!("`{}`: {state}", import.path.display()),
        )
    } else if let Some(resolution) = tbt_db::check(db, doc.file).resolution_at(offset) {
        (
            resolution.range,
            target_markdown(doc, &resolution.target, resolution.range)?,
        )
    } else if let Some(def) = definitions(doc)
        .into_iter()
        .find(|d| d.name.contains_inclusive(offset))
    {
        (def.name, local_markdown(doc, def.kind, def.name))
    } else {
        return None;
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(doc.lines.range(range)),
    })
}

fn target_markdown(
    doc: &Doc<'_>,
    target: &Target,
    at: tbt_diagnostics::TextRange,
) -> Option<String> {
    let db = doc.db();
    let written = doc.text.get(at.to_usize()).unwrap_or_default();
    Some(match target {
        Target::Semconv(def) => semconv_markdown(def, written),
        Target::Intrinsic(intrinsic) => intrinsic_markdown(intrinsic),
        Target::Attribute(location) => {
            let visible = tbt_db::visible_schema(db, doc.file);
            let (name, attribute) = visible.attributes.iter().find(|(_, a)| a.at == *location)?;
            let mut out = format!("```tbt\nattribute {name}: {}\n```", attribute.ty);
            if let Some(text) = &attribute.doc {
                out.push_str(&format!("\n\n{text}"));
            }
            out.push_str(&format!("\n\nDeclared in `{}`.", file_name(&location.file)));
            out
        }
        Target::Local { kind, range } => local_markdown(doc, *kind, *range),
        Target::Constant(location) => {
            let visible = tbt_db::visible_schema(db, doc.file);
            let (name, constant) = visible.constants.iter().find(|(_, c)| c.at == *location)?;
            format!(
                "```tbt\nlet {name}: {}\n```\n\nA constant of `{}`.",
                constant.ty,
                file_name(&location.file)
            )
        }
        Target::Service(location) => format!(
            "```tbt\nservice {written}\n```\n\nDeclared in `{}`.",
            file_name(&location.file)
        ),
        Target::UndeclaredService(name) => {
            format!("```tbt\nservice {name}\n```\n\nNo visible schema declares this service.")
        }
        Target::Env(name) => {
            let declared = match doc.file.env(db) {
                Some(names) if names.contains(name.as_str()) => "Declared in `tbt.toml`.",
                Some(_) => "**Not declared** in `tbt.toml`.",
                None => "The project declares no environment (`[env]` in `tbt.toml`).",
            };
            format!("```tbt\nenv.{name}: string\n```\n\nAn environment variable. {declared}")
        }
        Target::Response(field) => {
            let (_, ty, brief) = RESPONSE_FIELDS.iter().find(|(f, _, _)| f == field)?;
            format!("```tbt\nresponse.{field}: {ty}\n```\n\n{brief}")
        }
    })
}

fn local_markdown(doc: &Doc<'_>, kind: BindingKind, name: tbt_diagnostics::TextRange) -> String {
    let keyword = match kind {
        BindingKind::Let => "let",
        BindingKind::Output => "output",
    };
    let written = doc.text.get(name.to_usize()).unwrap_or_default();
    let ty = definitions(doc)
        .into_iter()
        .find(|d| d.name == name)
        .and_then(|d| tbt_db::check(doc.db(), doc.file).type_of(d.value).cloned());
    match ty {
        Some(ty) => format!("```tbt\n{keyword} {written}: {ty}\n```"),
        None => format!("```tbt\n{keyword} {written}\n```"),
    }
}

/// The hover text of a semantic-conventions attribute, as written at the use (`written`
/// differs from the definition's name for templates).
pub fn semconv_markdown(def: &AttributeDef, written: &str) -> String {
    let mut out = format!("```tbt\n{written}: {}\n```\n\n{}", def.ty, def.brief);
    if let Some(e) = def.ty.as_enum() {
        let values: Vec<String> = e
            .members
            .iter()
            .take(12)
            .map(|m| format!("`{}`", m.value))
            .collect();
        let more = if e.members.len() > 12 { ", …" } else { "" };
        out.push_str(&format!("\n\nKnown values: {}{more}", values.join(", ")));
    }
    out.push_str(&format!(
        "\n\nSemantic conventions {}, stability: {}.",
        tbt_semconv::VERSION,
        def.stability
    ));
    if let Some(deprecation) = &def.deprecated {
        let replacement = match (deprecation.reason, deprecation.renamed_to) {
            (DeprecationReason::Renamed, Some(to)) => format!(" Use `{to}` instead."),
            _ => String::new(),
        };
        let note = deprecation
            .note
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n\n**Deprecated** ({}).{replacement}{note}",
            deprecation.reason
        ));
    }
    out
}

/// The hover text of a span intrinsic.
pub fn intrinsic_markdown(intrinsic: &Intrinsic) -> String {
    let mut out = format!(
        "```tbt\n{}: {}\n```\n\n{}",
        intrinsic.name, intrinsic.ty, intrinsic.brief
    );
    if let tbt_semconv::IntrinsicType::Enum(values) = intrinsic.ty {
        out.push_str(&format!("\n\nValues: {}", values.join(", ")));
    }
    out.push_str("\n\nA span intrinsic: every span has it.");
    out
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
