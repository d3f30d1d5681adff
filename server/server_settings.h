#pragma once

#include "grpcpp/resource_quota.h"
#include "grpcpp/server_builder.h"

namespace branchline {

// The transport and threading settings of the server, shared with the benchmark's echo
// baseline so that the baseline measures the same gRPC configuration.
void ApplyServerSettings(grpc::ServerBuilder& builder, grpc::ResourceQuota& quota);

}  // namespace branchline
