#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the storage contract tests (ctest fixture storage_postgres):
#   postgres_fixture.sh start ENV_FILE   initdb + start on a Unix socket in a fresh temp dir;
#                                        writes socket=DIR to ENV_FILE
#   postgres_fixture.sh stop ENV_FILE    stops it and removes the temp dir
# No TCP port, so parallel test runs cannot collide. When the PostgreSQL binaries are missing
# it writes unavailable=REASON and succeeds: the tests then skip saying so. Any other failure
# fails the fixture (and so the tests). Runs the server as `postgres` when started as root
# (PostgreSQL refuses root; CI runs as root).
set -euo pipefail
action=$1
env_file=$2
PG_BIN=/usr/lib/postgresql/15/bin

as_postgres=()
[ "$(id -u)" -ne 0 ] || as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --)

case "$action" in
  start)
    mkdir -p "$(dirname "$env_file")"
    if [ -f "$env_file" ]; then "$0" stop "$env_file" || true; fi
    if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
      echo "unavailable=PostgreSQL 15 binaries not found in $PG_BIN (scripts/setup.sh installs postgresql-15)" > "$env_file"
      echo "postgres fixture: binaries missing, PostgreSQL tests will skip"
      exit 0
    fi
    dir=$(mktemp -d /tmp/branchline-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    "${as_postgres[@]}" "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C \
      --no-sync > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
    # fsync off: these tests check Branchline's contract, not PostgreSQL's durability, and
    # every test creates a database of its own.
    "${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start > /dev/null || { cat "$dir/server.log"; exit 1; }
    echo "socket=$dir" > "$env_file"
    echo "postgres fixture: running on $dir"
    ;;
  stop)
    [ -f "$env_file" ] || exit 0
    dir=$(sed -n 's/^socket=//p' "$env_file")
    if [ -n "$dir" ] && [ -d "$dir/data" ]; then
      "${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop > /dev/null 2>&1 || true
      rm -rf "$dir"
    fi
    rm -f "$env_file"
    ;;
  *)
    echo "usage: $0 start|stop ENV_FILE" >&2
    exit 2
    ;;
esac
