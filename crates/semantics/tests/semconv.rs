//! Every attribute of the built-in semantic conventions resolves, through the checker, to its
//! table entry with the right type.

use std::path::Path;
use std::sync::Arc;
use tbt_diagnostics::TextRange;
use tbt_semantics::{Context, Target, Ty, VisibleSchema, check};

#[test]
fn every_semconv_attribute_resolves_with_its_type() {
    let attributes = tbt_semconv::attributes();
    let mut text =
        String::from("test \"all\" {\n  trigger trace \"1\"\n  span[kind == server] {\n");
    let mut expected = Vec::new();
    for def in attributes {
        let name = if def.template {
            format!("{}.some-key", def.name)
        } else {
            def.name.to_string()
        };
        // A first segment that is a keyword (`test.case.name`) needs the explicit `span.` scope.
        let first = name.split('.').next().unwrap_or("");
        let written = if tbt_syntax::Kind::keyword(first).is_some() {
            format!("span.{name}")
        } else {
            name.clone()
        };
        text.push_str("    expect ");
        let start = text.len() + written.len() - name.len();
        text.push_str(&written);
        expected.push((
            def,
            TextRange::new(start as u32, (start + name.len()) as u32),
            written.len() != name.len(),
        ));
        text.push_str(" exists\n");
    }
    text.push_str("  }\n}\n");
    let parse = tbt_syntax::parse(&text);
    assert!(
        parse.diagnostics.is_empty(),
        "{:?}",
        &parse.diagnostics[..parse.diagnostics.len().min(3)]
    );
    let schema = VisibleSchema::default();
    let cx = Context {
        path: Arc::from(Path::new("all.tbt")),
        schema: &schema,
        env: None,
        earlier: &[],
    };
    let analysis = check(&parse.file, &text, &cx);
    let unexpected: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() != "W0102")
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    let deprecated = attributes.iter().filter(|d| d.is_deprecated()).count();
    assert_eq!(analysis.diagnostics.len(), deprecated);
    for (def, range, scoped) in expected {
        let resolution = analysis.resolutions.iter().find(|r| r.range == range);
        let resolution =
            resolution.unwrap_or_else(|| panic!("`{}` at {range:?} is not resolved", def.name));
        assert_eq!(resolution.target, Target::Semconv(def), "{}", def.name);
        // The type of the path expression (a field chain after `span.`, recorded on the whole).
        let ty_range = if scoped {
            TextRange::new(range.start - 5, range.end)
        } else {
            range
        };
        assert_eq!(
            analysis.type_of(ty_range),
            Some(&Ty::from_semconv(&def.ty)),
            "{}",
            def.name
        );
    }
}
