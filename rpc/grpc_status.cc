#include "rpc/grpc_status.h"

#include "services/common/errors.h"

namespace branchline {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbers.
  auto code = static_cast<grpc::StatusCode>(status.code());
  return grpc::Status(code, std::string(status.message()), ToRpcStatus(status).SerializeAsString());
}

namespace {
constexpr char kUnparseable[] =
    "request could not be parsed: a text field is not valid UTF-8 or the message is malformed";
}  // namespace

grpc::Status UnparseableRequest() {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, kUnparseable);
}

absl::Status UnparseableRequestStatus() { return absl::InvalidArgumentError(kUnparseable); }

}  // namespace branchline
