#!/usr/bin/env bash
# The GUI under load: samsa-gui-bench opens bench/gui-200-partitions.yaml (10 brokers, 200
# partitions, random faults) in the live window, plays it as fast as possible, and applies and
# repaints N views (default 1000). Prints views per second (target >= 30) and the UI thread's
# frame time (apply + repaint; target p99 <= 50 ms). Runs offscreen without a display. The
# machines are shared and noisy: run it on an idle machine, and compare medians of several runs.
# Usage: bash scripts/bench-gui.sh [N] [SAMSA_GUI_BENCH_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
views=${1:-1000}
bench=${2:-build/release/bench/samsa-gui-bench}
[ -x "$bench" ] || { echo "no $bench: build it first (cmake --build --preset release --target samsa-gui-bench)" >&2; exit 2; }
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$bench" --views "$views" 2> >(grep -v -e XDG_RUNTIME_DIR -e propagateSizeHints >&2)
