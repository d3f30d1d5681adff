#!/usr/bin/env bash
# The production edge (deploy/nginx) on loopback for tests, from Debian's nginx: a throwaway CA
# and server certificate (for localhost and 127.0.0.1), the configuration rendered by
# deploy/nginx/render.sh, nginx unprivileged (as nobody when the test runs as root) with its
# prefix, pid, logs and temp files in one directory, on a free port.
#
# Sourced: edge_start DIR UPSTREAM [PEER_UPSTREAMS] starts it in the background and sets
# edge_port and nginx_pid (the CA is DIR/ca.pem); more render.sh settings may come from the
# environment (RATE_PER_SECOND, BURST). The caller stops nginx_pid.
# Run: edge.sh start UPSTREAM [PEER_UPSTREAMS] starts it in a new directory and prints
# "PORT PID DIR" (for tests in C++); edge.sh stop PID DIR stops it and removes DIR.

# edge_signed_cert DIR NAME CN SAN: DIR/NAME.pem and DIR/NAME.key, a certificate for CN with
# subjectAltName SAN signed by DIR's test CA (DIR/ca.pem, DIR/ca.key).
edge_signed_cert() {
  local dir=$1 name=$2 cn=$3 san=$4
  (cd "$dir" && openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$name.key" \
    -out "$name.csr" &&
    printf 'subjectAltName=%s' "$san" > "$name.ext" &&
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile "$name.ext" -out "$name.pem") > /dev/null 2>&1
}

edge_start() {
  local dir=$1 upstream=$2 peers=${3:-}
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  mkdir -p "$dir"
  (cd "$dir" && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=Edge Test CA' \
    -keyout ca.key -out ca.pem) > /dev/null 2>&1
  edge_signed_cert "$dir" tls localhost DNS:localhost,IP:127.0.0.1
  local as_edge_user=()
  if [ "$(id -u)" -eq 0 ]; then
    chown -R nobody "$dir"
    chmod 755 "$(dirname "$dir")"
    as_edge_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  fi
  # /usr/sbin is not on every user's PATH.
  local nginx candidate
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  edge_port="" nginx_pid=""
  for _ in 1 2 3 4 5; do
    candidate=$(/usr/bin/python3 -c \
      'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    PREFIX=$dir LISTEN=127.0.0.1:$candidate UPSTREAM=$upstream PEER_UPSTREAMS=$peers \
      TLS_CERT=$dir/tls.pem TLS_KEY=$dir/tls.key WORKERS=1 "$root/deploy/nginx/render.sh" \
      > "$dir/nginx.conf"
    "${as_edge_user[@]}" "$nginx" -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
    "${as_edge_user[@]}" "$nginx" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" \
      -g 'daemon off;' > "$dir/nginx.out" 2>&1 &
    nginx_pid=$!
    for _ in $(seq 1 50); do
      if (exec 3<> "/dev/tcp/127.0.0.1/$candidate") 2> /dev/null; then
        edge_port=$candidate
        return 0
      fi
      kill -0 "$nginx_pid" 2> /dev/null || break  # the port was taken meanwhile: next one
      sleep 0.1
    done
    kill "$nginx_pid" 2> /dev/null
    wait "$nginx_pid" 2> /dev/null || true
    nginx_pid=""
  done
  echo "nginx did not start" >&2
  return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case ${1:-} in
    start)
      work=$(mktemp -d)
      edge_start "$work/edge" "$2" "${3:-}"
      echo "$edge_port $nginx_pid $work"
      ;;
    stop)
      kill "$2" 2> /dev/null || true
      for _ in $(seq 1 50); do kill -0 "$2" 2> /dev/null || break; sleep 0.1; done
      rm -rf "$3"
      ;;
    *) echo "usage: $0 start UPSTREAM [PEER_UPSTREAMS] | stop PID DIR" >&2; exit 2 ;;
  esac
fi
