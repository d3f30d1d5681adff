#!/usr/bin/env bash
# Renders one host's configuration of a three-host Branchline cluster (docs/cluster.md,
# "Three hosts") into OUTDIR:
#   patroni.yml   -> /etc/patroni/branchline.yml   (patroni@branchline.service)
#   etcd.env      -> /etc/default/etcd              (etcd.service)
#   storage.txt   the --storage / `storage =` string every Branchline server uses
#
#   NODE=0 HOSTS="10.0.0.1 10.0.0.2 10.0.0.3" deploy/cluster/render.sh OUTDIR
#
# Optional (each a list of three, one per host, or one value for all): ETCD_CLIENT_PORTS
# (2379), ETCD_PEER_PORTS (2380), PG_PORTS (5432), REST_PORTS (8008); CLIENT_NETWORK (the
# hosts' network in CIDR, default the first host's /24), LOCAL_AUTH (peer), DATA_DIR
# (/var/lib/postgresql/15/branchline), LOG_DIR (/var/log/postgresql/patroni), SOCKET_DIR
# (/var/run/postgresql), PGPASS (/var/lib/postgresql/15/branchline.pgpass), ETCD_DATA_DIR
# (/var/lib/etcd/branchline), PASSWORD_FILE (the branchline role's password, for storage.txt;
# without it storage.txt names a passfile instead).
set -euo pipefail
out=${1:?usage: NODE=0 HOSTS="h1 h2 h3" $0 OUTDIR}
: "${NODE:?}" "${HOSTS:?}"
read -r -a hosts <<< "$HOSTS"
[ "${#hosts[@]}" -eq 3 ] || { echo "render: HOSTS needs three addresses" >&2; exit 2; }
case "$NODE" in 0 | 1 | 2) ;; *) echo "render: NODE is 0, 1 or 2" >&2; exit 2 ;; esac

ports() {  # NAME DEFAULT: a list of three
  local list
  read -r -a list <<< "${!1:-$2}"
  [ "${#list[@]}" -eq 1 ] && list=("${list[0]}" "${list[0]}" "${list[0]}")
  echo "${list[@]}"
}
read -r -a etcd_client <<< "$(ports ETCD_CLIENT_PORTS 2379)"
read -r -a etcd_peer <<< "$(ports ETCD_PEER_PORTS 2380)"
read -r -a pg_port <<< "$(ports PG_PORTS 5432)"
read -r -a rest_port <<< "$(ports REST_PORTS 8008)"
host=${hosts[$NODE]}
joined() {  # FORMAT ARRAY...: the three hosts with their ports, comma-separated
  local format=$1 i items=()
  shift
  local -a port=("$@")
  # shellcheck disable=SC2059  # the format is the caller's, by design
  for i in 0 1 2; do items+=("$(printf "$format" "$i" "${hosts[$i]}" "${port[$i]}")"); done
  local IFS=,
  echo "${items[*]}"
}

mkdir -p "$out"
sed -e "s|@NAME@|pg$NODE|g" -e "s|@HOST@|$host|g" -e "s|@PG_PORT@|${pg_port[$NODE]}|g" \
  -e "s|@REST_PORT@|${rest_port[$NODE]}|g" \
  -e "s|@ETCD_HOSTS@|$(joined '%.0s%s:%s' "${etcd_client[@]}")|g" \
  -e "s|@DATA_DIR@|${DATA_DIR:-/var/lib/postgresql/15/branchline}|g" \
  -e "s|@LOG_DIR@|${LOG_DIR:-/var/log/postgresql/patroni}|g" \
  -e "s|@SOCKET_DIR@|${SOCKET_DIR:-/var/run/postgresql}|g" \
  -e "s|@PGPASS@|${PGPASS:-/var/lib/postgresql/15/branchline.pgpass}|g" \
  -e "s|@LOCAL_AUTH@|${LOCAL_AUTH:-peer}|g" \
  -e "s|@CLIENT_NETWORK@|${CLIENT_NETWORK:-${hosts[0]%.*}.0/24}|g" \
  "$(dirname "$0")/patroni.yml.in" > "$out/patroni.yml"

# etcd reads ETCD_* variables as its flags; Debian's etcd.service reads /etc/default/etcd.
{
  echo "# etcd member e$NODE of the Branchline cluster: Patroni's store, coordination only."
  echo "ETCD_NAME=e$NODE"
  echo "ETCD_DATA_DIR=${ETCD_DATA_DIR:-/var/lib/etcd/branchline}"
  echo "ETCD_LISTEN_CLIENT_URLS=http://$host:${etcd_client[$NODE]}"
  echo "ETCD_ADVERTISE_CLIENT_URLS=http://$host:${etcd_client[$NODE]}"
  echo "ETCD_LISTEN_PEER_URLS=http://$host:${etcd_peer[$NODE]}"
  echo "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://$host:${etcd_peer[$NODE]}"
  echo "ETCD_INITIAL_CLUSTER=$(joined 'e%s=http://%s:%s' "${etcd_peer[@]}")"
  echo "ETCD_INITIAL_CLUSTER_STATE=new"
  echo "ETCD_INITIAL_CLUSTER_TOKEN=branchline"
} > "$out/etcd.env"

# Every host, and target_session_attrs=read-write: libpq finds the primary after a failover.
# connect_timeout bounds the wait on a dead host.
credentials="branchline"
query="target_session_attrs=read-write&connect_timeout=3"
if [ -n "${PASSWORD_FILE:-}" ]; then
  credentials="branchline:$(cat "$PASSWORD_FILE")"
else
  query="$query&passfile=/etc/branchline/pgpass"
fi
echo "postgresql://$credentials@$(joined '%.0s%s:%s' "${pg_port[@]}")/branchline?$query" > "$out/storage.txt"
