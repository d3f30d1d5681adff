#!/usr/bin/env bash
# Too slow for the suite (issue #25): builds the Debian packages, installs them with apt into a
# fresh Debian 12 root (debootstrap; the base root is cached in build/debootstrap-cache, about
# 4.5 min the first time), starts the installed server from its installed config as the
# branchline user, signs in with the installed branchctl, then removes and purges it.
# Needs root, debootstrap (apt install debootstrap) and the Debian mirror; exits 77 without.
set -euo pipefail
cd "$(dirname "$0")/.."
exec tests/server/debian_install_test.sh "${BUILD_DIR:-build}" "$PWD"
