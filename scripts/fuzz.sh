#!/usr/bin/env bash
# Builds the libFuzzer targets with clang + ASan + UBSan and runs one of them.
# Usage: bash scripts/fuzz.sh TARGET [SECONDS]     TARGET: protocol_fuzz | record_batch_fuzz
# The corpus grows in fuzz-corpus/TARGET/ (git-ignored); crashes are written to fuzz-corpus/.
# Not part of CI: run it by hand after touching a decoder.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz.sh TARGET [SECONDS]}
seconds=${2:-600}
bash scripts/install-deps.sh >/dev/null
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "$target"
mkdir -p "fuzz-corpus/$target"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
exec "build/fuzz/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="fuzz-corpus/" -rss_limit_mb=4096 "fuzz-corpus/$target"
