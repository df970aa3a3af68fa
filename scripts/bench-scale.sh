#!/usr/bin/env bash
# Cost per message as the partition count grows (issue 14): 5 brokers, RF 3, 3 producers at
# 2,000 msg/s each over 1,000 keys, acks=all, one consumer, 20 s simulated, at 12, 48, 192 and
# 768 partitions. Each size runs N times (default 3); the table gives the median wall time, the
# events, the acknowledged messages, wall microseconds per acknowledged message, and that figure
# as a ratio of the 12-partition one (target: at most 1.5 at 768). Noisy shared machines: compare
# ratios and medians, never single runs.
# Usage: bash scripts/bench-scale.sh [N] [SAMSA_SIM_BINARY] [PARTITION COUNTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
sim=${2:-build/release/sim/samsa-sim}
shift $(( $# > 2 ? 2 : $# )) || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(12 48 192 768)
[ -x "$sim" ] || { echo "no $sim: build it first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
base_us=""
printf '| partitions | events | acked | wall (median) | us per acked message | ratio to %s |\n|---|---|---|---|---|---|\n' "${sizes[0]}"
for p in "${sizes[@]}"; do
  cat >"$dir/scale-$p.yaml" <<YAML
name: scale-$p
seed: 1
cluster:
  brokers: 5
  controllers: [1, 2, 3]
  config: { min.insync.replicas: 2 }
topics:
  - { name: load, partitions: $p, replication.factor: 3 }
workload:
  producers: [{ topic: load, rate_per_s: 2000, keys: 1000, acks: all, count: 3 }]
  consumers: [{ topic: load }]
run_for: 20s
tolerate: [duplicate]
YAML
  walls=()
  for i in $(seq "$runs"); do
    line=$("$sim" run "$dir/scale-$p.yaml" --quiet | grep -E '^events=')
    events=$(sed -E 's/.*events=([0-9]+).*/\1/' <<<"$line")
    acked=$(sed -E 's/.*acked=([0-9]+).*/\1/' <<<"$line")
    walls+=("$(sed -E 's/.*wall_ms=([0-9]+).*/\1/' <<<"$line")")
  done
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}')
  us=$(awk -v w="$wall" -v a="$acked" 'BEGIN { if (a > 0) printf "%.2f", w * 1000 / a; else print "0" }')
  [ -n "$base_us" ] || base_us=$us
  ratio=$(awk -v u="$us" -v b="$base_us" 'BEGIN { if (b > 0) printf "%.2f", u / b; else print "0" }')
  printf '| %s | %s | %s | %s ms | %s | %sx |\n' "$p" "$events" "$acked" "$wall" "$us" "$ratio"
done
