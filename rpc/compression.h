#pragma once

#include <cstddef>

#include "grpcpp/server_context.h"

namespace branchline {

// Answers at least this large (serialized) are compressed. Smaller ones are not worth the
// CPU: a phone's radio sends a 1 KiB frame about as fast as a 300-byte one.
inline constexpr size_t kCompressAnswersFromBytes = 1024;

// Asks gRPC to compress a large answer. A compression *level* (not an algorithm) lets gRPC
// pick among the algorithms the client announced in grpc-accept-encoding: LOW is gzip when
// the client accepts gzip (grpc-java, grpc-swift, grpcio and grpc++ all do by default), and
// no compression for a client that accepts none, so no client ever gets what it cannot read.
inline void CompressIfLarge(grpc::ServerContextBase* context, size_t serialized_bytes) {
  if (serialized_bytes >= kCompressAnswersFromBytes) {
    context->set_compression_level(GRPC_COMPRESS_LEVEL_LOW);
  }
}

}  // namespace branchline
