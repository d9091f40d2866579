//! Signature help for the aggregates: `count`, `sum`, `avg`, `min`, `max`, the percentiles.

use super::Doc;
use tbt_syntax::Kind;
use tower_lsp_server::ls_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, Position,
    SignatureHelp, SignatureInformation,
};

/// An aggregate: its name, parameters and what it returns, from the language reference.
struct Aggregate {
    name: &'static str,
    params: &'static [(&'static str, &'static str)],
    returns: &'static str,
    doc: &'static str,
}

const VALUES: (&str, &str) = (
    "values",
    "a projection (`sel.duration`, `sel.attr`) or a list",
);

const AGGREGATES: &[Aggregate] = &[
    Aggregate {
        name: "count",
        params: &[(
            "selection",
            "a selection (`span[...]`, a named selection) or a list",
        )],
        returns: "int",
        doc: "The number of spans selected, or of items in the list.",
    },
    Aggregate {
        name: "sum",
        params: &[VALUES],
        returns: "int, double or duration",
        doc: "The sum of numbers or durations; `0` (`0s`) of nothing.",
    },
    Aggregate {
        name: "avg",
        params: &[VALUES],
        returns: "double or duration",
        doc: "The mean of numbers or durations; missing for nothing.",
    },
    Aggregate {
        name: "min",
        params: &[VALUES],
        returns: "the item type",
        doc: "The smallest number, duration, timestamp or string; missing for nothing.",
    },
    Aggregate {
        name: "max",
        params: &[VALUES],
        returns: "the item type",
        doc: "The largest number, duration, timestamp or string; missing for nothing.",
    },
    Aggregate {
        name: "p50",
        params: &[VALUES],
        returns: "the item type",
        doc: "The median (nearest rank) of numbers or durations.",
    },
    Aggregate {
        name: "p90",
        params: &[VALUES],
        returns: "the item type",
        doc: "The 90th percentile (nearest rank) of numbers or durations.",
    },
    Aggregate {
        name: "p95",
        params: &[VALUES],
        returns: "the item type",
        doc: "The 95th percentile (nearest rank) of numbers or durations.",
    },
    Aggregate {
        name: "p99",
        params: &[VALUES],
        returns: "the item type",
        doc: "The 99th percentile (nearest rank) of numbers or durations.",
    },
    Aggregate {
        name: "percentile",
        params: &[VALUES, ("q", "the percentile, from 0 to 100")],
        returns: "the item type",
        doc: "The q-th percentile (nearest rank) of numbers or durations.",
    },
];

/// The signature of the aggregate call around `position`, with the active parameter.
pub fn signature_help(doc: &Doc<'_>, position: Position) -> Option<SignatureHelp> {
    let offset = doc.offset(position) as usize;
    let parts = tbt_db::parts(doc.db(), doc.file);
    let i = parts.partition_point(|(at, _)| *at as usize <= offset);
    let start = i
        .checked_sub(1)
        .and_then(|i| parts.get(i))
        .map_or(0, |(at, _)| *at as usize);
    let prefix = doc.text.get(start..offset)?;
    let tokens = tbt_syntax::lex(prefix).tokens;
    // Open delimiters: for a `(`, the name before it and the commas seen inside so far.
    let mut stack: Vec<(Kind, Option<usize>, u32)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::LParen => {
                let callee = i
                    .checked_sub(1)
                    .filter(|&j| tokens[j].kind == Kind::Ident)
                    .filter(|&j| j == 0 || tokens[j - 1].kind != Kind::Colon);
                stack.push((Kind::LParen, callee, 0));
            }
            Kind::LBracket | Kind::LBrace => stack.push((t.kind, None, 0)),
            Kind::RParen | Kind::RBracket | Kind::RBrace => {
                stack.pop();
            }
            Kind::Comma => {
                if let Some(top) = stack.last_mut() {
                    top.2 += 1;
                }
            }
            _ => {}
        }
    }
    let (callee, commas) = stack
        .iter()
        .rev()
        .find_map(|&(kind, callee, commas)| (kind == Kind::LParen).then_some((callee, commas)))?;
    let name = &prefix[tokens[callee?].range.to_usize()];
    let aggregate = AGGREGATES.iter().find(|a| a.name == name)?;
    let params: Vec<String> = aggregate
        .params
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    let label = format!(
        "{}({}) -> {}",
        aggregate.name,
        params.join(", "),
        aggregate.returns
    );
    let parameters = aggregate
        .params
        .iter()
        .map(|(p, doc)| ParameterInformation {
            label: ParameterLabel::Simple(p.to_string()),
            documentation: Some(Documentation::String(doc.to_string())),
        })
        .collect();
    let active = commas.min(aggregate.params.len().saturating_sub(1) as u32);
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label,
            documentation: Some(Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: aggregate.doc.to_string(),
            })),
            parameters: Some(parameters),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}
