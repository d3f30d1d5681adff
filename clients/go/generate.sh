#!/usr/bin/env bash
# Builds the Go client into $1 (default clients/go/gen): message and service code generated
# from proto/ by Debian's protoc-gen-go and protoc-gen-go-grpc into a GOPATH
# (import path branchline/gen/branchline/v1, from the protos' go_package), then the scenario
# binary $1/bin/scenario, built in GOPATH mode against Debian's Go packages in
# /usr/share/gocode (Debian 12's grpc-go 1.33 has no Go-module set-up). Skips everything when the
# inputs (protos, sources, this script) are unchanged since the last build in that directory.
# Prints the binary's path on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here/gen}
mkdir -p "$out"
out=$(cd "$out" && pwd)
protos=$(cd "$root/proto" && find branchline/v1 -name '*.proto' | sort)
inputs_hash=$( (cd "$root/proto" && cat $protos; cat "$here"/scenario/*.go "$0") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/inputs.sha256" 2>/dev/null)" != "$inputs_hash" ]; then
  rm -rf "$out/gopath" "$out/bin"
  mkdir -p "$out/gopath/src" "$out/bin"
  protoc --proto_path="$root/proto" --proto_path="$root/proto/third_party" \
    --go_out="$out/gopath/src" --go-grpc_out="$out/gopath/src" $protos
  # The build cache lives beside the output so a fresh machine's first run fills it once.
  GOPATH="$out/gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOCACHE="$out/gocache" \
    go build -o "$out/bin/scenario" "$here/scenario/main.go"
  echo "$inputs_hash" > "$out/inputs.sha256"
fi
echo "$out/bin/scenario"
