#!/usr/bin/env bash
# Runs the lost-answer retry test (tests/durability/retry_proxy_test.cc) for N actions
# (default 100000): clients write through a proxy that cuts connections after forwarding a
# request and retry with the same request_id; 0 lost and 0 duplicates expected.
# Usage: scripts/retry_test.sh [N] [SEED]      (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${BUILD_DIR:-build}/tests/durability/durability_retry_proxy_test
[ -x "$binary" ] || { echo "build first: $binary is missing" >&2; exit 1; }
BRANCHLINE_RETRY_ACTIONS=${1:-100000} BRANCHLINE_RETRY_SEED=${2:-} exec "$binary"
