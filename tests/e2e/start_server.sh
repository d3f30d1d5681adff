# Sourced by the e2e scripts: start_server SERVER_BINARY WORK_DIR [EXTRA_FLAGS...]
# starts the real server on a free loopback port with a fresh data directory in WORK_DIR,
# its log in WORK_DIR/server.log, and sets `pid` and `port` (the caller's trap kills `pid`).
# The admin password is admin-password-1; hashing is fast and metrics are off (tests run in
# parallel and must not fight over the default metrics port).
start_server() {
  local binary=$1 dir=$2
  shift 2
  "$binary" --listen 127.0.0.1:0 --data-dir "$dir/data" --admin-password admin-password-1 \
    --fast-password-hashing --metrics-listen off "$@" > "$dir/server.log" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(grep -o '(port [0-9]*)' "$dir/server.log" | grep -o '[0-9]*' || true)
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  cat "$dir/server.log"
  return 1
}
