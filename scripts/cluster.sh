#!/usr/bin/env bash
# A local Branchline cluster on loopback: 3 etcd members and 3 Patroni-managed PostgreSQL 15
# nodes, all data under one directory, for tests, demos and benchmarks (docs/cluster.md).
#
#   scripts/cluster.sh up     [DIR]   start (or restart) the cluster; prints the --storage string
#   scripts/cluster.sh status [DIR]   members, roles and lag; prints the --storage string
#   scripts/cluster.sh down   [DIR]   stop everything (the data stays; rm -rf DIR to forget it)
#   scripts/cluster.sh kill-primary [DIR]
#                                     SIGKILL the primary's Patroni and PostgreSQL, as a dead
#                                     machine (failover drills and tests); `up` restarts it
#
# DIR defaults to build/cluster (ignored by git). Ports: CLUSTER_BASE_PORT (default 15400) +
# 0..2 etcd clients, +10..12 etcd peers, +20..22 PostgreSQL, +30..32 Patroni's REST API; they
# are written to DIR/ports.env on the first `up`, so later commands find them.
#
# PostgreSQL refuses to run as root, and CI runs as root: then Patroni (which starts the
# postmaster) runs as the `postgres` system user that Debian's package creates. Debian's own
# cluster on port 5432 is neither used nor needed.
set -euo pipefail
cd "$(dirname "$0")/.."

command=${1:-}
dir=${2:-build/cluster}
case "$command" in up | down | status | kill-primary) ;; *)
  echo "usage: $0 up|down|status|kill-primary [DIR]" >&2
  exit 2
  ;;
esac
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

PG_BIN=/usr/lib/postgresql/15/bin
for tool in etcd etcdctl patroni patronictl "$PG_BIN/postgres" "$PG_BIN/psql"; do
  command -v "$tool" > /dev/null || {
    echo "cluster: $tool is missing (scripts/setup.sh installs postgresql-15, patroni, etcd-server, etcd-client)" >&2
    exit 1
  }
done

if [ ! -f "$dir/ports.env" ]; then
  base=${CLUSTER_BASE_PORT:-15400}
  {
    echo "ETCD_CLIENT=($base $((base + 1)) $((base + 2)))"
    echo "ETCD_PEER=($((base + 10)) $((base + 11)) $((base + 12)))"
    echo "PG_PORT=($((base + 20)) $((base + 21)) $((base + 22)))"
    echo "REST_PORT=($((base + 30)) $((base + 31)) $((base + 32)))"
  } > "$dir/ports.env"
fi
# shellcheck disable=SC1091
source "$dir/ports.env"

# The database user Branchline connects as, with a password generated on the first `up`
# (scram-sha-256 even on loopback: the printed string is the one to copy to real hosts).
if [ ! -f "$dir/password" ]; then
  (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/password")
fi
password=$(cat "$dir/password")

# setpriv execs (runuser forks and stays the parent), so a recorded pid is the real process.
AS_POSTGRES=()
[ "$(id -u)" -ne 0 ] || AS_POSTGRES=(setpriv --reuid=postgres --regid=postgres --init-groups --)
as_postgres() { "${AS_POSTGRES[@]}" "$@"; }

etcd_hosts() {
  local IFS=,
  local hosts=()
  for p in "${ETCD_CLIENT[@]}"; do hosts+=("127.0.0.1:$p"); done
  echo "${hosts[*]}"
}

# Rendered with the nodes (deploy/cluster/render.sh): every host, target_session_attrs.
storage_string() {
  [ -f "$dir/node0/storage.txt" ] || render_node 0
  cat "$dir/node0/storage.txt"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2> /dev/null; }

# Each node's patroni.yml and etcd.env, rendered from deploy/cluster (the three-host layout)
# with loopback addresses and this directory's ports: one configuration for both.
render_node() {  # NODE
  local i=$1
  NODE=$i HOSTS="127.0.0.1 127.0.0.1 127.0.0.1" ETCD_CLIENT_PORTS="${ETCD_CLIENT[*]}" \
    ETCD_PEER_PORTS="${ETCD_PEER[*]}" PG_PORTS="${PG_PORT[*]}" REST_PORTS="${REST_PORT[*]}" \
    CLIENT_NETWORK=127.0.0.1/32 LOCAL_AUTH=trust DATA_DIR="$dir/pg$i" \
    LOG_DIR="$dir/patroni$i.logdir" SOCKET_DIR="$dir" PGPASS="$dir/pgpass$i" \
    ETCD_DATA_DIR="$dir/etcd$i" PASSWORD_FILE="$dir/password" \
    deploy/cluster/render.sh "$dir/node$i"
  cp "$dir/node$i/patroni.yml" "$dir/patroni$i.yml"
}

start_etcd() {
  local i
  for i in 0 1 2; do
    alive "$dir/etcd$i.pid" && continue
    local state=new
    [ -d "$dir/etcd$i/member" ] && state=existing
    # etcd takes ETCD_* variables as its flags, as Debian's etcd.service does from
    # /etc/default/etcd.
    # shellcheck disable=SC2046
    env $(grep '^ETCD_' "$dir/node$i/etcd.env") ETCD_INITIAL_CLUSTER_STATE=$state \
      setsid etcd > "$dir/etcd$i.log" 2>&1 &
    echo $! > "$dir/etcd$i.pid"
  done
  for _ in $(seq 1 100); do
    ETCDCTL_API=3 etcdctl --endpoints "$(etcd_hosts)" endpoint health > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "cluster: etcd did not become healthy; see $dir/etcd*.log" >&2
  return 1
}

primary_port() {
  local i
  for i in 0 1 2; do
    if curl -fs "http://127.0.0.1:${REST_PORT[$i]}/primary" > /dev/null 2>&1; then
      echo "${PG_PORT[$i]}"
      return 0
    fi
  done
  return 1
}

cmd_up() {
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  local i
  for i in 0 1 2; do render_node "$i"; done
  start_etcd
  for i in 0 1 2; do
    alive "$dir/patroni$i.pid" && continue
    mkdir -p "$dir/patroni$i.logdir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/patroni$i.yml" "$dir/patroni$i.logdir"; fi
    # setsid: the nodes outlive this script and its terminal. The shell writes its own pid and
    # then becomes Patroni (exec), so `down` stops Patroni itself by that pid.
    # The passwords come from the environment, as from /etc/patroni/env.conf on real hosts.
    setsid sh -c 'echo $$ > "$0"; exec "$@"' "$dir/patroni$i.pid" env \
      PATRONI_SUPERUSER_PASSWORD="$password" PATRONI_REPLICATION_PASSWORD="$password" \
      PATRONI_REWIND_PASSWORD="$password" "${AS_POSTGRES[@]}" \
      patroni "$dir/patroni$i.yml" > "$dir/patroni$i.out" 2>&1 < /dev/null &
  done
  # Ready = a primary that accepts writes and a synchronous standby streaming (with strict
  # synchronous mode a write would otherwise wait).
  local port=""
  for _ in $(seq 1 300); do
    if port=$(primary_port) && as_postgres "$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -Atqc \
      "select count(*) from pg_stat_replication where sync_state = 'sync'" 2> /dev/null | grep -q '^[1-9]'; then
      break
    fi
    port=""
    sleep 0.2
  done
  if [ -z "$port" ]; then
    echo "cluster: no primary with a synchronous standby after 60 s; see $dir/patroni*.logdir" >&2
    return 1
  fi
  as_postgres "$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -qtA -v ON_ERROR_STOP=1 << EOF > /dev/null
select 'create role branchline login' where not exists (select from pg_roles where rolname = 'branchline')\gexec
alter role branchline password '$password';
select 'create database branchline owner branchline' where not exists (select from pg_database where datname = 'branchline')\gexec
EOF
  # Ready for clients only once every node knows the role: libpq tries the next host when one
  # cannot be reached, but not when one refuses the password (an asynchronous standby that
  # has not replayed the role yet would stop a connection at the first host).
  for i in 0 1 2; do
    for _ in $(seq 1 150); do
      PGPASSWORD=$password "$PG_BIN/psql" -h 127.0.0.1 -p "${PG_PORT[$i]}" -U branchline \
        -d branchline -Atqc "select 1" > /dev/null 2>&1 && break
      sleep 0.2
    done
  done
  storage_string
}

cmd_down() {
  local i pid
  # Patroni first (it stops its postmaster cleanly), then etcd.
  for i in 0 1 2; do
    alive "$dir/patroni$i.pid" && kill "$(cat "$dir/patroni$i.pid")"
  done
  for i in 0 1 2; do
    if [ -f "$dir/patroni$i.pid" ]; then
      pid=$(cat "$dir/patroni$i.pid")
      for _ in $(seq 1 150); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
      rm -f "$dir/patroni$i.pid"
    fi
    # A postmaster left behind by a killed Patroni.
    if [ -f "$dir/pg$i/postmaster.pid" ]; then
      pid=$(head -1 "$dir/pg$i/postmaster.pid")
      kill -0 "$pid" 2> /dev/null && as_postgres "$PG_BIN/pg_ctl" -D "$dir/pg$i" -m fast stop > /dev/null 2>&1 || true
    fi
  done
  for i in 0 1 2; do
    if alive "$dir/etcd$i.pid"; then
      pid=$(cat "$dir/etcd$i.pid")
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    fi
    rm -f "$dir/etcd$i.pid"
  done
  echo "cluster: stopped (data kept in $dir)"
}

cmd_status() {
  local i
  for i in 0 1 2; do
    if alive "$dir/etcd$i.pid"; then echo "etcd e$i: running (client port ${ETCD_CLIENT[$i]})"; else echo "etcd e$i: stopped"; fi
  done
  if [ -f "$dir/patroni0.yml" ] && alive "$dir/etcd0.pid"; then
    as_postgres patronictl -c "$dir/patroni0.yml" list 2> /dev/null || echo "patroni: not answering"
  else
    echo "patroni: stopped"
  fi
  storage_string
}

cmd_kill-primary() {
  local i pid
  for i in 0 1 2; do
    curl -fs "http://127.0.0.1:${REST_PORT[$i]}/primary" > /dev/null 2>&1 || continue
    # Patroni first, so it cannot restart the postmaster: the node is gone until `up`.
    kill -9 "$(cat "$dir/patroni$i.pid")" 2> /dev/null || true
    pid=$(head -1 "$dir/pg$i/postmaster.pid" 2> /dev/null) && kill -9 "$pid" 2> /dev/null || true
    echo "cluster: killed pg$i (port ${PG_PORT[$i]})"
    return 0
  done
  echo "cluster: no primary to kill" >&2
  return 1
}

"cmd_$command"
