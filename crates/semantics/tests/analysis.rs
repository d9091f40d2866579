//! What the language server needs: resolutions (use → definition) and the type of every
//! expression.

use std::path::Path;
use std::sync::Arc;
use tbt_diagnostics::TextRange;
use tbt_semantics::{BindingKind, Context, Target, Ty, VisibleSchema, check, file_schema};

fn at(text: &str, needle: &str, nth: usize) -> TextRange {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("no {needle}"));
    TextRange::new(start as u32, (start + needle.len()) as u32)
}

const TEXT: &str = r#"schema {
  services gateway, order-service
  attribute order.id: string "The order's id"
}

let base = "http://127.0.0.1:8080"

test "t" {
  trigger http GET "${base}/orders"
  let order_id = response.json.id
  let pay = span[name == "charge"]
  pay {
    expect order.id == order_id
    expect duration < 200ms
    expect http.response.status_code == 200
  }
  expect count(pay) == 1
  expect gateway -> order-service
  expect env.SHOP_URL != ""
}
"#;

#[test]
fn resolutions_point_at_definitions() {
    let parse = tbt_syntax::parse(TEXT);
    assert!(parse.diagnostics.is_empty(), "{:?}", parse.diagnostics);
    let path: Arc<Path> = Arc::from(Path::new("/p/t.tbt"));
    let schema = file_schema(&parse.file);
    let visible = VisibleSchema::single(&path, &schema);
    let analysis = check(
        &parse.file,
        TEXT,
        &Context {
            path: path.clone(),
            schema: &visible,
            env: None,
            earlier: &[],
        },
    );
    assert!(
        analysis.diagnostics.is_empty(),
        "{:?}",
        analysis.diagnostics
    );

    let target = |needle: &str, nth: usize| {
        let range = at(TEXT, needle, nth);
        analysis
            .resolution_at(range.start)
            .filter(|r| r.range == range)
            .map(|r| r.target.clone())
    };
    let local = |needle: &str| Target::Local {
        kind: BindingKind::Let,
        range: at(TEXT, needle, 0),
    };
    assert_eq!(target("base", 1), Some(local("base")));
    assert_eq!(target("order_id", 1), Some(local("order_id")));
    assert_eq!(target("pay", 1), Some(local("pay")));
    assert_eq!(target("pay", 2), Some(local("pay")));
    let loc = |needle: &str, nth| tbt_semantics::Location {
        file: path.clone(),
        range: at(TEXT, needle, nth),
    };
    assert_eq!(
        target("order.id", 1),
        Some(Target::Attribute(loc("order.id", 0)))
    );
    assert_eq!(
        target("gateway", 1),
        Some(Target::Service(loc("gateway", 0)))
    );
    assert_eq!(
        target("order-service", 1),
        Some(Target::Service(loc("order-service", 0)))
    );
    assert_eq!(
        target("duration", 0),
        Some(Target::Intrinsic(
            tbt_semconv::intrinsic("duration").expect("intrinsic")
        ))
    );
    let status = tbt_semconv::lookup("http.response.status_code").expect("semconv");
    assert_eq!(
        target("http.response.status_code", 0),
        Some(Target::Semconv(status))
    );
    assert_eq!(target("SHOP_URL", 0), Some(Target::Env("SHOP_URL".into())));
    assert_eq!(target("response.json", 0), Some(Target::Response("json")));

    // References: every use of `pay`.
    let pay = local("pay");
    assert_eq!(analysis.references(&pay).count(), 2);

    // Hover types.
    let ty = |needle: &str, nth: usize| analysis.type_of(at(TEXT, needle, nth)).cloned();
    assert_eq!(ty("span[name == \"charge\"]", 0), Some(Ty::Selection));
    assert_eq!(ty("response.json.id", 0), Some(Ty::Json));
    assert_eq!(ty("order.id", 1), Some(Ty::String));
    assert_eq!(ty("count(pay)", 0), Some(Ty::Int));
    assert_eq!(ty("200ms", 0), Some(Ty::Duration));
    assert_eq!(ty("http.response.status_code", 0), Some(Ty::Int));
    assert_eq!(ty("gateway -> order-service", 0), Some(Ty::Bool));
    let offset = at(TEXT, "order_id", 1).start + 2;
    assert_eq!(analysis.type_at(offset), Some(&Ty::Json));
}

#[test]
fn imported_constants_resolve_to_their_file() {
    let base_text = "let base = \"http://x\"\nlet n = 3\n";
    let base_path: Arc<Path> = Arc::from(Path::new("/p/base.tbt"));
    let base_schema = file_schema(&tbt_syntax::parse(base_text).file);
    assert_eq!(
        base_schema
            .constants
            .iter()
            .map(|c| c.ty.clone())
            .collect::<Vec<_>>(),
        [Ty::String, Ty::Int]
    );
    let text = "use \"base.tbt\"\ntest \"t\" {\n  trigger http GET \"${base}\"\n  expect n + 1 == \"x\"\n}\n";
    let path: Arc<Path> = Arc::from(Path::new("/p/t.tbt"));
    let parse = tbt_syntax::parse(text);
    let own = file_schema(&parse.file);
    let visible = VisibleSchema::build(&[
        tbt_semantics::SchemaSource {
            path: &path,
            schema: &own,
            via: None,
        },
        tbt_semantics::SchemaSource {
            path: &base_path,
            schema: &base_schema,
            via: Some(at(text, "\"base.tbt\"", 0)),
        },
    ]);
    let analysis = check(
        &parse.file,
        text,
        &Context {
            path: path.clone(),
            schema: &visible,
            env: None,
            earlier: &[],
        },
    );
    let codes: Vec<&str> = analysis
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["E0101"]);
    let r = analysis
        .resolution_at(at(text, "base}", 0).start)
        .expect("resolved");
    assert_eq!(
        r.target,
        Target::Constant(tbt_semantics::Location {
            file: base_path,
            range: TextRange::new(4, 8)
        })
    );
}
