#!/bin/sh
# Runs inside the Debian root booted by systemd-nspawn (tests/server/debian_install_test.sh), as
# a one-shot unit: does what an operator does after `apt install` (the admin password file,
# `systemctl enable --now branchline`), then checks the service as systemd runs it: it serves a
# sign-in, its process has the sandbox the unit asks for, a SIGKILL is followed by a restart
# that keeps the data, and a stop is clean and quick. Writes its log and "ok" or "fail" to
# /result, then powers the container off.
exec > /result/log 2>&1
set -u
done_with() {
  echo "$1" > /result/status
  # systemctl asks logind first ("Failed to connect to bus": the minimal root has no D-Bus),
  # then systemd itself.
  systemctl poweroff --no-block 2> /dev/null
  exit 0
}
fail() {
  echo "FAIL: $*"
  systemctl status branchline --no-pager -l || true
  journalctl -u branchline --no-pager -n 60 || true
  done_with fail
}
server=127.0.0.1:50051
signed_in() {  # waits up to 20 s for the service to answer a sign-in
  for _ in $(seq 1 100); do
    if printf '%s\n' "$PASSWORD" | branchctl --server $server --token-file /tmp/token \
      login --user admin --password-stdin > /dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}
main_pid() { systemctl show -p MainPID --value branchline; }

printf '%s\n' "$PASSWORD" > /etc/branchline/admin-password
chown branchline:branchline /etc/branchline/admin-password
chmod 600 /etc/branchline/admin-password
# The packaged config names the file in a comment; an operator's drop-in sets it.
mkdir -p /etc/systemd/system/branchline.service.d
printf '[Service]\nEnvironment=BRANCHLINE_ADMIN_PASSWORD_FILE=/etc/branchline/admin-password\n' \
  > /etc/systemd/system/branchline.service.d/admin-password.conf
systemctl daemon-reload
systemctl enable --now branchline || fail "systemctl enable --now branchline"
signed_in || fail "no sign-in through the running service"
branchctl --server $server --token-file /tmp/token whoami | grep -q admin || fail "whoami"
echo "serves a sign-in under systemd"

# The sandbox, read from the process itself.
pid=$(main_pid)
[ "${pid:-0}" -gt 0 ] || fail "no main process"
status=/proc/$pid/status
[ "$(stat -c %U /proc/"$pid")" = branchline ] || fail "runs as $(stat -c %U /proc/"$pid")"
grep -Eq '^NoNewPrivs:[[:space:]]+1$' "$status" || fail "NoNewPrivileges is not in effect"
grep -Eq '^CapEff:[[:space:]]+0+$' "$status" || fail "capabilities left: $(grep CapEff "$status")"
grep -Eq '^Seccomp:[[:space:]]+2$' "$status" || fail "no system call filter"
# ProtectSystem=strict: / is read-only in its mount namespace; the data directory is writable.
awk '$5 == "/" { print $6 }' /proc/"$pid"/mountinfo | grep -q '^ro' ||
  fail "/ is writable for the server"
awk '$5 == "/var/lib/branchline" { print $6 }' /proc/"$pid"/mountinfo | grep -q '^rw' ||
  fail "/var/lib/branchline is not a writable mount for the server"
echo "sandbox: user branchline, no new privileges, no capabilities, seccomp, / read-only"

# Restart=on-failure: a SIGKILL brings it back with the same database and token key (the
# token signed before still works).
systemctl kill -s KILL branchline
for _ in $(seq 1 100); do
  new=$(main_pid)
  [ "${new:-0}" -gt 0 ] && [ "$new" != "$pid" ] && break
  sleep 0.1
done
[ "$(systemctl show -p NRestarts --value branchline)" = 1 ] || fail "not restarted after SIGKILL"
for _ in $(seq 1 100); do
  branchctl --server $server --token-file /tmp/token whoami 2> /dev/null | grep -q admin && break
  sleep 0.2
done
branchctl --server $server --token-file /tmp/token whoami | grep -q admin ||
  fail "the token of before the SIGKILL does not work after the restart"
echo "restarted after SIGKILL with its data"

# A stop is quick (no calls in flight: well inside shutdown_grace_seconds) and clean.
start=$(date +%s)
systemctl stop branchline || fail "systemctl stop"
took=$(($(date +%s) - start))
[ "$took" -le 5 ] || fail "stop took $took s"
[ "$(systemctl show -p Result --value branchline)" = success ] ||
  fail "stopped with result $(systemctl show -p Result --value branchline)"
echo "stopped cleanly in ${took} s"
done_with ok
