#!/usr/bin/env bash
# The packages in a fresh Debian 12 root (debootstrap): apt installs branchline-server and
# branchctl with their dependencies, the postinst made the `branchline` user and
# /var/lib/branchline, the server starts from the installed files with the installed config as
# that user and serves a sign-in (by the installed branchctl), `apt remove` keeps the data and
# `apt purge` deletes it. Long (minutes: a minimal Debian is downloaded; the base root is cached
# in BUILD_DIR/debootstrap-cache). Skips (77) without root, debootstrap or the Debian mirror.
# Then the root boots with systemd as its init (systemd-nspawn, in its own network namespace) and
# the service runs as its installed unit (tests/server/install_check_in_systemd.sh).
# Usage: debian_install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1") src=$2
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
command -v debootstrap > /dev/null || skip "debootstrap is missing (apt install debootstrap)"
curl -sfI --max-time 10 "$mirror/dists/bookworm/Release" > /dev/null || skip "no access to $mirror"

work=$(mktemp -d)
root=$work/root
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill -KILL "$server_pid" 2> /dev/null || true
  umount "$root/proc" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# BRANCHLINE_DEBS=DIR tests packages built before (a release's) instead of building them.
if [ -n "${BRANCHLINE_DEBS:-}" ]; then
  cp -r "$BRANCHLINE_DEBS" "$work/debs"
else
  BUILD_DIR=$build "$src/scripts/package.sh" "$work/debs" > "$work/package.log" 2>&1 ||
    { cat "$work/package.log"; fail "scripts/package.sh"; }
fi

# A minimal bookworm, downloaded once and kept as a tarball.
cache=$build/debootstrap-cache
tarball=$cache/bookworm-minbase.tgz
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
  echo "debootstrap: downloading a minimal Debian 12 (once)"
  debootstrap --variant=minbase --make-tarball="$tarball.part" bookworm "$work/tarball-root" \
    "$mirror" > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; fail "debootstrap --make-tarball"; }
  mv "$tarball.part" "$tarball"
fi
debootstrap --variant=minbase --unpack-tarball="$tarball" bookworm "$root" "$mirror" \
  > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

cp "$work"/debs/branchline-server_*.deb "$work"/debs/branchctl_*.deb "$root/tmp/"
in_root apt-get update -qq > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get update"; }
in_root sh -c 'apt-get install -y -qq --no-install-recommends /tmp/branchline-server_*.deb /tmp/branchctl_*.deb' \
  > "$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; fail "apt install the packages"; }

# What the postinst made.
in_root getent passwd branchline | grep -q ':/var/lib/branchline:' || fail "no branchline system user"
[ "$(in_root stat -c '%U:%G %a' /var/lib/branchline)" = "branchline:branchline 700" ] ||
  fail "/var/lib/branchline: $(in_root stat -c '%U:%G %a' /var/lib/branchline)"
[ -f "$root/usr/lib/systemd/system/branchline.service" ] || fail "no unit installed"
in_root branchline-server --check-config /etc/branchline/branchline.toml || fail "installed config"

# Start as the unit does (user branchline, --config the installed file); the admin password from
# a 0600 file; only the ports differ (any free one: the chroot shares the host's network).
password=install-test-password-1
printf '%s\n' "$password" > "$root/etc/branchline/admin-password"
in_root chown branchline:branchline /etc/branchline/admin-password
chmod 600 "$root/etc/branchline/admin-password"
chroot --userspec=branchline:branchline "$root" env -i \
  BRANCHLINE_ADMIN_PASSWORD_FILE=/etc/branchline/admin-password \
  BRANCHLINE_LISTEN=127.0.0.1:0 BRANCHLINE_METRICS_LISTEN=off BRANCHLINE_FAST_PASSWORD_HASHING=true \
  /usr/bin/branchline-server --config /etc/branchline/branchline.toml > "$work/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/server.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2> /dev/null || { cat "$work/server.log"; fail "server exited"; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/server.log"; fail "server did not listen"; }
echo "$password" | in_root branchctl --server "127.0.0.1:$port" --token-file /tmp/token \
  login --user admin --password-stdin || { cat "$work/server.log"; fail "sign-in"; }
in_root branchctl --server "127.0.0.1:$port" --token-file /tmp/token whoami | grep -q admin ||
  fail "whoami"
kill -TERM "$server_pid"
wait "$server_pid" || { cat "$work/server.log"; fail "server exit status $?"; }
server_pid=
[ -f "$root/var/lib/branchline/token.key" ] || fail "the data directory was not /var/lib/branchline"
[ "$(stat -c %U "$root/var/lib/branchline/db/CURRENT")" = "$(stat -c %U "$root/var/lib/branchline")" ] ||
  fail "database not owned by the service user"

# Under systemd, as installed: the root boots in a container and a one-shot unit runs the
# checks of install_check_in_systemd.sh against the service its unit starts. The chroot run
# above left a database with the admin account; the check starts from a fresh one.
command -v systemd-nspawn > /dev/null || fail "systemd-nspawn is missing (apt install systemd-container)"
in_root apt-get install -y -qq --no-install-recommends systemd systemd-sysv > "$work/apt.log" 2>&1 ||
  { tail -30 "$work/apt.log"; fail "apt install systemd"; }
find "$root/var/lib/branchline" -mindepth 1 -delete
in_root systemd-machine-id-setup > /dev/null
ln -sf /dev/null "$root/etc/systemd/system/systemd-firstboot.service"
install -m 755 "$src/tests/server/install_check_in_systemd.sh" "$root/usr/local/sbin/install-check"
cat > "$root/etc/systemd/system/install-check.service" << UNIT
[Unit]
Description=Branchline install check
After=multi-user.target
[Service]
Type=oneshot
Environment=PASSWORD=$password
ExecStart=/usr/local/sbin/install-check
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../install-check.service "$root/etc/systemd/system/multi-user.target.wants/install-check.service"
umount "$root/proc"
mkdir -p "$work/result"
timeout 300 systemd-nspawn --quiet --register=no --keep-unit --private-network --console=passive \
  --bind="$work/result:/result" -D "$root" --boot > "$work/boot.log" 2>&1 || true
cat "$work/result/log" 2> /dev/null || { tail -40 "$work/boot.log"; fail "the check in the booted root did not run"; }
[ "$(cat "$work/result/status" 2> /dev/null)" = ok ] || fail "the service under systemd"
rm "$root/etc/systemd/system/multi-user.target.wants/install-check.service"
mount -t proc proc "$root/proc"

# remove keeps the data and the config; purge deletes them.
in_root apt-get remove -y -qq branchline-server > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "remove"; }
[ ! -e "$root/usr/bin/branchline-server" ] || fail "binary left after remove"
[ -f "$root/var/lib/branchline/db/CURRENT" ] || fail "remove deleted the database"
[ -f "$root/etc/branchline/branchline.toml" ] || fail "remove deleted the conffile"
in_root apt-get purge -y -qq branchline-server > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "purge"; }
[ ! -e "$root/var/lib/branchline" ] || fail "purge left /var/lib/branchline"
[ ! -e "$root/etc/branchline/branchline.toml" ] || fail "purge left the conffile"
echo "debian install: ok"
