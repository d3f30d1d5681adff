#!/usr/bin/env bash
# Runs the driver-app failure test (tests/e2e/driver_app_failure_test.py) against the real
# server binary: stubs are generated into a fresh temporary directory, which also holds the
# server's data directory and logs (printed when the test fails).
# Usage: run_driver_app_test.sh SERVER_BINARY
set -euo pipefail
server=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/clients/python/generate.sh" "$work/gen" > /dev/null
# Debian's interpreter: the python3 first on PATH may lack grpc.
if ! /usr/bin/python3 "$root/tests/e2e/driver_app_failure_test.py" "$server" "$work/gen" "$work"; then
  tail -n 30 "$work"/server-*.log
  exit 1
fi
