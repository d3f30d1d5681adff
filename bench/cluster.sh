#!/usr/bin/env bash
# The cluster rows of the benchmark (issue #18), in one run so the baselines share the
# machine's noise: a 3-node Patroni/PostgreSQL 15 cluster on loopback (scripts/cluster.sh, strict
# synchronous mode), PostgreSQL's own durable insert rate on it (pgbench, the baseline), and
# Branchline's check-ins, study records and morning mix on the embedded RocksDB, with one
# server on the cluster, and with two servers on it (the load generator spreads its calls over
# both directly: through the nginx edge, whose address hash puts one client address on one
# server, a generator on one address would reach one of them). Writes the report to standard
# output (or BENCH_OUT). About 5 minutes.
#
#   bench/cluster.sh
# Environment: BENCH_DURATION (s, default 8), BENCH_WARMUP (2), BENCH_CONCURRENCY (64),
# BENCH_PEOPLE (10000: the embedded fleet, as bench/run.sh's), BENCH_CLUSTER_PEOPLE (2000: the
# cluster's, enough at a tenth of the rate and made through the API five times faster),
# BENCH_OUT, BIN_DIR (built binaries; default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-8}
WARMUP=${BENCH_WARMUP:-2}
C=${BENCH_CONCURRENCY:-64}
PEOPLE=${BENCH_PEOPLE:-10000}
CLUSTER_PEOPLE=${BENCH_CLUSTER_PEOPLE:-2000}
BIN=${BIN_DIR:-$PWD/build}
for b in server/branchline-server bench/branchline-bench; do
  [ -x "$BIN/$b" ] || { echo "bench: $BIN/$b is missing (build first)"; exit 1; }
done
# shellcheck source=bench/lib.sh
source bench/lib.sh
cluster_down() {
  [ -f "$WORK/cluster/ports.env" ] && scripts/cluster.sh down "$WORK/cluster" > /dev/null 2>&1
  true
}
EXTRA_CLEANUP=cluster_down

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "work dir $WORK, load average $LOAD_START"
WORKLOADS=(checkin study morning)

# run_branchline LABEL-PREFIX PEOPLE SERVER-ARGS...: a fleet made through a server with
# test-cost password hashing, then the server restarted as deployed and each workload measured.
run_branchline() {
  local prefix=$1 people=$2
  shift 2
  start "$prefix-prepare" "$BIN/server/branchline-server" --listen 127.0.0.1:0 \
    --admin-password "$ADMIN_PASSWORD" --no-access-log --fast-password-hashing "$@"
  prepare "$WORK/$prefix-fleet.json" "$people"
  stop
  start "$prefix" "$BIN/server/branchline-server" --listen 127.0.0.1:0 --no-access-log "$@"
  for w in "${WORKLOADS[@]}"; do load "$prefix$w" "$w" "$C" "$WORK/$prefix-fleet.json"; done
  stop
}

run_branchline "" "$PEOPLE" --data-dir "$WORK/embedded" --backup-dir "$WORK/backups"

base=$((20000 + RANDOM % 20000))
log "3-node cluster on ports $base-$((base + 32))"
STORAGE=$(CLUSTER_BASE_PORT=$base scripts/cluster.sh up "$WORK/cluster" | tail -1)
# The baseline on the same cluster, in Branchline's database (its own table).
pgbench_inserts postgresql-cluster "$STORAGE"
run_branchline "cluster " "$CLUSTER_PEOPLE" --data-dir "$WORK/cluster-data" --storage "$STORAGE"

# Two servers on the cluster, sharing the first one's keys (as the hosts of a cluster do) and
# its fleet; each workload's calls spread over both, their CPU and RSS summed.
mkdir -p "$WORK/cluster-data2"
cp "$WORK/cluster-data/token.key" "$WORK/cluster-data/feedback.key" "$WORK/cluster-data2/"
start "cluster2a" "$BIN/server/branchline-server" --listen 127.0.0.1:0 --no-access-log \
  --data-dir "$WORK/cluster-data" --storage "$STORAGE"
first_pid=$SERVER_PID first_port=$SERVER_PORT
start "cluster2b" "$BIN/server/branchline-server" --listen 127.0.0.1:0 --no-access-log \
  --data-dir "$WORK/cluster-data2" --storage "$STORAGE"
for w in "${WORKLOADS[@]}"; do
  TARGETS="127.0.0.1:$first_port,127.0.0.1:$SERVER_PORT" SERVER_PIDS="$first_pid $SERVER_PID" \
    load "cluster2 $w" "$w" "$C" "$WORK/cluster -fleet.json"
done
stop
SERVER_PID=$first_pid
stop

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
python3 bench/report.py "$RESULTS" --cluster --load "$LOAD_START" "$LOAD_END" \
  --commit "$(git rev-parse --short HEAD 2> /dev/null || echo unknown)" > "${BENCH_OUT:-/dev/stdout}"
