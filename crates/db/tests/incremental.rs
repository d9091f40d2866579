//! Salsa re-runs `check` only where an edit can change the result, observed through the
//! `WillExecute` events of the database.

use salsa::plumbing::AsId;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tbt_db::{File, RootDatabase, check};

/// A database that logs which queries execute, and the files of the workspace.
struct Fixture {
    db: RootDatabase,
    log: Arc<Mutex<Vec<String>>>,
    schema: File,
    tests: Vec<File>,
}

const USERS: usize = 30;
const FILES: usize = 50;

fn schema_text(extra: &str) -> String {
    format!(
        "schema {{\n  services gateway, order-service\n  attribute order.id: string\n{extra}}}\n"
    )
}

fn test_text(i: usize, uses: bool) -> String {
    let header = if uses {
        "use \"shop.schema.tbt\"\n\n"
    } else {
        ""
    };
    format!(
        "{header}test \"flow {i}\" {{\n  trigger http GET \"http://127.0.0.1:8080/{i}\"\n  expect response.status == 200\n  span[name == \"x\"] {{\n    expect order.id == \"{i}\"\n  }}\n}}\n"
    )
}

fn fixture() -> Fixture {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let mut db = RootDatabase::with_events(move |event| {
        if let salsa::EventKind::WillExecute { database_key } = event.kind {
            sink.lock().expect("log").push(format!("{database_key:?}"));
        }
    });
    let root = PathBuf::from("/ws");
    let schema = db.set_file(&root.join("shop.schema.tbt"), schema_text(""));
    let tests = (0..FILES - 1)
        .map(|i| db.set_file(&root.join(format!("t{i:02}.tbt")), test_text(i, i < USERS)))
        .collect();
    Fixture {
        db,
        log,
        schema,
        tests,
    }
}

impl Fixture {
    fn files(&self) -> Vec<File> {
        std::iter::once(self.schema)
            .chain(self.tests.iter().copied())
            .collect()
    }

    /// Checks every file and returns the files whose `check` executed.
    fn check_all(&self) -> Vec<File> {
        self.log.lock().expect("log").clear();
        for file in self.files() {
            check(&self.db, file);
        }
        let log = self.log.lock().expect("log");
        self.files()
            .into_iter()
            .filter(|f| {
                log.iter()
                    .any(|entry| *entry == format!("check({:?})", f.as_id()))
            })
            .collect()
    }
}

#[test]
fn first_check_runs_everything_and_a_second_nothing() {
    let fx = fixture();
    assert_eq!(fx.check_all().len(), FILES);
    assert_eq!(fx.check_all(), Vec::<File>::new());
    for file in fx.files() {
        assert!(
            check(&fx.db, file).diagnostics.is_empty(),
            "{:?}",
            check(&fx.db, file).diagnostics
        );
    }
}

#[test]
fn editing_a_test_file_rechecks_only_that_file() {
    let mut fx = fixture();
    fx.check_all();
    let edited = fx.tests[7];
    let path = edited.path(&fx.db).to_path_buf();
    fx.db
        .set_file(&path, test_text(7, true).replace("== 200", "== 201"));
    assert_eq!(fx.check_all(), vec![edited]);
    let other = fx.tests[40];
    let path = other.path(&fx.db).to_path_buf();
    fx.db
        .set_file(&path, test_text(40, false).replace("== 200", "== 204"));
    assert_eq!(fx.check_all(), vec![other]);
}

#[test]
fn editing_the_schema_rechecks_its_dependents_only() {
    let mut fx = fixture();
    fx.check_all();
    let path = fx.schema.path(&fx.db).to_path_buf();
    fx.db
        .set_file(&path, schema_text("  attribute payment.amount: double\n"));
    let rerun = fx.check_all();
    let mut expected = vec![fx.schema];
    expected.extend(fx.tests[..USERS].iter().copied());
    assert_eq!(rerun, expected);
}

#[test]
fn a_comment_in_the_schema_below_its_declarations_rechecks_nothing_else() {
    let mut fx = fixture();
    fx.check_all();
    let path = fx.schema.path(&fx.db).to_path_buf();
    fx.db.set_file(
        &path,
        format!("{}# a comment at the end\n", schema_text("")),
    );
    assert_eq!(fx.check_all(), vec![fx.schema]);
}

#[test]
fn schema_changes_reach_dependents() {
    let mut fx = fixture();
    let user = fx.tests[3];
    assert!(check(&fx.db, user).diagnostics.is_empty());
    let path = fx.schema.path(&fx.db).to_path_buf();
    fx.db.set_file(
        &path,
        "schema {\n  attribute order.id: int\n}\n".to_string(),
    );
    let codes: Vec<&str> = check(&fx.db, user)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["E0101"]);
}

/// The queries that executed, by name (`parse_part`, `check_part`, ...).
fn executed(log: &Mutex<Vec<String>>, query: &str) -> usize {
    log.lock()
        .expect("log")
        .iter()
        .filter(|e| e.starts_with(&format!("{query}(")))
        .count()
}

#[test]
fn editing_one_test_of_a_big_file_reparses_and_rechecks_that_test_only() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let mut db = RootDatabase::with_events(move |event| {
        if let salsa::EventKind::WillExecute { database_key } = event.kind {
            sink.lock().expect("log").push(format!("{database_key:?}"));
        }
    });
    let text = tbt_tests::corpus::generate(3_000);
    let path = std::path::Path::new("/ws/big.tbt");
    let file = db.set_file(path, text.clone());
    assert!(check(&db, file).diagnostics.is_empty());
    let parts = tbt_db::parts(&db, file).len();
    assert!(parts > 60, "{parts} parts");
    assert_eq!(executed(&log, "parse_part"), parts);
    log.lock().expect("log").clear();
    // One line in the middle changes length, so every later part moves.
    let at = text.len() / 2 + text[text.len() / 2..].find("< 200ms").expect("a line");
    let edited = format!("{}< 2000ms{}", &text[..at], &text[at + "< 200ms".len()..]);
    db.set_file(path, edited.clone());
    let diagnostics = check(&db, file).diagnostics.clone();
    assert!(diagnostics.is_empty());
    assert_eq!(executed(&log, "parse_part"), 1);
    assert_eq!(executed(&log, "check_part"), 1);
    // An error in a later part is reported at its file position.
    let at = edited.rfind("expect duration < 200ms").expect("a line") + "expect duration < ".len();
    let broken = format!("{}200{}", &edited[..at], &edited[at + "200ms".len()..]);
    db.set_file(path, broken);
    let d = &check(&db, file).diagnostics;
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].code.as_str(), d[0].range()),
        (
            "E0102",
            tbt_diagnostics::TextRange::new(at as u32, at as u32 + 3)
        )
    );
}

#[test]
fn parts_give_the_same_diagnostics_as_the_whole_file() {
    let mut texts: Vec<String> = Vec::new();
    let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../semantics/tests/cases");
    for entry in std::fs::read_dir(cases).expect("cases").flatten() {
        let markdown = std::fs::read_to_string(entry.path()).expect("read");
        for block in markdown.split("```tbt\n").skip(1) {
            texts.push(block.split("```").next().unwrap_or("").to_string());
        }
    }
    let corpus = tbt_tests::corpus::generate(400);
    texts.push(corpus.replacen("< 200ms", "< 200", 3).replacen(
        "http.response.status_code",
        "http.status_code",
        2,
    ));
    texts.push(corpus.replacen("}\n", "", 1));
    let mut db = RootDatabase::new();
    let mut multi_part = 0;
    for (i, text) in texts.iter().enumerate() {
        let path = PathBuf::from(format!("/ws/case{i}.tbt"));
        let file = db.set_file(&path, text.clone());
        multi_part += usize::from(tbt_db::parts(&db, file).len() > 1);
        let summary = |ds: &[tbt_diagnostics::Diagnostic]| -> Vec<String> {
            ds.iter()
                .map(|d| format!("{} {:?} {}", d.code, d.range(), d.message))
                .collect()
        };
        let whole = tbt_semantics::check_text(&path.display().to_string(), text);
        assert_eq!(
            summary(&check(&db, file).diagnostics),
            summary(&whole),
            "{text}"
        );
    }
    assert!(multi_part > 10, "{multi_part}");
}

#[test]
fn checking_in_parallel_gives_the_same_results() {
    let text = tbt_tests::corpus::generate(1_500).replacen("< 200ms", "< 200", 5);
    let path = std::path::Path::new("/ws/p.tbt");
    let mut sequential = RootDatabase::new();
    let a = sequential.set_file(path, text.clone());
    let mut parallel = RootDatabase::new();
    let b = parallel.set_file(path, text);
    parallel.check_parallel(&[b]);
    assert_eq!(check(&sequential, a), check(&parallel, b));
    assert_eq!(check(&parallel, b).diagnostics.len(), 5);
}
