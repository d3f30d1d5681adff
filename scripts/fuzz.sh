#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan) into build-fuzz/ and fuzzes each
# for a while. Usage: scripts/fuzz.sh [seconds per target, default 60] [target ...]
# Targets: key_codec tokens cursors services (default: all).
#
# Each target starts from its seed corpus (tests/fuzz/corpus/<target>, read only) plus a
# working corpus in build-fuzz/corpus/<target> that grows between runs. Crashes land in
# build-fuzz/crashes/<target>/: copy a reproducer into tests/fuzz/corpus/<target>/ with the fix,
# so the test suite replays it from then on. Needs clang-14 and libclang-rt-14-dev (setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(key_codec tokens cursors services)
build=${FUZZ_BUILD_DIR:-build-fuzz}
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBRANCHLINE_FUZZ=ON > /dev/null
ninja -C "$build" -j"${JOBS:-2}" "${targets[@]/#/fuzz_}"
# Leaks: gRPC keeps process-wide state alive on purpose; the in-process server fuzzer shuts its
# server down at exit, but LeakSanitizer still sees gRPC's globals.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/crashes/$t"
  echo "fuzz: $t for ${seconds}s"
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=4096 -timeout=30 \
    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$build/crashes/$t/" \
    "$build/corpus/$t" "tests/fuzz/corpus/$t" || status=$?
done
exit $status
