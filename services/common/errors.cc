#include "services/common/errors.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "services/common/absl_compat.h"

namespace branchline {

absl::Status FieldError(absl::StatusCode code, std::string_view field,
                        std::string_view description) {
  absl::Status status(code, std::string(field) + ": " + std::string(description));
  google::rpc::BadRequest bad;
  auto* violation = bad.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(description));
  status.SetPayload(AbslView(kBadRequestTypeUrl), absl::Cord(bad.SerializeAsString()));
  return status;
}

absl::Status InvalidField(std::string_view field, std::string_view description) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, description);
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(status.code()));
  rpc.set_message(std::string(status.message()));
  // Every detail travels: BadRequest from FieldError, RetryInfo from throttles, ErrorInfo from
  // Refusal. Sorted by type: absl visits payloads in no fixed order, and two refusals that must
  // look alike (a known and an unknown login's) must be alike byte for byte.
  std::vector<std::pair<std::string, std::string>> payloads;
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    payloads.emplace_back(std::string(type_url), std::string(payload));
  });
  std::sort(payloads.begin(), payloads.end());
  for (auto& [type_url, value] : payloads) {
    auto* any = rpc.add_details();
    any->set_type_url(std::move(type_url));
    any->set_value(std::move(value));
  }
  return rpc;
}

absl::Status Denied(std::string_view what) {
  return absl::PermissionDeniedError("permission denied: " + std::string(what));
}

}  // namespace branchline
