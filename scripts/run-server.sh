#!/usr/bin/env bash
# Sets up, builds and starts branchline-server on its embedded default: RocksDB in
# ./branchline-data, listening on 127.0.0.1:50051. Extra arguments go to the server
# (see --help). The first start prints the generated 'admin' password once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/server/branchline-server "$@"
