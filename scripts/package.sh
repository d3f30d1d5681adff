#!/usr/bin/env bash
# Builds the Debian packages into OUT_DIR (default build/packages):
#   branchline-server_<version>_amd64.deb, branchctl_…, branchline-desk_… (when Qt 6 is there)
# Only the packaged programs are built (not the tests). Dependencies: dpkg-shlibdeps.
# Usage: scripts/package.sh [OUT_DIR]; BUILD_DIR picks the build directory as in build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
out=$(realpath -m "${1:-$build/packages}")
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
if [ ! -f "$build/CPackConfig.cmake" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
fi
ninja -C "$build" -j"${JOBS:-2}" branchline_packaged
mkdir -p "$out"
(cd "$build" && cpack -G DEB -B "$out" > "$out/cpack.log") || { cat "$out/cpack.log" >&2; exit 1; }
rm -rf "$out/_CPack_Packages"
ls "$out"/*.deb
