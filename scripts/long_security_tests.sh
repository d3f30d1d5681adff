#!/usr/bin/env bash
# Security tests too slow for the suite (issue #9):
#  - the documented phone keepalive settings are never disconnected (about 2.5 min);
#  - the long malformed-input campaign (scripts/hostile_input_campaign.sh, 2 rounds here).
set -euo pipefail
cd "$(dirname "$0")/.."
build/tests/security/security_transport_limits_test --gtest_also_run_disabled_tests \
  --gtest_filter='*ThePhoneSettingsAreNeverDisconnected*'
scripts/hostile_input_campaign.sh 2 300
