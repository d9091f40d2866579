//! The engine benchmark: the 50 mixed assertions of `fifty.tbt` over 1,000,000 synthetic spans
//! (`tbt_trace::synth`, seed 42, one trace), on one core, once the trace is loaded.
//!
//! ```text
//! cargo bench -p tbt-engine --bench engine                  # tbt alone
//! scripts/bench-duckdb.sh                                   # tbt, then DuckDB, and the ratio
//! ```
//!
//! Each run builds a fresh engine (so the per-key attribute columns are built again) and
//! evaluates every assertion, failures' evidence included; the best and median of the runs
//! are printed. With `--export DIR` it also writes the spans as `DIR/spans.csv` (the columns
//! the SQL version of the assertions reads, with pre/post-order numbers for ancestry) and the
//! timings as `DIR/tbt.json`, for `scripts/bench_duckdb.py`. `--spans N` changes the size.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tbt_engine::{Engine, Options, Verdict};
use tbt_trace::synth::{self, SynthConfig};
use tbt_trace::{SpanIdx, Trace};

const RUNS: usize = 7;

fn main() {
    let mut export: Option<PathBuf> = None;
    let mut spans = 1_000_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--export" => export = args.next().map(PathBuf::from),
            "--spans" => spans = args.next().and_then(|n| n.parse().ok()).unwrap_or(spans),
            _ => {} // `cargo bench` passes `--bench`.
        }
    }
    let t = Instant::now();
    let trace = synth::trace(&SynthConfig::huge(spans, 42));
    eprintln!("generated {} spans in {:.2?}", trace.len(), t.elapsed());

    let source = include_str!("fifty.tbt");
    let mut db = tbt_db::RootDatabase::new();
    let file = db.set_file(Path::new("/bench/fifty.tbt"), source.to_string());
    let errors: Vec<String> = tbt_db::check(&db, file)
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "fifty.tbt does not check: {errors:?}");
    let plan = tbt_plan::plan_file(&db, file);
    let options = Options::default();
    if std::env::var_os("TBT_BENCH_PROFILE").is_some() {
        profile(&trace, source);
    }

    let mut times = Vec::new();
    let mut last = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let engine = Engine::new(&plan, &trace, &options);
        last = engine.run(|_| true);
        times.push(t.elapsed());
    }
    let assertions: Vec<_> = last.iter().flat_map(|r| &r.assertions).collect();
    let failed: Vec<String> = assertions
        .iter()
        .filter(|a| a.verdict != Verdict::Pass)
        .map(|a| {
            format!(
                "{}: {}",
                plan.source(a.range).lines().next().unwrap_or(""),
                a.message
            )
        })
        .collect();
    times.sort();
    let best = times[0];
    let median = times[times.len() / 2];
    println!(
        "tbt: {} assertions over {} spans: best {:.1} ms, median {:.1} ms ({} runs, {} passed)",
        assertions.len(),
        trace.len(),
        ms(best),
        ms(median),
        RUNS,
        assertions.len() - failed.len()
    );
    for f in &failed {
        println!("  not passed: {f}");
    }
    if let Some(dir) = export {
        let t = Instant::now();
        if let Err(e) = write_export(&dir, &trace, best, median, assertions.len()) {
            eprintln!("cannot export to {}: {e}", dir.display());
            std::process::exit(2);
        }
        eprintln!(
            "exported the spans to {} in {:.2?}",
            dir.display(),
            t.elapsed()
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The attribute columns of the export (the ones the SQL assertions read).
const ATTRS: &[&str] = &[
    "http.response.status_code",
    "http.route",
    "http.request.method",
    "url.path",
    "url.scheme",
    "server.port",
    "db.system.name",
    "db.operation.name",
    "db.collection.name",
    "db.query.text",
    "rpc.method",
    "rpc.grpc.status_code",
    "messaging.operation.type",
    "payment.amount",
    "payment.currency",
    "order.id",
    "user.id",
    "product.id",
    "cart.items",
    "app.cache_hit",
];

fn write_export(
    dir: &Path,
    trace: &Trace,
    best: Duration,
    median: Duration,
    n: usize,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut out =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join("spans.csv"))?);
    let mut header = vec![
        "idx",
        "parent",
        "pre",
        "post",
        "name",
        "kind",
        "status",
        "start_ns",
        "end_ns",
        "dur_ns",
        "service",
        "exceptions",
    ];
    let columns: Vec<String> = ATTRS.iter().map(|a| a.replace('.', "_")).collect();
    header.extend(columns.iter().map(String::as_str));
    writeln!(out, "{}", header.join(","))?;
    let keys: Vec<Option<tbt_trace::Sym>> = ATTRS.iter().map(|a| trace.sym(a)).collect();
    let mut line = String::new();
    for i in 0..trace.len() as u32 {
        let s = SpanIdx(i);
        let span = trace.span(s);
        line.clear();
        let parent = trace.parent(s).map_or(-1, |p| i64::from(p.0));
        let exceptions = span.events().filter(|e| e.name() == "exception").count();
        use std::fmt::Write as _;
        let _ = write!(
            line,
            "{i},{parent},{},{},{},{},{},{},{},{},{},{exceptions}",
            trace.pre_order(s),
            trace.post_order(s),
            quote(span.name()),
            span.kind().as_str(),
            span.status().as_str(),
            span.start(),
            span.end(),
            span.duration_nanos(),
            quote(span.service()),
        );
        for key in &keys {
            line.push(',');
            if let Some(v) = key.and_then(|k| trace.attr(s, k)) {
                match trace.value(v) {
                    tbt_trace::ValueRef::Str(x) => line.push_str(&quote(x)),
                    tbt_trace::ValueRef::Int(x) => {
                        let _ = write!(line, "{x}");
                    }
                    tbt_trace::ValueRef::Double(x) => {
                        let _ = write!(line, "{x}");
                    }
                    tbt_trace::ValueRef::Bool(x) => {
                        let _ = write!(line, "{x}");
                    }
                    _ => {}
                }
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    let json = format!(
        "{{\"assertions\": {n}, \"spans\": {}, \"best_ms\": {:.3}, \"median_ms\": {:.3}}}\n",
        trace.len(),
        ms(best),
        ms(median)
    );
    std::fs::write(dir.join("tbt.json"), json)
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Times each assertion on its own (one test per assertion, so nothing is shared).
fn profile(trace: &Trace, source: &str) {
    let (head, body) = source.split_once("test \"").unwrap_or((source, ""));
    let lines: Vec<&str> = body.lines().skip(2).collect();
    let mut items: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.ends_with('{') {
            let mut block = vec![line];
            while i + 1 < lines.len() && lines[i] != "  }" {
                i += 1;
                block.push(lines[i]);
            }
            items.push(block.join("\n"));
        } else if line.starts_with("  ") {
            items.push(line.to_string());
        }
        i += 1;
    }
    for item in items {
        let text = format!(
            "{head}test \"one\" {{\n  trigger trace \"00000000000000000000000000000000\"\n{item}\n}}\n"
        );
        let mut db = tbt_db::RootDatabase::new();
        let file = db.set_file(Path::new("/bench/one.tbt"), text);
        let plan = tbt_plan::plan_file(&db, file);
        let options = Options::default();
        let t = Instant::now();
        let engine = Engine::new(&plan, trace, &options);
        let _ = engine.run(|_| true);
        println!(
            "{:8.2} ms  {}",
            ms(t.elapsed()),
            item.lines().next().unwrap_or("").trim()
        );
    }
}
