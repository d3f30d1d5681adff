#!/usr/bin/env bash
# Sets up, builds and starts branchline-server on its embedded default: RocksDB in
# ./branchline-data, listening on 127.0.0.1:50051. Extra arguments go to the server
# (see --help). The first start prints the generated 'admin' password once. Any --listen but
# loopback also needs --tls-cert/--tls-key and --behind-edge or --i-accept-no-edge
# (docs/security.md): the server refuses to start otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/server/branchline-server "$@"
