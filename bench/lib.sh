# Helpers shared by bench/run.sh and bench/cluster.sh; sourced, not run. The caller sets BIN,
# C (callers), DURATION and WARMUP, and may set EXTRA_CLEANUP (a function run on exit before
# the work directory goes).
# shellcheck shell=bash

WORK=$(mktemp -d "${TMPDIR:-/tmp}/branchline-bench.XXXXXX")
chmod 755 "$WORK"  # PostgreSQL runs as the postgres user
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done
  [ -z "${EXTRA_CLEANUP:-}" ] || "$EXTRA_CLEANUP"
  rm -rf "$WORK"
}
trap cleanup EXIT
RESULTS=$WORK/results.jsonl
: > "$RESULTS"
ADMIN_PASSWORD="bench-admin-$RANDOM$RANDOM"

log() { echo "bench: $*" >&2; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# start NAME COMMAND...: runs it in the background, waits for "(port N)" in its output;
# sets SERVER_PID, SERVER_PORT and START_MS (milliseconds from exec to listening).
start() {
  local name=$1
  shift
  local out=$WORK/$name.log
  local t0
  t0=$(date +%s%N)
  "$@" > "$out" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_PORT=""
  for _ in $(seq 1 1200); do
    SERVER_PORT=$(grep -o '(port [0-9]*)' "$out" | head -1 | tr -dc '0-9' || true)
    [ -n "$SERVER_PORT" ] && break
    kill -0 "$SERVER_PID" 2> /dev/null || { cat "$out" >&2; log "$name exited"; exit 1; }
    sleep 0.05
  done
  [ -n "$SERVER_PORT" ] || { cat "$out" >&2; log "$name did not start"; exit 1; }
  START_MS=$((($(date +%s%N) - t0) / 1000000))
}
stop() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
}
# prepare FLEET [PEOPLE]: people, meetings and a material made through the running server.
prepare() {
  local fleet=$1 people=${2:-$PEOPLE} t0
  t0=$(date +%s)
  "$BIN/bench/branchline-bench" prepare --target "127.0.0.1:$SERVER_PORT" --fleet "$fleet" \
    --admin-password "$ADMIN_PASSWORD" --people "$people" >&2
  log "fleet of $people prepared in $(($(date +%s) - t0)) s"
}
# load LABEL WORKLOAD CONCURRENCY [FLEET]: one measured run against the running server,
# appended to $RESULTS. With TARGETS (comma-separated host:port) and SERVER_PIDS
# (space-separated), the run spreads its calls over several servers and sums their CPU and RSS.
# (Not PIDS: that array lists every process started, for the cleanup.)
load() {
  local label=$1 workload=$2 concurrency=$3 fleet=${4:-$WORK/fleet.json} pid pid_args=()
  for pid in ${SERVER_PIDS:-$SERVER_PID}; do pid_args+=(--server-pid "$pid"); done
  "$BIN/bench/branchline-bench" run --target "${TARGETS:-127.0.0.1:$SERVER_PORT}" \
    --fleet "$fleet" --workloads "$workload" --label "$label" --concurrency "$concurrency" \
    --warmup "$WARMUP" --duration "$DURATION" "${pid_args[@]}" --json "$RESULTS" |
    tail -n +3 >&2
}
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
baseline() {  # baseline NAME JSON-OBJECT
  echo "{\"baseline\": \"$1\", $2}" >> "$RESULTS"
}
# pgbench_inserts NAME CONNINFO: PostgreSQL's own rate for what a check-in needs at least —
# one durable INSERT with a unique request id per transaction, $C clients — as baseline NAME.
pgbench_inserts() {
  local name=$1 conninfo=$2 out tps lat p99
  psql -q -v ON_ERROR_STOP=1 "$conninfo" <<'SQL'
CREATE TABLE check_ins (
  request_id uuid PRIMARY KEY,
  meeting_id bigint NOT NULL,
  person_id bigint NOT NULL,
  status smallint NOT NULL,
  device_time timestamptz NOT NULL,
  server_time timestamptz NOT NULL
);
CREATE INDEX check_ins_by_meeting ON check_ins (meeting_id, person_id);
SQL
  cat > "$WORK/checkin.sql" <<'SQL'
\set person random(1, 10000000)
\set meeting random(1, 1000)
INSERT INTO check_ins VALUES (gen_random_uuid(), :meeting, :person, 1, now(), now());
SQL
  log "pgbench $C clients, one durable insert per transaction ($name)"
  # -l logs every transaction's latency (µs, third field), for the p99 pgbench does not print.
  out=$(cd "$WORK" && pgbench -n -c "$C" -j 2 -T "${DURATION%.*}" -l --log-prefix=pgbench \
    -f "$WORK/checkin.sql" "$conninfo" 2>&1)
  tps=$(echo "$out" | awk '/^tps =/ {print $3; exit}')
  lat=$(echo "$out" | awk '/^latency average =/ {print $4}')
  [ -n "$tps" ] || { echo "$out" >&2; log "pgbench gave no figure"; exit 1; }
  p99=$(cat "$WORK"/pgbench.* | awk '{print $3}' | sort -n |
    awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000}')
  rm -f "$WORK"/pgbench.*
  baseline "$name" "\"tps\": $tps, \"latency_average_ms\": $lat, \"p99_ms\": $p99, \"clients\": $C"
}
