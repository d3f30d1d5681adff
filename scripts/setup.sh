#!/usr/bin/env bash
# Installs everything a fresh Debian 12 machine lacks to build, run and test Branchline, then
# the npm developer tools (buf). Safe to run again: apt runs only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config git clang-format
  # gRPC, protobuf and the standard health proto
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  # storage, crypto, flags, logging, JSON, QR codes
  librocksdb-dev libsodium-dev libssl-dev libcli11-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libqrencode-dev
  # the server's allocator (CMakeLists.txt: tcmalloc)
  libgoogle-perftools-dev
  # photos (services/files/media): JPEG and PNG decoding for thumbnails, and the tests' images
  libjpeg62-turbo-dev libpng-dev libheif-dev
  # the server's TOML config file (server/config/config_sources.cc: unknown keys and wrong
  # types refused with their line)
  libtomlplusplus-dev
  # Debian packages (scripts/package.sh: CPack's DEB generator needs dpkg-shlibdeps), the
  # systemd unit's test (systemd-analyze verify) and the install test into a fresh Debian 12
  # root (scripts/install_test.sh), which boots that root under systemd (systemd-nspawn) to run
  # the service as its unit does
  dpkg-dev systemd debootstrap systemd-container
  # tests (openssl makes throwaway certificates for the TLS test)
  libgtest-dev libgmock-dev openssl
  # Prometheus metrics endpoint (server/metrics.cc)
  prometheus-cpp-dev
  # promtool, for the tests of the alert rules (deploy/monitoring: promtool check/test rules);
  # the package's prometheus server itself is not used (not started without systemd)
  prometheus
  # the Python client (Debian's interpreter and grpcio; cryptography for the blind ballots of
  # anonymous evaluation rounds, clients/python/blind_ballot.py)
  python3 python3-grpcio python3-protobuf python3-cryptography
  # YAML for the monitoring test (tests/server/monitoring_dashboard_test.py reads the rules)
  python3-yaml
  # clients in other languages (clients/java, clients/go): Debian's grpc-java and grpc-go
  default-jdk-headless libgrpc-java protobuf-compiler-grpc-java-plugin libprotobuf-java
  libnetty-java libperfmark-java libguava-java libgeronimo-annotation-1.3-spec-java
  golang-go golang-google-grpc-dev protoc-gen-go protoc-gen-go-grpc golang-github-golang-protobuf-1-5-dev
  # the Qt 6 desktop client (clients/desktop): Widgets, Charts (needs the OpenGL dev package),
  # a CJK font for Chinese text; its end-to-end test runs under Xvfb and dates prepared data
  # in the past with libfaketime
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev fonts-noto-cjk xvfb xauth libfaketime
  # the handbooks as PDF (services/handbook/handbook_pdf.cc): Cairo draws the pages, Pango
  # lays out Chinese text in the Noto CJK font above; the tests read the PDF back with pdftotext
  libcairo2-dev libpango1.0-dev poppler-utils
  # the production edge (deploy/nginx) and its test
  nginx
  # cluster mode (storage/postgres_engine.cc, scripts/cluster.sh, docs/cluster.md): PostgreSQL 15
  # and libpq, Patroni for failover, etcd as Patroni's store; curl asks Patroni who leads
  postgresql-15 libpq-dev patroni etcd-server etcd-client curl
  # libFuzzer targets (scripts/fuzz.sh): clang with its sanitizer and fuzzer runtimes
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js (for buf) may come from Debian or elsewhere; only install it when absent.
command -v npm > /dev/null || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x tools/node_modules/.bin/buf ]; then
  echo "setup: installing buf from npm (tools/package-lock.json)"
  # `npm ci` installs exactly the lock file and never rewrites it, so the work tree stays clean.
  # The lock lists every platform's optional buf binary (npm ci needs them all listed).
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -d clients/node/node_modules/@grpc/grpc-js ]; then
  echo "setup: installing the Node client's gRPC from npm (clients/node/package-lock.json)"
  (cd clients/node && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "setup: ok"
