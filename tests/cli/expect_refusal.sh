#!/usr/bin/env bash
# Runs `SOVCAP ARGS...` on a request it must refuse and checks what a user must see: exit
# status 2, EXPECTED on stderr after "sovcap: error: ", and nothing on stdout.
#
# usage: expect_refusal.sh SOVCAP EXPECTED ARGS...
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 SOVCAP EXPECTED ARGS..." >&2
  exit 2
fi
sovcap=$1
expected=$2
shift 2
out=$(mktemp "${TMPDIR:-/tmp}/sovcap_refusal.XXXXXX")
err="$out.stderr"
trap 'rm -f "$out" "$err"' EXIT

"$sovcap" "$@" >"$out" 2>"$err"
status=$?
fail=0
[ "$status" -eq 2 ] || { echo "FAIL: exit status $status, expected 2" >&2; fail=1; }
grep -qF -- "sovcap: error: $expected" "$err" || { echo "FAIL: stderr lacks 'sovcap: error: $expected'" >&2; fail=1; }
[ -s "$out" ] && { echo "FAIL: something on stdout" >&2; fail=1; }
if [ "$fail" -ne 0 ]; then
  echo "--- stderr:" >&2
  cat "$err" >&2
fi
exit "$fail"
