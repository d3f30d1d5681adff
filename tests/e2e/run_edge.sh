#!/usr/bin/env bash
# The production edge on loopback: the real server (plaintext, loopback) behind Debian's nginx
# rendered from deploy/nginx (tests/support/edge.sh: TLS + HTTP/2 with a throwaway CA), then
# Python scenarios through nginx.
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

# shellcheck source=../support/edge.sh
. "$root/tests/support/edge.sh"
edge_start "$edge" "127.0.0.1:$port" || { show_logs; exit 1; }

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
# With the server gone, the edge answers a gRPC UNAVAILABLE that names itself (not an HTML 502).
kill "$pid" && wait "$pid" 2> /dev/null || true
pid=""
/usr/bin/python3 - "$work/gen" "127.0.0.1:$edge_port" "$edge/ca.pem" << 'PY' || { show_logs; exit 1; }
import sys
sys.path.insert(0, sys.argv[1])
import grpc
from branchline.v1 import auth_pb2, auth_pb2_grpc
credentials = grpc.ssl_channel_credentials(root_certificates=open(sys.argv[3], "rb").read())
stub = auth_pb2_grpc.AuthServiceStub(grpc.secure_channel(sys.argv[2], credentials))
try:
    stub.SignIn(auth_pb2.SignInRequest(login="admin", password="admin-password-1"), timeout=10)
    sys.exit("FAILED: answered with no server behind the edge")
except grpc.RpcError as e:
    if e.code() != grpc.StatusCode.UNAVAILABLE or "no Branchline server" not in e.details():
        sys.exit(f"FAILED: {e.code()} {e.details()!r}")
print("ok - with no server, the edge answers UNAVAILABLE")
PY
# Servers on other hosts speak TLS (they refuse plaintext off loopback): an edge rendered with
# UPSTREAM_CA reaches the server over grpcs and verifies its certificate (name branchline).
(cd "$edge" && openssl req -newkey rsa:2048 -nodes -subj '/CN=branchline' \
  -keyout upstream.key -out upstream.csr &&
  printf 'subjectAltName=DNS:branchline' > upstream.ext &&
  openssl x509 -req -in upstream.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile upstream.ext -out upstream.pem) > /dev/null 2>&1
kill "$nginx_pid" && wait "$nginx_pid" 2> /dev/null || true
nginx_pid=""
start_server "$server" "$work" --tls-cert "$edge/upstream.pem" --tls-key "$edge/upstream.key" \
  --behind-edge
UPSTREAM_CA=$edge/ca.pem edge_start "$work/edge-tls" "127.0.0.1:$port" || { show_logs; exit 1; }
/usr/bin/python3 - "$work/gen" "127.0.0.1:$edge_port" "$work/edge-tls/ca.pem" << 'PY' || {
import sys
sys.path.insert(0, sys.argv[1])
import grpc
from branchline.v1 import auth_pb2, auth_pb2_grpc
credentials = grpc.ssl_channel_credentials(root_certificates=open(sys.argv[3], "rb").read())
stub = auth_pb2_grpc.AuthServiceStub(grpc.secure_channel(sys.argv[2], credentials))
answer = stub.SignIn(auth_pb2.SignInRequest(login="admin", password="admin-password-1"), timeout=10)
if not answer.access_token:
    sys.exit("FAILED: no access token through the edge over grpcs")
print("ok - the edge reaches a TLS server over grpcs")
PY
  show_logs
  exit 1
}
# And it verifies it: an edge expecting another name gets no answer from that server.
kill "$nginx_pid" && wait "$nginx_pid" 2> /dev/null || true
nginx_pid=""
UPSTREAM_CA=$edge/ca.pem UPSTREAM_NAME=not-branchline edge_start "$work/edge-bad" \
  "127.0.0.1:$port" || { show_logs; exit 1; }
/usr/bin/python3 - "$work/gen" "127.0.0.1:$edge_port" "$work/edge-bad/ca.pem" << 'PY' || {
import sys
sys.path.insert(0, sys.argv[1])
import grpc
from branchline.v1 import auth_pb2, auth_pb2_grpc
credentials = grpc.ssl_channel_credentials(root_certificates=open(sys.argv[3], "rb").read())
stub = auth_pb2_grpc.AuthServiceStub(grpc.secure_channel(sys.argv[2], credentials))
try:
    stub.SignIn(auth_pb2.SignInRequest(login="admin", password="admin-password-1"), timeout=10)
    sys.exit("FAILED: the edge accepted a server certificate for another name")
except grpc.RpcError as e:
    if e.code() != grpc.StatusCode.UNAVAILABLE:
        sys.exit(f"FAILED: {e.code()} {e.details()!r}")
print("ok - the edge refuses a server whose certificate names another host")
PY
  show_logs
  exit 1
}
echo "edge test passed"
