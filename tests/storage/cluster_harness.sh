# Sourced by tests that need a real 3-node Patroni cluster of their own (scripts/cluster.sh):
# `cluster_start` picks a free base port and a temp dir, starts the cluster, and sets
#   cluster_dir   the cluster's directory (scripts/cluster.sh … "$cluster_dir" works on it)
#   cluster_uri   the --storage string (every host, target_session_attrs=read-write)
#   cluster_primary_port  the current primary's PostgreSQL port
# and kills everything on exit: the data is thrown away, so no graceful stop (a clean
# `cluster.sh down` takes 10-30 s). Exits 77 (ctest: skipped) when Patroni, etcd or
# PostgreSQL is missing.
cluster_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

cluster_cleanup() {
  local f pid
  # `|| true`: a process a test already killed is no failure of the test.
  for f in "$cluster_dir"/patroni?.pid "$cluster_dir"/etcd?.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2> /dev/null || true
  done
  for f in "$cluster_dir"/pg?/postmaster.pid; do
    [ -f "$f" ] && pid=$(head -1 "$f") && kill -9 "$pid" 2> /dev/null || true
  done
  rm -rf "$cluster_dir"
}

cluster_start() {
  local tool port
  for tool in patroni etcd /usr/lib/postgresql/15/bin/postgres; do
    command -v "$tool" > /dev/null || { echo "SKIP: $tool missing (scripts/setup.sh installs it)"; exit 77; }
  done
  cluster_dir=$(mktemp -d /tmp/branchline-cluster.XXXXXX)
  trap cluster_cleanup EXIT
  # A base port whose 12 ports (etcd, peers, PostgreSQL, REST) are all free, so parallel runs
  # and a developer's own cluster on 15400 do not collide.
  cluster_base=$(python3 - << 'PY'
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
  cluster_uri=$(CLUSTER_BASE_PORT=$cluster_base "$cluster_root/scripts/cluster.sh" up "$cluster_dir" | tail -1)
  echo "cluster up in ${SECONDS} s: ${cluster_uri//:*@/:***@}"
  cluster_primary_port=""
  for port in $((cluster_base + 30)) $((cluster_base + 31)) $((cluster_base + 32)); do
    if curl -fs "http://127.0.0.1:$port/primary" > /dev/null; then cluster_primary_port=$((port - 10)); fi
  done
  [ -n "$cluster_primary_port" ] || { echo "no primary"; exit 1; }
}
