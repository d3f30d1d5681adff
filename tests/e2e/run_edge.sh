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
# sign_in_through CA EXPECT [NEEDLE [REASON]]: the admin signs in through the edge on $edge_port
# over TLS trusting CA; EXPECT is OK (an access token comes back) or the gRPC status expected,
# whose message must then contain NEEDLE, and whose ErrorInfo reason is REASON, with a Chinese
# LocalizedMessage (no accept-language is sent), when given.
sign_in_through() {
  CLIENTS="$root/clients/python" /usr/bin/python3 - "$work/gen" "127.0.0.1:$edge_port" "$@" \
    << 'PY' || { show_logs; exit 1; }
import os
import sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.environ["CLIENTS"])
import grpc
from branchline.v1 import auth_pb2, auth_pb2_grpc
from branchline_client import error_reason, localized_message
target, ca, expect = sys.argv[2:5]
needle = sys.argv[5] if len(sys.argv) > 5 else ""
reason = sys.argv[6] if len(sys.argv) > 6 else None
credentials = grpc.ssl_channel_credentials(root_certificates=open(ca, "rb").read())
stub = auth_pb2_grpc.AuthServiceStub(grpc.secure_channel(target, credentials))
try:
    answer = stub.SignIn(auth_pb2.SignInRequest(login="admin", password="admin-password-1"),
                         timeout=10)
    got, details = ("OK", "") if answer.access_token else ("OK without a token", "")
except grpc.RpcError as e:
    got, details = e.code().name, e.details()
    if reason and (error_reason(e), (localized_message(e) or ("",))[0]) != (reason, "zh-CN"):
        sys.exit(f"FAILED: expected reason {reason} in Chinese, got {error_reason(e)} "
                 f"{localized_message(e)}")
if got != expect or needle not in details:
    sys.exit(f"FAILED: expected {expect} ({needle!r}), got {got} {details!r}")
PY
}
# stop_edge: stops the running nginx (another edge_start follows).
stop_edge() {
  kill "$nginx_pid" && wait "$nginx_pid" 2> /dev/null || true
  nginx_pid=""
}

# With the server gone, the edge answers a gRPC UNAVAILABLE that names itself (not an HTML 502).
kill "$pid" && wait "$pid" 2> /dev/null || true
pid=""
sign_in_through "$edge/ca.pem" UNAVAILABLE "no Branchline server" NO_SERVER_ANSWERED
echo "ok - with no server, the edge answers UNAVAILABLE"
# Servers on other hosts speak TLS (they refuse plaintext off loopback): an edge rendered with
# UPSTREAM_CA reaches the server over grpcs and verifies its certificate (name branchline).
edge_signed_cert "$edge" upstream branchline DNS:branchline
stop_edge
start_server "$server" "$work" --tls-cert "$edge/upstream.pem" --tls-key "$edge/upstream.key" \
  --behind-edge
UPSTREAM_CA=$edge/ca.pem edge_start "$work/edge-tls" "127.0.0.1:$port" || { show_logs; exit 1; }
sign_in_through "$work/edge-tls/ca.pem" OK
echo "ok - the edge reaches a TLS server over grpcs"
# And it verifies it: an edge expecting another name gets no answer from that server.
stop_edge
UPSTREAM_CA=$edge/ca.pem UPSTREAM_NAME=not-branchline edge_start "$work/edge-bad" \
  "127.0.0.1:$port" || { show_logs; exit 1; }
sign_in_through "$work/edge-bad/ca.pem" UNAVAILABLE
echo "ok - the edge refuses a server whose certificate names another host"
echo "edge test passed"
