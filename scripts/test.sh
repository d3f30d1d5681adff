#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: set up, build, lint, test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
build=${BUILD_DIR:-build}
echo "== format and API lint"
scripts/check_format.sh
tools/node_modules/.bin/buf lint
scripts/check_api_breaking.sh
echo "== tests"
ctest --test-dir "$build" -j"${JOBS:-2}" --output-on-failure
