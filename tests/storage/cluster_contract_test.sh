#!/usr/bin/env bash
# The storage contract (store_contract_test's PostgreSQL half) on a real 3-node Patroni
# cluster from scripts/cluster.sh: synchronous replication in strict mode, the store connecting
# over TCP with every host and target_session_attrs=read-write. Exits 77 (ctest: skipped) when
# Patroni, etcd or PostgreSQL is missing.
#   cluster_contract_test.sh CONTRACT_TEST_BINARY
set -euo pipefail
binary=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in patroni etcd /usr/lib/postgresql/15/bin/postgres; do
  command -v "$tool" > /dev/null || { echo "SKIP: $tool missing (scripts/setup.sh installs it)"; exit 77; }
done

dir=$(mktemp -d /tmp/branchline-cluster.XXXXXX)
# The data is thrown away, so no graceful stop (a clean `cluster.sh down` takes ~10-30 s):
# Patroni killed first so it restarts nothing, then each postmaster stopped immediately.
cleanup() {
  local f pid
  for f in "$dir"/patroni?.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2> /dev/null; done
  for f in "$dir"/pg?/postmaster.pid; do
    [ -f "$f" ] && pid=$(head -1 "$f") && kill -9 "$pid" 2> /dev/null
  done
  for f in "$dir"/etcd?.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2> /dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT

# A base port whose 33 ports (etcd, peers, PostgreSQL, REST) are all free, so parallel runs
# and a developer's own cluster on 15400 do not collide.
base=$(python3 - << 'PY'
import random, socket
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
for _ in range(200):
    b = random.randrange(20000, 30000, 50)
    if all(free(b + o) for o in (0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32)):
        print(b); break
PY
)
SECONDS=0
uri=$(CLUSTER_BASE_PORT=$base "$root/scripts/cluster.sh" up "$dir" | tail -1)
echo "cluster up in ${SECONDS} s: ${uri//:*@/:***@}"
primary=""
for port in $((base + 30)) $((base + 31)) $((base + 32)); do
  if curl -fs "http://127.0.0.1:$port/primary" > /dev/null; then primary=$((port - 10)); fi
done
[ -n "$primary" ] || { echo "no primary"; exit 1; }
# Databases are created through the primary's socket; the store connects like a server would.
{
  echo "socket=$dir"
  echo "port=$primary"
  echo "owner=branchline"
  echo "uri=${uri/\/branchline\?//{db}?}"
} > "$dir/contract.env"
BRANCHLINE_POSTGRES_ENV="$dir/contract.env" "$binary" --gtest_filter='*/postgres' --gtest_brief=1
"$root/scripts/cluster.sh" status "$dir" | grep -E "Leader|Sync Standby"
