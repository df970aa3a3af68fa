#!/usr/bin/env bash
# Proves that every rule of banned_api_scan.sh fires on its own and that near misses pass:
#  - every rule id (--list-rules) has a fixture rules/<id>.cc, and no fixture lacks a rule;
#  - the scan of rules/ fails, and its hits in rules/<id>.cc name [<id>] and no other rule (each
#    fixture holds one violation, so each rule is shown to fire on its own);
#  - the scan of clean/ (member calls, lookalike names, comments, a *_main.cc) succeeds.
# Usage: banned_api_scan_fixture_test.sh SCAN_SCRIPT FIXTURE_DIR
set -uo pipefail
scan=$1
fixtures=$2
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

mapfile -t ids < <(bash "$scan" --list-rules)
[ "${#ids[@]}" -gt 0 ] || fail "no rules listed"
# One scan over all rule fixtures; each file holds one violation, so its hits must all be its rule.
all=$(bash "$scan" "$fixtures/rules")
rc=$?
[ "$rc" -eq 1 ] || fail "scan of $fixtures/rules exited $rc, want 1"
for id in "${ids[@]}"; do
  f="$fixtures/rules/$id.cc"
  if [ ! -f "$f" ]; then
    fail "rule $id has no fixture $f"
    continue
  fi
  out=$(grep -F -- "$f:" <<<"$all")
  grep -q "banned \[$id\]" <<<"$out" || fail "rule $id: scan did not name [$id] in $f: $out"
  others=$(grep -o 'banned \[[^]]*\]' <<<"$out" | grep -v "banned \[$id\]" | sort -u)
  [ -z "$others" ] || fail "rule $id: fixture $f also trips $others"
done
for f in "$fixtures"/rules/*.cc; do
  id=$(basename "$f" .cc)
  # A here-string, not "printf | grep -q": under pipefail, grep -q leaving at the first match
  # kills printf with SIGPIPE, and the pipeline fails although the id was found.
  grep -qx -- "$id" <<<"$(printf '%s\n' "${ids[@]}")" || fail "fixture $f names no rule"
done
out=$(bash "$scan" "$fixtures/clean")
rc=$?
[ "$rc" -eq 0 ] || fail "clean fixtures: scan exited $rc: $out"

if [ "$failures" -ne 0 ]; then
  echo "banned_api_scan_fixture_test: $failures failure(s)"
  exit 1
fi
echo "banned_api_scan_fixture_test: ${#ids[@]} rules each caught alone; clean fixtures pass"
