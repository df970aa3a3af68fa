#!/usr/bin/env bash
# The moving-seed sweep CI runs: a fresh window of seeds on every commit, so that over time CI
# explores far more seeds than its fixed 1..200. The window starts at
#   (first 8 hex digits of `git rev-parse HEAD`, mod 10^9) + 10^6
# (never inside the fixed ranges 1..200 and 100001..105000) and covers COUNT seeds (default 200)
# of random-nemesis-safe and of all-faults-safe, and COUNT/5 seeds of many-partitions-nemesis-safe
# (64 partitions: a run costs about ten of the others), with 2 workers (about three minutes on 2
# idle cores).
#
# Usage: bash scripts/sweep-moving.sh [COUNT] [--no-build]
# Failures listed in scripts/known-failures.txt (reproduce commands, one per line, `#` comments)
# are reported as known and do not fail the run; any other failure prints its exact reproduce
# command and exits 1.
set -uo pipefail
cd "$(dirname "$0")/.."
count=200
extra=()
for a in "$@"; do
  case "$a" in
    --no-build) extra+=(--no-build) ;;
    ''|*[!0-9]*) echo "sweep-moving: usage: sweep-moving.sh [COUNT] [--no-build]" >&2; exit 2 ;;
    *) count=$a ;;
  esac
done
head=$(git rev-parse HEAD) || { echo "sweep-moving: not in a git checkout" >&2; exit 2; }
first=$(( (16#${head:0:8} % 1000000000) + 1000000 ))
last=$(( first + count - 1 ))
many_last=$(( first + (count + 4) / 5 - 1 ))
echo "sweep-moving: commit ${head:0:12}: seeds $first..$last (many-partitions-nemesis-safe: $first..$many_last)"
bash scripts/sweep-safety.sh --seeds "$first..$last" --jobs 2 \
  --scenarios "random-nemesis-safe all-faults-safe" --known-failures scripts/known-failures.txt "${extra[@]}"
status=$?
[ "$status" -eq 2 ] && exit 2  # could not build or run: the second sweep would not either
bash scripts/sweep-safety.sh --seeds "$first..$many_last" --jobs 2 --no-build \
  --scenarios "many-partitions-nemesis-safe" --known-failures scripts/known-failures.txt
rc=$?
[ "$rc" -gt "$status" ] && status=$rc
exit "$status"
