#!/usr/bin/env bash
# The main job: installs what is missing, builds samsa-sim and plays the default classroom
# scenario (leader election) headless, printing its captions, expectations and a report.
# (samsa-gui, which will play it in a window when there is a display, is not built yet.)
# Usage: bash scripts/run.sh [samsa-sim arguments]   e.g. run scenarios/unclean-election-loss.yaml
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target samsa-sim >/dev/null
if [ "$#" -eq 0 ]; then
  mkdir -p build/reports
  exec build/release/sim/samsa-sim run scenarios/leader-election.yaml --json build/reports/leader-election.json
fi
exec build/release/sim/samsa-sim "$@"
