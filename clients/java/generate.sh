#!/usr/bin/env bash
# Builds the Java client into $1 (default clients/java/gen): message classes (protoc --java_out)
# and service stubs (Debian's grpc_java_plugin) from proto/, compiled with plain javac together
# with Scenario.java against Debian's jars in /usr/share/java. Skips everything when the inputs
# (protos, sources, this script) are unchanged since the last build in that directory, so the
# test suite pays the ~30 s compile once per build directory.
# Prints the run-time classpath on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here/gen}
jars=/usr/share/java
# grpc-java 1.41 and what it needs at run time (netty transport, guava, perfmark); the
# geronimo annotation jar provides the javax.annotation.Generated the stubs carry.
deps=(grpc-api grpc-core grpc-context grpc-stub grpc-protobuf grpc-protobuf-lite grpc-netty
  protobuf guava failureaccess perfmark-api netty-buffer netty-codec netty-codec-http
  netty-codec-http2 netty-common netty-handler netty-resolver netty-transport
  geronimo-annotation-1.3-spec)
classpath=""
for d in "${deps[@]}"; do
  [ -f "$jars/$d.jar" ] && classpath+="$jars/$d.jar:"
done
classpath+="$out/classes"

protos=$(cd "$root/proto" && find branchline/v1 -name '*.proto' | sort)
inputs_hash=$( (cd "$root/proto" && cat $protos third_party/google/rpc/*.proto; cat "$here"/*.java "$0") |
  sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/inputs.sha256" 2>/dev/null)" != "$inputs_hash" ]; then
  rm -rf "$out/src" "$out/classes"
  mkdir -p "$out/src" "$out/classes"
  protoc --proto_path="$root/proto" --proto_path="$root/proto/third_party" \
    --java_out="$out/src" --grpc-java_out="$out/src" \
    --plugin=protoc-gen-grpc-java="$(command -v grpc_java_plugin)" \
    $protos google/rpc/status.proto google/rpc/error_details.proto
  find "$out/src" -name '*.java' > "$out/sources.txt"
  echo "$here/Scenario.java" >> "$out/sources.txt"
  javac -nowarn -encoding UTF-8 -J-Xmx1g -cp "$classpath" -d "$out/classes" @"$out/sources.txt" \
    2>&1 | grep -v '^Note: ' || true
  [ -f "$out/classes/org/branchline/clients/Scenario.class" ] || { echo "javac failed" >&2; exit 1; }
  echo "$inputs_hash" > "$out/inputs.sha256"
fi
echo "$classpath"
