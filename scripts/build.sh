#!/usr/bin/env bash
# Configures and builds everything into build/ (ccache speeds up rebuilds).
# Extra arguments go to CMake, e.g. -DBRANCHLINE_SANITIZE=ON with BUILD_DIR=build-asan.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
# Share ccache hits between clones at different paths (CI builds in a fresh clone each time).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > /dev/null
ninja -C "$build" -j"${JOBS:-2}"
