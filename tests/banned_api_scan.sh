#!/usr/bin/env bash
# Fails when core/ or sim/ use an API that DESIGN.md's determinism rules ban.
# Usage: banned_api_scan.sh DIR...   (prints file:line: reason for each hit)
set -uo pipefail
rules=(
  'std::chrono::(system_clock|steady_clock|high_resolution_clock)|std::chrono clocks (the sim kernel owns time)'
  '(^|[^_[:alnum:]:.>])time[[:space:]]*\(|time() reads the wall clock'
  '(^|[^_[:alnum:]])(clock_gettime|gettimeofday)[[:space:]]*\(|wall clock'
  'std::(thread|jthread|async)\b|threads'
  '#include[[:space:]]*<(thread|mutex|shared_mutex|atomic|condition_variable|future|fstream|random|chrono)>|banned header'
  'std::(mutex|shared_mutex|recursive_mutex|atomic|condition_variable)\b|locks and atomics'
  '#include[[:space:]]*<(sys/socket\.h|netinet/in\.h|arpa/inet\.h|boost/asio[^>]*)>|sockets'
  '(^|[^_[:alnum:]])(fopen|fstream|ifstream|ofstream)\b|file I/O outside the Disk seam'
  '(^|[^_[:alnum:]:.>])(rand|srand|random)[[:space:]]*\(|unseeded randomness'
  'std::random_device|nondeterministic seed'
  '(^|[^_[:alnum:]])(getenv|secure_getenv)[[:space:]]*\(|environment reads'
)
hits=0
files=$(find "$@" -type f \( -name '*.h' -o -name '*.cc' -o -name '*.cpp' -o -name '*.hpp' \) | sort)
for f in $files; do
  # Strip // comments so that prose may name the banned APIs.
  stripped=$(sed -e 's@//.*$@@' "$f")
  for rule in "${rules[@]}"; do
    pattern=${rule%|*}
    reason=${rule##*|}
    while IFS= read -r line; do
      [ -z "$line" ] && continue
      echo "$f:${line%%:*}: banned ($reason): ${line#*:}"
      hits=$((hits + 1))
    done < <(printf '%s\n' "$stripped" | grep -nE -- "$pattern" || true)
  done
done
if [ "$hits" -ne 0 ]; then
  echo "banned_api_scan: $hits banned use(s) in $*"
  exit 1
fi
echo "banned_api_scan: clean ($(echo "$files" | grep -c . ) files in $*)"
