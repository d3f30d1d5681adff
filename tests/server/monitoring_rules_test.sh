#!/bin/sh
# deploy/monitoring/branchline.rules.yml: `promtool check rules` (syntax, PromQL, templates)
# or `promtool test rules` (branchline.rules.test.yml: each alert fires where it should).
# Usage: monitoring_rules_test.sh check|test SOURCE_DIR. Skips (77) without promtool (Debian's
# `prometheus` package, installed by scripts/setup.sh).
set -eu
mode=$1
dir=$2/deploy/monitoring
if ! command -v promtool > /dev/null 2>&1; then
  echo "SKIP: promtool not found (apt install prometheus; scripts/setup.sh installs it)"
  exit 77
fi
cd "$dir"
case $mode in
  check) exec promtool check rules branchline.rules.yml ;;
  test) exec promtool test rules branchline.rules.test.yml ;;
  *) echo "usage: $0 check|test SOURCE_DIR" >&2; exit 2 ;;
esac
