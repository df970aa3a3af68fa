#!/usr/bin/env bash
# samsa-gui --screenshot renders without a display and is deterministic: the same arguments give
# the same pixels (two runs, byte-identical PNGs), and a different instant gives another picture.
# Usage: gui_screenshot.sh SAMSA_GUI SCENARIO
set -uo pipefail
gui=$1 scenario=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
for view in all cluster partitions timeline chart inspector; do
  for i in 1 2; do
    "$gui" "$scenario" --seed 42 --run-for 14s --view "$view" --inspect 1 --size 1280x800 --screenshot "$dir/$view$i.png" >/dev/null 2>&1 || {
      echo "FAIL: samsa-gui --screenshot --view $view failed"; exit 1; }
  done
  cmp -s "$dir/${view}1.png" "$dir/${view}2.png" || { echo "FAIL: --view $view: two runs gave different pixels"; exit 1; }
  size=$(stat -c %s "$dir/${view}1.png")
  [ "$size" -gt 5000 ] || { echo "FAIL: --view $view: a $size-byte PNG is too small to show anything"; exit 1; }
  echo "view $view: $size bytes, identical twice"
done
"$gui" "$scenario" --seed 42 --run-for 9s --size 1280x800 --screenshot "$dir/at9.png" >/dev/null 2>&1
if cmp -s "$dir/all1.png" "$dir/at9.png"; then echo "FAIL: 9s and 14s look the same"; exit 1; fi
echo "deterministic"
