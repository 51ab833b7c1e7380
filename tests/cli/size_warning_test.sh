#!/usr/bin/env bash
# `sovcap run` warns on stderr, before it runs, when the results file will pass 1 GB: the
# sweep of issue 17 (sweep.samples=20000 on robustness.toml, full store, wrote 6.1 GB).
# Each large run is stopped with SIGTERM once it has started writing, and its folder
# removed. With --quiet there is no warning; a small sweep gets none.
#
# usage: size_warning_test.sh SOVCAP ROOT DIR
set -u
sovcap=$1
root=$2
dir=$3
rm -rf "$dir"
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
fail=0
complain() { echo "FAIL: $*" >&2; fail=1; }

# Starts the large sweep, waits until its partial file holds runs (past the point where
# the warning is printed), stops it, and leaves its stderr in $dir/$1.err.
large_run() {
  local name=$1
  shift
  "$sovcap" run "$root/scenarios/robustness.toml" -o "$dir/$name.h5" --threads 1 \
      --set sweep.samples=20000 "$@" >/dev/null 2>"$dir/$name.err" &
  local pid=$!
  for _ in $(seq 1200); do
    local size
    size=$(stat -c %s "$dir/$name.h5.partial" 2>/dev/null || echo 0)
    [ "$size" -gt 20000000 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  rm -f "$dir/$name.h5.partial"
}

large_run loud
grep -qF "sovcap: warning: $dir/loud.h5 will take about" "$dir/loud.err" ||
  complain "no size warning for the 80000-run full-store sweep"
grep -qF "runs, --store full); --store summary writes about" "$dir/loud.err" ||
  complain "the warning does not say what --store summary would write"
large_run quiet --quiet
grep -q "sovcap: warning" "$dir/quiet.err" && complain "a warning despite --quiet"

"$sovcap" run "$root/tests/cli/sweep/small.toml" -o "$dir/small.h5" >/dev/null 2>"$dir/small.err" ||
  complain "the small sweep failed"
grep -q "sovcap: warning" "$dir/small.err" && complain "a size warning for a small sweep"

if [ "$fail" -ne 0 ]; then
  for f in "$dir"/*.err; do echo "--- $f:" >&2; cat "$f" >&2; done
fi
exit "$fail"
