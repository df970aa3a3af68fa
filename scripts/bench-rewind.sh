#!/usr/bin/env bash
# Session rewinds: bench-reference seed 1 is run to 60s, then rewound to 10s, 30s and 59s, five
# times each (bench/session_bench.cc, BM_SessionRewind). A rewind re-runs the same seed and the
# recorded injections from the start, in the same process. Prints the median wall and CPU time of
# each; target: each median under 1 s of wall time. The machines are shared and noisy: compare
# medians, and CPU time when another job is running.
# Usage: bash scripts/bench-rewind.sh [SAMSA_BENCH_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:-build/release/bench/samsa-bench}
[ -x "$bench" ] || { echo "no $bench: build it first (cmake --preset release && cmake --build --preset release --target samsa-bench)" >&2; exit 2; }
"$bench" --benchmark_filter='BM_SessionRewind' --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_format=json 2>/dev/null |
  /usr/bin/python3 -c '
import json, sys
report = json.load(sys.stdin)
worst = 0.0
for b in report["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    to = b["run_name"].split("/")[1]
    wall_ms = b["real_time"]
    cpu_ms = b["cpu_time"]
    worst = max(worst, wall_ms)
    events = int(b.get("events", 0))
    print(f"rewind to {to:>2}s: median wall {wall_ms:7.0f} ms, cpu {cpu_ms:7.0f} ms (5 rewinds; {events:,} events re-run)")
print(f"slowest median: {worst:.0f} ms (target: under 1000 ms)")
'
