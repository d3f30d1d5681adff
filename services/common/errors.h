#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"

namespace branchline {

// INVALID_ARGUMENT whose message starts with the field ("person.phone: ...") and which
// carries a google.rpc.BadRequest field violation, sent to clients in the status details.
absl::Status InvalidField(std::string_view field, std::string_view description);

// Other codes that name a field in their message (and carry the same BadRequest detail so
// clients can highlight the field): NOT_FOUND for an id that does not exist, etc.
absl::Status FieldError(absl::StatusCode code, std::string_view field,
                        std::string_view description);

// The status payload key of the serialized google.rpc.BadRequest.
inline constexpr std::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";

// The status as a google.rpc.Status message, with its details (BadRequest, RetryInfo: every
// payload), for per-item answers in batch calls and for the gRPC status details.
google::rpc::Status ToRpcStatus(const absl::Status& status);

// PERMISSION_DENIED with a uniform message.
absl::Status Denied(std::string_view what);

}  // namespace branchline
