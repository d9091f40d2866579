//! Semantic tokens (full document): keywords, literals, comments and operators from the lexer;
//! names classified by what they resolve to (a `let` is a variable, an attribute a property,
//! deprecated ones marked, a service a namespace).

use super::Doc;
use super::scope::definitions;
use tbt_diagnostics::TextRange;
use tbt_semantics::Target;
use tbt_syntax::Kind;
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend,
};

/// The token types, in legend order.
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::REGEXP,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::TYPE,
];

const KEYWORD: u32 = 0;
const STRING: u32 = 1;
const NUMBER: u32 = 2;
const REGEXP: u32 = 3;
const COMMENT: u32 = 4;
const OPERATOR: u32 = 5;
const VARIABLE: u32 = 6;
const PROPERTY: u32 = 7;
const NAMESPACE: u32 = 8;
const FUNCTION: u32 = 9;
const TYPE: u32 = 10;

/// The token modifiers, in legend order (bit 0 first).
const MODIFIERS: &[SemanticTokenModifier] = &[
    SemanticTokenModifier::DECLARATION,
    SemanticTokenModifier::DEPRECATED,
    SemanticTokenModifier::READONLY,
    SemanticTokenModifier::DEFAULT_LIBRARY,
];

/// The names of the schema types.
const SCHEMA_TYPES: &[&str] = &[
    "string",
    "int",
    "double",
    "bool",
    "duration",
    "timestamp",
    "json",
];

const DECLARATION: u32 = 1;
const DEPRECATED: u32 = 2;
const READONLY: u32 = 4;
const DEFAULT_LIBRARY: u32 = 8;

/// The legend the server announces.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: MODIFIERS.to_vec(),
    }
}

/// The semantic tokens of a document, delta-encoded as the protocol wants.
pub fn semantic_tokens(doc: &Doc<'_>) -> Vec<SemanticToken> {
    let check = tbt_db::check(doc.db(), doc.file);
    let mut resolved: Vec<(TextRange, u32, u32)> = check
        .resolutions()
        .filter_map(|r| classify(&r.target).map(|(ty, m)| (r.range, ty, m)))
        .collect();
    resolved.extend(
        definitions(doc)
            .into_iter()
            .map(|d| (d.name, VARIABLE, DECLARATION)),
    );
    resolved.sort_by_key(|(r, _, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut spans: Vec<(TextRange, u32, u32)> = Vec::new();
    for &(at, part) in tbt_db::parts(doc.db(), doc.file) {
        let text = part.text(doc.db());
        let lexed = tbt_syntax::lex(text);
        for c in &lexed.comments {
            spans.push((c.shift(at), COMMENT, 0));
        }
        for (i, t) in lexed.tokens.iter().enumerate() {
            let range = t.range.shift(at);
            let next = lexed.tokens.get(i + 1).map(|n| n.kind);
            let before = i.checked_sub(1).map(|j| lexed.tokens[j].kind);
            let class = match t.kind {
                Kind::Ident => match lookup(&resolved, range) {
                    Some(class) => Some(class),
                    None => {
                        let word = &text[t.range.to_usize()];
                        if before == Some(Kind::Colon) && SCHEMA_TYPES.contains(&word) {
                            Some((TYPE, DEFAULT_LIBRARY))
                        } else if next == Some(Kind::LParen) || before == Some(Kind::Colon) {
                            Some((FUNCTION, DEFAULT_LIBRARY))
                        } else if matches!(word, "attribute" | "services")
                            && next == Some(Kind::Ident)
                        {
                            Some((KEYWORD, 0))
                        } else {
                            None
                        }
                    }
                },
                Kind::String | Kind::UnterminatedString => Some((STRING, 0)),
                Kind::Number | Kind::NumberWithSuffix => Some((NUMBER, 0)),
                Kind::Regex | Kind::UnterminatedRegex => Some((REGEXP, 0)),
                Kind::Span => Some((KEYWORD, 0)),
                k if k.is_keyword() => Some((KEYWORD, 0)),
                Kind::EqEq
                | Kind::NotEq
                | Kind::Lt
                | Kind::LtEq
                | Kind::Gt
                | Kind::GtEq
                | Kind::GtGt
                | Kind::Arrow
                | Kind::FatArrow
                | Kind::Plus
                | Kind::Minus
                | Kind::Star
                | Kind::Slash
                | Kind::Percent => Some((OPERATOR, 0)),
                _ => None,
            };
            if let Some((ty, modifiers)) = class {
                spans.push((range, ty, modifiers));
            }
        }
    }
    spans.sort_by_key(|(r, _, _)| r.start);
    encode(doc, &spans)
}

/// The class of the resolution that covers `range`, if any.
fn lookup(resolved: &[(TextRange, u32, u32)], range: TextRange) -> Option<(u32, u32)> {
    let i = resolved.partition_point(|(r, _, _)| r.start <= range.start);
    resolved[..i]
        .iter()
        .rev()
        .take(8)
        .find(|(r, _, _)| r.start <= range.start && range.end <= r.end)
        .map(|&(_, ty, m)| (ty, m))
}

fn classify(target: &Target) -> Option<(u32, u32)> {
    Some(match target {
        Target::Local { .. } => (VARIABLE, 0),
        Target::Constant(_) => (VARIABLE, READONLY),
        Target::Attribute(_) => (PROPERTY, 0),
        Target::Semconv(def) => (
            PROPERTY,
            DEFAULT_LIBRARY | if def.is_deprecated() { DEPRECATED } else { 0 },
        ),
        Target::Intrinsic(_) => (PROPERTY, DEFAULT_LIBRARY),
        Target::Service(_) | Target::UndeclaredService(_) => (NAMESPACE, 0),
        Target::Env(_) => (VARIABLE, READONLY),
        Target::Response(_) => (PROPERTY, READONLY),
    })
}

fn encode(doc: &Doc<'_>, spans: &[(TextRange, u32, u32)]) -> Vec<SemanticToken> {
    let mut out = Vec::with_capacity(spans.len());
    let (mut line, mut col) = (0u32, 0u32);
    let mut last_end = 0u32;
    for &(range, ty, modifiers) in spans {
        if range.start < last_end || range.is_empty() {
            continue;
        }
        let start = doc.lines.position(range.start);
        let end = doc.lines.position(range.end);
        if end.line != start.line {
            continue;
        }
        let delta_line = start.line - line;
        let delta_start = if delta_line == 0 {
            start.character - col
        } else {
            start.character
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: ty,
            token_modifiers_bitset: modifiers,
        });
        (line, col) = (start.line, start.character);
        last_end = range.end;
    }
    out
}
