#!/usr/bin/env bash
# Fails when the API in proto/branchline/v1 breaks compatibility with the released API frozen
# in proto/released/branchline-v1.binpb (buf's FILE rules: no removed or renumbered fields,
# no changed types, no renamed messages, services or methods, ...). Additions are fine.
#   scripts/check_api_breaking.sh                 check (scripts/test.sh runs this)
#   scripts/check_api_breaking.sh --cut-release   freeze the current API as the released one
# Both sides are single images of the `proto` module (the workspace's vendored third_party
# module would make a two-image input), compared with the rules of buf.yaml's module.
set -euo pipefail
cd "$(dirname "$0")/.."
buf=tools/node_modules/.bin/buf
released=proto/released/branchline-v1.binpb
if [ "${1:-}" = "--cut-release" ]; then
  "$buf" build proto --path proto/branchline/v1 --exclude-source-info -o "$released"
  echo "froze the current API into $released: commit it"
  exit 0
fi
current=$(mktemp --suffix=.binpb)
trap 'rm -f "$current"' EXIT
"$buf" build proto --path proto/branchline/v1 --exclude-source-info -o "$current"
"$buf" breaking "$current" --against "$released" --config '{"version":"v1","breaking":{"use":["FILE"]}}'
echo "API compatible with $released"
