#include "services/common/refusal.h"

#include <map>

#include "absl/strings/cord.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/absl_compat.h"
#include "services/common/errors.h"
#include "services/common/message_catalog.h"

namespace branchline {

namespace {

constexpr std::string_view kErrorInfoTypeUrl = "type.googleapis.com/google.rpc.ErrorInfo";

}  // namespace

absl::Status DescribedRefusal(absl::StatusCode code, std::string_view reason,
                              std::string_view field, std::string_view description,
                              ReasonMetadata metadata) {
  absl::Status status = field.empty() ? absl::Status(code, AbslView(description))
                                      : FieldError(code, field, description);
  google::rpc::ErrorInfo info;
  info.set_domain(std::string(kErrorDomain));
  info.set_reason(std::string(reason));
  for (const auto& [key, value] : metadata) (*info.mutable_metadata())[std::string(key)] = value;
  status.SetPayload(AbslView(kErrorInfoTypeUrl), absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status Refusal(absl::StatusCode code, std::string_view reason, std::string_view field,
                     ReasonMetadata metadata) {
  std::map<std::string_view, std::string_view> values;
  for (const auto& [key, value] : metadata) values[key] = value;
  std::string english = RenderMessage(ReasonMessage(reason, Locale::kEn).value_or(reason),
                                      [&](std::string_view name) -> std::optional<std::string> {
                                        auto it = values.find(name);
                                        if (it == values.end()) return std::nullopt;
                                        return std::string(it->second);
                                      });
  return DescribedRefusal(code, reason, field, english, metadata);
}

std::string ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(AbslView(kErrorInfoTypeUrl));
  if (!payload) return "";
  google::rpc::ErrorInfo info;
  if (!info.ParseFromString(std::string(*payload))) return "";
  return info.reason();
}

}  // namespace branchline
