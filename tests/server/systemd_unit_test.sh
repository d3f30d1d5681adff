#!/usr/bin/env bash
# deploy/systemd/branchline.service: `systemd-analyze verify` passes (and catches a broken copy),
# the hardening the issue asks for is there, the offline security review rates it OK, and
# TimeoutStopSec leaves the server its shutdown grace from the packaged config.
# Usage: systemd_unit_test.sh SERVER_BINARY SOURCE_DIR
set -euo pipefail
server=$1 src=$2
command -v systemd-analyze > /dev/null || { echo "SKIP: systemd-analyze is missing"; exit 77; }
unit=$src/deploy/systemd/branchline.service
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# verify checks that ExecStart's binary exists: point it at the one just built.
mkdir "$work/ok" "$work/broken"
sed "s|^ExecStart=/usr/bin/branchline-server |ExecStart=$server |" "$unit" > "$work/ok/branchline.service"
grep -q "^ExecStart=$server " "$work/ok/branchline.service" || fail "ExecStart is not /usr/bin/branchline-server"
# verify only warns about an unknown directive ("ignoring") and exits 0: any output fails.
verify() { # verify UNIT: exit status or warnings
  systemd-analyze verify "$1" > "$work/verify.log" 2>&1 && [ ! -s "$work/verify.log" ]
}
verify "$work/ok/branchline.service" || { cat "$work/verify.log"; fail "systemd-analyze verify"; }
# The control: a misspelt directive must be caught.
sed 's/^ProtectHome=yes/ProtectHoem=yes/' "$work/ok/branchline.service" > "$work/broken/branchline.service"
if verify "$work/broken/branchline.service"; then
  fail "verify did not catch a misspelt directive: the check proves nothing"
fi

for line in 'User=branchline' 'Group=branchline' \
  'ExecStart=/usr/bin/branchline-server --config /etc/branchline/branchline.toml' \
  'ProtectSystem=strict' 'ReadWritePaths=/var/lib/branchline' 'NoNewPrivileges=yes' \
  'PrivateTmp=yes' 'ProtectHome=yes' 'CapabilityBoundingSet=' 'AmbientCapabilities=' \
  'Restart=on-failure' 'KillSignal=SIGTERM' 'WantedBy=multi-user.target'; do
  grep -qx -- "$line" "$unit" || fail "missing line: $line"
done
# No secret on the command line: only the config file.
grep -E '^ExecStart=.*(password|--tls-key|secret)' "$unit" && fail "a secret on ExecStart"

systemd-analyze security --offline=true --threshold=20 "$work/ok/branchline.service" \
  > "$work/security.log" 2>&1 || { tail -30 "$work/security.log"; fail "exposure level above 2.0"; }
tail -1 "$work/security.log"

# The packaged config writes only where the unit allows, and stops within TimeoutStopSec.
printed=$("$server" --config "$src/deploy/branchline.toml" --print-config)
value() { echo "$printed" | sed -n "s/^$1 = \\(.*\\)  # .*/\\1/p" | tr -d '"'; }
[ "$(value data_dir)" = /var/lib/branchline ] || fail "data_dir is $(value data_dir)"
case "$(value backup_dir)" in /var/lib/branchline/*) ;; *) fail "backup_dir outside ReadWritePaths" ;; esac
grace=$(value shutdown_grace_seconds)
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)$/\1/p' "$unit")
[ -n "$stop" ] || fail "TimeoutStopSec is not a number of seconds"
# Grace for calls in flight, then closing RocksDB (flushing nothing: the WAL is synced) in < 5 s.
[ "$stop" -ge $((grace + 5)) ] || fail "TimeoutStopSec=$stop leaves no room after a grace of ${grace}s"
echo "systemd unit: ok (grace ${grace}s, TimeoutStopSec ${stop}s)"
