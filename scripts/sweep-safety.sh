#!/usr/bin/env bash
# The long safety sweep (not part of CI): every safety scenario over 5,000 seeds that CI does not
# use (CI sweeps random-nemesis-safe over 1..200; scripts/sweep-moving.sh starts above 1,000,000).
#
# Usage: bash scripts/sweep-safety.sh [--seeds A..B] [--jobs J] [--scenarios "a b ..."]
#                                     [--known-failures FILE] [--no-build]
#   --seeds            seed range for every scenario (default 100001..105000)
#   --jobs             worker processes (default 2)
#   --scenarios        scenario names under scenarios/ (default: random-nemesis-safe
#                      bench-reference all-faults-safe many-partitions-nemesis-safe)
#   --known-failures   a file of reproduce commands (one per line, `#` comments): failures listed
#                      there are reported as known and do not fail the sweep
#   --no-build         use build/release/sim/samsa-sim as it is
# Prints, per scenario, the seed range, passed/failed counts and wall time, then every failing
# seed's reproduce command. JSON reports go to build/reports/sweep-safety-<scenario>.json.
# Exit status: 0 when every failure is known (or none), 1 on any other failure, 2 on bad usage or a
# sweep that could not run.
set -uo pipefail
cd "$(dirname "$0")/.."

seeds=100001..105000
jobs=2
scenarios="random-nemesis-safe bench-reference all-faults-safe many-partitions-nemesis-safe"
known_file=""
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --known-failures) known_file=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "sweep-safety: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ $seeds =~ ^[0-9]+\.\.[0-9]+$ ]]; then echo "sweep-safety: --seeds takes A..B, got '$seeds'" >&2; exit 2; fi

sim=build/release/sim/samsa-sim
if [ "$build" = 1 ]; then
  export CCACHE_BASEDIR=$PWD
  cmake --preset release >/dev/null && cmake --build --preset release --target samsa-sim >/dev/null || {
    echo "sweep-safety: build failed" >&2; exit 2; }
fi
[ -x "$sim" ] || { echo "sweep-safety: $sim not built" >&2; exit 2; }

# Known failures: reproduce commands, comments and blank lines dropped, spaces squeezed.
known=""
if [ -n "$known_file" ]; then
  [ -r "$known_file" ] || { echo "sweep-safety: cannot read $known_file" >&2; exit 2; }
  known=$(sed -e 's/#.*//' -e 's/[[:space:]]\+/ /g' -e 's/^ //' -e 's/ $//' "$known_file" | grep -v '^$' || true)
fi

mkdir -p build/reports
status=0
summary=""
failures=""
for name in $scenarios; do
  file=scenarios/$name.yaml
  [ -r "$file" ] || { echo "sweep-safety: no scenario $file" >&2; exit 2; }
  start=$(date +%s)
  out=$("$sim" sweep "$file" --seeds "$seeds" --jobs "$jobs" --json "build/reports/sweep-safety-$name.json" 2>/dev/null)
  rc=$?
  wall=$(( $(date +%s) - start ))
  line=$(printf '%s\n' "$out" | grep -E '^sweep .*: runs=' | tail -1)
  if [ $rc -gt 1 ] || [ -z "$line" ]; then
    echo "sweep-safety: the sweep of $name could not run (exit $rc):" >&2
    printf '%s\n' "$out" >&2
    exit 2
  fi
  passed=$(sed -n 's/.* passed=\([0-9]*\).*/\1/p' <<<"$line")
  failed=$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<<"$line")
  new=0 old=0
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    cmd=${f#*reproduce: }
    if [ -n "$known" ] && grep -qxF -- "$cmd" <<<"$known"; then
      failures+="  known   $name: $f"$'\n'
      old=$((old + 1))
    else
      failures+="  FAILED  $name: $f"$'\n'
      new=$((new + 1))
    fi
  done < <(printf '%s\n' "$out" | grep -E '^  FAILED seed=' | sed 's/^  FAILED //')
  summary+=$(printf '%-29s seeds %-18s passed=%-6s failed=%-5s (known %s) wall=%ss' "$name" "$seeds" "$passed" "$failed" "$old" "$wall")$'\n'
  [ $new -gt 0 ] && status=1
done

echo "== safety sweep (jobs=$jobs)"
printf '%s' "$summary"
if [ -n "$failures" ]; then
  echo "== failing seeds (reproduce from the repository root)"
  printf '%s' "$failures"
fi
if [ $status -ne 0 ]; then echo "RESULT: FAILED (new failures above)"; else echo "RESULT: OK"; fi
exit $status
