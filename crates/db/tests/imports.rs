//! `use` through the database: transitive schemas, constants, cycles, missing files, loading
//! from disk.

use std::path::Path;
use tbt_db::{RootDatabase, check};

fn codes(db: &RootDatabase, path: &str) -> Vec<String> {
    let file = db.file(Path::new(path)).expect("file");
    check(db, file)
        .diagnostics
        .iter()
        .map(|d| format!("{}@{:?}", d.code, d.range()))
        .collect()
}

#[test]
fn schemas_and_constants_are_visible_transitively() {
    let mut db = RootDatabase::new();
    db.set_file(
        Path::new("/p/base.tbt"),
        "schema {\n  attribute payment.amount: double\n}\nlet base = \"http://127.0.0.1\"\n".into(),
    );
    db.set_file(
        Path::new("/p/shop.tbt"),
        "use \"base.tbt\"\nschema {\n  services gateway\n}\n".into(),
    );
    db.set_file(
        Path::new("/p/tests/t.tbt"),
        "use \"../shop.tbt\"\ntest \"t\" {\n  trigger http GET \"${base}/x\"\n  span[name == \"a\"] {\n    expect payment.amount == \"x\"\n  }\n  expect gateway -> gatewy\n}\n".into(),
    );
    assert_eq!(
        codes(&db, "/p/tests/t.tbt"),
        ["E0101@111..114", "W0103@139..145"]
    );
}

#[test]
fn cycles_are_reported_in_every_file_on_them() {
    let mut db = RootDatabase::new();
    db.set_file(
        Path::new("/p/a.tbt"),
        "use \"b.tbt\"\nschema {\n  services a\n}\n".into(),
    );
    db.set_file(
        Path::new("/p/b.tbt"),
        "use \"c.tbt\"\nschema {\n  services b\n}\n".into(),
    );
    db.set_file(
        Path::new("/p/c.tbt"),
        "use \"a.tbt\"\nschema {\n  services c\n}\n".into(),
    );
    db.set_file(
        Path::new("/p/d.tbt"),
        "use \"a.tbt\"\nschema {\n  services d\n}\n".into(),
    );
    for file in ["/p/a.tbt", "/p/b.tbt", "/p/c.tbt"] {
        assert_eq!(codes(&db, file), ["E0109@4..11"], "{file}");
    }
    assert_eq!(codes(&db, "/p/d.tbt"), Vec::<String>::new());
    let a = db.file(Path::new("/p/a.tbt")).expect("a");
    let message = &check(&db, a).diagnostics[0].message;
    assert_eq!(message, "`use` cycle: a.tbt → b.tbt → c.tbt → a.tbt");
    // The visible schema still holds every file of the cycle.
    assert_eq!(tbt_db::visible_schema(&db, a).services.len(), 3);
}

#[test]
fn a_missing_file_is_reported_with_a_suggestion() {
    let mut db = RootDatabase::new();
    db.set_file(
        Path::new("/p/shop.schema.tbt"),
        "schema {\n  services a\n}\n".into(),
    );
    let f = db.set_file(
        Path::new("/p/t.tbt"),
        "use \"shop.shema.tbt\"\nschema {\n  services b\n}\n".into(),
    );
    let d = &check(&db, f).diagnostics[0];
    assert_eq!(d.code.as_str(), "E0110");
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `shop.schema.tbt`? paths are relative to the folder of this file")
    );
    // Adding the file makes the `use` resolve.
    db.set_file(
        Path::new("/p/shop.shema.tbt"),
        "schema {\n  services c\n}\n".into(),
    );
    assert!(check(&db, f).diagnostics.is_empty());
    db.remove_file(Path::new("/p/shop.shema.tbt"));
    assert_eq!(check(&db, f).diagnostics.len(), 1);
}

#[test]
fn loads_imports_from_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("schemas")).expect("mkdir");
    std::fs::write(
        dir.path().join("schemas/a.tbt"),
        "use \"b.tbt\"\nschema {\n  services a\n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("schemas/b.tbt"),
        "schema {\n  services b\n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("t.tbt"),
        "use \"schemas/a.tbt\"\ntest \"t\" {\n  trigger trace \"1\"\n  expect a -> b\n}\n",
    )
    .expect("write");
    let mut db = RootDatabase::new();
    let t = db
        .load_with_imports(&dir.path().join("t.tbt"), |p| {
            std::fs::read_to_string(p).ok()
        })
        .expect("loaded");
    assert!(
        check(&db, t).diagnostics.is_empty(),
        "{:?}",
        check(&db, t).diagnostics
    );
    assert_eq!(db.workspace().files(&db).len(), 3);
}
