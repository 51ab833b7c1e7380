#!/usr/bin/env bash
# One-command set-up for sovcap on Debian 12: installs the Debian packages that are
# missing, builds, then either runs the default scenario or the whole test suite.
#
#   bash cmake/bootstrap.sh demo   # build, run scenarios/baseline.toml -> out/baseline.h5
#   bash cmake/bootstrap.sh test   # build, run every test (CTest)
#   bash cmake/bootstrap.sh build  # build only
#
# Run as root, or as a user with sudo. BUILD_DIR (default: build) picks the build folder.
set -euo pipefail

mode=${1:-demo}
case "$mode" in demo|test|build) ;; *) echo "usage: $0 demo|test|build" >&2; exit 2 ;; esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}

# Build tools and libraries, then what the tests read outputs with (Python, ncdump, R).
packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-program-options-dev libboost-dev libboost-math-dev libboost-random-dev
  libhdf5-dev hdf5-tools libeigen3-dev libtbb-dev libtoml11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  netcdf-bin python3 python3-numpy python3-h5py python3-xarray python3-h5netcdf python3-netcdf4
  python3-pandas python3-matplotlib r-cran-ncdf4 python3-openturns
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

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOVCAP_REQUIRE_READERS=ON
cmake --build "$build" -j "$jobs"

case "$mode" in
  demo)
    mkdir -p "$root/out"
    "$build/sim/sovcap" run "$root/scenarios/baseline.toml" -o "$root/out/baseline.h5" --force
    ;;
  test)
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    ;;
esac
