#!/usr/bin/env bash
# Renders branchline.conf.template to stdout, replacing @NAME@ with $NAME.
# Required: PREFIX (pid, logs and temp files), LISTEN (host:port), UPSTREAM (the server's
# loopback host:port), TLS_CERT, TLS_KEY. Optional: WORKERS (auto), RATE_PER_SECOND (20),
# BURST (100), PEER_UPSTREAMS (space-separated host:port of further servers on the same
# cluster, taking calls at the same time, docs/cluster.md "Three hosts": calls are then spread
# by client address with a consistent hash, so each address meets one server's sign-in
# throttle, and a lost server's addresses move to the others), UPSTREAM_CA (the CA that
# signed the servers' certificates: servers on other hosts speak TLS, as they refuse plaintext
# off loopback, and the edge then verifies them) with UPSTREAM_NAME (the name their
# certificates carry; default branchline).
# Example: PREFIX=/var/lib/branchline-edge LISTEN=0.0.0.0:443 UPSTREAM=127.0.0.1:50051 \
#   TLS_CERT=/etc/branchline/tls.pem TLS_KEY=/etc/branchline/tls.key deploy/nginx/render.sh
set -euo pipefail
: "${PREFIX:?}" "${LISTEN:?}" "${UPSTREAM:?}" "${TLS_CERT:?}" "${TLS_KEY:?}"
WORKERS=${WORKERS:-auto} RATE_PER_SECOND=${RATE_PER_SECOND:-20} BURST=${BURST:-100}
peers=""
for peer in ${PEER_UPSTREAMS:-}; do peers="$peers\n    server $peer;"; done
[ -z "$peers" ] || peers="$peers\n    hash \$binary_remote_addr consistent;"
scheme=grpc tls=""
if [ -n "${UPSTREAM_CA:-}" ]; then
  scheme=grpcs
  tls="\n      grpc_ssl_trusted_certificate $UPSTREAM_CA;\n      grpc_ssl_verify on;"
  tls="$tls\n      grpc_ssl_name ${UPSTREAM_NAME:-branchline};\n      grpc_ssl_server_name on;"
  tls="$tls\n      grpc_ssl_session_reuse on;"
fi
sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@LISTEN@|$LISTEN|g" -e "s|@UPSTREAM@;|$UPSTREAM;$peers|g" \
  -e "s|@TLS_CERT@|$TLS_CERT|g" -e "s|@TLS_KEY@|$TLS_KEY|g" -e "s|@WORKERS@|$WORKERS|g" \
  -e "s|@RATE_PER_SECOND@|$RATE_PER_SECOND|g" -e "s|@BURST@|$BURST|g" \
  -e "s|@UPSTREAM_SCHEME@|$scheme|g" -e "s|@UPSTREAM_TLS@|$tls|g" \
  "$(dirname "$0")/branchline.conf.template"
