#!/usr/bin/env bash
# Runs a Python client scenario (Debian's python3-grpcio, stubs generated from proto/) against
# the real server binary on a free loopback port with a fresh data directory.
# Usage: run_python_client.sh SERVER_BINARY SCENARIO.py
set -euo pipefail
server=$1
scenario=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
"$root/clients/python/generate.sh" "$work/gen" > /dev/null
"$server" --listen 127.0.0.1:0 --data-dir "$work/data" --admin-password admin-password-1 \
  --fast-password-hashing --metrics-listen off > "$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  port=$(grep -o '(port [0-9]*)' "$work/server.log" | grep -o '[0-9]*' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/server.log"; exit 1; }
# Debian's interpreter: the python3 first on PATH may lack grpc.
/usr/bin/python3 "$root/clients/python/$scenario" "127.0.0.1:$port" admin-password-1 "$work/gen"
