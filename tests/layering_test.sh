#!/usr/bin/env bash
# The layering rules of STYLE.md, enforced: only storage/ includes RocksDB or libpq (and only
# storage/ links libpq), storage/ never
# includes gRPC or services, services never include the server, rpc/ or gRPC, areas use each
# other only along approved edges, clients use only the API.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
check() {  # check DESCRIPTION PATTERN PATHS...
  local what=$1 pattern=$2
  shift 2
  local hits
  hits=$(grep -rEn "$pattern" "$@" --include='*.h' --include='*.cc' 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "layering violation: $what"
    echo "$hits"
    fail=1
  fi
}
check "RocksDB included outside storage/" '#include\s*[<"]rocksdb/' services server clients bench
check "libpq included outside storage/" '#include\s*[<"](libpq-fe\.h|libpq/|pqxx/)' services server clients bench tests
hits=$(grep -rEn 'LIBPQ|libpq|pq\b' --include=CMakeLists.txt services server clients bench tests 2>/dev/null)
if [ -n "$hits" ]; then
  echo "layering violation: libpq linked outside storage/"
  echo "$hits"
  fail=1
fi
check "storage/ includes gRPC" '#include\s*[<"]grpcpp?/' storage
check "storage/ includes services or server" '#include\s*"(services|server)/' storage
check "services include the server" '#include\s*"server/' services
# auth/ (tokens, passwords, Access) and common/ sit below every area: sign-in, which reads
# people, is its own folder above them (services/signin).
check "services/auth or services/common include an area" \
  '#include\s*"services/(admin|attendance|audit|calendar|duties|evaluation|feedback|files|handbook|notifications|org|people|records|signin|study|sync|domain)[/.]' \
  services/auth services/common
# The composition root wires every area; no area includes it.
hits=$(grep -rEln '#include\s*"services/domain\.h"' services --include='*.h' --include='*.cc' 2>/dev/null |
  grep -v '^services/domain\.' || true)
if [ -n "$hits" ]; then
  echo "layering violation: an area includes the composition root"
  echo "$hits"
  fail=1
fi
# rpc/ is the transport: the method table, the per-call steps and one adapter per gRPC service
# (rpc/services). Everything that knows gRPC lives there or in server/; the domain below never
# sees a gRPC header, a generated service stub or the transport.
check "services or storage include rpc/" '#include\s*"rpc/' services storage
check "services include gRPC" '#include\s*[<"](grpcpp?/|grpc/)|#include\s*"[^"]*\.grpc\.pb\.h"' services
check "the method table includes services, storage or gRPC" \
  '#include\s*[<"](services/|storage/|server/|grpcpp?/)' rpc/methods.h rpc/methods.cc
check "rpc/ reaches past the domain into storage, or up into the server" \
  '#include\s*"(storage|server)/' rpc
# The areas' edges between each other: a new one is a design decision, made here on purpose
# (and mirrored by services/CMakeLists.txt's links). auth/ and common/ sit below every area.
allowed_edges="
attendance:people audit:attendance calendar:attendance duties:evaluation duties:people
evaluation:attendance evaluation:people feedback:people handbook:attendance handbook:evaluation
handbook:feedback handbook:files handbook:people handbook:records handbook:study
notifications:attendance notifications:people notifications:study records:attendance
records:people signin:people study:people sync:attendance sync:evaluation sync:feedback
sync:people sync:study"
for dir in services/*/; do
  area=$(basename "$dir")
  case $area in auth | common) continue ;; esac
  for used in $(grep -rhoE '#include\s*"services/[a-z]+/' "$dir" --include='*.h' --include='*.cc' |
    sed -E 's#.*services/([a-z]+)/#\1#' | sort -u); do
    case $used in "$area" | auth | common) continue ;; esac
    if ! grep -qw "$area:$used" <<<"$allowed_edges"; then
      echo "layering violation: services/$area includes services/$used, an edge not approved"
      fail=1
    fi
  done
done
check "clients include server internals" '#include\s*"(services|storage|server|rpc)/' clients
# branchctl and other C++ clients link only the API (stubs), never a server-side library.
hits=$(grep -rEn 'branchline_(storage|server_lib|common|auth|signin|org|people|attendance|study|feedback|sync|admin|calendar|evaluation|duties)\b' \
  clients --include=CMakeLists.txt 2>/dev/null)
if [ -n "$hits" ]; then
  echo "layering violation: a client links a server-side library"
  echo "$hits"
  fail=1
fi
[ $fail -eq 0 ] && echo "layering: ok"
exit $fail
