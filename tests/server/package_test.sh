#!/usr/bin/env bash
# scripts/package.sh builds the Debian packages; their contents, dependencies (from
# dpkg-shlibdeps), conffile and maintainer scripts are what the server needs, and the packaged
# server runs and accepts its packaged config.
# Usage: package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1") src=$2
for tool in dpkg-deb dpkg-shlibdeps cpack; do
  command -v $tool > /dev/null || { echo "SKIP: $tool is missing"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

BUILD_DIR=$build "$src/scripts/package.sh" "$work/out" > "$work/package.log" 2>&1 ||
  { cat "$work/package.log"; fail "scripts/package.sh"; }
server=$(ls "$work"/out/branchline-server_*_amd64.deb)
ctl=$(ls "$work"/out/branchctl_*_amd64.deb)

field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$server" Package)" = branchline-server ] || fail "server package name"
[ "$(field "$ctl" Package)" = branchctl ] || fail "branchctl package name"

# Exactly these files in the server package: no test, benchmark or build leftovers.
dpkg-deb -c "$server" | awk '$1 !~ /^d/ {print $6}' | sort > "$work/server.files"  # awk reads all
cat > "$work/server.expected" << 'LIST'
./etc/branchline/branchline.toml
./usr/bin/branchline-server
./usr/lib/systemd/system/branchline.service
./usr/share/doc/branchline-server/README.md
./usr/share/doc/branchline-server/limits.md
./usr/share/doc/branchline-server/operations.md
./usr/share/doc/branchline-server/security.md
LIST
diff -u "$work/server.expected" "$work/server.files" || fail "server package contents"
# (listings go through files: `grep -q` on a pipe would kill dpkg-deb with SIGPIPE)
dpkg-deb -c "$ctl" > "$work/ctl.list"
grep -q ' ./usr/bin/branchctl$' "$work/ctl.list" || fail "branchctl binary"
# Everything is root's; nothing is setuid.
dpkg-deb -c "$server" > "$work/server.list"
awk '$2 != "root/root" || $1 ~ /s/ {print; bad=1} END {exit bad}' "$work/server.list" ||
  fail "ownership or setuid bits"

# Dependencies: the libraries the binaries link, found by dpkg-shlibdeps (versions included).
depends=$(field "$server" Depends)
for lib in libgrpc++1.51 librocksdb7.8 libprotobuf32 libsodium23 libtomlplusplus3 libspdlog1.10 \
  libssl3 adduser; do
  echo "$depends" | grep -q "\\b$lib" || fail "server Depends lacks $lib: $depends"
done
echo "$depends" | grep -q 'libgrpc++1.51 (>= ' || fail "no versioned dependency: not from shlibdeps"
field "$ctl" Depends | grep -q 'libgrpc++1.51' || fail "branchctl Depends"
field "$ctl" Depends | grep -q 'librocksdb' && fail "branchctl depends on RocksDB (a server library)"

# Control files: the config is a conffile (local edits survive upgrades), the scripts parse.
dpkg-deb -e "$server" "$work/control"
[ "$(cat "$work/control/conffiles")" = /etc/branchline/branchline.toml ] || fail "conffiles"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "$script is not executable"
  sh -n "$work/control/$script" || fail "$script does not parse"
done
grep -q 'adduser --system' "$work/control/postinst" || fail "postinst makes no system user"
grep -q '/var/lib/branchline' "$work/control/postinst" || fail "postinst makes no data directory"
# purge (and only purge) deletes the data.
awk '/^ *purge\)/,/;;/' "$work/control/postrm" | grep -q 'rm -rf /var/lib/branchline' ||
  fail "postrm purge keeps the data"
[ "$(grep -c 'rm -rf' "$work/control/postrm")" = 1 ] || fail "postrm deletes outside purge"

# The packaged files work together: the stripped server runs, accepts its packaged config, and
# the unit is the one in deploy/.
dpkg-deb -x "$server" "$work/root"
dpkg-deb -x "$ctl" "$work/root"
cmp "$work/root/usr/lib/systemd/system/branchline.service" "$src/deploy/systemd/branchline.service" ||
  fail "packaged unit differs from deploy/systemd"
"$work/root/usr/bin/branchline-server" --check-config "$work/root/etc/branchline/branchline.toml" ||
  fail "the packaged server refuses its packaged config"
readelf -S "$work/root/usr/bin/branchline-server" | grep -q '\.debug_info' && fail "server not stripped"
"$work/root/usr/bin/branchctl" --help > /dev/null || fail "packaged branchctl does not run"

# The desktop package, when this build has the desktop client.
if desk=$(ls "$work"/out/branchline-desk_*_amd64.deb 2> /dev/null); then
  dpkg-deb -c "$desk" > "$work/desk.list"
  grep -q ' ./usr/share/applications/branchline-desk.desktop$' "$work/desk.list" ||
    fail "desk: no .desktop entry"
  grep -q ' ./usr/share/icons/hicolor/scalable/apps/branchline-desk.svg$' "$work/desk.list" ||
    fail "desk: no icon"
  field "$desk" Depends | grep -q 'libqt6widgets6' || fail "desk Depends lacks Qt 6"
fi
ls -l "$work"/out/*.deb | awk '{print $5, $9}'
echo "packages: ok"
