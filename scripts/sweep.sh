#!/usr/bin/env bash
# A longer seed sweep than CI's 200 seeds (not part of CI). Builds samsa-sim, then sweeps.
# Usage: bash scripts/sweep.sh [SCENARIO] [FIRST..LAST]
#   default: scenarios/random-nemesis-safe.yaml over seeds 1..5000 with one worker per core.
# Prints failing seeds with the command that reproduces each; the JSON report goes to
# build/reports/sweep-<scenario>.json. Exit status 1 if any seed failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/random-nemesis-safe.yaml}
seeds=${2:-1..5000}
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target samsa-sim >/dev/null
mkdir -p build/reports
exec build/release/sim/samsa-sim sweep "$scenario" --seeds "$seeds" --jobs "$(nproc)" \
  --json "build/reports/sweep-$(basename "$scenario" .yaml).json"
