#!/usr/bin/env bash
# What bench/run.sh needs beyond scripts/setup.sh: PostgreSQL 15 and pgbench (the baseline a
# team would build instead) and RocksDB's db_bench (the storage engine's own synced-write
# rate). Kept out of scripts/setup.sh so the test suite and CI don't install them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PACKAGES=(
  # baselines: RocksDB's db_bench; PostgreSQL 15 server, pgbench and psql
  rocksdb-tools postgresql-15 postgresql-client-15
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "bench/setup: ok"
