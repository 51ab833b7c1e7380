#!/usr/bin/env bash
# Nothing lost, nothing clobbered (issue 16, items 1-5 and the messages of item 13): one
# CASE of `sovcap run` against hostile conditions, each asserting exit status, message and
# what is left on disk, and that what survives resumes to the file an uninterrupted run
# writes (compare_h5.py).
#   two_writers   a second writer of one -o (also with --force, --resume, and with
#                 HDF5_USE_FILE_LOCKING=FALSE set by the caller) is refused at once (exit 2)
#                 naming the first; the first finishes every run
#   partial_kept  a rerun without --resume beside a partial: exit 2 naming --resume and
#                 --force, the partial untouched, then --resume finishes it
#   kill_in_flush SIGKILL at many steps of the writer's saves (SOVCAP_TEST_KILL_IN_FLUSH):
#                 every partial left is checked (runs missing, or all there when killed in
#                 the last save) and resumed to the reference
#   full_disk     a file-size limit (ulimit -f) during --resume: exit 1 saying the partial is
#                 kept; it is, and --resume finishes it
#   bad_outputs   -o naming the scenario, its CSV, /dev/null, a FIFO, a folder, '': exit 2,
#                 nothing changed; --resume without a partial, or with other settings: exit 2
#   damaged_check `sovcap check` on a truncated partial: exit 1 naming the damage
#
# usage: output_safety_test.sh SOVCAP SOURCE_DIR DIR PYTHON COMPARE_H5 CASE
set -u
sovcap=$1 src=$2 dir=$3 python=$4 compare=$5 case=$6
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
small=("$src/tests/cli/sweep/small.toml" --quiet)
# A sweep of a few seconds, for the cases that need a writer still running.
slow=("$src/scenarios/robustness.toml" --set sweep.samples=3000 --store summary --threads 1 --quiet)

# expect STATUS PATTERN CMD...: runs CMD, asserts its exit status and that stderr matches.
expect() {
  local want=$1 pattern=$2
  shift 2
  "$@" > "$dir/last.out" 2> "$dir/last.err"
  local st=$?
  [ "$st" -eq "$want" ] || { cat "$dir/last.err" >&2; fail "exit $st, expected $want: $*"; }
  grep -q -- "$pattern" "$dir/last.err" || { cat "$dir/last.err" >&2; fail "stderr lacks '$pattern': $*"; }
  echo "ok: exit $st: $(head -c 300 "$dir/last.err" | head -1)"
}

# wait_for PATH: until PATH exists (20 s at most).
wait_for() {
  for _ in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.1; done
  fail "$1 did not appear"
}

# stopped_partial OUT ARGS...: starts a sweep into OUT, stops it with SIGTERM once its
# partial exists, and asserts that the partial is kept (exit 143). On one thread and
# stopped at once: the 3,000-run sweeps take under a second, and one that finished before
# the signal (two threads and half a second's wait did, on an idle machine) would exit 0.
stopped_partial() {
  local out=$1
  shift
  "$sovcap" run "$@" --threads 1 -o "$out" &
  local pid=$!
  wait_for "$out.partial"
  kill -TERM "$pid"
  wait "$pid"
  local st=$?
  [ "$st" -eq 143 ] || fail "SIGTERM: exit $st, expected 143"
  [ -e "$out.partial" ] || fail "no partial after SIGTERM"
}

same_as() {  # REF OUT
  "$python" "$compare" "$1" "$2" > "$dir/compare.txt" || { cat "$dir/compare.txt" >&2; fail "$2 differs from $1"; }
}

case "$case" in
two_writers)
  "$sovcap" run "${slow[@]}" -o "$dir/ref.h5" || fail "reference run"
  "$sovcap" run "${slow[@]}" -o "$dir/out.h5" &
  first=$!
  wait_for "$dir/out.h5.partial"
  expect 2 "out.h5 is being written by another process (pid $first on host" "$sovcap" run "${slow[@]}" -o "$dir/out.h5"
  expect 2 "is being written by another process (pid $first" "$sovcap" run "${slow[@]}" -o "$dir/out.h5" --force
  expect 2 "is being written by another process (pid $first" "$sovcap" run "${slow[@]}" -o "$dir/out.h5" --resume
  [ -e "$dir/out.h5.partial" ] || fail "the first writer's partial was removed"
  kill -0 "$first" 2> /dev/null || fail "the first writer finished before the others were refused: make it slower"
  wait "$first" || fail "the first writer failed"
  [ ! -e "$dir/out.h5.partial" ] && [ ! -e "$dir/out.h5.lock" ] || fail "partial or lock left: $(ls "$dir")"
  same_as "$dir/ref.h5" "$dir/out.h5"
  "$sovcap" check "$dir/out.h5" > /dev/null || fail "check on the first writer's file"
  echo "ok: the first writer's file equals an undisturbed run"
  ;;
partial_kept)
  "$sovcap" run "${small[@]}" --set sweep.samples=3000 -o "$dir/ref.h5" || fail "reference run"
  stopped_partial "$dir/out.h5" "${small[@]}" --set sweep.samples=3000
  before=$(md5sum < "$dir/out.h5.partial")
  expect 2 "out.h5.partial holds an interrupted run; run the same command with --resume to finish it, or with --force" \
    "$sovcap" run "${small[@]}" --set sweep.samples=3000 -o "$dir/out.h5"
  [ "$(md5sum < "$dir/out.h5.partial")" = "$before" ] || fail "the partial changed"
  "$sovcap" run "${small[@]}" --set sweep.samples=3000 -o "$dir/out.h5" --resume || fail "--resume"
  same_as "$dir/ref.h5" "$dir/out.h5"
  ;;
kill_in_flush)
  args=("${small[@]}" --set sweep.samples=40)
  "$sovcap" run "${args[@]}" -o "$dir/ref.h5" || fail "reference run"
  trials=0 resumed=0
  for step in $(seq 1 30) $(seq 34 41 100000); do
    rm -f "$dir"/out.h5*
    SOVCAP_TEST_KILL_IN_FLUSH=$step "$sovcap" run "${args[@]}" -o "$dir/out.h5" 2> "$dir/hook.err"
    st=$?
    [ "$st" -eq 0 ] && break  # past the last step of the last save
    [ "$st" -eq 137 ] || { cat "$dir/hook.err" >&2; fail "step $step: exit $st, expected 137 (SIGKILL)"; }
    trials=$((trials + 1))
    [ ! -e "$dir/out.h5" ] || fail "step $step: out.h5 exists after the kill"
    if [ -e "$dir/out.h5.partial" ]; then
      # Runs missing (exit 1), or, killed in the last save, every run there (exit 0).
      "$sovcap" check "$dir/out.h5.partial" > "$dir/check.txt"
      st=$?
      { [ "$st" -eq 1 ] && grep -q "runs are missing\|journal exists" "$dir/check.txt"; } ||
        { [ "$st" -eq 0 ] && grep -q "OK: every check holds" "$dir/check.txt"; } ||
        { cat "$dir/check.txt"; fail "step $step: check on the partial: exit $st"; }
      "$sovcap" run "${args[@]}" -o "$dir/out.h5" --resume 2> "$dir/resume.err" ||
        { cat "$dir/resume.err" >&2; fail "step $step: --resume"; }
      resumed=$((resumed + 1))
    else
      "$sovcap" run "${args[@]}" -o "$dir/out.h5" || fail "step $step: a new run after a kill while laying out"
    fi
    [ "$(ls "$dir" | grep -c '^out\.h5\.')" -eq 0 ] || fail "step $step: left: $(ls "$dir")"
    same_as "$dir/ref.h5" "$dir/out.h5"
  done
  [ "$step" -gt 500 ] || fail "the hook stopped killing at step $step: is SOVCAP_TEST_KILL_IN_FLUSH read?"
  [ "$resumed" -gt 10 ] || fail "only $resumed of $trials kills left a partial"
  echo "ok: $trials kills at steps 1..$step of the saves, $resumed partials resumed, every file equal to the reference"
  ;;
full_disk)
  "$sovcap" run "${small[@]}" --set sweep.samples=3000 -o "$dir/ref.h5" || fail "reference run"
  stopped_partial "$dir/out.h5" "${small[@]}" --set sweep.samples=3000
  kb=$(( $(stat -c %s "$dir/out.h5.partial") / 1024 + 64 ))
  # Writes past the limit fail with EFBIG (SIGXFSZ ignored, as the child inherits).
  expect 1 "out.h5.partial is kept with the runs saved before the failure: run the same command with --resume" \
    bash -c 'trap "" XFSZ; ulimit -f '"$kb"'; exec "$@"' _ "$sovcap" run "${small[@]}" --set sweep.samples=3000 -o "$dir/out.h5" --resume
  [ -e "$dir/out.h5.partial" ] || fail "the partial was deleted"
  [ ! -e "$dir/out.h5" ] && [ ! -e "$dir/out.h5.lock" ] || fail "left: $(ls "$dir")"
  "$sovcap" run "${small[@]}" --set sweep.samples=3000 -o "$dir/out.h5" --resume || fail "--resume after the full disk"
  same_as "$dir/ref.h5" "$dir/out.h5"
  ;;
bad_outputs)
  cp -r "$src/scenarios/baseline.toml" "$src/scenarios/data" "$dir/"
  cp "$dir/baseline.toml" "$dir/baseline.orig"
  cp "$dir/data/countries.csv" "$dir/countries.orig"
  expect 2 "baseline.toml is one of this command's inputs" "$sovcap" run "$dir/baseline.toml" -o "$dir/baseline.toml" --force
  cmp -s "$dir/baseline.toml" "$dir/baseline.orig" || fail "the scenario was overwritten"
  expect 2 "countries.csv is one of this command's inputs" "$sovcap" run "$dir/baseline.toml" -o "$dir/data/countries.csv" --force
  cmp -s "$dir/data/countries.csv" "$dir/countries.orig" || fail "the CSV was overwritten"
  expect 2 "/dev/null is not a regular file" "$sovcap" run "${small[@]}" -o /dev/null --force
  [ -c /dev/null ] || fail "/dev/null is no longer a device"
  mkfifo "$dir/fifo.h5"
  expect 2 "fifo.h5 is not a regular file" timeout 60 "$sovcap" run "${small[@]}" -o "$dir/fifo.h5" --force
  [ -p "$dir/fifo.h5" ] || fail "the FIFO was replaced"
  mkdir "$dir/folder.h5"
  expect 2 "folder.h5 is a folder" "$sovcap" run "${small[@]}" -o "$dir/folder.h5"
  grep -q "exists" "$dir/last.err" && fail "a folder called an existing output"
  expect 2 "-o: the output file name is empty" "$sovcap" run "${small[@]}" -o ''
  expect 2 "there is no partial file" "$sovcap" run "${small[@]}" -o "$dir/none.h5" --resume
  stopped_partial "$dir/out.h5" "${small[@]}" --set sweep.samples=3000
  expect 2 "it was written for another run: overrides differs" \
    "$sovcap" run "${small[@]}" --set sweep.samples=2999 -o "$dir/out.h5" --resume
  [ -e "$dir/out.h5.partial" ] || fail "the refused resume removed the partial"
  [ "$(ls "$dir" | grep -c '\.lock$')" -eq 0 ] || fail "a lock file was left: $(ls "$dir")"
  ;;
damaged_check)
  stopped_partial "$dir/out.h5" "${small[@]}" --set sweep.samples=3000
  cp "$dir/out.h5.partial" "$dir/damaged.h5"
  truncate -s $(( $(stat -c %s "$dir/damaged.h5") / 2 )) "$dir/damaged.h5"
  "$sovcap" check "$dir/damaged.h5" > "$dir/check.txt" 2> "$dir/check.err"
  st=$?
  [ "$st" -eq 1 ] || { cat "$dir/check.txt" "$dir/check.err"; fail "check on a damaged sovcap file: exit $st, expected 1"; }
  grep -q "the file is damaged" "$dir/check.txt" || { cat "$dir/check.txt"; fail "check does not say it is damaged"; }
  echo "ok: exit 1: $(grep -m1 damaged "$dir/check.txt")"
  printf 'not a results file\n' > "$dir/text.h5"
  expect 2 "not a sovcap results file\|cannot open" "$sovcap" check "$dir/text.h5"
  ;;
*)
  fail "unknown case '$case'"
  ;;
esac
rm -rf "$dir"
exit 0
