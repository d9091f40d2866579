//! The golden corpus: every file under `tests/corpus/` run through every phase, snapshotted.

#[test]
fn generated_benchmark_corpus_is_valid() {
    let text = tbt_tests::corpus::generate(2_000);
    let parse = tbt_syntax::parse(&text);
    assert!(parse.diagnostics.is_empty(), "{:#?}", &parse.diagnostics[..parse.diagnostics.len().min(5)]);
}
