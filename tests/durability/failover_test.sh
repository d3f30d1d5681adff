#!/usr/bin/env bash
# The failover oracle test (failover_oracle_test.cc) on a real 3-node Patroni cluster of its
# own: starts the cluster, runs the test binary with the --storage string, the command that
# kills the primary and the edge script, and throws the cluster away. About a minute; exits 77
# (ctest: skipped) when Patroni, etcd or PostgreSQL is missing.
#   failover_test.sh TEST_BINARY
set -euo pipefail
binary=$1
# shellcheck source=../storage/cluster_harness.sh
source "$(dirname "$0")/../storage/cluster_harness.sh"
cluster_start
BRANCHLINE_CLUSTER_URI=$cluster_uri \
  BRANCHLINE_CLUSTER_KILL_PRIMARY="'$cluster_root/scripts/cluster.sh' kill-primary '$cluster_dir'" \
  BRANCHLINE_EDGE_SCRIPT="$cluster_root/tests/support/edge.sh" \
  BRANCHLINE_EDGE_DRAIN="$cluster_root/deploy/nginx/drain.sh" \
  "$binary" --gtest_brief=1
