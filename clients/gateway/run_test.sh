#!/usr/bin/env bash
# Generates the Python stubs into a temporary directory and runs the example gateway's tests
# (Debian's python3-grpcio; a local HTTP receiver and an in-process outbox on loopback).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/../python/generate.sh" "$work/gen" > /dev/null
/usr/bin/python3 "$here/test_webhook_gateway.py" "$work/gen"
