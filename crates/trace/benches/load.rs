//! Load throughput (MB/s of input) of the importers on a synthetic trace of 100k spans.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tbt_trace::synth::{self, SynthConfig};

fn load(c: &mut Criterion) {
    // One trace of 100k spans, and the same volume as 1,000 traces of 100 spans.
    for (label, cfg) in [
        ("one_trace", SynthConfig::huge(100_000, 1)),
        ("1000_traces", SynthConfig::many(1_000, 100, 1)),
    ] {
        let td = synth::traces_data(&cfg);
        let proto = prost::Message::encode_to_vec(&td);
        let json = synth::otlp_json(&td);
        drop(td);
        let mut g = c.benchmark_group(format!("load_100k_spans_{label}"));
        g.sample_size(10).measurement_time(Duration::from_secs(8));
        g.throughput(Throughput::Bytes(proto.len() as u64));
        g.bench_function("otlp_protobuf", |b| {
            b.iter(|| tbt_trace::import_otlp_proto(black_box(&proto)).unwrap())
        });
        g.throughput(Throughput::Bytes(json.len() as u64));
        g.bench_function("otlp_json", |b| {
            b.iter(|| tbt_trace::import_otlp_json(black_box(&json)).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, load);
criterion_main!(benches);
