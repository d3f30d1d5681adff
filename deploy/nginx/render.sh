#!/usr/bin/env bash
# Renders branchline.conf.template to stdout, replacing @NAME@ with $NAME.
# Required: PREFIX (pid, logs and temp files), LISTEN (host:port), UPSTREAM (the server's
# loopback host:port), TLS_CERT, TLS_KEY. Optional: WORKERS (auto), RATE_PER_SECOND (20),
# BURST (100), PEER_UPSTREAMS (space-separated host:port of further servers on the same
# cluster, taking calls at the same time, docs/cluster.md "Three hosts": calls are then spread
# by client address with a consistent hash, so each address meets one server's sign-in
# throttle, and a lost server's addresses move to the others).
# Example: PREFIX=/var/lib/branchline-edge LISTEN=0.0.0.0:443 UPSTREAM=127.0.0.1:50051 \
#   TLS_CERT=/etc/branchline/tls.pem TLS_KEY=/etc/branchline/tls.key deploy/nginx/render.sh
set -euo pipefail
: "${PREFIX:?}" "${LISTEN:?}" "${UPSTREAM:?}" "${TLS_CERT:?}" "${TLS_KEY:?}"
WORKERS=${WORKERS:-auto} RATE_PER_SECOND=${RATE_PER_SECOND:-20} BURST=${BURST:-100}
peers=""
for peer in ${PEER_UPSTREAMS:-}; do peers="$peers\n    server $peer;"; done
[ -z "$peers" ] || peers="$peers\n    hash \$binary_remote_addr consistent;"
sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@LISTEN@|$LISTEN|g" -e "s|@UPSTREAM@;|$UPSTREAM;$peers|g" \
  -e "s|@TLS_CERT@|$TLS_CERT|g" -e "s|@TLS_KEY@|$TLS_KEY|g" -e "s|@WORKERS@|$WORKERS|g" \
  -e "s|@RATE_PER_SECOND@|$RATE_PER_SECOND|g" -e "s|@BURST@|$BURST|g" \
  "$(dirname "$0")/branchline.conf.template"
