//! The semantic-conventions generator: on a small model written here, on malformed input, and
//! on the real model when `../shared` is beside the workspace.

use std::fs;
use std::path::Path;

use xtask::generate_semconv;
use xtask::semconv::{DEFAULT_MODEL_DIR, OUTPUT_FILE, load_model, workspace_root};

/// Writes `files` (path, contents) under a new temporary directory.
fn model(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().expect("a parent")).expect("create directory");
        fs::write(path, text).expect("write model file");
    }
    dir
}

const MANIFEST: &str = "schema_url: https://opentelemetry.io/schemas/9.9.9\n";

const LEGACY: &str = r#"
groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop attributes.
    attributes:
      - id: shop.order.id
        type: string
        stability: stable
        brief: >
          The order's ID. More text that is
          dropped.
        examples: ["o-1"]
      - id: shop.order.header
        type: template[string[]]
        stability: development
        brief: Order headers, `<key>` being the header name.
      - id: shop.order.state
        stability: release_candidate
        brief: 'State of the order (e.g. open).'
        type:
          members:
            - id: open
              value: "open"
              brief: 'Open. Not paid.'
              stability: stable
            - id: old
              value: "legacy"
              stability: development
              deprecated:
                reason: obsoleted
      - id: shop.code
        type:
          members:
            - id: ok
              value: 0
              stability: stable
        stability: alpha
        brief: A "code".
  - id: shop.spans
    type: span
    brief: Spans only ref attributes; they are skipped.
    attributes:
      - ref: shop.order.id
"#;

const DEPRECATED: &str = r#"
groups:
  - id: registry.shop.deprecated
    type: attribute_group
    brief: Deprecated shop attributes.
    attributes:
      - id: shop.order_id
        type: string
        stability: development
        brief: 'Deprecated, use `shop.order.id` instead.'
        deprecated:
          reason: renamed
          renamed_to: shop.order.id
      - id: shop.cart
        type: int[]
        stability: experimental
        brief: Deprecated.
        deprecated:
          reason: uncategorized
          note: |
            Replaced by nothing.
            Really.
"#;

const DEFINITION_2: &str = r#"
file_format: definition/2
attributes:
  - key: shop.price
    stability: stable
    type: double
    brief: "Price."
attribute_groups:
  - id: shop
    visibility: public
    attributes:
      - ref: shop.price
"#;

#[test]
fn small_model_in_both_syntaxes() {
    let dir = model(&[
        ("manifest.yaml", MANIFEST),
        ("shop/registry.yaml", LEGACY),
        ("shop/deprecated/registry-deprecated.yaml", DEPRECATED),
        ("shop/price.yaml", DEFINITION_2),
        ("shop/notes.md", "not yaml: ["),
    ]);
    let loaded = load_model(dir.path()).expect("the model loads");
    assert_eq!(loaded.version, "9.9.9");
    let names: Vec<&str> = loaded.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "shop.cart",
            "shop.code",
            "shop.order.header",
            "shop.order.id",
            "shop.order.state",
            "shop.order_id",
            "shop.price"
        ]
    );
    let text = generate_semconv(dir.path()).expect("the model generates");
    insta::assert_snapshot!(text);
}

#[test]
fn malformed_yaml_names_the_file() {
    let dir = model(&[
        ("manifest.yaml", MANIFEST),
        (
            "a/registry.yaml",
            "groups:\n  - id: registry.a\n    attributes: [\n",
        ),
    ]);
    let err = generate_semconv(dir.path()).expect_err("malformed YAML");
    assert!(err.path.ends_with("a/registry.yaml"), "{err}");
    assert!(err.to_string().contains("registry.yaml"), "{err}");
}

#[test]
fn bad_definitions_name_the_file_and_attribute() {
    let cases = [
        (
            "type: strin\n    stability: stable\n    brief: b",
            "unknown type `strin`",
        ),
        (
            "type: string\n    stability: solid\n    brief: b",
            "unknown stability `solid`",
        ),
        (
            "type: string\n    stability: stable",
            "missing field `brief`",
        ),
        (
            "type: string\n    stability: stable\n    brief: b\n    deprecated: {reason: renamed}",
            "renamed without `renamed_to`",
        ),
    ];
    for (body, expected) in cases {
        let file = format!("file_format: definition/2\nattributes:\n  - key: a.b\n    {body}\n");
        let dir = model(&[("manifest.yaml", MANIFEST), ("a/registry.yaml", &file)]);
        let err = generate_semconv(dir.path()).expect_err(expected);
        let message = err.to_string();
        assert!(message.contains("registry.yaml"), "{message}");
        assert!(message.contains("attribute `a.b`"), "{message}");
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn duplicates_and_missing_manifest_are_errors() {
    let file = "file_format: definition/2\nattributes:\n  - key: a.b\n    type: int\n    stability: stable\n    brief: b\n";
    let dir = model(&[
        ("manifest.yaml", MANIFEST),
        ("a/one.yaml", file),
        ("a/two.yaml", file),
    ]);
    let err = generate_semconv(dir.path()).expect_err("duplicate");
    assert!(err.path.ends_with("a/two.yaml"), "{err}");
    assert!(err.message.contains("`a.b` is already defined in"), "{err}");

    let dir = model(&[("a/one.yaml", file)]);
    let err = generate_semconv(dir.path()).expect_err("no manifest");
    assert!(err.path.ends_with("manifest.yaml"), "{err}");

    let err = generate_semconv(Path::new("/nonexistent/model")).expect_err("no directory");
    assert!(err.to_string().contains("/nonexistent/model"), "{err}");
}

/// The real model, when `../shared` is beside the workspace (it is in CI).
fn real_model() -> Option<std::path::PathBuf> {
    let dir = workspace_root().join(DEFAULT_MODEL_DIR);
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "note: {} not found; skipping the check against the real model",
            dir.display()
        );
        None
    }
}

#[test]
fn committed_table_is_the_generators_output() {
    let Some(dir) = real_model() else { return };
    let first = generate_semconv(&dir).expect("the real model generates");
    let second = generate_semconv(&dir).expect("the real model generates");
    assert!(first == second, "the generator is not deterministic");
    let committed = fs::read_to_string(workspace_root().join(OUTPUT_FILE)).expect("generated.rs");
    assert!(
        committed == first,
        "{OUTPUT_FILE} is out of date with {}; run `cargo xtask semconv`",
        dir.display()
    );
}

#[test]
fn real_model_counts() {
    let Some(dir) = real_model() else { return };
    let model = load_model(&dir).expect("the real model loads");
    assert_eq!(model.version, "1.44.0");
    assert_eq!(model.attributes.len(), 940);
    let deprecated = model.attributes.iter().filter(|a| a.deprecated.is_some());
    assert_eq!(deprecated.count(), 206);
}
