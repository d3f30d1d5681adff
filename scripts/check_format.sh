#!/usr/bin/env bash
# Fails when a C++ file is not clang-formatted (.clang-format at the root).
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror 2>&1 | grep -o '^[^:]*:[0-9]*' | cut -d: -f1 | sort -u || true)
if [ -n "$bad" ]; then
  echo "not clang-formatted (run: clang-format -i FILE):"
  echo "$bad"
  exit 1
fi
echo "format: ok"
