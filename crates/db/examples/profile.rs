//! Checks the generated 100k-line corpus through the database once per round and prints the
//! time, for profiling: `cargo run --release -p tbt-db --example profile [-- --parallel]`.
fn main() {
    let text = tbt_tests::corpus::generate(100_000);
    let lines = text.lines().count();
    for _ in 0..5 {
        let start = std::time::Instant::now();
        let mut db = tbt_db::RootDatabase::new();
        let file = db.set_file(std::path::Path::new("/profile/corpus.tbt"), text.clone());
        if std::env::args().any(|a| a == "--parallel") {
            db.check_parallel(&[file]);
        }
        let n = tbt_db::check(&db, file).diagnostics.len();
        let checked = start.elapsed();
        drop(db);
        let total = start.elapsed();
        println!(
            "{lines} lines: checked in {checked:?}, dropped by {total:?} ({:.0} lines/s), {n} diagnostics",
            lines as f64 / checked.as_secs_f64()
        );
    }
}
