#!/usr/bin/env bash
# kill -9 in the middle of a sweep: starts `sovcap run` on SCENARIO (a sweep of SAMPLES
# samples, full store) into DIR/out.h5, kills it with SIGKILL after DELAY seconds, then
# asserts: no DIR/out.h5; either no partial or a partial that `--resume` finishes; the
# resumed file equals an uninterrupted run (compare_h5.py), and `sovcap check` passes on it.
# A short DELAY kills it while the partial is being laid out (OUT.h5.partial.new).
#
# usage: kill_test.sh SOVCAP SCENARIO DIR PYTHON COMPARE_H5 [SAMPLES] [DELAY]
set -u
sovcap=$1 scenario=$2 dir=$3 python=$4 compare=$5
samples=${6:-600} delay=${7:-2}
rm -rf "$dir"
mkdir -p "$dir"
args=(run "$scenario" --set "sweep.samples=$samples" --store full --threads 2 --quiet)
fail() { echo "FAIL: $*" >&2; exit 1; }

"$sovcap" "${args[@]}" -o "$dir/out.h5" &
pid=$!
sleep "$delay"
if ! kill -0 "$pid" 2>/dev/null; then
  wait "$pid"
  fail "the sweep finished within ${delay}s: raise SAMPLES so that the kill lands mid-run"
fi
kill -9 "$pid"
wait "$pid" 2>/dev/null
status=$?
[ "$status" -eq 137 ] || fail "exit status $status after kill -9, expected 137"
[ ! -e "$dir/out.h5" ] && echo "ok: no $dir/out.h5 after kill -9" || fail "$dir/out.h5 exists after kill -9"

if [ -e "$dir/out.h5.partial" ]; then
  echo "partial left: $(ls -l "$dir/out.h5.partial")"
  # The partial says how many runs are missing, and is not a passing file.
  "$sovcap" check "$dir/out.h5.partial" --max-problems 1 > "$dir/partial_check.txt"
  st=$?
  [ "$st" -eq 1 ] || fail "sovcap check on the partial: exit $st, expected 1"
  grep -q "runs are missing" "$dir/partial_check.txt" || { cat "$dir/partial_check.txt"; fail "check does not say runs are missing"; }
  grep -m1 "runs are missing" "$dir/partial_check.txt"
  "$sovcap" "${args[@]}" -o "$dir/out.h5" --resume 2> "$dir/resume.err"
  st=$?
  [ "$st" -eq 0 ] || { cat "$dir/resume.err" >&2; fail "--resume of the kill -9 partial: exit $st"; }
  echo "ok: --resume finished the partial"
else
  echo "no partial left (killed before the file was created): running again"
  "$sovcap" "${args[@]}" -o "$dir/out.h5" || fail "rerun after kill -9"
fi
[ -e "$dir/out.h5" ] || fail "no $dir/out.h5 after resume"
[ ! -e "$dir/out.h5.partial" ] || fail "the partial is still there after resume"
[ ! -e "$dir/out.h5.partial.new" ] || fail "the stub of a partial being created is still there"

"$sovcap" "${args[@]}" -o "$dir/ref.h5" || fail "uninterrupted run"
"$python" "$compare" "$dir/ref.h5" "$dir/out.h5" || fail "the resumed file differs from an uninterrupted run"
"$sovcap" check "$dir/out.h5" > "$dir/check.txt" || { cat "$dir/check.txt"; fail "sovcap check on the resumed file"; }
echo "ok: resumed file equals the uninterrupted run, and sovcap check passes"
rm -rf "$dir"
exit 0
