#!/usr/bin/env bash
# The engine benchmark against DuckDB, in one invocation:
#
#   scripts/bench-duckdb.sh
#
# 1. `cargo bench -p tbt-engine --bench engine` evaluates the 50 assertions of
#    crates/engine/benches/fifty.tbt over 1,000,000 synthetic spans (tbt_trace::synth, seed 42)
#    on one core, prints its time, and exports the spans as CSV;
# 2. a Python venv with the `duckdb` package (installed from PyPI on first use) loads them and
#    runs the same assertions as SQL (crates/engine/benches/fifty.sql);
# 3. the ratio is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
out="$target/bench-duckdb"
venv="$target/bench-duckdb-venv"
mkdir -p "$out"
cargo bench -p tbt-engine --bench engine -- --export "$out"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check duckdb
"$venv/bin/python" scripts/bench_duckdb.py "$out"
