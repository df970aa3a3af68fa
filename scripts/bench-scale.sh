#!/usr/bin/env bash
# Cost per message as the partition count grows (issue 14): 5 brokers, RF 3, 3 producers at
# 2,000 msg/s each over 1,000 keys, acks=all, one consumer, 20 s simulated, at 12, 48, 192 and
# 768 partitions. The sizes run in rounds (N rounds, default 3; each round runs every size once),
# so a slow spell of a shared machine falls on all sizes alike. The table gives, per size, the
# events, the acknowledged messages, the record batches the producers sent, the best and the
# median wall time, wall microseconds per acknowledged message (best), and that figure as a ratio
# of the first size's, by the best runs and by the medians (target: at most 1.5 at 768); then the
# same per batch. The workload is fixed, but spread over more partitions its keys leave fewer
# records per batch, and brokers, followers and consumers do their work per batch. The last
# column understates what a batch costs over more partitions, since the first size's batches
# carry more records (and so more per-record work): LINGER_MS=0, below, compares equal batching.
# Noise only adds time: the best runs are the steadier estimate; never compare single runs.
# A size written B+I (say 12+756) runs the same workload on B partitions plus a second topic of I
# partitions that nobody writes or reads: what idle partitions cost.
# LINGER_MS=L (environment) sets the producers' linger.ms (default: the producer's). With
# LINGER_MS=0 the producers send a batch as soon as they can, so every size sends about as many
# batches, and the ratio shows what the same work costs over more partitions.
# Usage: [LINGER_MS=L] bash scripts/bench-scale.sh [N] [SAMSA_SIM_BINARY] [PARTITION COUNTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
sim=${2:-build/release/sim/samsa-sim}
shift $(( $# > 2 ? 2 : $# )) || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(12 48 192 768)
linger=""
if [ -n "${LINGER_MS:-}" ]; then
  [[ $LINGER_MS =~ ^[0-9]+$ ]] || { echo "bench-scale: LINGER_MS is a whole number of milliseconds, got '$LINGER_MS'" >&2; exit 2; }
  linger=", linger.ms: $LINGER_MS"
fi
[ -x "$sim" ] || { echo "no $sim: build it first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for p in "${sizes[@]}"; do
  [[ $p =~ ^[0-9]+(\+[0-9]+)?$ ]] || { echo "bench-scale: a size is N or N+IDLE, got '$p'" >&2; exit 2; }
  busy=${p%%+*}
  idle_topic=""
  [ "$busy" = "$p" ] || idle_topic="  - { name: idle, partitions: ${p#*+}, replication.factor: 3 }"
  cat >"$dir/scale-$p.yaml" <<YAML
name: scale-$p
seed: 1
cluster:
  brokers: 5
  controllers: [1, 2, 3]
  config: { min.insync.replicas: 2 }
topics:
  - { name: load, partitions: $busy, replication.factor: 3 }
$idle_topic
workload:
  producers: [{ topic: load, rate_per_s: 2000, keys: 1000, acks: all, count: 3$linger }]
  consumers: [{ topic: load }]
run_for: 20s
tolerate: [duplicate]
YAML
done
# One line per run: size events acked wall_ms batches.
for round in $(seq "$runs"); do
  for p in "${sizes[@]}"; do
    line=$("$sim" run "$dir/scale-$p.yaml" --quiet | grep -E '^events=')
    echo "$p $(sed -E 's/.*events=([0-9]+).* acked=([0-9]+).*/\1 \2/' <<<"$line") $(sed -E 's/.*wall_ms=([0-9]+).*/\1/' <<<"$line")" \
      "$(sed -E 's/.*batches=([0-9]+).*/\1/' <<<"$line")" >>"$dir/runs"
  done
done
# The ratio follows the memory hierarchy (768 partitions' state does not stay in cache): say where
# it was measured.
host=$(LC_ALL=C lscpu 2>/dev/null | awk -F: '/^Model name|^L2 cache|^L3 cache/ { gsub(/^ +/, "", $2); printf "%s%s: %s", sep, $1, $2; sep = ", " }')
echo "host: ${host:-unknown} ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
# The producers' default linger, from the settings table (a test keeps it equal to the registry).
default_linger=$(awk -F'|' '$2 ~ /`linger.ms`/ { v = $4; gsub(/ /, "", v); print v; exit }' scenarios/README.md)
echo "producers' linger.ms: ${LINGER_MS:-${default_linger:-unknown} (the default)}"
echo
printf '| partitions | events | acked | batches | wall (best) | wall (median) | us per acked message (best) | ratio to %s (best) | ratio (median) | us per batch (best) | ratio per batch (best) |\n' "${sizes[0]}"
printf '|---|---|---|---|---|---|---|---|---|---|---|\n'
base_best="" base_median="" base_batch=""
for p in "${sizes[@]}"; do
  read -r events acked batches < <(awk -v p="$p" '$1 == p { print $2, $3, $5; exit }' "$dir/runs")
  best=$(awk -v p="$p" '$1 == p { print $4 }' "$dir/runs" | sort -n | sed -n 1p)
  median=$(awk -v p="$p" '$1 == p { print $4 }' "$dir/runs" | sort -n |
           awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}')
  us_best=$(awk -v w="$best" -v a="$acked" 'BEGIN { if (a > 0) printf "%.2f", w * 1000 / a; else print "0" }')
  us_median=$(awk -v w="$median" -v a="$acked" 'BEGIN { if (a > 0) printf "%.4f", w * 1000 / a; else print "0" }')
  us_batch=$(awk -v w="$best" -v n="$batches" 'BEGIN { if (n > 0) printf "%.4f", w * 1000 / n; else print "0" }')
  [ -n "$base_best" ] || { base_best=$us_best; base_median=$us_median; base_batch=$us_batch; }
  ratio_best=$(awk -v u="$us_best" -v b="$base_best" 'BEGIN { if (b > 0) printf "%.2f", u / b; else print "0" }')
  ratio_median=$(awk -v u="$us_median" -v b="$base_median" 'BEGIN { if (b > 0) printf "%.2f", u / b; else print "0" }')
  ratio_batch=$(awk -v u="$us_batch" -v b="$base_batch" 'BEGIN { if (b > 0) printf "%.2f", u / b; else print "0" }')
  printf '| %s | %s | %s | %s | %s ms | %s ms | %s | %sx | %sx | %.2f | %sx |\n' "$p" "$events" "$acked" "$batches" "$best" \
    "$median" "$us_best" "$ratio_best" "$ratio_median" "$us_batch" "$ratio_batch"
done
