#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace branchline {

// The one place an absl::Status becomes a grpc::Status: same code and message, plus a
// google.rpc.Status in the details (grpc-status-details-bin) carrying any BadRequest payload.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace branchline
