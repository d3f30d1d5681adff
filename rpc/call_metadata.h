#pragma once

#include <string_view>

#include "grpcpp/server_context.h"

namespace branchline {

// The value of one metadata entry of the call ("" when absent).
inline std::string_view MetadataValue(const grpc::ServerContextBase* context,
                                      std::string_view key) {
  const auto& md = context->client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return {};
  return std::string_view(it->second.data(), it->second.size());
}

}  // namespace branchline
