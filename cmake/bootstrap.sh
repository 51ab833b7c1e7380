#!/usr/bin/env bash
# One-command set-up for sovcap on Debian 12: installs the Debian packages that are
# missing, builds, then either runs the default scenario or the whole test suite.
#
#   bash cmake/bootstrap.sh demo   # build, run scenarios/baseline.toml -> out/baseline.h5
#   bash cmake/bootstrap.sh test   # build, run every test (CTest)
#   bash cmake/bootstrap.sh build  # build only
#
# Hardening (each in its own build folder, beside the normal one):
#   bash cmake/bootstrap.sh sanitize  # build-asan: ASan+UBSan (GCC), every test, leaks checked
#   bash cmake/bootstrap.sh tsan      # build-tsan: ThreadSanitizer (Clang), the threaded code's tests
#   bash cmake/bootstrap.sh fuzz      # build-fuzz: clang+libFuzzer, each fuzzer FUZZ_SECONDS
#
# Run as root, or as a user with sudo. BUILD_DIR picks the build folder (default: build,
# build-asan, build-tsan or build-fuzz by mode); JOBS (default: nproc) the parallel jobs;
# FUZZ_SECONDS (default 60) how long each fuzzer runs in the fuzz mode.
set -euo pipefail

mode=${1:-demo}
case "$mode" in
  demo|test|build) default_build=build ;;
  sanitize) default_build=build-asan ;;
  tsan) default_build=build-tsan ;;
  fuzz) default_build=build-fuzz ;;
  *) echo "usage: $0 demo|test|build|sanitize|tsan|fuzz" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/$default_build}

# Build tools and libraries, then what the tests read outputs with (Python, ncdump, R).
packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-program-options-dev libboost-dev libboost-math-dev libboost-random-dev
  libhdf5-dev hdf5-tools libdeflate-dev libeigen3-dev libtbb-dev libtoml11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  netcdf-bin python3 python3-numpy python3-h5py python3-xarray python3-h5netcdf python3-netcdf4
  python3-pandas python3-matplotlib r-cran-ncdf4 python3-openturns
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "sovcap setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

case "$mode" in
  sanitize)
    # Every finding fails: UBSan does not recover, ASan halts on the first error, and
    # leaks are reported at exit.
    san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
    # -O1 -g1: quick to build, fast enough to run, line numbers in the reports.
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
      -DSOVCAP_REQUIRE_READERS=ON -DSOVCAP_BUILD_BENCH=OFF \
      -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" \
      -DCMAKE_EXE_LINKER_FLAGS="$san" -DCMAKE_SHARED_LINKER_FLAGS="$san"
    cmake --build "$build" -j "$jobs"
    ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 900
    exit 0
    ;;
  tsan)
    # Clang, so that TBB's headers can be left uninstrumented like its library
    # (tests/tsan.ignorelist says why); sovcap's code and its annotations are checked.
    san="-fsanitize=thread -fno-omit-frame-pointer -fsanitize-ignorelist=$root/tests/tsan.ignorelist"
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DSOVCAP_BUILD_BENCH=OFF \
      -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" \
      -DCMAKE_EXE_LINKER_FLAGS="$san" -DCMAKE_SHARED_LINKER_FLAGS="$san"
    # The code that runs on more than one thread (the sweep runner's TBB pipeline, the
    # writer's parallel compression, PRIM's resamples) and the tests that drive it, in
    # process and through the program; the ASan stage covers the rest of the suite. Kept
    # to these so that CI stays within its time (a TSan build and run of everything took
    # as long as the other stages together). Every report fails the run.
    cmake --build "$build" -j "$jobs" --target sovcap test_sweep test_sweep_runner test_run \
      test_output test_prim test_discover test_robustness
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
      ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 900 \
        -R '^(sweep|sweep_runner|run|output|prim|discover|robustness)\.|^sweep_|^hostile_(kill9|threads)|^output_safety_|^discover_sweep|^explore_write_|^explore_(robustness|diff|paired)$' 
    exit 0
    ;;
  fuzz)
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
      -DSOVCAP_FUZZ=ON -DSOVCAP_BUILD_BENCH=OFF
    cmake --build "$build" -j "$jobs" --target fuzz_scenario fuzz_csv
    seconds=${FUZZ_SECONDS:-60}
    for f in scenario csv; do
      # New inputs go to the build folder's corpus; the shipped seeds are only read.
      mkdir -p "$build/corpus/$f" "$build/findings/$f"
      echo "sovcap fuzz: fuzz_$f for ${seconds}s"
      ( cd "$build/findings/$f" &&
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/tests/fuzz/fuzz_$f" "$build/corpus/$f" "$root/tests/fuzz/corpus/$f" \
          -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
          -print_final_stats=1 )
    done
    exit 0
    ;;
esac

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOVCAP_REQUIRE_READERS=ON
# The demo needs only the program; test and build make every target (tests, benchmarks).
targets=()
if [ "$mode" = demo ]; then targets=(--target sovcap); fi
cmake --build "$build" -j "$jobs" "${targets[@]}"

case "$mode" in
  demo)
    mkdir -p "$root/out"
    "$build/sim/sovcap" run "$root/scenarios/baseline.toml" -o "$root/out/baseline.h5" --force
    ;;
  test)
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    ;;
esac
