#!/usr/bin/env bash
# Takes one server out of the edge's rotation and puts it back: the two halves of a rolling
# restart that no caller notices (docs/operations.md, "Stopping and rolling restarts").
#
#   drain.sh down CONF UPSTREAM  marks UPSTREAM `down` in CONF (rendered by render.sh, whose
#                                `server HOST:PORT;` lines it edits), reloads nginx, and waits
#                                until the workers that could still send it calls have
#                                finished them (at most DRAIN_SECONDS, default 10)
#   drain.sh up CONF UPSTREAM    waits until UPSTREAM accepts connections (at most
#                                READY_SECONDS, default 60), marks it up and reloads nginx
#
# Why nginx has to be told first: it streams a gRPC call's request to the server instead of
# buffering it, so once any of a call is sent it cannot send the call elsewhere, and a call
# that reaches a stopping server comes back to its caller as an error. After the reload no new
# call goes to a server marked down; the old workers finish the calls they hold and close
# their client connections with GOAWAY, on which gRPC clients open a new connection and resend
# what the GOAWAY says was not taken. A WatchChanges stream an old worker holds ends when the
# server stops, and the app resumes it from its cursor.
set -euo pipefail

usage() {
  echo "usage: $0 down|up CONF HOST:PORT" >&2
  exit 2
}
[ $# -eq 3 ] || usage
action=$1 conf=$2 upstream=$3
[ -f "$conf" ] || { echo "$conf: no such file" >&2; exit 1; }

# `server HOST:PORT;` or `server HOST:PORT down;` in the upstream block, dots taken literally.
pattern="^([[:space:]]*server )$(printf '%s' "$upstream" | sed 's#[].*^$[]#\\&#g')( down)?;"
grep -Eq "$pattern" "$conf" || { echo "$upstream is not a server in $conf" >&2; exit 1; }

pid_file=$(awk '$1 == "pid" { sub(/;$/, "", $2); print $2 }' "$conf")
master=$(cat "$pid_file" 2> /dev/null || true)
kill -0 "$master" 2> /dev/null || { echo "nginx is not running (no live pid in $pid_file)" >&2; exit 1; }

workers() { pgrep -P "$master" | sort || true; }

# Sets UPSTREAM's line to `server UPSTREAM$1;` ("" or " down").
mark() { sed -i -E "s/$pattern/\\1$upstream$1;/" "$conf"; }

# Reloads nginx and waits for a worker it did not have before; prints the old workers. On a
# refused configuration nginx keeps the old one and its workers, which this reports.
reload() {
  local before after
  before=$(workers)
  kill -HUP "$master"
  for _ in $(seq 1 100); do
    after=$(workers)
    if [ -n "$(comm -13 <(echo "$before") <(echo "$after"))" ]; then
      echo "$before"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

case $action in
  down)
    mark " down"
    if ! grep -Eq '^[[:space:]]*server [^[:space:]]+;' "$conf"; then
      mark ""
      echo "refused: $upstream is the only server left up in $conf" >&2
      exit 1
    fi
    if ! old=$(reload); then
      mark ""
      echo "nginx did not reload (see its error log); $upstream left in rotation" >&2
      exit 1
    fi
    alive=0
    for _ in $(seq 1 $((${DRAIN_SECONDS:-10} * 10))); do
      alive=0
      for pid in $old; do kill -0 "$pid" 2> /dev/null && alive=$((alive + 1)); done
      [ "$alive" -eq 0 ] && break
      sleep 0.1
    done
    if [ "$alive" -eq 0 ]; then
      echo "$upstream drained"
    else
      echo "$upstream drained; $alive old workers still hold streams, which end when it stops"
    fi
    ;;
  up)
    host=${upstream%:*} port=${upstream##*:}
    host=${host#[} host=${host%]}
    ready=0
    for _ in $(seq 1 $((${READY_SECONDS:-60} * 10))); do
      if (exec 3<> "/dev/tcp/$host/$port") 2> /dev/null; then ready=1 && break; fi
      sleep 0.1
    done
    [ "$ready" -eq 1 ] || { echo "$upstream does not accept connections; left down" >&2; exit 1; }
    mark ""
    reload > /dev/null || { echo "nginx did not reload (see its error log)" >&2; exit 1; }
    echo "$upstream back in rotation"
    ;;
  *) usage ;;
esac
