#!/usr/bin/env bash
# samsa-gui refuses bad command-line options with a message naming the option, and exit code 2,
# before it renders anything: no option is accepted and then ignored or silently changed.
# Usage: gui_cli.sh SAMSA_GUI SCENARIO
set -uo pipefail
gui=$1 scenario=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
fail=0
# refuses EXPECTED-TEXT ARGS...: samsa-gui ARGS exits 2 and says EXPECTED-TEXT, writing no PNG.
refuses() {
  local want=$1
  shift
  rm -f "$dir/x.png"
  out=$(timeout 120 "$gui" "$scenario" "$@" 2>&1)
  code=$?
  if [ "$code" -ne 2 ] || ! grep -qF -- "$want" <<<"$out" || [ -e "$dir/x.png" ]; then
    echo "FAIL: samsa-gui $*: exit $code, wanted 2 and '$want'; got: $out"
    fail=1
  else
    echo "ok: $* -> $want"
  fi
}
refuses "--seed: expected a seed: an integer from 0 to 9223372036854775807, got '-1'" --seed -1 --screenshot "$dir/x.png"
refuses "--run-for 1000h: the run ends at" --run-for 1000h --screenshot "$dir/x.png"
refuses "--run-for: bad duration" --run-for -1s --screenshot "$dir/x.png"
refuses "--size 10x10: expected WIDTHxHEIGHT" --size 10x10 --screenshot "$dir/x.png"
refuses "--size 100000x800: expected WIDTHxHEIGHT" --size 100000x800 --screenshot "$dir/x.png"
refuses "--view bogus: expected one of" --view bogus --screenshot "$dir/x.png"
refuses "--inspect 99: no such node; the cluster's nodes are" --inspect 99 --screenshot "$dir/x.png"
# Options that serve --screenshot only are refused without it (the window would ignore them).
refuses "--run-for requires --screenshot" --run-for 5s
refuses "--inspect requires --screenshot" --inspect 1
# A good instant at the run's very end still renders.
"$gui" "$scenario" --seed 42 --size 640x400 --screenshot "$dir/end.png" --run-for 50s >/dev/null 2>&1 &&
  [ -s "$dir/end.png" ] || { echo "FAIL: --run-for 50s (the run's end) did not render"; fail=1; }
exit $fail
