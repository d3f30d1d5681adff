#!/usr/bin/env bash
# Runs a Python client scenario (Debian's python3-grpcio, stubs generated from proto/) against
# the real server binary on a free loopback port with a fresh data directory.
# Usage: run_python_client.sh SERVER_BINARY SCENARIO.py [SERVER_FLAGS...]
set -euo pipefail
server=$1
scenario=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/start_server.sh"
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
"$root/clients/python/generate.sh" "$work/gen" > /dev/null
start_server "$server" "$work" "${@:3}"
# Debian's interpreter: the python3 first on PATH may lack grpc.
/usr/bin/python3 "$root/clients/python/$scenario" "127.0.0.1:$port" admin-password-1 "$work/gen"
