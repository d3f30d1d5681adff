#!/usr/bin/env bash
# Writes the Branchline API as one protobuf descriptor set ($1, default clients/node/gen) that
# the Node client loads with @grpc/proto-loader: the service stubs are built from it at run
# time, so there is no generated JavaScript to keep in step with proto/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here/gen}
mkdir -p "$out"
protos=$(cd "$root/proto" && find branchline/v1 -name '*.proto' | sort)
protoc --proto_path="$root/proto" --proto_path="$root/proto/third_party" \
  --include_imports --descriptor_set_out="$out/branchline.binpb" $protos google/rpc/error_details.proto
echo "descriptor set in $out/branchline.binpb"
