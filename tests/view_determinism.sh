#!/usr/bin/env bash
# Views are deterministic across processes: `samsa-sim inspect` gives the same view hash twice
# for one instant (and another for another instant), and `samsa-sim run --views` writes the same
# timeline twice, with views and events in it. Each second run has another heap layout
# (other_heap_layout.sh).
# Usage: view_determinism.sh SAMSA_SIM SCENARIO SEED AT
set -uo pipefail
sim=$1 scenario=$2 seed=$3 at=$4
source "$(dirname "$0")/other_heap_layout.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
view_hash() { "$sim" inspect "$scenario" --seed "$seed" --at "$1" | sed -n 's/.*view_hash=\(0x[0-9a-f]*\).*/\1/p'; }
a=$(view_hash "$at"); b=$(other_heap view_hash "$at"); c=$(view_hash 1s)
echo "view at $at: $a / $b; at 1s: $c"
if [ -z "$a" ] || [ "$a" != "$b" ]; then
  echo "FAIL: one instant gave different view hashes; reproduce: $sim inspect $scenario --seed $seed --at $at"
  exit 1
fi
if [ "$a" = "$c" ]; then
  echo "FAIL: two instants gave the same view hash"
  exit 1
fi
write_views() {
  "$sim" run "$scenario" --seed "$seed" --quiet --views "$dir/views$1.jsonl" --view-every 500ms >/dev/null || {
    echo "FAIL: samsa-sim run --views failed"; exit 1; }
}
write_views 1
other_heap write_views 2
if ! cmp -s "$dir/views1.jsonl" "$dir/views2.jsonl"; then
  echo "FAIL: two runs wrote different --views timelines; reproduce: $sim run $scenario --seed $seed --views FILE"
  exit 1
fi
views=$(grep -c '"type":"view"' "$dir/views1.jsonl")
events=$(grep -c '"type":"event"' "$dir/views1.jsonl")
echo "--views: $views views, $events events, identical in two processes"
if [ "$views" -lt 10 ] || [ "$events" -lt 5 ]; then
  echo "FAIL: expected at least 10 views and 5 events"
  exit 1
fi
echo "deterministic"
