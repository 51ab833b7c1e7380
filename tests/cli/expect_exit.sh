#!/usr/bin/env bash
# Runs COMMAND... and checks its exit status and that stderr holds every EXPECTED substring.
#
# usage: expect_exit.sh STATUS EXPECTED... -- COMMAND...
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 STATUS EXPECTED... -- COMMAND..." >&2
  exit 2
fi
want=$1
shift
expected=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do expected+=("$1"); shift; done
shift
err=$(mktemp "${TMPDIR:-/tmp}/sovcap_expect_exit.XXXXXX")
trap 'rm -f "$err"' EXIT
"$@" >/dev/null 2>"$err"
status=$?
fail=0
[ "$status" -eq "$want" ] || { echo "FAIL: exit status $status, expected $want" >&2; fail=1; }
for e in "${expected[@]+"${expected[@]}"}"; do
  grep -qF -- "$e" "$err" || { echo "FAIL: stderr does not contain: $e" >&2; fail=1; }
done
if [ "$fail" -ne 0 ]; then
  echo "--- command: $*" >&2
  echo "--- stderr:" >&2
  cat "$err" >&2
fi
exit "$fail"
