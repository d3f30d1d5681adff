#!/usr/bin/env bash
# Runs the client-level crash test (tests/durability/crash_oracle_test.cc) for N SIGKILL
# cycles (default 1000): the real server is killed at random moments under concurrent
# writers and restarted; every acknowledged write must survive exactly once. Prints the
# totals line (cycles, acknowledged, unknown, lost, duplicates, phantoms).
# Usage: scripts/crash_test.sh [N] [SEED]      (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${BUILD_DIR:-build}/tests/durability/durability_crash_oracle_test
[ -x "$binary" ] || { echo "build first: $binary is missing" >&2; exit 1; }
BRANCHLINE_CRASH_CYCLES=${1:-1000} BRANCHLINE_CRASH_SEED=${2:-} exec "$binary"
