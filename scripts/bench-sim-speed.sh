#!/usr/bin/env bash
# End-to-end simulator speed: runs the reference benchmark scenario N times (default 5) with the
# release build and prints each run's wall time and sim_speed (simulated seconds per wall second),
# then the median. The machines are shared and noisy: compare medians, never single runs.
# Usage: bash scripts/bench-sim-speed.sh [N] [SAMSA_SIM_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
sim=${2:-build/release/sim/samsa-sim}
[ -x "$sim" ] || { echo "no $sim: build it first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
speeds=()
for i in $(seq "$runs"); do
  line=$("$sim" run scenarios/bench-reference.yaml --quiet | grep -o 'wall_ms=[0-9]* sim_speed=[0-9.]*x')
  echo "run $i: $line"
  speeds+=("$(echo "$line" | sed -E 's/.*sim_speed=([0-9.]+)x/\1/')")
done
printf '%s\n' "${speeds[@]}" | sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2;
  printf "median sim_speed over %d runs: %.1fx (target: at least 50)\n", NR, m}'
