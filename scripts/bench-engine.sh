#!/usr/bin/env bash
# Every figure of the trace and engine work, in one command:
#
#   scripts/bench-engine.sh
#
# 1. trace import throughput in MB/s, OTLP protobuf and OTLP/JSON (criterion, crates/trace/benches/load.rs);
# 2. resident memory per span against its OTLP protobuf size, for 1,000,000 synthetic spans
#    (crates/trace/examples/memory.rs);
# 3. 50 mixed assertions over 1,000,000 synthetic spans on one core, and the same 50 as SQL in
#    DuckDB in the same run, with the ratio (scripts/bench-duckdb.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== trace import throughput"
cargo bench -p tbt-trace --bench load
echo "== memory per span"
cargo run --release -q -p tbt-trace --example memory
echo "== 50 assertions over 1M spans, tbt and DuckDB"
bash scripts/bench-duckdb.sh
