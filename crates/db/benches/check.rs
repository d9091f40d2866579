//! Whole-check throughput on the generated corpus, and re-check latency after a one-line edit
//! through the salsa database.
//!
//! `cargo bench -p tbt-db -- --quick` (or `--measurement-time 5`).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use tbt_db::{RootDatabase, check};

fn whole_check(c: &mut Criterion) {
    let text = tbt_tests::corpus::generate(100_000);
    let lines = text.lines().count() as u64;
    let mut group = c.benchmark_group("whole-check");
    group.throughput(Throughput::Elements(lines));
    group.sample_size(10);
    // The database is dropped outside the measurement: `tbt check` exits without dropping it.
    group.bench_function("parse+resolve+type 100k lines (db, cold)", |b| {
        b.iter_with_large_drop(|| {
            let mut db = RootDatabase::new();
            let file = db.set_file(Path::new("/bench/corpus.tbt"), text.clone());
            black_box(check(&db, file).diagnostics.len());
            db
        })
    });
    group.bench_function("parse+resolve+type 100k lines (db, cold, all cores)", |b| {
        b.iter_with_large_drop(|| {
            let mut db = RootDatabase::new();
            let file = db.set_file(Path::new("/bench/corpus.tbt"), text.clone());
            db.check_parallel(&[file]);
            black_box(check(&db, file).diagnostics.len());
            db
        })
    });
    let parse = tbt_syntax::parse(&text);
    assert!(parse.diagnostics.is_empty());
    group.bench_function("parse only 100k lines", |b| {
        b.iter_with_large_drop(|| tbt_syntax::parse(&text))
    });
    group.bench_function("resolve+type only 100k lines", |b| {
        let path: std::sync::Arc<Path> = std::sync::Arc::from(Path::new("/bench/corpus.tbt"));
        b.iter(|| {
            let schema = tbt_semantics::file_schema(&parse.file);
            let visible = tbt_semantics::VisibleSchema::single(&path, &schema);
            let cx = tbt_semantics::Context {
                path: path.clone(),
                schema: &visible,
                env: None,
                earlier: &[],
            };
            let analysis = tbt_semantics::check(&parse.file, &text, &cx);
            assert!(
                analysis.diagnostics.is_empty(),
                "{:?}",
                &analysis.diagnostics[..1]
            );
            black_box(analysis.types.len())
        })
    });
    group.finish();
}

fn recheck_after_edit(c: &mut Criterion) {
    let text = tbt_tests::corpus::generate(5_000);
    let mut db = RootDatabase::new();
    let path = Path::new("/bench/five-thousand.tbt");
    let file = db.set_file(path, text.clone());
    assert!(check(&db, file).diagnostics.is_empty());
    // The edit: one line in the middle changes (a different bound), and back.
    let line = "    expect duration < 200ms\n";
    let at = text[text.len() / 2..]
        .find(line)
        .map(|i| i + text.len() / 2)
        .expect("a line to edit");
    let edited = format!(
        "{}    expect duration < 250ms\n{}",
        &text[..at],
        &text[at + line.len()..]
    );
    let versions = [edited, text];
    let mut n = 0;
    c.bench_function("re-check after a one-line edit (5k lines, salsa)", |b| {
        b.iter_batched(
            || {
                n += 1;
                versions[n % 2].clone()
            },
            |new_text| {
                db.set_file(path, new_text);
                black_box(check(&db, file).diagnostics.len())
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, whole_check, recheck_after_edit);
criterion_main!(benches);
