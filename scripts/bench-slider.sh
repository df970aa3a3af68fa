#!/usr/bin/env bash
# The time slider: samsa-gui-bench --slider opens scenarios/bench-reference.yaml in the live
# window, plays it to 60 s, then moves the slider to 59, 10, 30, 5 and 45 s, and prints per target
# the wall time until the window shows the view recorded in that second (the preview) and until it
# shows the exact instant (moving back re-runs the seed from the start, Session::Rewind). Target:
# under 1 s anywhere in the 60 s.
# Usage: bash scripts/bench-slider.sh [ROUNDS] [SAMSA_GUI_BENCH_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
bench=${2:-build/release/bench/samsa-gui-bench}
[ -x "$bench" ] || { echo "no $bench: build it first (cmake --build --preset release --target samsa-gui-bench)" >&2; exit 2; }
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$bench" --slider --rounds "$rounds" 2> >(grep -v -e XDG_RUNTIME_DIR -e propagateSizeHints >&2)
