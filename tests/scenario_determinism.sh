#!/usr/bin/env bash
# Runs a scenario twice in separate processes with the same seed and compares the trace hashes,
# then once more under another heap layout (other_heap_layout.sh), and once with another seed,
# which must differ. Usage: scenario_determinism.sh SAMSA_SIM SCENARIO SEED
set -uo pipefail
sim=$1 scenario=$2 seed=$3
source "$(dirname "$0")/other_heap_layout.sh"
hash_of() { "$sim" run "$scenario" --seed "$1" --quiet 2>&1 | sed -n 's/.*trace_hash=\(0x[0-9a-f]*\).*/\1/p' | head -1; }
a=$(hash_of "$seed"); b=$(hash_of "$seed"); h=$(other_heap hash_of "$seed"); c=$(hash_of $((seed + 1)))
echo "seed $seed: $a / $b / other heap layout $h; seed $((seed + 1)): $c"
if [ -z "$a" ] || [ "$a" != "$b" ]; then
  echo "FAIL: same seed gave different trace hashes; reproduce: $sim run $scenario --seed $seed"
  exit 1
fi
if [ "$a" != "$h" ]; then
  echo "FAIL: another heap layout changed the trace hash (a pointer value or an uninitialised byte reached it);" \
       "reproduce: $(other_heap_env) $sim run $scenario --seed $seed"
  exit 1
fi
if [ "$a" = "$c" ]; then
  echo "FAIL: different seeds gave the same trace hash"
  exit 1
fi
echo "deterministic"
