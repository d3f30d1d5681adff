#!/usr/bin/env bash
# The storage contract (store_contract_test's PostgreSQL half) on a real 3-node Patroni
# cluster from scripts/cluster.sh: synchronous replication in strict mode, the store connecting
# over TCP with every host and target_session_attrs=read-write. Exits 77 (ctest: skipped) when
# Patroni, etcd or PostgreSQL is missing.
#   cluster_contract_test.sh CONTRACT_TEST_BINARY
set -euo pipefail
binary=$1
# shellcheck source=cluster_harness.sh
source "$(dirname "$0")/cluster_harness.sh"
cluster_start
# Databases are created through the primary's socket; the store connects like a server would.
{
  echo "socket=$cluster_dir"
  echo "port=$cluster_primary_port"
  echo "owner=branchline"
  echo "uri=${cluster_uri/\/branchline\?//{db}?}"
} > "$cluster_dir/contract.env"
BRANCHLINE_POSTGRES_ENV="$cluster_dir/contract.env" "$binary" --gtest_filter='*/postgres' --gtest_brief=1
"$cluster_root/scripts/cluster.sh" status "$cluster_dir" | grep -E "Leader|Sync Standby"
