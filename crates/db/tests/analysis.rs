//! The language-server view of a checked file: resolutions and types with file ranges, across
//! the parts a file is checked in.

use std::path::Path;
use tbt_db::{RootDatabase, check};
use tbt_diagnostics::TextRange;
use tbt_semantics::{BindingKind, Location, Target, Ty};

const TEXT: &str = "schema {\n  attribute order.id: string\n}\n\nlet base = \"http://127.0.0.1\"\n\ntest \"a\" {\n  trigger http GET \"${base}/a\"\n}\n\ntest \"b\" {\n  trigger http GET \"${base}/b\"\n  let order_id = response.json.id\n  span[order.id == order_id] {\n    expect duration < 1s\n  }\n}\n";

fn range(needle: &str, nth: usize) -> TextRange {
    let start = TEXT
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .expect("needle");
    TextRange::new(start as u32, (start + needle.len()) as u32)
}

#[test]
fn resolutions_and_types_have_file_ranges_in_every_part() {
    let mut db = RootDatabase::new();
    let file = db.set_file(Path::new("/p/t.tbt"), TEXT.to_string());
    assert_eq!(tbt_db::parts(&db, file).len(), 3);
    let checked = check(&db, file);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let path = file.path(&db).clone();

    // A constant of the first part, used in the third.
    let r = checked
        .resolution_at(range("base", 2).start)
        .expect("resolved");
    assert_eq!(r.range, range("base", 2));
    assert_eq!(
        r.target,
        Target::Constant(Location {
            file: path.clone(),
            range: range("base", 0)
        })
    );
    // A local of the third part.
    let r = checked
        .resolution_at(range("order_id", 1).start + 1)
        .expect("resolved");
    assert_eq!(
        r.target,
        Target::Local {
            kind: BindingKind::Let,
            range: range("order_id", 0)
        }
    );
    // A schema attribute.
    let r = checked
        .resolution_at(range("order.id", 1).start)
        .expect("resolved");
    assert_eq!(
        r.target,
        Target::Attribute(Location {
            file: path,
            range: range("order.id", 0)
        })
    );
    // Hover types.
    assert_eq!(
        checked.type_of(range("response.json.id", 0)),
        Some(&Ty::Json)
    );
    assert_eq!(checked.type_at(range("1s", 0).start), Some(&Ty::Duration));
    assert_eq!(checked.type_of(range("duration < 1s", 0)), Some(&Ty::Bool));
    // Everything, in order, for references and rename.
    let uses: Vec<TextRange> = checked
        .resolutions()
        .filter(|r| matches!(r.target, Target::Constant(_)))
        .map(|r| r.range)
        .collect();
    assert_eq!(uses, [range("base", 1), range("base", 2)]);
    assert!(checked.types().count() > 10);
}
