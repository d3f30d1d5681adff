#!/usr/bin/env bash
# Renders branchline.conf.template to stdout, replacing @NAME@ with $NAME.
# Required: PREFIX (pid, logs and temp files), LISTEN (host:port), UPSTREAM (the server's
# loopback host:port), TLS_CERT, TLS_KEY. Optional: WORKERS (auto), RATE_PER_SECOND (20),
# BURST (100), BACKUP_UPSTREAMS (space-separated host:port of further servers, sent calls only
# while UPSTREAM is down: on a cluster, where one server runs at a time and another is started
# when its host is lost, docs/cluster.md "Three hosts").
# Example: PREFIX=/var/lib/branchline-edge LISTEN=0.0.0.0:443 UPSTREAM=127.0.0.1:50051 \
#   TLS_CERT=/etc/branchline/tls.pem TLS_KEY=/etc/branchline/tls.key deploy/nginx/render.sh
set -euo pipefail
: "${PREFIX:?}" "${LISTEN:?}" "${UPSTREAM:?}" "${TLS_CERT:?}" "${TLS_KEY:?}"
WORKERS=${WORKERS:-auto} RATE_PER_SECOND=${RATE_PER_SECOND:-20} BURST=${BURST:-100}
backups=""
for backup in ${BACKUP_UPSTREAMS:-}; do backups="$backups\n    server $backup backup;"; done
sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@LISTEN@|$LISTEN|g" -e "s|@UPSTREAM@;|$UPSTREAM;$backups|g" \
  -e "s|@TLS_CERT@|$TLS_CERT|g" -e "s|@TLS_KEY@|$TLS_KEY|g" -e "s|@WORKERS@|$WORKERS|g" \
  -e "s|@RATE_PER_SECOND@|$RATE_PER_SECOND|g" -e "s|@BURST@|$BURST|g" \
  "$(dirname "$0")/branchline.conf.template"
