//! Every E01xx/W01xx code has an explanation and an example, and the example, checked as
//! `example.tbt` in a project whose environment declares `SHOP_URL`, produces the code.

use std::path::Path;
use std::sync::Arc;
use tbt_db::{RootDatabase, check};
use tbt_diagnostics::codes::CODES;

#[test]
fn every_semantic_code_example_produces_its_code() {
    let mine: Vec<_> = CODES
        .iter()
        .filter(|c| c.code.as_str()[1..].starts_with("01"))
        .collect();
    assert!(mine.len() >= 25, "{} codes", mine.len());
    for info in mine {
        assert!(!info.example.is_empty(), "{} has no example", info.code);
        assert!(
            info.explanation.len() > 80,
            "{} needs a longer explanation",
            info.code
        );
        let mut db = RootDatabase::new();
        let file = db.set_file(Path::new("/project/example.tbt"), info.example.to_string());
        db.set_env(file, Some(Arc::new(["SHOP_URL".to_string()].into())));
        let found: Vec<&str> = check(&db, file)
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert!(
            found.contains(&info.code.as_str()),
            "the example of {} gives {found:?}:\n{}",
            info.code,
            info.example
        );
    }
}
