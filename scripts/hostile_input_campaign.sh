#!/usr/bin/env bash
# The long malformed-input campaign (issue #9): the suite's campaign
# (tests/security/malformed_input_test.cc: every RPC, the server streams WatchChanges,
# ExportRoster, ExportAttendanceReport and ExportMyCalendar included) plus COMBINED random
# requests per RPC that break two to four fields at once, with a new SEED each round; first,
# unparseable bytes to every method (security_unparseable_request_test: INVALID_ARGUMENT,
# streams included).
# Every answer must be a specific error, nothing may be stored by a failed call, and the
# server must stay up.
#   scripts/hostile_input_campaign.sh [ROUNDS] [COMBINED]    (defaults: 5 rounds, 300)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
combined=${2:-300}
binary=build/tests/security/security_malformed_input_test
[[ -x $binary ]] || { echo "build first: scripts/build.sh" >&2; exit 2; }
start=$(date +%s)
build/tests/security/security_unparseable_request_test --gtest_brief=1 | grep -E "methods|FAILED|PASSED"
for ((round = 1; round <= rounds; round++)); do
  seed=$((RANDOM * 32768 + RANDOM))
  echo "round $round/$rounds: seed $seed, $combined combined requests per RPC"
  log=$(mktemp)
  status=0
  BRANCHLINE_CAMPAIGN_SEED=$seed BRANCHLINE_CAMPAIGN_COMBINED=$combined "$binary" \
    > "$log" 2>&1 || status=$?
  grep -E "hostile requests" "$log" || true
  if ((status != 0)); then
    grep -E -A3 "Failure|FAILED" "$log" | head -60
    echo "round $round FAILED (seed $seed); full output in $log"
    exit 1
  fi
  rm -f "$log"
done
echo "done in $(( $(date +%s) - start )) s"
