#!/usr/bin/env bash
# Plays the shared scenario (clients/SCENARIO.md) in Python, Node, Java and Go against ONE real
# server (free loopback port, fresh data directory), the four at once, each with its own tag so
# their people do not collide. Fails when a client fails or any transcript differs from the
# expected one.
# Usage: run_all_clients.sh SERVER_BINARY CACHE_DIR
# CACHE_DIR (in the build directory) keeps the compiled Java classes and Go binary; they are
# rebuilt only when proto/ or the client sources change (the first build costs ~30-60 s).
set -euo pipefail
server=$1
cache=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/start_server.sh"
work=$(mktemp -d)
pid=""
trap '[ -z "$pid" ] || { kill $pid 2>/dev/null; wait $pid 2>/dev/null; }; rm -rf "$work"' EXIT
mkdir -p "$cache"

[ -d "$root/clients/node/node_modules/@grpc/grpc-js" ] || {
  echo "clients/node/node_modules is missing: run scripts/setup.sh" >&2
  exit 1
}
started=$(date +%s)
"$root/clients/python/generate.sh" "$work/python" > /dev/null
"$root/clients/node/generate.sh" "$work/node" > /dev/null
java_classpath=$("$root/clients/java/generate.sh" "$cache/java" | tail -1)
go_binary=$("$root/clients/go/generate.sh" "$cache/go" | tail -1)
echo "clients built in $(($(date +%s) - started)) s"

start_server "$server" "$work"
address=127.0.0.1:$port

run_client() {
  local password=admin-password-1
  case $1 in
    # Debian's interpreter: the python3 first on PATH may lack grpc.
    python) /usr/bin/python3 "$root/clients/python/scenario_shared.py" "$address" $password python "$work/python" ;;
    node) node "$root/clients/node/scenario.js" "$address" $password node "$work/node" ;;
    # C1 only: a short run gains nothing from the optimising compiler and starts faster.
    java) java -XX:TieredStopAtLevel=1 -cp "$java_classpath" org.branchline.clients.Scenario "$address" $password java ;;
    go) "$go_binary" "$address" $password go ;;
  esac
}
languages=(python node java go)
declare -A pids
started=$(date +%s)
for language in "${languages[@]}"; do
  run_client "$language" > "$work/$language.jsonl" 2> "$work/$language.err" &
  pids[$language]=$!
done
failed=0
for language in "${languages[@]}"; do
  if ! wait "${pids[$language]}"; then
    echo "== $language client failed; its standard error:"
    cat "$work/$language.err"
    failed=1
  fi
done
echo "scenarios ran in $(($(date +%s) - started)) s"

compared=()
for language in "${languages[@]}"; do compared+=("$language=$work/$language.jsonl"); done
/usr/bin/python3 "$root/tests/e2e/compare_transcripts.py" "$root/clients/SCENARIO.md" "${compared[@]}" ||
  failed=1
exit $failed
