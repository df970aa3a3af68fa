#!/usr/bin/env bash
# The main job: installs what is missing, builds samsa-sim and runs it.
# Usage: bash scripts/run.sh [samsa-sim arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target samsa-sim >/dev/null
if [ "$#" -eq 0 ]; then
  exec build/release/sim/samsa-sim --version
fi
exec build/release/sim/samsa-sim "$@"
