#!/usr/bin/env bash
# The whole benchmark in one command (issue #7): builds, then measures on this machine, in
# one run so the baselines share the machine's noise:
#   1. the echo baseline: a bare gRPC server fed the same check-ins by the same generator;
#   2. RocksDB's own synced-write rate (db_bench fillrandom, sync=1) at the same concurrency;
#   3. PostgreSQL 15: one durable single-row insert with a unique request id per transaction
#      (pgbench, throwaway cluster on loopback);
#   4. Branchline's workloads against the real server (durable, --no-access-log), each on a
#      settled server (restarted, no flush or compaction left from the workload before);
#   5. data scale: a generated organisation (bench/datagen), its bytes per check-in, the
#      server's open time and RSS, and the report latencies at that size.
# Writes bench/results/<UTC date>.md (and .json lines). Needs bench/setup.sh once.
#
#   bench/run.sh            the full run (about 8-10 minutes on the 2-core machine)
#   bench/run.sh --smoke    seconds: tiny fleet and data scale, short windows, only the echo
#                           baseline (the CTest smoke test; writes nothing under bench/results)
#   bench/run.sh --quick    about 3 minutes, for A/B runs of a change to the call path: echo and
#                           the 64-caller writes and reads (checkin, study, letter, upcoming),
#                           no database baselines, no data scale; the report goes to standard
#                           output (or BENCH_OUT), never under bench/results
# Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (2), BENCH_CONCURRENCY (64),
# BENCH_PEOPLE (10000), BENCH_SCALE_BRANCHES (5000), BENCH_SCALE_PEOPLE_PER_BRANCH (20),
# BENCH_SCALE_MONTHS (3), BENCH_SCALE_STUDY_PER_MONTH (1),
# BENCH_OUT (results file),
# BIN_DIR (built binaries; default build/), BENCH_NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SMOKE=0 QUICK=0
case "${1:-}" in
  --smoke) SMOKE=1 ;;
  --quick) QUICK=1 ;;
  "") ;;
  *) echo "usage: bench/run.sh [--smoke | --quick]" >&2; exit 2 ;;
esac
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
C=${BENCH_CONCURRENCY:-64}
PEOPLE=${BENCH_PEOPLE:-10000}
SCALE_BRANCHES=${BENCH_SCALE_BRANCHES:-5000}
# Months of history in the data-scale set: 3 (one quarter, what the quarterly report reads)
# keeps the generator to a few minutes on the shared 2-core machine; 12 is the full year.
SCALE_MONTHS=${BENCH_SCALE_MONTHS:-3}
# The issue's 10 million records: BENCH_SCALE_PEOPLE_PER_BRANCH=40 BENCH_SCALE_MONTHS=12
# BENCH_SCALE_STUDY_PER_MONTH=4 (200,000 people, a year: about 12 M records, 10 more minutes).
SCALE_ARGS=(--months "$SCALE_MONTHS" --people-per-branch "${BENCH_SCALE_PEOPLE_PER_BRANCH:-20}"
  --study-per-month "${BENCH_SCALE_STUDY_PER_MONTH:-1}")
if [ $SMOKE = 1 ]; then
  DURATION=0.3 WARMUP=0.1 C=8 PEOPLE=512 SCALE_BRANCHES=64
  SCALE_ARGS=(--people-per-branch 3 --months 2)  # replaces --months
fi
BIN=${BIN_DIR:-$ROOT/build}
if [ "${BENCH_NO_BUILD:-$SMOKE}" != 1 ]; then
  JOBS=${JOBS:-2} scripts/build.sh > /dev/null
fi
for b in server/branchline-server bench/branchline-bench bench/branchline-bench-echo \
         bench/branchline-bench-datagen; do
  [ -x "$BIN/$b" ] || { echo "bench: $BIN/$b is missing (build first)"; exit 1; }
done
if [ $SMOKE = 0 ] && [ $QUICK = 0 ]; then
  for tool in db_bench pgbench psql; do
    command -v "$tool" > /dev/null || { echo "bench: $tool is missing (run bench/setup.sh once)"; exit 1; }
  done
fi

# shellcheck source=bench/lib.sh
source bench/lib.sh
stop_postgres() {
  if [ -n "${PG_DATA:-}" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop > /dev/null 2>&1 || true
  fi
}
EXTRA_CLEANUP=stop_postgres

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "work dir $WORK, load average $LOAD_START"

# --- The fleet: people, meetings and a material, made through the API. Sign-in hashing is
# at test cost for this step only (10,000 interactive Argon2id hashes would take minutes);
# the server is restarted with normal settings before anything is measured.
DATA=$WORK/branchline
start prepare "$BIN/server/branchline-server" --listen 127.0.0.1:0 --data-dir "$DATA" \
  --backup-dir "$WORK/backups" --admin-password "$ADMIN_PASSWORD" --no-access-log \
  --fast-password-hashing
prepare "$WORK/fleet.json"
stop

# --- Baseline 1: echo, same generator, same check-in requests.
start echo "$BIN/bench/branchline-bench-echo" --listen 127.0.0.1:0
cp "$WORK/fleet.json" "$WORK/echo-fleet.json"  # the echo's check-ins must not use up the fleet's
load echo checkin "$C" "$WORK/echo-fleet.json"
stop

if [ $SMOKE = 0 ] && [ $QUICK = 0 ]; then
  # --- Baseline 2: RocksDB synced writes at the same concurrency, on the same disk.
  log "db_bench fillrandom sync=1 threads=$C"
  out=$(db_bench --benchmarks=fillrandom --db="$WORK/rocksdb" --sync=1 --threads="$C" \
    --duration="${DURATION%.*}" --num=100000000 --key_size=24 --value_size=150 2> /dev/null)
  ops=$(echo "$out" | awk '/^fillrandom/ {for (i=1;i<=NF;i++) if ($i ~ /^ops\/sec/) print $(i-1)}')
  micros=$(echo "$out" | awk '/^fillrandom/ {print $3}')
  [ -n "$ops" ] || { echo "$out" >&2; log "db_bench gave no figure"; exit 1; }
  baseline rocksdb "\"ops_per_second\": $ops, \"micros_per_op\": $micros, \"threads\": $C"
  rm -rf "$WORK/rocksdb"

  # --- Baseline 3: PostgreSQL 15, one durable insert with a unique request id per call.
  PG_BIN=$(ls -d /usr/lib/postgresql/15/bin)
  PG_DATA=$WORK/pg
  PG_PORT=$(free_port)
  mkdir -p "$PG_DATA" && chown postgres "$PG_DATA" 2> /dev/null || true
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U bench -E UTF8 --locale=C.UTF-8 > /dev/null
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -o \
    "-h 127.0.0.1 -p $PG_PORT -k $PG_DATA -c max_connections=$((C + 20)) -c fsync=on -c synchronous_commit=on" \
    start > /dev/null
  pgbench_inserts postgresql "host=127.0.0.1 port=$PG_PORT user=bench dbname=postgres"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast stop > /dev/null
  PG_DATA=""
fi

# --- Branchline, durable, as deployed. Each workload is measured on a settled server, so the
# CPU in its window is its own work and not what the workload before it left behind (the
# RocksDB flushes and compactions of its writes were up to a tenth of the next window's CPU):
# the server is restarted, which flushes the memtables at open, before it listens, and the
# window waits until no flush or compaction is running or pending (its metrics, at most 60 s).
METRICS_PORT=$(free_port)
settled_load() {  # settled_load LABEL WORKLOAD CONCURRENCY
  [ -z "${SERVER_PID:-}" ] || stop
  start branchline "$BIN/server/branchline-server" --listen 127.0.0.1:0 --data-dir "$DATA" \
    --backup-dir "$WORK/backups" --no-access-log --metrics-listen "127.0.0.1:$METRICS_PORT"
  local metrics busy=1
  for _ in $(seq 1 600); do
    metrics=$(curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" || true)
    busy=$(echo "$metrics" | awk '/^branchline_rocksdb_(compaction_pending|compactions_running|flushes_running) / && $2 > 0 {n++} END {print n + 0}')
    [ -n "$metrics" ] && [ "$busy" = 0 ] && break
    sleep 0.1
  done
  [ "$busy" = 0 ] || log "the server did not settle within 60 s; measuring anyway"
  load "$@"
}
SERVER_PID=""
if [ $QUICK = 1 ]; then
  for w in checkin study letter upcoming; do settled_load "$w" "$w" "$C"; done
  stop
  LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
  python3 bench/report.py "$RESULTS" --load "$LOAD_START" "$LOAD_END" \
    --commit "$(git rev-parse --short HEAD 2> /dev/null || echo unknown)" > "${BENCH_OUT:-/dev/stdout}"
  exit 0
fi
for w in checkin study letter upcoming pull morning; do settled_load "$w" "$w" "$C"; done
settled_load roster roster 1
settled_load report report 1
stop

# --- Data scale.
log "generating $SCALE_BRANCHES branches ${SCALE_ARGS[*]}"
"$BIN/bench/branchline-bench-datagen" --data-dir "$WORK/scale" --admin-password "$ADMIN_PASSWORD" \
  --fleet "$WORK/scale-fleet.json" --stats "$WORK/scale.json" --branches "$SCALE_BRANCHES" \
  "${SCALE_ARGS[@]}" > /dev/null
start scale "$BIN/server/branchline-server" --listen 127.0.0.1:0 --data-dir "$WORK/scale" \
  --backup-dir "$WORK/backups" --no-access-log
OPEN_MS=$START_MS
sleep 1
RSS_OPEN=$(awk '/VmRSS/ {print $2 / 1024}' "/proc/$SERVER_PID/status")
load "scale report (whole organisation)" report 1 "$WORK/scale-fleet.json"
load "scale upcoming" upcoming "$C" "$WORK/scale-fleet.json"
load "scale pull" pull "$C" "$WORK/scale-fleet.json"
RSS_AFTER=$(awk '/VmRSS/ {print $2 / 1024}' "/proc/$SERVER_PID/status")
stop
python3 - "$WORK/scale.json" "$OPEN_MS" "$RSS_OPEN" "$RSS_AFTER" >> "$RESULTS" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
stats.update(baseline="scale", open_ms=int(sys.argv[2]), rss_open_mib=float(sys.argv[3]),
           rss_after_mib=float(sys.argv[4]))
print(json.dumps(stats))
PY

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
if [ $SMOKE = 1 ]; then
  python3 bench/report.py "$RESULTS" --load "$LOAD_START" "$LOAD_END" --smoke > /dev/null
  log "smoke ok"
  exit 0
fi
OUT=${BENCH_OUT:-bench/results/$(date -u +%Y-%m-%d).md}
python3 bench/report.py "$RESULTS" --load "$LOAD_START" "$LOAD_END" \
  --commit "$(git rev-parse --short HEAD 2> /dev/null || echo unknown)" > "$OUT"
cp "$RESULTS" "${OUT%.md}.jsonl"
log "wrote $OUT"
cat "$OUT"
