//! Front-end throughput on a generated 100,000-line corpus: lexing alone, and lexing plus
//! parsing (with the delimiter pass and structural validation).
//!
//! Run: `cargo bench -p tbt-tests --bench parse`. Throughput is reported in lines per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn front_end(c: &mut Criterion) {
    let text = tbt_tests::corpus::generate(100_000);
    let lines = text.lines().count() as u64;
    let mut group = c.benchmark_group("front-end-100k-lines");
    group.throughput(Throughput::Elements(lines));
    group.sample_size(10);
    group.bench_function("lex", |b| {
        b.iter_with_large_drop(|| tbt_syntax::lex(black_box(&text)))
    });
    group.bench_function("lex+parse", |b| {
        b.iter_with_large_drop(|| tbt_syntax::parse(black_box(&text)))
    });
    group.finish();
}

criterion_group!(benches, front_end);
criterion_main!(benches);
