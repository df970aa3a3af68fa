#!/usr/bin/env bash
# scripts/bench-scale.sh end to end, one round at 12 and 48 partitions: it names the host, prints
# a row per size with the run's counts and ratios, and the same records leave in more batches
# over more partitions (the per-batch column's premise). A missing binary is refused; LINGER_MS
# reaches the producers.
# Usage: bench_scale.sh SAMSA_SIM
set -euo pipefail
sim=$1
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(bash "$root/scripts/bench-scale.sh" 1 "$sim" 12 48)
echo "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
grep -q '^host: ' <<<"$out" || fail "no host line"
# | partitions | events | acked | batches | best | median | us/msg | ratio | ratio | us/batch | ratio |
# row SIZE [TABLE]: the row of SIZE in TABLE (default: $out).
row() { awk -F'|' -v p="$1" '{ k = $2; gsub(/ /, "", k) } k == p { print }' <<<"${2:-$out}"; }
r12=$(row 12)
r48=$(row 48)
[ -n "$r12" ] && [ -n "$r48" ] || fail "a size has no row"
field() { awk -F'|' -v i="$2" '{ x = $i; gsub(/[ ,msx]/, "", x); print x }' <<<"$1"; }
for r in "$r12" "$r48"; do
  for i in 3 4 5 8 11; do
    v=$(field "$r" "$i")
    [[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v v="$v" 'BEGIN { exit !(v > 0) }' || fail "column $i is '$v' in: $r"
  done
done
[ "$(field "$r12" 9)" = "1.00" ] || fail "the first size's ratio is not 1.00"
(( $(field "$r48" 5) > $(field "$r12" 5) )) || fail "48 partitions sent no more batches than 12"
# The 1,000 keys' records are the same at both sizes: acknowledged counts agree within 1%.
awk -v a="$(field "$r12" 4)" -v b="$(field "$r48" 4)" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d * 100 <= a) }' ||
  fail "acknowledged counts differ"
if bash "$root/scripts/bench-scale.sh" 1 /nonexistent/samsa-sim 12 2>/dev/null; then fail "a missing binary was accepted"; fi
# LINGER_MS reaches the producers: with linger.ms 0 the same records leave in more batches than
# with the default 5 ms. A value that is not a whole number is refused.
out0=$(LINGER_MS=0 bash "$root/scripts/bench-scale.sh" 1 "$sim" 12)
grep -q "^producers' linger.ms: 0$" <<<"$out0" || fail "no linger line for LINGER_MS=0"
grep -Eq "^producers' linger.ms: [0-9]+ \(the default\)$" <<<"$out" || fail "no default linger line"
(( $(field "$(row 12 "$out0")" 5) > $(field "$r12" 5) )) || fail "linger.ms 0 sent no more batches than the default"
if LINGER_MS=5ms bash "$root/scripts/bench-scale.sh" 1 "$sim" 12 2>/dev/null; then fail "LINGER_MS=5ms was accepted"; fi
echo "bench-scale: ok"
