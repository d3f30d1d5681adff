#!/usr/bin/env bash
# Generates Python stubs for the Branchline API into $1 (default: clients/python/gen), with
# Debian's protoc and grpc_python_plugin (package protobuf-compiler-grpc).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here/gen}
mkdir -p "$out"
protos=$(cd "$root/proto" && find branchline -name '*.proto' | sort)
third=$(cd "$root/proto/third_party" && find google -name '*.proto' | sort)
protoc --proto_path="$root/proto" --proto_path="$root/proto/third_party" \
  --python_out="$out" --grpc_python_out="$out" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" $protos
(cd "$root/proto/third_party" && protoc --proto_path=. --python_out="$out" $third)
# The standard health service, from Debian's grpc-proto.
protoc --proto_path=/usr/share/grpc-proto --python_out="$out" --grpc_python_out="$out" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" grpc/health/v1/health.proto
# grpc/health is a namespace package beside the real `grpc`; expose it as grpc_health.
mkdir -p "$out/grpc_health"
mv "$out/grpc/health/v1/"*.py "$out/grpc_health/"
rm -rf "$out/grpc"
sed -i 's/^from grpc.health.v1 import health_pb2/from grpc_health import health_pb2/' "$out/grpc_health/health_pb2_grpc.py"
echo "stubs in $out"
