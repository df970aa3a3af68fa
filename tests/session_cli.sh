#!/usr/bin/env bash
# `samsa-sim session`: a scripted session that changes a producer's rate, adds a consumer and
# crashes a broker, saved and replayed with `samsa-sim run`, gives the same trace hash; a bad
# command is reported with its line and does not stop the script.
# Usage: session_cli.sh SAMSA_SIM SCENARIO
set -uo pipefail
sim=$1 scenario=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/script" <<SCRIPT
run 12s
inject { set-rate: 1001, rate: 800 }
step 40
inject { add-consumer: orders, from: latest }
inject { crash: broker-9 }
run +3s
inject { pause: controller, for: 2s }
save $dir/saved.yaml
run 1.5s
finish
SCRIPT
out=$("$sim" session "$scenario" --script "$dir/script")
rc=$?
echo "$out"
session_hash=$(echo "$out" | sed -n 's/^seed=[0-9]* trace_hash=\(0x[0-9a-f]*\).*/\1/p')
[ "$rc" = 2 ] || { echo "FAIL: a bad command should make the exit code 2, got $rc"; exit 1; }
grep -q "script:5:17: faults\[0\].crash: node 9 does not exist" <<<"$out" || { echo "FAIL: the bad inject was not reported with its line"; exit 1; }
grep -q "script:9: run: expected a time.*1500ms, not 1.5s" <<<"$out" || { echo "FAIL: a bad duration was not explained"; exit 1; }
[ "$(grep -c 'at_event' "$dir/saved.yaml")" = 3 ] || { echo "FAIL: expected 3 recorded entries"; cat "$dir/saved.yaml"; exit 1; }
replay_hash=$("$sim" run "$dir/saved.yaml" --quiet | sed -n 's/.*trace_hash=\(0x[0-9a-f]*\).*/\1/p' | head -1)
plain_hash=$("$sim" run "$scenario" --quiet | sed -n 's/.*trace_hash=\(0x[0-9a-f]*\).*/\1/p' | head -1)
echo "session: $session_hash, replayed: $replay_hash, without the injections: $plain_hash"
if [ -z "$session_hash" ] || [ "$session_hash" != "$replay_hash" ]; then
  echo "FAIL: the saved session does not replay to the session's hash"
  exit 1
fi
[ "$session_hash" != "$plain_hash" ] || { echo "FAIL: the injections changed nothing"; exit 1; }
echo "replays"
