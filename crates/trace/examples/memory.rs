//! Resident memory of the trace model per span, against the OTLP protobuf size per span.
//!
//! `cargo run --release -p tbt-trace --example memory [spans] [huge|many]`
//!
//! Generates `spans` synthetic spans (default 1,000,000; `huge` = one trace, the default,
//! `many` = traces of 100 spans) and encodes them as OTLP protobuf; then a fresh process
//! (this program, `load FILE SHAPE`) imports the bytes and prints the growth of VmRSS caused
//! by the import (the store), the store's own heap accounting, and the protobuf bytes per
//! span.

use std::time::Instant;

use tbt_trace::synth::{self, SynthConfig};

/// (VmRSS, VmHWM) in bytes, from /proc/self/status.
fn rss() -> (usize, usize) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<usize>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mib(b: usize) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("load") {
        load(&args[1], &args[2]);
        return;
    }
    let spans: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let shape = args.get(1).cloned().unwrap_or_else(|| "huge".into());
    let cfg = match shape.as_str() {
        "many" => SynthConfig::many(spans.div_ceil(100), 100, 1),
        _ => SynthConfig::huge(spans, 1),
    };
    let t0 = Instant::now();
    let bytes = synth::protobuf(&cfg);
    let gen_s = t0.elapsed().as_secs_f64();
    println!(
        "generate + encode         {} spans in {gen_s:.2} s ({:.1} MiB of protobuf)",
        cfg.total_spans(),
        mib(bytes.len())
    );
    // Import in a fresh process, so that the generator's freed memory does not hide the
    // store's resident growth.
    let path = std::env::temp_dir().join(format!("tbt-memory-{}.pb", std::process::id()));
    std::fs::write(&path, &bytes).expect("temp file");
    drop(bytes);
    let status = std::process::Command::new(std::env::current_exe().expect("own path"))
        .arg("load")
        .arg(&path)
        .arg(&shape)
        .status()
        .expect("child runs");
    if std::env::var_os("TBT_MEMORY_KEEP").is_some() {
        println!("kept {}", path.display());
    } else {
        let _ = std::fs::remove_file(&path);
    }
    assert!(status.success());
}

fn load(path: &str, shape: &str) {
    let bytes = std::fs::read(path).expect("temp file");
    let (rss_before, _) = rss();
    let t1 = Instant::now();
    let trace = tbt_trace::import_otlp_proto(&bytes).expect("synthetic data imports");
    let import_s = t1.elapsed().as_secs_f64();
    let (rss_after, hwm) = rss();
    let n = trace.len();

    let store = rss_after.saturating_sub(rss_before);
    let usage = trace.memory_usage();
    let pb = bytes.len() as f64 / n as f64;
    println!(
        "spans                     {n} ({shape}: {} trace(s))",
        trace.trace_ids().len()
    );
    println!(
        "protobuf                  {:.1} MiB, {pb:.0} bytes/span",
        mib(bytes.len())
    );
    println!(
        "import                    {import_s:.2} s, {:.0} MB/s",
        bytes.len() as f64 / 1e6 / import_s
    );
    println!(
        "store, VmRSS growth       {:.1} MiB, {:.0} bytes/span ({:.2}x protobuf)",
        mib(store),
        store as f64 / n as f64,
        store as f64 / n as f64 / pb
    );
    println!(
        "store, heap accounting    {:.1} MiB, {:.0} bytes/span ({:.2}x protobuf)",
        mib(usage.total()),
        usage.total() as f64 / n as f64,
        usage.total() as f64 / n as f64 / pb
    );
    let per = |b: usize| b as f64 / n as f64;
    println!(
        "  by part (bytes/span)    spans {:.0}, attributes {:.0}, events+links {:.0}, resources+scopes {:.1}, strings+values {:.0}, indexes {:.0}",
        per(usage.spans),
        per(usage.attributes),
        per(usage.events_links),
        per(usage.resources_scopes),
        per(usage.strings_values),
        per(usage.indexes)
    );
    println!(
        "strings                   {} distinct, {:.1} MiB of text",
        trace.pool().strings().len(),
        mib(trace.pool().strings().text_bytes())
    );
    println!(
        "peak VmHWM                {:.1} MiB (input bytes {:.1} MiB included)",
        mib(hwm),
        mib(bytes.len())
    );
}
