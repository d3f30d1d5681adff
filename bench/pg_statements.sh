#!/usr/bin/env bash
# What one call costs PostgreSQL, statement by statement (issue #18: the primary's statements
# per call decide the cluster's rate). Starts a throwaway PostgreSQL 15 on a Unix socket, a
# server on it with a small fleet, then for each workload turns on log_statement = all for a
# few seconds of one caller and counts the statements per call, point reads by column family
# (the key's first byte, storage/column_families.h).
#
#   bench/pg_statements.sh [WORKLOAD...]     default: checkin study letter
# Environment: BIN_DIR (built binaries; default build/), BENCH_DURATION (s, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN_DIR:-$PWD/build}
DURATION=${BENCH_DURATION:-2}
WARMUP=0
PG=/usr/lib/postgresql/15/bin
for b in server/branchline-server bench/branchline-bench; do
  [ -x "$BIN/$b" ] || { echo "bench: $BIN/$b is missing (build first)"; exit 1; }
done
[ -x "$PG/initdb" ] || { echo "bench: PostgreSQL 15 is missing (scripts/setup.sh)"; exit 1; }
source bench/lib.sh
pg_down() { as_postgres "$PG/pg_ctl" -D "$WORK/pg" -m immediate -w stop > /dev/null 2>&1 || true; }
EXTRA_CLEANUP=pg_down
[ "$(id -u)" -ne 0 ] || chown postgres: "$WORK"

as_postgres "$PG/initdb" -D "$WORK/pg" -A trust -U postgres -E UTF8 --locale=C --no-sync > /dev/null
as_postgres "$PG/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
  -o "-c listen_addresses='' -k $WORK -c fsync=off" start > /dev/null
"$PG/createdb" -h "$WORK" -U postgres branchline
STORAGE="postgresql://postgres@/branchline?host=$WORK"
psql_run() { "$PG/psql" -h "$WORK" -U postgres -d branchline -qAt "$@" > /dev/null; }

start prepare "$BIN/server/branchline-server" --listen 127.0.0.1:0 --no-access-log \
  --admin-password "$ADMIN_PASSWORD" --fast-password-hashing --data-dir "$WORK/data" \
  --storage "$STORAGE"
prepare "$WORK/fleet.json" 200
stop
start server "$BIN/server/branchline-server" --listen 127.0.0.1:0 --no-access-log \
  --data-dir "$WORK/data" --storage "$STORAGE"

workloads=("$@")
[ $# -gt 0 ] || workloads=(checkin study letter)
for workload in "${workloads[@]}"; do
  psql_run -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()"
  sleep 0.3
  from=$(wc -l < "$WORK/pg.log")
  load "$workload" "$workload" 1 "$WORK/fleet.json" 2> /dev/null
  psql_run -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()"
  sleep 0.3
  calls=$(tail -1 "$RESULTS" | python3 -c 'import json, sys; print(json.load(sys.stdin)["ok"])')
  echo "== $workload: $calls calls in ${DURATION} s, per call:"
  # shellcheck disable=SC2016  # Python, not shell
  tail -n +"$((from + 1))" "$WORK/pg.log" | python3 -c '
import collections, re, sys
calls = int(sys.argv[1])
counts, families = collections.Counter(), collections.Counter()
lines = sys.stdin.read().splitlines()
for i, line in enumerate(lines):
    m = re.search(r"LOG:  (?:execute (\w+)|statement: (.*))", line)
    if not m:
        continue
    what = m.group(1) or m.group(2)
    if "pg_reload_conf" in what or what.startswith("ALTER SYSTEM"):
        continue
    if what.startswith("BEGIN; SET LOCAL lock_timeout"):
        what = "lock (BEGIN, settings and the first stripes)"
    elif "pg_advisory_xact_lock" in what:
        what = "lock (more stripes)"
    counts[what] += 1
    if what == "branchline_get" and i + 1 < len(lines):
        f = re.search(r"\$1 = .\\x([0-9a-f]{2})", lines[i + 1])
        if f:
            families[int(f.group(1), 16)] += 1
for what, n in counts.most_common():
    print(f"{n / calls:8.2f}  {what}")
for family, n in sorted(families.items()):
    print(f"{n / calls:8.2f}    branchline_get of family {family}")
print(f"{sum(counts.values()) / calls:8.2f}  in all")
' "$calls"
done
stop
