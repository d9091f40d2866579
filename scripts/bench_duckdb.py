"""The SQL half of scripts/bench-duckdb.sh: loads the exported spans into DuckDB, runs the 50
assertions of crates/engine/benches/fifty.sql (best of several runs, on one thread and on
every core), and prints the ratio to tbt's time from the same invocation."""

import json
import os
import sys
import time

import duckdb

RUNS = 5


def main() -> int:
    out = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sql_path = os.path.join(root, "crates", "engine", "benches", "fifty.sql")
    text = "\n".join(l for l in open(sql_path) if not l.startswith("--"))
    queries = [q.strip() for q in text.split(";") if q.strip()]
    tbt = json.load(open(os.path.join(out, "tbt.json")))

    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(
        "CREATE TABLE spans AS SELECT * FROM read_csv(?, header = true, auto_detect = true)",
        [os.path.join(out, "spans.csv")],
    )
    load = time.perf_counter() - t
    rows = con.execute("SELECT count(*) FROM spans").fetchone()[0]
    print(f"duckdb {duckdb.__version__}: loaded {rows} spans in {load * 1000:.0f} ms")

    results = {}
    for threads in (1, os.cpu_count() or 1):
        con.execute(f"SET threads = {threads}")
        best = float("inf")
        verdicts = []
        for _ in range(RUNS):
            t = time.perf_counter()
            verdicts = [bool(con.execute(q).fetchone()[0]) for q in queries]
            best = min(best, time.perf_counter() - t)
        results[threads] = best * 1000
        passed = sum(verdicts)
        print(
            f"duckdb: {len(queries)} queries over {rows} spans on {threads} thread(s): "
            f"best {best * 1000:.1f} ms ({RUNS} runs, {passed} true)"
        )
    one = results[1]
    print(
        f"tbt: {tbt['assertions']} assertions: best {tbt['best_ms']:.1f} ms, "
        f"median {tbt['median_ms']:.1f} ms (one core)"
    )
    print(f"ratio (DuckDB on one thread / tbt): {one / tbt['best_ms']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
