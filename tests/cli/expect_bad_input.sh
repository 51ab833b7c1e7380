#!/usr/bin/env bash
# Runs `SOVCAP run SCENARIO -o TMP/out.h5 [ARGS...]` on a bad input and checks what a user
# must see: exit status 2, every EXPECTED substring on stderr, every error line in the
# "sovcap: error: FILE:LINE..." form, and nothing at all left in the output folder (no
# results file, no temporary file).
#
# usage: expect_bad_input.sh SOVCAP SCENARIO [ARGS... --] EXPECTED...
#   ARGS, when given, end with "--" and are passed to `sovcap run` (e.g. --set K=V).
set -u

if [ $# -lt 3 ]; then
  echo "usage: $0 SOVCAP SCENARIO [ARGS... --] EXPECTED..." >&2
  exit 2
fi
sovcap=$1
scenario=$2
shift 2

args=()
for a in "$@"; do
  if [ "$a" = "--" ]; then
    while [ "$1" != "--" ]; do args+=("$1"); shift; done
    shift
    break
  fi
done
expected=("$@")

# stderr goes beside the output folder, not into it: the folder must stay empty.
outdir=$(mktemp -d "${TMPDIR:-/tmp}/sovcap_bad_input.XXXXXX")
errfile="$outdir.stderr"
trap 'rm -rf "$outdir" "$errfile"' EXIT

"$sovcap" run "$scenario" -o "$outdir/out.h5" "${args[@]+"${args[@]}"}" >/dev/null 2>"$errfile"
status=$?

fail=0
complain() { echo "FAIL: $*" >&2; fail=1; }

[ "$status" -eq 2 ] || complain "exit status $status, expected 2"
for e in "${expected[@]}"; do
  grep -qF -- "$e" "$errfile" || complain "stderr does not contain: $e"
done
# Every diagnostic line names a file (the scenario, a data file or --set).
if ! grep -q '^sovcap: error: ' "$errfile"; then
  complain "no 'sovcap: error: ' line on stderr"
fi
while IFS= read -r line; do
  case "$line" in
    "sovcap: error: --set: "*) ;;
    "sovcap: error: "*:[0-9]*": "*) ;;
    "sovcap: error: "*": "*) ;;  # a file-level problem (line unknown)
    *) complain "malformed error line: $line" ;;
  esac
done < <(grep '^sovcap: error: ' "$errfile")
leftovers=$(ls -A "$outdir")
[ -z "$leftovers" ] || complain "the output folder is not empty: $leftovers"

if [ "$fail" -ne 0 ]; then
  echo "--- command: $sovcap run $scenario -o $outdir/out.h5 ${args[*]+"${args[*]}"}" >&2
  echo "--- stderr:" >&2
  cat "$errfile" >&2
  exit 1
fi
exit 0
