#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace branchline {

// The one place an absl::Status becomes a grpc::Status: same code and message, plus a
// google.rpc.Status in the details (grpc-status-details-bin) carrying any BadRequest payload.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The answer to a request that does not parse (in practice: a string field that is not valid
// UTF-8), instead of the INTERNAL with no message that gRPC's deserializer gives.
grpc::Status UnparseableRequest();
// The same as a domain status, for the handlers that parse their own requests.
absl::Status UnparseableRequestStatus();

}  // namespace branchline
