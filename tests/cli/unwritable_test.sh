#!/usr/bin/env bash
# An output path that cannot be written: under a folder that does not exist, a path that is
# a folder, and (where `runuser`/`setpriv` can drop to `nobody`) a folder without write
# permission. Each must fail with exit 1 or 2, a "sovcap: error: " line naming the path,
# and no file (results or partial) left behind.
#
# usage: unwritable_test.sh SOVCAP SCENARIO DIR
set -u
sovcap=$1 scenario=$2 dir=$3
rm -rf "$dir"
mkdir -p "$dir"
fail=0
complain() { echo "FAIL: $*" >&2; fail=1; }

expect_refused() {  # LABEL OUT [RUNNER...]
  local label=$1 out=$2
  shift 2
  "$@" "$sovcap" run "$scenario" -o "$out" --quiet > "$dir/$label.out" 2> "$dir/$label.err"
  local st=$?
  if [ "$st" -ne 1 ] && [ "$st" -ne 2 ]; then complain "$label: exit $st, expected 1 or 2"; fi
  grep -q "^sovcap: error: .*$(basename "$out")" "$dir/$label.err" ||
    complain "$label: no 'sovcap: error: ' line naming $out: $(cat "$dir/$label.err")"
  echo "$label: exit $st: $(head -1 "$dir/$label.err")"
}

# 1. Under a folder that does not exist.
expect_refused missing_folder "$dir/no/such/folder/out.h5"
[ ! -e "$dir/no" ] || complain "missing_folder: $dir/no was created"

# 2. The output path is a folder (empty, so that nothing can be lost).
mkdir -p "$dir/is_a_folder.h5"
expect_refused folder_path "$dir/is_a_folder.h5"
[ -d "$dir/is_a_folder.h5" ] && [ -z "$(ls -A "$dir/is_a_folder.h5")" ] || complain "folder_path: the folder was changed"
[ ! -e "$dir/is_a_folder.h5.partial" ] || complain "folder_path: a partial was left"

# 3. A read-only folder, as an unprivileged user (root ignores the permission bits).
ro="$dir/read_only"
mkdir -p "$ro"
if [ "$(id -u)" -ne 0 ]; then
  chmod 555 "$ro"
  expect_refused read_only "$ro/out.h5"
  chmod 755 "$ro"
elif command -v setpriv > /dev/null && id nobody > /dev/null 2>&1; then
  chmod 755 "$dir"
  chmod 555 "$ro"
  # nobody must be able to reach the program and the scenario; skip when it cannot.
  if setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$sovcap" -a -r "$scenario" 2>/dev/null; then
    expect_refused read_only "$ro/out.h5" setpriv --reuid=nobody --regid=nogroup --clear-groups
  else
    echo "read_only: skipped (nobody cannot reach $sovcap or $scenario)"
  fi
  chmod 755 "$ro"
else
  echo "read_only: skipped (root, and no setpriv or no user nobody)"
fi
leftovers=$(ls -A "$ro")
[ -z "$leftovers" ] || complain "read_only: left in the folder: $leftovers"

if [ "$fail" -ne 0 ]; then exit 1; fi
rm -rf "$dir"
exit 0
