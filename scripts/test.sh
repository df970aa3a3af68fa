#!/usr/bin/env bash
# Installs what is missing, builds everything (Release with asserts) and runs every test.
# Usage: bash scripts/test.sh            (this is the README's test command and what CI runs)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Paths relative to the checkout in ccache's keys, so that every clone shares the cache.
export CCACHE_BASEDIR="$PWD"
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release -j "$(nproc)" --timeout 900
