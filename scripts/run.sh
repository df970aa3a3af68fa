#!/usr/bin/env bash
# The main job: installs what is missing, builds, and plays the default classroom scenario
# (leader election): in samsa-gui when there is a display (DISPLAY or WAYLAND_DISPLAY set),
# otherwise headless with samsa-sim, printing its captions, expectations and a JSON report.
# Usage: bash scripts/run.sh [samsa-sim arguments]   e.g. run scenarios/unclean-election-loss.yaml
#        SAMSA_HEADLESS=1 bash scripts/run.sh          (the headless run even with a display)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
if [ "$#" -eq 0 ] && [ -z "${SAMSA_HEADLESS:-}" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  cmake --build --preset release --target samsa-gui >/dev/null
  exec build/release/gui/samsa-gui scenarios/leader-election.yaml
fi
cmake --build --preset release --target samsa-sim >/dev/null
if [ "$#" -eq 0 ]; then
  mkdir -p build/reports
  exec build/release/sim/samsa-sim run scenarios/leader-election.yaml --json build/reports/leader-election.json
fi
exec build/release/sim/samsa-sim "$@"
