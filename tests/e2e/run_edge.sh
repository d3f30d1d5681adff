#!/usr/bin/env bash
# The production edge on loopback: the real server (plaintext, loopback) behind Debian's nginx
# rendered from deploy/nginx (TLS + HTTP/2 with a throwaway CA made here), then Python
# scenarios through nginx. nginx runs unprivileged (as nobody when the test runs as root)
# with its prefix, pid, logs and temp files in a temp dir, on a free port.
# Usage: run_edge.sh SERVER_BINARY
set -euo pipefail
server=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/start_server.sh"
work=$(mktemp -d)
edge=$work/edge
pid="" nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2> /dev/null && wait "$nginx_pid" 2> /dev/null
  [ -n "$pid" ] && kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
show_logs() { tail -n 30 "$work/server.log" "$edge"/*.log 2> /dev/null || true; }

"$root/clients/python/generate.sh" "$work/gen" > /dev/null
start_server "$server" "$work" --trusted-proxy 127.0.0.1

mkdir -p "$edge"
(cd "$edge" && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=Edge Test CA' \
  -keyout ca.key -out ca.pem &&
  openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout tls.key -out tls.csr &&
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > san.ext &&
  openssl x509 -req -in tls.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile san.ext -out tls.pem) > /dev/null 2>&1

as_edge_user=()
if [ "$(id -u)" -eq 0 ]; then
  chown -R nobody "$edge"
  chmod 755 "$work"
  as_edge_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi

# /usr/sbin is not on every user's PATH.
nginx=$(command -v nginx || echo /usr/sbin/nginx)
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
edge_port=""
for _ in 1 2 3 4 5; do
  candidate=$(free_port)
  PREFIX=$edge LISTEN=127.0.0.1:$candidate UPSTREAM=127.0.0.1:$port TLS_CERT=$edge/tls.pem \
    TLS_KEY=$edge/tls.key WORKERS=1 "$root/deploy/nginx/render.sh" > "$edge/nginx.conf"
  "${as_edge_user[@]}" "$nginx" -t -q -p "$edge" -e "$edge/error.log" -c "$edge/nginx.conf"
  "${as_edge_user[@]}" "$nginx" -p "$edge" -e "$edge/error.log" -c "$edge/nginx.conf" \
    -g 'daemon off;' &
  nginx_pid=$!
  for _ in $(seq 1 50); do
    if (exec 3<> "/dev/tcp/127.0.0.1/$candidate") 2> /dev/null; then
      edge_port=$candidate
      break 2
    fi
    kill -0 "$nginx_pid" 2> /dev/null || break  # the port was taken meanwhile: next one
    sleep 0.1
  done
  kill "$nginx_pid" 2> /dev/null; wait "$nginx_pid" 2> /dev/null || true
  nginx_pid=""
done
[ -n "$edge_port" ] || { echo "nginx did not start"; show_logs; exit 1; }

export BRANCHLINE_TLS_CA=$edge/ca.pem
for scenario in scenario_edge.py scenario_attendance.py; do
  /usr/bin/python3 "$root/clients/python/$scenario" "127.0.0.1:$edge_port" admin-password-1 \
    "$work/gen" || { show_logs; exit 1; }
done
# Last, as it uses up this address's allowance: nginx's limit_req answers RESOURCE_EXHAUSTED.
/usr/bin/python3 "$root/clients/python/scenario_edge_rate_limit.py" "127.0.0.1:$edge_port" \
  "$work/gen" || { show_logs; exit 1; }
# Plaintext straight to the edge is refused: it speaks TLS only.
if BRANCHLINE_TLS_CA= /usr/bin/python3 - "$work/gen" "127.0.0.1:$edge_port" << 'PY'
import sys
sys.path.insert(0, sys.argv[1])
import grpc
from branchline.v1 import auth_pb2, auth_pb2_grpc
stub = auth_pb2_grpc.AuthServiceStub(grpc.insecure_channel(sys.argv[2]))
try:
    stub.SignIn(auth_pb2.SignInRequest(login="admin", password="admin-password-1"), timeout=5)
except grpc.RpcError:
    sys.exit(1)
PY
then
  echo "FAILED: plaintext through the edge was served"
  exit 1
fi
echo "ok - plaintext to the edge is refused"
echo "edge test passed"
